"""Import of instruments and decisions from CSV or XLSX, for entities whose delegations live in
another system: the whole file goes through the same actions as the API (every rule applies:
the chain of authority, reserved matters, acceptance), in one transaction. Any bad row rejects
the whole file (nothing is saved) with a list of {row, column, error}; a preview runs the same
and rolls back. The API and the browser page both call import_delegations / import_decisions.

Rows are matched to what is recorded, so importing the same file twice changes nothing and an
edited file updates (through the same save action, which writes the history):
- an instrument on its `reference` (the register's number, unique);
- a decision on (`unit`, `reference`); a decision row without a reference on (`unit`,
  `decided_by`, `decided_on`, `title`) among the unit's decisions that have none.
A matched row whose cells equal the record is "unchanged" and not saved. A column left out of the
header leaves that field as it is; an empty cell in a present column empties an optional field.

Instruments: reference, delegator, delegatee, unit, area, valid_from, and optionally authority,
scope, limit_amount, valid_to, parent_reference (an instrument of the register or of an earlier
row), accepted_on (recorded through the accept action). Decisions: title, unit, decided_by,
decided_on, and optionally reference, rationale, area, amount, delegation_reference, paragraphs
(numbers separated by ";").
"""

import datetime
import re
from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from accountability.models import Decision, Delegation
from core.imports import ImportRejected, read_table, serializer_context

DELEGATION_COLUMNS = ["reference", "delegator", "delegatee", "unit", "area", "valid_from"]
DELEGATION_OPTIONAL = [
    "authority",
    "scope",
    "limit_amount",
    "valid_to",
    "parent_reference",
    "accepted_on",
]
DECISION_COLUMNS = ["title", "unit", "decided_by", "decided_on"]
DECISION_OPTIONAL = [
    "reference",
    "rationale",
    "area",
    "amount",
    "delegation_reference",
    "paragraphs",
]
# An empty cell in these columns empties the field (None for the nullable, "" for text).
_EMPTY_AS_NONE = {"authority", "limit_amount", "valid_to", "amount"}
_EMPTY_AS_BLANK = {"scope", "rationale", "area", "reference"}
MAX_ROWS = 20_000


class _Rollback(Exception):
    pass


