"""The one rounding rule for every rate the tracker shows: a percentage with one decimal, and
None (shown as "–") when there is nothing to divide by. Pages, exports, metrics and the report
all call `rate`, so a figure never differs by a rounding between two places. And the one rule
for "the previous period" that a figure is compared with (`previous_period`)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal


def rate(part, whole) -> float | None:
    if part is None or not whole:
        return None
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def previous_period(
    period_start: datetime.date, period_end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The period of the same length just before: whole months when the period is made of whole
    months (2024-2025 -> 2022-2023), otherwise the same number of days."""
    next_day = period_end + datetime.timedelta(days=1)
    if period_start.day == 1 and next_day.day == 1:
        months = (next_day.year - period_start.year) * 12 + next_day.month - period_start.month
        index = period_start.year * 12 + period_start.month - 1 - months
        start = datetime.date(index // 12, index % 12 + 1, 1)
        return start, period_start - datetime.timedelta(days=1)
    days = (period_end - period_start).days + 1
    return period_start - datetime.timedelta(days=days), period_start - datetime.timedelta(days=1)
