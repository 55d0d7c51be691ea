"""Project-wide model bases and the tamper-evident change history."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import Q
from django.db.models.fields.json import HasAnyKeys, HasKey, HasKeys
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StaleVersion(Exception):
    """Raised when an edit was based on a version of a record that someone else has since changed."""

    def __init__(self, instance, expected: int | None = None):
        self.instance = instance
        self.expected = expected
        super().__init__(f"{instance._meta.label} {instance.pk} was changed by someone else")


class TrackedModel(models.Model):
    """A domain record: it carries a `version` for optimistic concurrency, and every create,
    change and delete of it is written to the change history (see core.signals)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Fields whose change alone is bookkeeping, not a change a reader of the history cares about.
    history_ignored_fields = ("version", "created_at", "updated_at")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        if not adding:
            # `version` now holds the version the edit was based on (set from the form or the
            # If-Match header, or the one loaded); the UPDATE only matches that version.
            self._expected_version = self.version
            self.version = self.version + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        try:
            super().save(*args, **kwargs)
        except Exception:
            if not adding:
                self.version = self._expected_version
            raise
        finally:
            self._expected_version = None

    def clean_fields(self, exclude=None):
        """As Django's, but a foreign key whose related record is attached as loaded from the
        database is checked without a query (core.constraints.loaded_relations): its own checks
        (null, blank, choices, validators) still run, with Django's messages."""
        from core.constraints import loaded_relations

        exclude = set(exclude or ())
        errors = {}
        for field in loaded_relations(self, exclude):
            exclude.add(field.name)
            try:
                value = field.to_python(getattr(self, field.attname))
                models.Field.validate(field, value, self)
                field.run_validators(value)
            except ValidationError as e:
                errors[field.name] = e.error_list
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """As Django's, but a condition the record's own values settle is not sent to the
        database (core.constraints): a save no longer pays a statement and two savepoints per
        check. Whatever may be violated is still asked of the database, with Django's message."""
        from core.constraints import settled_without_query

        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, model_constraints in self.get_constraints():
            for constraint in model_constraints:
                if settled_without_query(constraint, model_class, self, exclude):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    if getattr(e, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(e)
                    else:
                        errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        filtered = base_qs.filter(pk=pk_val)
        if filtered.filter(version=expected)._update(values) > 0:
            return True
        if filtered.exists():
            raise StaleVersion(self, expected)
        return False

    # The history's "before" of a change is the row as loaded from the database. Loading keeps
    # only a reference to the values the database returned (edits assign new values to the
    # instance, never into that tuple); the dict is built when a write asks for it, so reads --
    # lists of thousands of rows -- pay nothing for the history. Values that can be changed in
    # place (JSON) are the exception: they are copied at load, or an in-place edit would
    # rewrite the "before" too.
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._history_loaded = (field_names, values)
        mutable = _mutable_fields(cls)
        if mutable:
            from core.history import _plain

            loaded = instance.__dict__
            instance._history_loaded_mutable = {
                field.name: _plain(loaded[field.attname])
                for field in mutable
                if field.attname in loaded
            }
        return instance

    @property
    def _history_before(self) -> dict:
        """The concrete fields' values as loaded from the database (as last saved, after a
        save), keyed by field name, in the history's plain form; {} for a new record."""
        state = self.__dict__
        before = state.get("_history_before_values")
        if before is None:
            before = _loaded_values(self)
            state["_history_before_values"] = before
        return before

    @_history_before.setter
    def _history_before(self, values: dict) -> None:
        self.__dict__["_history_before_values"] = values

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # What a refresh reads is the new "as loaded" state of those fields (a deferred field
        # loaded on first access included), so a later save does not report them as changed.
        before = dict(self._history_before)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        from core.history import snapshot

        fresh = snapshot(self)
        if fields is not None:
            wanted = set(fields)
            fresh = {
                field.name: fresh[field.name]
                for field in self._meta.concrete_fields
                if field.name in fresh and (field.name in wanted or field.attname in wanted)
            }
        before.update(fresh)
        self._history_before = before


_MUTABLE_FIELDS: dict[type, tuple] = {}


def _mutable_fields(cls) -> tuple:
    found = _MUTABLE_FIELDS.get(cls)
    if found is None:
        found = tuple(
            field
            for field in cls._meta.concrete_fields
            if field.get_internal_type() in ("JSONField", "ArrayField", "HStoreField")
        )
        _MUTABLE_FIELDS[cls] = found
    return found


def _loaded_values(instance) -> dict:
    loaded = instance.__dict__.get("_history_loaded")
    if loaded is None:
        return {}
    from django.db.models import DEFERRED

    from core.history import _plain

    field_names, values = loaded
    names = _field_names_by_attname(type(instance))
    before = {}
    if len(values) == len(field_names):
        pairs = zip(field_names, values, strict=True)
    else:  # Model.from_db was handed the full row with DEFERRED markers
        pairs = (
            (f.attname, v) for f, v in zip(instance._meta.concrete_fields, values, strict=True)
        )
    for attname, value in pairs:
        if value is not DEFERRED and attname in names:
            before[names[attname]] = _plain(value)
    before.update(instance.__dict__.get("_history_loaded_mutable", {}))
    return before


_NAMES_BY_ATTNAME: dict[type, dict] = {}


def _field_names_by_attname(cls) -> dict:
    found = _NAMES_BY_ATTNAME.get(cls)
    if found is None:
        found = {field.attname: field.name for field in cls._meta.concrete_fields}
        _NAMES_BY_ATTNAME[cls] = found
    return found


# Sequence numbers from here on are provisional: entries appended inside a transaction that has
# not been linked to the chain yet (core.history). Above any real chain length, below the
# column's limit (2**63 - 1), so they sort after every linked entry and never collide.
PENDING_SEQ = 1 << 62


# A create stores only the values after it, a delete only the values before it: the other side
# is always empty. Such `changes` carry this key (no field is named so), with "+" (after only) or
# "-" (before only); readers get the usual {field: [before, after]} (HistoryEntry.changes).
# Updates, and entries written before this encoding, are stored as [before, after] pairs.
PACKED = "~"


def pack_changes(values: dict, side: str) -> dict:
    """{field: value} of a create (side "+") or a delete (side "-"), stored compactly."""
    return {PACKED: side, **values}


def unpack_changes(stored, object_id: str | None = None):
    stored = keyed_changes(stored, object_id)
    if not isinstance(stored, dict) or PACKED not in stored:
        return stored
    after = stored[PACKED] == "+"
    return {
        name: ([None, value] if after else [value, None])
        for name, value in stored.items()
        if name != PACKED
    }


# Positional entries (issue 13, history storage): the creates that bulk writes record (imports,
# seeds: nearly every entry at Secretariat scale) store `[layout, value, ...]` instead of
# {field: value}: `layout` is the number of a row of core_historylayout that names the fields in
# order, so each entry stores its values only, not the same field names a million times.
#
# A layout is a list of items, one a field in the entry's order:
# - "name": the next stored value;
# - {"name": n, "value": v}: a value every entry of the batch that wrote the layout shares
#   (stored once, in the layout, instead of in each entry);
# - {"name": n, "pk": "int" | "str"}: the record's key, which the entry holds as its record id
#   (`object_id`) already.
# A layout row's key is derived from its items (the first 6 bytes of their SHA-256, `layout_id`),
# so an edited row no longer matches its key and reads as nothing; entries cite its `number`
# (small on PostgreSQL: a sequence; the key itself elsewhere). The hash covers the keyed form
# ({"~": "+", field: value}, `keyed_changes`), so it is the same hash a keyed entry would carry,
# and it covers the layout's names and shared values too.


def _spec_text(spec) -> str:
    import json

    if all(isinstance(item, str) for item in spec):
        # The first layouts (field names only) keep the key they were written with.
        return "\n".join(spec)
    return "v2\n" + json.dumps(
        list(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


_LAYOUT_IDS: dict[str, int] = {}


def layout_id(fields) -> int:
    """The key of a layout (a list of items, see above)."""
    text = _spec_text(fields)
    found = _LAYOUT_IDS.get(text)
    if found is None:
        import hashlib

        digest = hashlib.sha256(text.encode("utf-8")).digest()
        found = _LAYOUT_IDS[text] = int.from_bytes(digest[:6], "big") or 1
    return found


# number -> layout items of the layouts read or written by this process (None: looked for,
# missing or edited). Cleared by verify_chain, which judges the layouts the database holds.
_LAYOUTS: dict[int, tuple | None] = {}


class _Layout(tuple):
    """A layout's items; `plain` when they are all stored values (field names only)."""

    plain = False


def _as_items(fields) -> tuple:
    if not isinstance(fields, list | tuple):
        return _Layout()
    layout = _Layout(item if isinstance(item, str) else _Item(item) for item in fields)
    layout.plain = all(isinstance(item, str) for item in layout)
    return layout


class _Item(dict):
    """A layout item that is not a stored value (hashable, so that layouts can key dicts)."""

    def __hash__(self):
        return hash(tuple(sorted((k, repr(v)) for k, v in self.items())))


def layout_fields(number: int) -> tuple | None:
    """The items of a layout (None when it is missing, or its row was edited)."""
    if number not in _LAYOUTS:
        # Every layout at once: there are a few hundred, read once per process.
        for pk, found, fields in HistoryLayout.objects.values_list("pk", "number", "fields"):
            if layout_id(fields if isinstance(fields, list) else ()) == pk:
                _LAYOUTS.setdefault(found if found is not None else pk, _as_items(fields))
        _LAYOUTS.setdefault(number, None)
    return _LAYOUTS[number]


def remember_layouts(layouts) -> dict:
    """Write the layouts a batch uses (those already there are left as they are), in the writer's
    transaction so that they roll back with its entries. Returns {layout_id: number}."""
    from django.db import connection

    layouts = {layout_id(f): list(f) for f in layouts}
    if not layouts:
        return {}
    if connection.vendor != "postgresql":
        HistoryLayout.objects.bulk_create(
            [HistoryLayout(pk=pk, number=pk, fields=f) for pk, f in layouts.items()],
            ignore_conflicts=True,
        )
        numbers = {pk: pk for pk in layouts}
    else:
        import json

        table = HistoryLayout._meta.db_table
        rows = ", ".join(["(%s, nextval('core_historylayout_number'), %s::json)"] * len(layouts))
        params = []
        for pk, fields in layouts.items():
            params += [pk, json.dumps(fields, ensure_ascii=False)]
        with connection.cursor() as cursor:
            # One round trip: the new rows written, every row's number read back (a conflict
            # draws a number it does not use: the sequence only has to be unique).
            cursor.execute(
                f"WITH new AS (INSERT INTO {table} (id, number, fields) VALUES {rows} "
                "ON CONFLICT (id) DO NOTHING RETURNING id, number) "
                f"SELECT id, number FROM new UNION ALL SELECT id, number FROM {table} "
                f"WHERE id IN ({', '.join(['%s'] * len(layouts))})",
                [*params, *layouts],
            )
            numbers = dict(cursor.fetchall())
    for pk, fields in layouts.items():
        _LAYOUTS[numbers[pk]] = _as_items(fields)
    return numbers


def positional_changes(values: dict, side: str) -> list:
    """{field: value} of a create ("+") or a delete ("-") as [layout, value, ...] (the layout
    written first by `remember_layouts`)."""
    numbers = remember_layouts([tuple(values)])
    number = numbers[layout_id(tuple(values))]
    return [number if side == "+" else -number, *values.values()]


def keyed_changes(stored, object_id: str | None = None):
    """A positional entry's changes as {"~": side, field: value} (what its hash covers; the
    record's key taken from `object_id`); any other entry's as stored. A layout that is missing
    or was edited gives a form no hash matches."""
    if not isinstance(stored, list) or not stored or not isinstance(stored[0], int):
        return stored
    number, values = stored[0], stored[1:]
    items = layout_fields(abs(number))
    keyed = {PACKED: "+" if number > 0 else "-"}
    if items is not None and items.plain:
        if len(items) == len(values):
            keyed.update(zip(items, values, strict=True))
            return keyed
    elif items is not None:
        position = 0
        for item in items:
            if item.__class__ is str:
                if position >= len(values):
                    break
                keyed[item] = values[position]
                position += 1
            elif "value" in item:
                keyed[item["name"]] = item["value"]
            elif object_id is None:
                break
            else:
                keyed[item["name"]] = int(object_id) if item["pk"] == "int" else object_id
        else:
            if position == len(values):
                return keyed
    return {PACKED: "?", "layout": number, "values": values}


class HistoryLayout(models.Model):
    """The ordered field names of positional history entries (see `keyed_changes`)."""

    id = models.BigIntegerField(primary_key=True)
    # What entries cite: small numbers on PostgreSQL (a sequence), the key itself elsewhere.
    number = models.BigIntegerField(unique=True, null=True)
    fields = models.JSONField()

    class Meta:
        verbose_name = _("history layout")

    def __str__(self) -> str:
        names = [f if isinstance(f, str) else str(f.get("name")) for f in self.fields or []]
        return f"{self.number}: {', '.join(names)}"


# Record types (issue 13, history storage): an entry's `object_type` ("app_label.model") is
# stored as an 8-byte number derived from the label (the first 6 bytes of its SHA-256, as layouts
# are), read back as the label. The labels of installed models are known to every process; any
# other label (a model since removed, a type written by a command) is kept in core_historylabel,
# where a row is believed only if its number is its text's (an edited row reads as nothing, and
# the entries that use it no longer match their hashes). Filters by label are unchanged:
# `object_type="org.orgunit"`, `__in`, and `__startswith` / `__contains` (expanded in Python over
# the known labels).


_LABEL_IDS: dict[str, int] = {}


def label_id(text: str) -> int:
    found = _LABEL_IDS.get(text)
    if found is None:
        import hashlib

        digest = hashlib.sha256(text.encode("utf-8")).digest()
        found = _LABEL_IDS[text] = int.from_bytes(digest[:6], "big") or 1
    return found


# The same number in SQL (the migration that converts the column uses it).
LABEL_ID_SQL = (
    "coalesce(nullif(('x' || left(encode(sha256(convert_to({column}, 'UTF8')), 'hex'), 12))"
    "::bit(48)::bigint, 0), 1)"
)

# number -> label, for the labels read so far (None: looked for, not found). Cleared by
# verify_chain, which judges the labels the database holds.
_LABELS: dict[int, str | None] = {}


def model_labels() -> list[str]:
    from django.apps import apps

    return [model._meta.label_lower for model in apps.get_models(include_auto_created=True)]


def label_text(number: int) -> str | None:
    if number not in _LABELS:
        for text in model_labels():
            _LABELS.setdefault(label_id(text), text)
        if number not in _LABELS:
            for pk, text in HistoryLabel.objects.values_list("pk", "text"):
                if label_id(text) == pk:
                    _LABELS.setdefault(pk, text)
            _LABELS.setdefault(number, None)
    return _LABELS[number]


_MODEL_LABELS: set[str] = set()


def labels_to_keep(texts) -> list[tuple[int, str]]:
    """(number, label) of the labels among `texts` that must be kept in core_historylabel:
    those that are not an installed model's (record types of removed models, actors)."""
    if not _MODEL_LABELS:
        _MODEL_LABELS.update(model_labels())
    kept = []
    for text in {t for t in texts if t is not None and t not in _MODEL_LABELS}:
        number = label_id(text)
        _LABELS[number] = text
        kept.append((number, text))
    return kept


# The numbers of the labels this process has seen committed to core_historylabel: not written
# again (each write's actor is such a label: without this, every write paid an INSERT).
_STORED_LABELS: set[int] = set()


def remember_labels(texts) -> None:
    """Keep the labels that are not an installed model's (in the writer's transaction, so they
    roll back with its entries; known as stored only once it commits)."""
    from django.db import transaction

    kept = [(n, text) for n, text in labels_to_keep(texts) if n not in _STORED_LABELS]
    if kept:
        HistoryLabel.objects.bulk_create(
            [HistoryLabel(pk=number, text=text) for number, text in kept], ignore_conflicts=True
        )
        numbers = {number for number, _text in kept}
        transaction.on_commit(lambda: _STORED_LABELS.update(numbers))


def remember_model_labels(app_config=None, using="default", **kwargs) -> None:
    """After migrate (core's post_migrate): every installed model's label kept, so that the
    entries of a model removed later still read and verify."""
    from django.db import connections

    if app_config is None or app_config.label != "core":
        return
    _STORED_LABELS.clear()  # a flush (tests) emptied the table: write them again
    if HistoryLabel._meta.db_table not in connections[using].introspection.table_names():
        return
    HistoryLabel.objects.using(using).bulk_create(
        [HistoryLabel(pk=label_id(t), text=t) for t in model_labels()], ignore_conflicts=True
    )


class HistoryLabel(models.Model):
    """A record type named by history entries (see `label_id`)."""

    id = models.BigIntegerField(primary_key=True)
    text = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("history label")

    def __str__(self) -> str:
        return self.text


class LabelField(models.Field):
    """A label stored as its number (`label_id`), read and filtered as the label."""

    def get_internal_type(self):
        return "BigIntegerField"

    def get_prep_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return label_id(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        if isinstance(value, str):
            # SQLite keeps the column's text affinity (migration 0007 converts in place), so the
            # number comes back as its digits.
            if not value.isdigit():
                return value
            value = int(value)
        return label_text(value)

    def to_python(self, value):
        if isinstance(value, int):
            return label_text(value)
        return value


class _LabelPattern(models.Lookup):
    """`__startswith`, `__contains` and their case-insensitive forms: the labels known to match."""

    prepare_rhs = False
    test = None

    def as_sql(self, compiler, connection):
        known = set(model_labels()) | set(
            HistoryLabel.objects.using(connection.alias).values_list("text", flat=True)
        )
        wanted = str(self.rhs)
        numbers = sorted(label_id(t) for t in known if type(self).test(t, wanted))
        lhs, params = self.process_lhs(compiler, connection)
        if not numbers:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(numbers))})", [*params, *numbers]


for _name, _test in (
    ("startswith", lambda text, wanted: text.startswith(wanted)),
    ("istartswith", lambda text, wanted: text.lower().startswith(wanted.lower())),
    ("contains", lambda text, wanted: wanted in text),
    ("icontains", lambda text, wanted: wanted.lower() in text.lower()),
):
    LabelField.register_lookup(
        type(
            f"Label{_name.title()}",
            (_LabelPattern,),
            {"lookup_name": _name, "test": staticmethod(_test)},
        )
    )


class ActionField(models.CharField):
    """An entry's action ("create", "update", "delete"), stored as its first letter: on
    PostgreSQL in a "char" column (1 byte, no length header: issue 13, history storage). Read and
    filtered as the word."""

    CODES = {"create": "c", "update": "u", "delete": "d"}
    WORDS = {code: word for word, code in CODES.items()}

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return '"char"'
        return super().db_type(connection)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.CODES.get(value, value)

    def from_db_value(self, value, expression, connection):
        return self.WORDS.get(value, value)

    def to_python(self, value):
        return self.WORDS.get(value, value)


class _ChangesAttribute(DeferredAttribute):
    """`entry.changes` reads as {field: [before, after]} whatever the stored encoding; what is
    assigned is stored as given (an unpacked dict stays unpacked)."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        stored = super().__get__(instance, cls)
        cached = instance.__dict__.get("_changes_unpacked")
        if cached is not None and cached[0] is stored:
            return cached[1]
        unpacked = unpack_changes(stored, instance.__dict__.get("object_id"))
        instance.__dict__["_changes_unpacked"] = (stored, unpacked)
        return unpacked

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class _JsonbLhs:
    """A key lookup on a `json` column: PostgreSQL's key operators are jsonb's."""

    def process_lhs(self, compiler, connection, lhs=None):
        sql, params = super().process_lhs(compiler, connection, lhs)
        if connection.vendor == "postgresql":
            sql = f"({sql})::jsonb"
        return sql, params


class ChangesField(models.JSONField):
    """A JSONField whose attribute unpacks the compact encoding; the database, lookups
    (`changes__has_key`: the keys are still the field names) and the hash see what is stored.

    Stored as `json` (the text as written) rather than `jsonb` on PostgreSQL (issue 13, history
    storage): nothing queries inside entries but the key lookups (which cast), and jsonb's
    binary form (a 4-byte header per element, numbers as numeric) is about 30% larger for the
    short arrays and objects entries hold."""

    descriptor_class = _ChangesAttribute

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        # psycopg parses `json` itself (Django has it leave only jsonb as text).
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)

    def pre_save(self, model_instance, add):
        return model_instance.__dict__.get(self.attname)

    def value_from_object(self, obj):
        return obj.__dict__.get(self.attname)


for _lookup in (HasKey, HasKeys, HasAnyKeys):
    ChangesField.register_lookup(type(_lookup.__name__, (_JsonbLhs, _lookup), {}))


class HashField(models.BinaryField):
    """A SHA-256 stored as its 32 bytes (bytea: 33 bytes on disk instead of 65 as hex text),
    read and written as its 64 hex digits; "" (stored NULL) for an entry not linked yet. A
    value that is not hex (a search for a fragment) matches nothing instead of failing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None:
            return ""
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value).hex()
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = bytes.fromhex(value)
            except ValueError:
                value = value.encode("utf-8")
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj):
        return self.value_from_object(obj)


