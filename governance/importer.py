"""Import of mandates from CSV or XLSX (the register of mandates kept by the intergovernmental
bodies' secretariats). The whole file goes through the same save action as the API, in one
transaction: any bad row rejects the whole file (nothing saved) with a list of
{row, column, error}; a preview runs the same and rolls back.

Columns: symbol, body (GA, SC, ECOSOC, HRC, other), adopted_on, title; optionally
accomplishments and indicators (ids separated by ";"), paragraphs (numbers separated by ";").
Rows are matched on `symbol`: importing the same file twice changes nothing, an edited file
updates.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from core.imports import ImportRejected, problem, read_table, serializer_context
from governance.models import Mandate

REQUIRED = ["symbol", "body", "adopted_on", "title"]
LISTS = ["accomplishments", "indicators", "paragraphs"]
MAX_ROWS = 20_000


class _Rollback(Exception):
    pass


def _problem(row, column, error) -> dict:
    return problem(row, column, error)


def read_rows(upload) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and [(row number in the file, {column: text})] (core.imports)."""
    table = read_table(upload, max_rows=MAX_ROWS)
    return table.header, table.rows


def _errors_of(number: int, detail) -> list[dict]:
    if isinstance(detail, dict):
        return [
            _problem(number, None if column == "non_field_errors" else column, m)
            for column, messages in detail.items()
            for m in (messages if isinstance(messages, list) else [messages])
        ]
    return [_problem(number, None, m) for m in detail]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _same(mandate: Mandate, data: dict) -> bool:
    """Whether a row says exactly what is recorded (then it is not saved again)."""
    return (
        mandate.body == data["body"]
        and mandate.adopted_on.isoformat() == data["adopted_on"]
        and mandate.title == data["title"]
        and all(
            sorted(str(v) for v in getattr(mandate, name).values_list(key, flat=True))
            == sorted(str(v) for v in data[name])
            for name, key in (
                ("accomplishments", "pk"),
                ("indicators", "pk"),
                ("paragraphs", "number"),
            )
            if name in data
        )
    )


def import_mandates(upload, *, acting_user, context: dict, preview: bool = False) -> dict:
    """{"preview", "created", "updated", "unchanged", "rows": [...]}, or ImportRejected."""
    from governance.api.serializers import MandateSerializer

    header, rows = read_rows(upload)
    missing = [
        _problem(
            1, name, _("The column %(column)s is missing from the header row.") % {"column": name}
        )
        for name in REQUIRED
        if name not in header
    ]
    if missing:
        raise ImportRejected(missing)
    symbols = [cells.get("symbol", "") for _n, cells in rows]
    existing = {
        m.symbol: m
        for m in Mandate.objects.restrict(acting_user, "view")
        .filter(symbol__in=symbols)
        .prefetch_related("accomplishments", "indicators", "paragraphs")
    }
    errors: list[dict] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    saved: list[dict] = []
    seen: dict[str, int] = {}
    try:
        with transaction.atomic():
            for number, cells in rows:
                symbol = cells.get("symbol", "")
                if symbol in seen:
                    errors.append(
                        _problem(
                            number,
                            "symbol",
                            _("This symbol is already on row %(row)d.") % {"row": seen[symbol]},
                        )
                    )
                    continue
                seen[symbol] = number
                data = {name: cells.get(name, "") for name in REQUIRED}
                for name in LISTS:
                    if name in header:
                        data[name] = _split(cells.get(name, ""))
                current = existing.get(symbol)
                if current is not None and _same(current, data):
                    counts["unchanged"] += 1
                    saved.append({"row": number, "symbol": symbol, "result": "unchanged"})
                    continue
                serializer = MandateSerializer(
                    instance=current, data=data, context=context, partial=current is not None
                )
                try:
                    with transaction.atomic():
                        serializer.is_valid(raise_exception=True)
                        mandate = serializer.save()
                except DRFValidationError as exc:
                    errors.extend(_errors_of(number, exc.detail))
                    continue
                except ValidationError as exc:
                    errors.extend(
                        _errors_of(
                            number, exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                        )
                    )
                    continue
                result = "updated" if current is not None else "created"
                counts[result] += 1
                saved.append({"row": number, "symbol": symbol, "id": mandate.pk, "result": result})
            if errors or preview:
                raise _Rollback
    except _Rollback:
        pass
    if errors:
        raise ImportRejected(errors)
    return {"preview": preview, **counts, "rows": saved}


def import_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    """The import as the shared import page reads it (core.imports.ImportView)."""
    result = import_mandates(
        upload, acting_user=acting_user, context=serializer_context(acting_user), preview=dry_run
    )
    actions = {"created": "create", "updated": "update", "unchanged": "unchanged"}
    return {
        **{k: result[k] for k in ("created", "updated", "unchanged")},
        "rows": [
            {"row": r["row"], "action": actions[r["result"]], "label": r["symbol"], "changes": {}}
            for r in result["rows"]
        ],
    }