def read_rows(upload) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and [(row number in the file, {column: text})] (core.imports)."""
    table = read_table(upload, max_rows=MAX_ROWS)
    return table.header, table.rows


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
    outcomes: list[dict] = []
    try:
        with transaction.atomic():
            for number, save in rows_to_save:
                try:
                    with transaction.atomic():
                        outcomes.append({"row": number, **save()})
                except DRFValidationError as exc:
                    errors.extend(_errors_of(number, exc.detail))
                except ValidationError as exc:
                    errors.extend(
                        _errors_of(
                            number, exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                        )
                    )
                except PermissionDenied as exc:
                    # The actions' own refusals are neutral: they name no record or person.
                    errors.append(
                        {
                            "row": number,
                            "column": None,
                            "error": str(exc) or _("You may not record this."),
                        }
                    )
                except Http404:
                    errors.append(
                        {"row": number, "column": None, "error": _("No such record is found.")}
                    )
            if errors or preview:
                raise _Rollback
    except _Rollback:
        pass
    if errors:
        raise ImportRejected(errors)
    counts = Counter(o["action"] for o in outcomes)
    return {
        "preview": preview,
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "rows": outcomes,
    }


def _shown(value):
    """A value as the preview shows it: codes, usernames, references, ISO dates."""
    if value is None or value == "":
        return None
    if isinstance(value, models.Model):
        for name in ("reference", "code", "number", "username"):
            shown = getattr(value, name, None)
            if shown not in (None, ""):
                return str(shown)
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(str(_shown(v)) for v in value))
    return str(value)


def _changes(instance, validated: dict) -> dict:
    """{field: [recorded, in the file]} for every field the row would change."""
    changes = {}
    for name, new in validated.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            old_keys = set(getattr(instance, name).values_list("pk", flat=True))
            if old_keys != {v.pk for v in new}:
                changes[name] = [_shown(list(getattr(instance, name).all())), _shown(list(new))]
            continue
        if field.is_relation:
            # Compare ids: the related record is read only to show a change.
            if getattr(instance, field.attname) != (new.pk if new else None):
                changes[name] = [_shown(getattr(instance, name)), _shown(new)]
            continue
        old = getattr(instance, name)
        if (old if old is not None else "") != (new if new is not None else ""):
            changes[name] = [_shown(old), _shown(new)]
    return changes


def _cells_to_data(cells: dict, header: list[str], columns: list[str]) -> dict:
    """The serializer's input: the header's columns only; empty required cells are errors."""
    data, missing = {}, {}
    for name in columns:
        if name not in header:
            continue
        value = cells.get(name, "")
        if value == "":
            if name in _EMPTY_AS_NONE:
                value = None
            elif name not in _EMPTY_AS_BLANK:
                missing[name] = _("This cell cannot be empty.")
                continue
        data[name] = value
    if missing:
        raise ValidationError(missing)
    return data


def _date_or_error(text: str, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({column: _("Give a date as YYYY-MM-DD.")}) from None


def _save_row(serializer_class, instance, data: dict, context: dict):
    """Validate the row as the API would; save (through the model's save action, which writes
    the history) only if it creates or changes something. Returns (record, action, changes)."""
    serializer = serializer_class(
        instance, data=data, context=context, partial=instance is not None
    )
    serializer.is_valid(raise_exception=True)
    if instance is None:
        return serializer.save(), "create", {}
    changes = _changes(instance, serializer.validated_data)
    if not changes:
        return instance, "unchanged", {}
    return serializer.save(), "update", changes


class _Recorded:
    """The recorded records a file's references name, read in two queries for the whole file
    (not two per row): by natural key, and which of them the caller may see."""

    def __init__(self, queryset, acting_user, key):
        self.by_key = {key(r): r for r in queryset}
        model = queryset.model
        self.visible = set(
            model.objects.restrict(acting_user, "view")
            .filter(pk__in=[r.pk for r in self.by_key.values()])
            .values_list("pk", flat=True)
        )

    def get(self, key, refusal: dict):
        """The record under `key` (None if there is none); refused, neutrally, if it is one the
        caller may not see."""
        record = self.by_key.get(key)
        if record is not None and record.pk not in self.visible:
            raise ValidationError(refusal)
        return record


def _visible_instrument(acting_user, reference: str, column: str) -> int:
    found = (
        Delegation.objects.restrict(acting_user, "view")
        .filter(reference=reference)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise ValidationError({column: _("No instrument with this reference is found.")})
    return found


def import_delegations(upload, *, acting_user, context: dict, preview: bool = False) -> dict:
    from accountability.api.serializers import DelegationSerializer
    from accountability.services import accept_delegation

    header, rows = read_rows(upload)
    problems = _missing(header, DELEGATION_COLUMNS)
    if problems:
        raise ImportRejected(problems)
    by_reference: dict[str, int] = {}
    rows_of_reference: dict[str, int] = {}
    recorded = _Recorded(
        Delegation.objects.filter(
            reference__in={c["reference"] for _, c in rows if c.get("reference")}
        ),
        acting_user,
        key=lambda d: d.reference,
    )
    fields = [
        c
        for c in (*DELEGATION_COLUMNS, *DELEGATION_OPTIONAL)
        if c not in ("parent_reference", "accepted_on")
    ]

    def saver(number, cells):
        def save():
            reference = cells.get("reference", "")
            if not reference:
                raise ValidationError(
                    {"reference": _("Give the instrument's reference: rows are matched on it.")}
                )
            if reference in rows_of_reference:
                raise ValidationError(
                    {
                        "reference": _("Row %(row)d has the same reference.")
                        % {"row": rows_of_reference[reference]}
                    }
                )
            rows_of_reference[reference] = number
            data = _cells_to_data(cells, header, fields)
            if "parent_reference" in header:
                parent_ref = cells.get("parent_reference", "")
                data["parent"] = (
                    (
                        by_reference.get(parent_ref)
                        or _visible_instrument(acting_user, parent_ref, "parent_reference")
                    )
                    if parent_ref
                    else None
                )
            # Neutral: the instrument holding the reference may not be the caller's to see.
            existing = recorded.get(
                reference, {"reference": _("This reference is already taken in the register.")}
            )
            delegation, action, changes = _save_row(DelegationSerializer, existing, data, context)
            accepted_text = cells.get("accepted_on", "")
            if accepted_text:
                day = _date_or_error(accepted_text, "accepted_on")
                if delegation.accepted_on != day:
                    before = delegation.accepted_on
                    delegation = accept_delegation(
                        delegation, acting_user=acting_user, accepted_on=day
                    )
                    if action == "unchanged":
                        action = "update"
                    if action == "update":
                        changes["accepted_on"] = [_shown(before), _shown(day)]
            by_reference[delegation.reference] = delegation.pk
            return {
                "action": action,
                "reference": delegation.reference,
                "label": delegation.reference,
                "id": delegation.pk,
                "changes": changes,
            }

        return save

    return _run([(n, saver(n, c)) for n, c in rows], preview)


def _paragraph_numbers(text: str) -> list[str]:
    return [p for p in re.split(r"[;,\s]+", text) if p]


def _matching_decision(acting_user, data: dict, recorded: _Recorded):
    """The recorded decision a row stands for, or None for a new one."""
    unit, reference = data.get("unit"), data.get("reference", "")
    if reference:
        return recorded.get(
            (unit, reference),
            {"reference": _("This unit already has a decision with this reference.")},
        )
    try:
        decided_on = datetime.date.fromisoformat(data.get("decided_on") or "")
    except ValueError:
        return None  # the serializer names the bad date
    candidates = list(
        Decision.objects.restrict(acting_user, "view").filter(
            unit__code=unit,
            reference="",
            decided_by__username=data.get("decided_by"),
            decided_on=decided_on,
            title=data.get("title"),
        )[:2]
    )
    if len(candidates) > 1:
        raise ValidationError(
            {
                "reference": _(
                    "Several recorded decisions have this title, person and date: give each a "
                    "reference to tell them apart."
                )
            }
        )
    return candidates[0] if candidates else None


def import_decisions(upload, *, acting_user, context: dict, preview: bool = False) -> dict:
    from accountability.api.serializers import DecisionSerializer

    header, rows = read_rows(upload)
    problems = _missing(header, DECISION_COLUMNS)
    if problems:
        raise ImportRejected(problems)
    fields = [
        c
        for c in (*DECISION_COLUMNS, *DECISION_OPTIONAL)
        if c not in ("delegation_reference", "paragraphs")
    ]
    rows_of_key: dict[tuple, int] = {}
    keys = {(c.get("unit", ""), c["reference"]) for _, c in rows if c.get("reference")}
    recorded = _Recorded(
        Decision.objects.filter(
            unit__code__in={u for u, _ in keys}, reference__in={r for _, r in keys}
        ).select_related("unit"),
        acting_user,
        key=lambda d: (d.unit.code, d.reference),
    )

    def saver(number, cells):
        def save():
            data = _cells_to_data(cells, header, fields)
            key = (
                (data["unit"], data["reference"])
                if data.get("reference")
                else (data["unit"], data["decided_by"], data["decided_on"], data["title"])
            )
            if key in rows_of_key:
                raise ValidationError(
                    {
                        "reference": _("Row %(row)d records the same decision.")
                        % {"row": rows_of_key[key]}
                    }
                )
            rows_of_key[key] = number
            if "delegation_reference" in header:
                reference = cells.get("delegation_reference", "")
                data["delegation"] = (
                    _visible_instrument(acting_user, reference, "delegation_reference")
                    if reference
                    else None
                )
            existing = _matching_decision(acting_user, data, recorded)
            if "paragraphs" in header:
                data["paragraphs"] = _paragraph_numbers(cells.get("paragraphs", ""))
            elif existing is None:
                data["paragraphs"] = []
            decision, action, changes = _save_row(DecisionSerializer, existing, data, context)
            return {
                "action": action,
                "reference": decision.reference,
                "label": decision.reference or decision.title,
                "title": decision.title,
                "id": decision.pk,
                "within_authority": decision.within_authority,
                "changes": changes,
            }

        return save

    return _run([(n, saver(n, c)) for n, c in rows], preview)


def _for_page(function, upload, acting_user, dry_run: bool) -> dict:
    result = function(
        upload, acting_user=acting_user, context=serializer_context(acting_user), preview=dry_run
    )
    rows = [
        {
            **row,
            "flag": _("Outside authority") if row.get("within_authority") is False else "",
        }
        for row in result["rows"]
    ]
    return {**{k: result[k] for k in ("created", "updated", "unchanged")}, "rows": rows}


def delegations_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    """The instrument import as the shared import page reads it (core.imports.ImportView)."""
    return _for_page(import_delegations, upload, acting_user, dry_run)


def decisions_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    """The decision import as the shared import page reads it (core.imports.ImportView)."""
    return _for_page(import_decisions, upload, acting_user, dry_run)