class RequestIdField(models.Field):
    """The id of the request (or task, or command run) an entry was written in, read and
    filtered as text, stored compactly (issue 13, history storage): the 32 hex digits that
    requests and tasks get as their 16 bytes, anything else as 0xFF and its UTF-8 text (two 0xFF
    when that would be 16 bytes long; UTF-8 never starts with 0xFF), "" as no bytes."""

    def get_internal_type(self):
        return "BinaryField"

    @staticmethod
    def encode(value: str) -> bytes:
        if not value:
            return b""
        if _HEX32.fullmatch(value):
            return bytes.fromhex(value)
        raw = value.encode("utf-8")
        return (b"\xff\xff" if len(raw) == 15 else b"\xff") + raw

    @staticmethod
    def decode(value) -> str:
        value = bytes(value)
        if len(value) == 16:
            return value.hex()
        return value.lstrip(b"\xff").decode("utf-8", errors="replace")

    def get_prep_value(self, value):
        if value is None or isinstance(value, bytes | bytearray | memoryview):
            return value
        return self.encode(str(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        value = value if prepared else self.get_prep_value(value)
        return connection.Database.Binary(value) if value is not None else None

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, str):
            return value
        return self.decode(value)

    def to_python(self, value):
        if isinstance(value, bytes | bytearray | memoryview):
            return self.decode(value)
        return value


_HEX32 = re.compile(r"[0-9a-f]{32}")

# The stored form as text, in SQL (searches by part of an id: the admin's).
REQUEST_ID_TEXT_SQL = (
    "(CASE WHEN octet_length({column}) = 16 THEN encode({column}, 'hex') "
    "ELSE convert_from(ltrim({column}, '\\xff'::bytea), 'UTF8') END)"
)


class _RequestIdPattern(models.Lookup):
    prepare_rhs = False
    pattern = "%%%s%%"

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        wanted = str(self.rhs).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if connection.vendor == "postgresql":
            text = REQUEST_ID_TEXT_SQL.format(column=lhs)
            return f"{text} ILIKE %s", [*params, *params, *params, self.pattern % wanted]
        return "1 = 0", []


for _name, _pattern in (("icontains", "%%%s%%"), ("contains", "%%%s%%"), ("iexact", "%s")):
    RequestIdField.register_lookup(
        type(
            f"RequestId{_name.title()}",
            (_RequestIdPattern,),
            {"lookup_name": _name, "pattern": _pattern},
        )
    )


GENESIS_SHA256 = "0" * 64


class HistoryEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The change history is append-only")

    def delete(self):
        raise PermissionError("The change history is append-only")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def with_prev(self):
        """Each entry with its predecessor's hash (`prev_sha256`), read in the same query: an
        index probe per row on the unique sequence number."""
        previous = HistoryEntry.chain.filter(seq=models.OuterRef("seq") - 1).values("sha256")[:1]
        return self.annotate(prev_sha256=models.Subquery(previous, output_field=HashField()))


class HistoryEntryManager(models.Manager.from_queryset(HistoryEntryQuerySet)):
    """Entries as readers see them: with `prev_sha256` (the history API, reports' anchors)."""

    def get_queryset(self):
        return super().get_queryset().with_prev()


class HistoryEntry(models.Model):
    """One create, change or delete of a domain record. Append-only: each entry's `sha256` covers
    its content and the previous entry's hash, so any later edit of a row breaks the chain."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    # The sequence number is the key (issue 13, history storage): no separate id column and
    # index (8 + ~22 bytes an entry). A pending entry's provisional number is its key until
    # the link gives it its place (core.history).
    seq = models.PositiveBigIntegerField(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # Nothing looks entries up by user: an index here was ~20 bytes per entry for nothing.
        db_index=False,
        related_name="+",
    )
    # Stored as the number of its label (core_historylabel), as object_type is (issue 13).
    actor = LabelField(_("actor"))
    action = ActionField(
        pgettext_lazy("change log", "action"), max_length=10, choices=Action.choices
    )
    object_type = LabelField(_("record type"))
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = ChangesField(_("changes"), default=dict)
    request_id = RequestIdField(_("request id"), blank=True)
    # The previous entry's hash is not stored: it is the sha256 of entry seq - 1 (GENESIS for
    # the first), which the hash covers all the same (see `prev_sha256`, core.history).
    sha256 = HashField(_("hash"))

    objects = HistoryEntryManager()
    # Without the predecessor's hash: the chain's own reads (linking, verifying, counting).
    chain = HistoryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-seq"], name="history_object_idx"),
            # The linker's work list: only the few entries waiting for it, whatever the
            # history's size (the planner does not use the unique index for it reliably).
            models.Index(
                fields=["seq"], condition=Q(seq__gte=PENDING_SEQ), name="history_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The change history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The change history is append-only")

    @property
    def stored_changes(self):
        """`changes` as stored (what the hash covers)."""
        return self.__dict__.get("changes")

    @property
    def prev_sha256(self) -> str:
        """The hash of the entry before this one in the chain (GENESIS for the first; "" while
        this one is not linked). Read with the entry by `HistoryEntry.objects`; queried here
        otherwise."""
        state = self.__dict__
        if "_prev_sha256" not in state:
            if self.seq is None or self.seq >= PENDING_SEQ or self.seq <= 1:
                state["_prev_sha256"] = ""
            else:
                state["_prev_sha256"] = (
                    HistoryEntry.chain.filter(seq=self.seq - 1)
                    .values_list("sha256", flat=True)
                    .first()
                    or ""
                )
        value = state["_prev_sha256"]
        if not value and self.seq == 1:
            return GENESIS_SHA256
        return value

    @prev_sha256.setter
    def prev_sha256(self, value) -> None:
        if isinstance(value, bytes | bytearray | memoryview):
            value = bytes(value).hex()
        self.__dict__["_prev_sha256"] = value or ""


class HistoryChainHead(models.Model):
    """The single row that holds the chain's last sequence number and hash. Writers lock it to
    extend the chain, so concurrent transactions never fork it."""

    seq = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("history chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.sha256}"


# Saved list views (core.saved_views) are a core model too; defined beside their actions.
from core.saved_views import SavedView  # noqa: E402, F401

models.signals.post_migrate.connect(remember_model_labels, dispatch_uid="core.history_labels")
