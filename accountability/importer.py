"""Import of instruments and decisions from CSV or XLSX, for entities whose delegations live in
another system: the whole file goes through the same actions as the API (every rule applies:
the chain of authority, reserved matters, acceptance), in one transaction. Any bad row rejects
the whole file (nothing is saved) with a list of {row, column, error}; a preview runs the same
and rolls back.

Instruments: reference, delegator, delegatee, unit, area, limit_amount, valid_from, valid_to,
and optionally authority, scope, parent_reference (an instrument of the register or of an earlier
row), accepted_on (recorded through the accept action). Decisions: title, unit, decided_by,
decided_on, and optionally rationale, area, amount, delegation_reference.
"""

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from accountability.models import Delegation
from core.uploads import spreadsheet_kind

DELEGATION_COLUMNS = ["reference", "delegator", "delegatee", "unit", "area", "valid_from"]
DELEGATION_OPTIONAL = ["authority", "scope", "limit_amount", "valid_to", "parent_reference"]
DECISION_COLUMNS = ["title", "unit", "decided_by", "decided_on"]
DECISION_OPTIONAL = ["rationale", "area", "amount", "delegation_reference"]
MAX_ROWS = 20_000


class ImportRejected(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("import rejected")
        self.errors = errors


class _Rollback(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(upload) -> list[tuple[int, dict]]:
    """[(row number in the file, {column: text})], the header being row 1."""
    try:
        kind = spreadsheet_kind(upload)
    except ValidationError as exc:
        raise ImportRejected(
            [{"row": None, "column": None, "error": m} for m in exc.messages]
        ) from None
    upload.seek(0)
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
            raw = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
            workbook.close()
        except Exception:  # a damaged workbook, whatever openpyxl raises
            raise ImportRejected(
                [{"row": None, "column": None, "error": _("The XLSX file cannot be read.")}]
            ) from None
    else:
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected(
                [
                    {
                        "row": None,
                        "column": None,
                        "error": _("The file is not UTF-8 text. Save it as CSV UTF-8."),
                    }
                ]
            ) from None
        raw = list(csv.reader(io.StringIO(text)))
    if not raw:
        raise ImportRejected([{"row": 1, "column": None, "error": _("The file is empty.")}])
    header = [_text(v).lower() for v in raw[0]]
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {name: _text(values[i]) if i < len(values) else "" for i, name in enumerate(header)}
        if any(cells.values()):
            rows.append((number, cells))
    if len(rows) > MAX_ROWS:
        raise ImportRejected(
            [
                {
                    "row": None,
                    "column": None,
                    "error": _("A file may hold at most %(n)d rows.") % {"n": MAX_ROWS},
                }
            ]
        )
    return header, rows


def _missing(header, required) -> list[dict]:
    return [
        {
            "row": 1,
            "column": name,
            "error": _("The column %(column)s is missing from the header row.") % {"column": name},
        }
        for name in required
        if name not in header
    ]


def _errors_of(number: int, detail) -> list[dict]:
    if isinstance(detail, dict):
        return [
            {
                "row": number,
                "column": None if column == "non_field_errors" else column,
                "error": str(m),
            }
            for column, messages in detail.items()
            for m in (messages if isinstance(messages, list) else [messages])
        ]
    return [{"row": number, "column": None, "error": str(m)} for m in detail]


def _run(rows_to_save, preview: bool) -> dict:
    """Save every row in one transaction; roll back on any error or for a preview."""
    errors: list[dict] = []
    saved: list[dict] = []
    try:
        with transaction.atomic():
            for number, save in rows_to_save:
                try:
                    with transaction.atomic():
                        saved.append({"row": number, **save()})
                except DRFValidationError as exc:
                    errors.extend(_errors_of(number, exc.detail))
                except ValidationError as exc:
                    errors.extend(
                        _errors_of(
                            number, exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                        )
                    )
            if errors or preview:
                raise _Rollback
    except _Rollback:
        pass
    if errors:
        raise ImportRejected(errors)
    return {"preview": preview, "created": len(saved), "rows": saved}


def import_delegations(upload, *, acting_user, context: dict, preview: bool = False) -> dict:
    from accountability.api.serializers import DelegationSerializer
    from accountability.services import accept_delegation

    header, rows = read_rows(upload)
    problems = _missing(header, DELEGATION_COLUMNS)
    if problems:
        raise ImportRejected(problems)
    by_reference: dict[str, int] = {}

    def saver(number, cells):
        def save():
            data = {k: cells.get(k, "") for k in (*DELEGATION_COLUMNS, *DELEGATION_OPTIONAL)}
            parent_ref = data.pop("parent_reference", "")
            data = {k: v for k, v in data.items() if v != "" or k in ("scope",)}
            if parent_ref:
                parent_id = by_reference.get(parent_ref)
                if parent_id is None:
                    found = (
                        Delegation.objects.restrict(acting_user, "view")
                        .filter(reference=parent_ref)
                        .values_list("pk", flat=True)
                        .first()
                    )
                    if found is None:
                        raise ValidationError(
                            {"parent_reference": _("No instrument with this reference is found.")}
                        )
                    parent_id = found
                data["parent"] = parent_id
            serializer = DelegationSerializer(data=data, context=context)
            serializer.is_valid(raise_exception=True)
            delegation = serializer.save()
            accepted_on = cells.get("accepted_on", "")
            if accepted_on:
                try:
                    day = datetime.date.fromisoformat(accepted_on)
                except ValueError:
                    raise ValidationError(
                        {"accepted_on": _("Give a date as YYYY-MM-DD.")}
                    ) from None
                accept_delegation(delegation, acting_user=acting_user, accepted_on=day)
            if delegation.reference:
                by_reference[delegation.reference] = delegation.pk
            return {"reference": delegation.reference, "id": delegation.pk}

        return save

    return _run([(n, saver(n, c)) for n, c in rows], preview)


def import_decisions(upload, *, acting_user, context: dict, preview: bool = False) -> dict:
    from accountability.api.serializers import DecisionSerializer

    header, rows = read_rows(upload)
    problems = _missing(header, DECISION_COLUMNS)
    if problems:
        raise ImportRejected(problems)

    def saver(number, cells):
        def save():
            data = {k: cells.get(k, "") for k in (*DECISION_COLUMNS, *DECISION_OPTIONAL)}
            reference = data.pop("delegation_reference", "")
            data = {k: v for k, v in data.items() if v != "" or k in ("rationale", "area")}
            if reference:
                found = (
                    Delegation.objects.restrict(acting_user, "view")
                    .filter(reference=reference)
                    .values_list("pk", flat=True)
                    .first()
                )
                if found is None:
                    raise ValidationError(
                        {"delegation_reference": _("No instrument with this reference is found.")}
                    )
                data["delegation"] = found
            data.setdefault("paragraphs", [])
            serializer = DecisionSerializer(data=data, context=context)
            serializer.is_valid(raise_exception=True)
            decision = serializer.save()
            return {
                "title": decision.title,
                "id": decision.pk,
                "within_authority": decision.within_authority,
            }

        return save

    return _run([(n, saver(n, c)) for n, c in rows], preview)
