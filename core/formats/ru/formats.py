# UN Russian editorial style: "20 ноября 2026 года" (the month in the genitive, E); 24-hour
# times; 4 130 000,50 (a no-break space between thousands, a decimal comma).
DATE_FORMAT = r"j E Y \г\о\д\а"
SHORT_DATE_FORMAT = r"j E Y \г\о\д\а"
DATETIME_FORMAT = r"j E Y \г\о\д\а, H:i"
SHORT_DATETIME_FORMAT = r"j E Y \г\о\д\а, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"F Y \г\о\д\а"
MONTH_DAY_FORMAT = "j E"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
