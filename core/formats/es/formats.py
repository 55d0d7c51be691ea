# UN Spanish editorial style: "20 de noviembre de 2026"; 24-hour times; 4.130.000,50 (a point
# between thousands, a decimal comma), as the Organization's Spanish documents write amounts.
DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
