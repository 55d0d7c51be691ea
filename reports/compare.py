"""Two issued runs side by side: every figure of both snapshots with its change (the trend
paragraph 10 asks for)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reports.layout import display


@dataclass
class ComparedFigure:
    section: str
    key: str
    label: str
    before: object
    after: object

    @property
    def change(self):
        a, b = _numeric(self.before), _numeric(self.after)
        if a is None or b is None:
            return None
        return b - a

    def display_before(self) -> str:
        return display(self.key.rsplit(".", 1)[-1], self.before)

    def display_after(self) -> str:
        return display(self.key.rsplit(".", 1)[-1], self.after)

    def display_change(self) -> str:
        change = self.change
        if change is None:
            return ""
        sign = "+" if change > 0 else ""
        if change == change.to_integral_value() and "." not in str(self.before) + str(self.after):
            return f"{sign}{int(change):,}"
        return f"{sign}{change:,.2f}" if "amount" in self.key else f"{sign}{change:,.1f}"

    @property
    def tone(self) -> str:
        return "" if not self.change else ("up" if self.change > 0 else "down")


def _numeric(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def _leaves(snapshot: dict) -> dict[str, tuple[str, str, object]]:
    """key path -> (section code, label, value) for every figure of a snapshot."""
    leaves: dict[str, tuple[str, str, object]] = {}
    for item in snapshot.get("headline", []):
        leaves[f"headline.{item['key']}"] = (item["section"], item["label"], item["value"])
    for section in snapshot.get("sections", []):
        labels = section.get("labels", {})
        order = {name: i for i, name in enumerate(section.get("key_order", []))}

        def walk(path: list[str], value, code=section["code"], labels=labels, order=order):
            if isinstance(value, dict):
                for key in sorted(value, key=lambda k: (order.get(k, len(order)), k)):
                    walk(path + [key], value[key])
            elif not isinstance(value, list):
                label = " – ".join(labels.get(p, p) for p in path)
                leaves[f"{code}." + ".".join(path)] = (code, label, value)

        walk([], section.get("metrics", {}))
    return leaves


def compare(before: dict, after: dict) -> list[ComparedFigure]:
    a, b = _leaves(before), _leaves(after)
    keys = list(b) + [k for k in a if k not in b]
    rows = []
    for key in keys:
        code, label, _value = b.get(key) or a[key]
        rows.append(
            ComparedFigure(
                section=code,
                key=key,
                label=label,
                before=a.get(key, (None, None, None))[2],
                after=b.get(key, (None, None, None))[2],
            )
        )
    return rows
