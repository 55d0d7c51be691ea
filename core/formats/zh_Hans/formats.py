# Chinese keeps Django's dates (2026年11月20日); numbers are grouped by thousands with a comma,
# as the Organization's Chinese documents write amounts (4,130,000.50), not by ten thousands.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
