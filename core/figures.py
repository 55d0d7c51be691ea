"""The one rounding rule for every rate the tracker shows: a percentage with one decimal, and
None (shown as "–") when there is nothing to divide by. Pages, exports, metrics and the report
all call `rate`, so a figure never differs by a rounding between two places."""

from decimal import ROUND_HALF_UP, Decimal


def rate(part, whole) -> float | None:
    if part is None or not whole:
        return None
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
