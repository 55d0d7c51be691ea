# UN Arabic editorial style: "20 نوفمبر 2026", with Western digits 0-9 as the Organization's
# Arabic documents have them (no Arabic comma after the month); 24-hour times; 4 130 000.50.
# The thousands separator is a no-break space: its bidirectional class (CS) keeps the digits of
# one number together, left to right, inside right-to-left text (a plain space would not).
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
