"""Lean list serialisation (issue 13): the rows of an API list page written by a function
generated once per serializer class, not by DRF's generic walk over every field of every row.

DRF asks each field of each row for its attribute (`get_attribute`, with its try/except, its
callable check and its "pk only" wrapper) and then for its representation, through several
method calls a field. The plan does the same work for the fields whose behaviour it knows
exactly, and hands every other field to DRF's own methods, so a page's JSON is byte for byte
what DRF answers (core/tests/test_lean_lists.py compares the two on every API list):

- a model attribute (`source` a chain of attributes, the field's `get_attribute` DRF's own):
  read as `instance.a.b` in the generated code; anything unusual on the way (a missing
  attribute, a related record that does not exist, a callable) goes back to the field's
  `get_attribute`;
- a to-one relation by primary key (`PrimaryKeyRelatedField` on a foreign key): the key column
  (`report_id`), as DRF's "pk only" optimisation reads it;
- a to-one relation by slug (`SlugRelatedField`: a unit's code, a username): the related
  record's slug;
- a to-many relation by slug: the slugs of the (prefetched) related records;
- a to-many relation by primary key: the keys of the (prefetched) related records;
- a nested serializer (one record, or `many=True` over a prefetched relation): each record by
  the nested serializer's own plan;
- a SerializerMethodField: the list's serializer's `get_<name>(instance)`;
- text, integers, choices, booleans and ISO dates written inline (`str`, `int`, the choice,
  the bool itself, `date.isoformat()`, as DRF's fields write them); every other field type,
  and every value of an unexpected type, through the field's own `to_representation`.

The source of a serializer's row function is generated and compiled once per class when the
class's fields are all its serializers' (no `__init__` that changes them: `_fields_per_class`),
from a copy of its own; each list binds it to its own serializer (its context: method fields,
finish_representation, fields whose representation is not DRF's own) and builds its fields only
if a row needs one of them. Any other serializer's source is generated per list, from its own
fields (the code object is kept per source). A settings change compiles the plans again.

A serializer whose class changes `to_representation` is rendered by DRF, unless each class that
does also defines `finish_representation(data)` and its `to_representation` is exactly
`finish_representation(super().to_representation(instance))` (org.api's PolicyFieldsMixin).
A list page's prefetches land in plain lists (LeanPrefetch, below), which the plan reads.
`settings.API_LEAN_LISTS = False` turns the plan and the lean prefetch off (the comparison test
does)."""

import copy
import datetime
import keyword
from operator import attrgetter

from django.conf import settings
from django.contrib.contenttypes.fields import ReverseGenericManyToOneDescriptor
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import Model, Prefetch, Q, prefetch_related_objects, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
)
from django.db.models.manager import BaseManager
from django.db.models.query import ModelIterable, QuerySet, RelatedPopulator
from django.db.models.query_utils import DeferredAttribute
from django.db.models.sql.compiler import cursor_iter
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework import serializers as drf_serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from core.db.lookups import array_parameter

_ISO = drf_fields.ISO_8601
_MISSING = object()
LEAN_PREFIX = "_lean_"  # instance.__dict__["_lean_<relation>"]: a lean prefetch's rows


def _own(field, name: str, base) -> bool:
    """Whether `field`'s method `name` is `base`'s, not overridden on the way."""
    return getattr(type(field), name) is getattr(base, name)


# DRF's fields whose to_representation reads only the field's own arguments (no context, no
# parent serializer): a plan compiled once per serializer class may call them on its own copy
# of the field. Every other field's representation is asked of the list's own field.
_CONTEXT_FREE = frozenset(
    {
        drf_fields.BigIntegerField,
        drf_fields.BooleanField,
        drf_fields.CharField,
        drf_fields.ChoiceField,
        drf_fields.DateField,
        drf_fields.DateTimeField,
        drf_fields.DecimalField,
        drf_fields.DurationField,
        drf_fields.FloatField,
        drf_fields.IntegerField,
        drf_fields.JSONField,
        drf_fields.ReadOnlyField,
        drf_fields.TimeField,
        drf_fields.UUIDField,
        relations.PrimaryKeyRelatedField,
        relations.SlugRelatedField,
    }
)


def _context_free(field) -> bool:
    for klass in type(field).__mro__:
        if "to_representation" in klass.__dict__:
            if klass is drf_fields.ListField:  # each item by its child
                return _context_free(field.child)
            return klass in _CONTEXT_FREE
    return False


def _representation(field) -> tuple[str, object]:
    """How a value that is not None is written, as `field.to_representation` writes it: a kind
    the generated code writes inline (text, integer, choice, boolean, iso_date) or "call", and the
    field's own to_representation (for "call", and for a boolean or a date of another type)."""
    represent = field.to_representation
    if _own(field, "to_representation", drf_fields.CharField):
        return "text", represent
    if _own(field, "to_representation", drf_fields.IntegerField):
        return "integer", represent
    if _own(field, "to_representation", drf_fields.BigIntegerField) and not getattr(
        field, "coerce_to_string", drf_fields.api_settings.COERCE_BIGINT_TO_STRING
    ):
        return "integer", represent  # IntegerField's, when not written as text
    if _own(field, "to_representation", drf_fields.ChoiceField):
        return "choice", represent
    if _own(field, "to_representation", drf_fields.BooleanField):
        return "boolean", represent
    if _own(field, "to_representation", drf_fields.DateField):
        output_format = getattr(field, "format", drf_fields.api_settings.DATE_FORMAT)
        if isinstance(output_format, str) and output_format.lower() == _ISO:
            return "iso_date", represent
    return "call", represent


def _converter(kind: str, represent):
    """The function value -> representation of a kind, for a value read by DRF's own
    get_attribute (a callable, a missing attribute): what the generated code writes inline."""
    if kind == "text":
        return lambda value: value if type(value) is str else str(value)
    if kind == "integer":
        return lambda value: value if type(value) is int else int(value)
    if kind == "boolean":
        return lambda value: value if value is True or value is False else represent(value)
    if kind == "iso_date":
        date = datetime.date
        return lambda value: value.isoformat() if type(value) is date else represent(value)
    return represent


def _chain(path: str) -> str | None:
    """`path` ("report.body.code") as attribute access in generated code, or None when one of
    its parts is not a plain name."""
    parts = path.split(".")
    if all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        return "".join("." + part for part in parts)
    return None


def _slug_path(field) -> str | None:
    """The slug a SlugRelatedField writes, read as SlugRelatedField.to_representation reads it;
    None when the field writes something else."""
    if _own(field, "to_representation", relations.SlugRelatedField):
        return field.slug_field.replace("__", ".")
    return None


def _foreign_key_attname(model, field) -> str | None:
    """The key column of a PrimaryKeyRelatedField whose source is a foreign key (or a forward
    one-to-one key) of `model`."""
    if model is None or len(field.source_attrs) != 1 or field.pk_field is not None:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except Exception:
        return None
    if not ((model_field.many_to_one or model_field.one_to_one) and model_field.concrete):
        return None
    return model_field.attname


def _finishers(serializer) -> list | None:
    """The `finish_representation` of each class that changes to_representation, outermost
    last; None when one of them does not say how (DRF renders that serializer)."""
    found = []
    for klass in type(serializer).__mro__:
        if klass is drf_serializers.Serializer:
            return [serializer.finish_representation] if found else []
        if "to_representation" in klass.__dict__:
            if "finish_representation" not in klass.__dict__ or found:
                return None
            found.append(klass)
    return None


# --- What the generated code calls ----------------------------------------------------------


class _Fields:
    """The list's own serializer and its bound fields, built only when a row needs one of them
    (a value out of the ordinary, a method field, a field whose representation reads the
    context): a plan compiled once per class never builds them for an ordinary page."""

    __slots__ = ("_serializer", "_find", "_fields")

    def __init__(self, serializer=None, find=None):
        self._serializer, self._find, self._fields = serializer, find, None

    def serializer(self):
        if self._serializer is None:
            self._serializer = self._find()
        return self._serializer

    def __getitem__(self, name: str):
        if self._fields is None:
            self._fields = self.serializer().fields
        return self._fields[name]


def _generic(field, instance, ret) -> None:
    """DRF's own loop body (Serializer.to_representation) for one field."""
    try:
        attribute = field.get_attribute(instance)
    except SkipField:
        return
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    ret[field.field_name] = None if check_for_none is None else field.to_representation(attribute)


def _slow_attribute(field, instance, ret, convert) -> None:
    """An attribute out of the ordinary (missing on the way, a related record that does not
    exist, a callable): DRF's get_attribute reads it."""
    try:
        value = field.get_attribute(instance)
    except SkipField:
        return
    ret[field.field_name] = None if value is None else convert(value)


def _slow_rows(field, instance, ret, child) -> None:
    """A nested list without a lean prefetch: DRF's get_attribute, a manager's rows."""
    try:
        rows = field.get_attribute(instance)
    except SkipField:
        return
    if rows is None:
        ret[field.field_name] = None
        return
    if isinstance(rows, BaseManager):
        rows = rows.all()
    ret[field.field_name] = [child(row) for row in rows]


def _related_rows(field, own_get: bool):
    """A function (instance, fields) -> a to-many relation's rows: the plain list of a lean
    prefetch (`lean_prefetch`), or the row's prefetch cache, what ManyRelatedField.get_attribute
    (the manager's `all()`) answers for a prefetched relation, without building a related
    manager for every row (about 20 us each). Anything else (not prefetched, another kind of
    manager, a field with its own get_attribute) goes to the list's own field."""
    name = field.field_name
    if not own_get or len(field.source_attrs) != 1:
        return lambda instance, fields: fields[name].get_attribute(instance)
    attr = field.source_attrs[0]
    lean_attr = LEAN_PREFIX + attr
    cache_name = []  # the manager's prefetch_cache_name, read from the first row's manager

    def related(instance, fields):
        rows = instance.__dict__.get(lean_attr) if hasattr(instance, "__dict__") else None
        if rows is not None:
            return rows
        prefetched = getattr(instance, "_prefetched_objects_cache", None)
        if prefetched and instance.pk is not None:
            if not cache_name:
                cache_name.append(
                    getattr(getattr(instance, attr, None), "prefetch_cache_name", None)
                )
            found = prefetched.get(cache_name[0]) if cache_name[0] else None
            if found is not None:
                return found
        return fields[name].get_attribute(instance)

    return related


_HELPERS = {
    "_MISSING": _MISSING,
    "_MISSES": (AttributeError, KeyError, ObjectDoesNotExist),
    "_SkipField": SkipField,
    "_date": datetime.date,
    "_generic": _generic,
    "_slow_attribute": _slow_attribute,
    "_slow_rows": _slow_rows,
}

_INLINE = {
    "text": "v if type(v) is str else str(v)",
    "integer": "v if type(v) is int else int(v)",
    "boolean": "v if v is True or v is False else {represent}(v)",
    "iso_date": "v.isoformat() if type(v) is _date else {represent}(v)",
    # ChoiceField's for a plain string (not an Enum member): "" as it is, else its choice
    "choice": "({choices}.get(v, v) if v != '' else v) if type(v) is str else {represent}(v)",
}


# --- The generated row function -------------------------------------------------------------


class _Source:
    """The source of one serializer's row function, with the objects it names: those known
    when it is compiled, and those each list binds (`binders`: fields -> object)."""

    def __init__(self):
        self.lines: list[str] = []
        self.names: dict = {}
        self.binders: list = []

    def name(self, value) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def bound(self, binder) -> str:
        name = f"_b{len(self.binders)}"
        self.binders.append((name, binder))
        return name

    def add(self, *lines: str) -> None:
        self.lines.extend("        " + line for line in lines)


class _Plan:
    """A serializer's compiled row code; `bind(fields)` gives one list its row function."""

    __slots__ = ("make", "binders")

    def __init__(self, make, binders):
        self.make, self.binders = make, binders

    def bind(self, fields: _Fields):
        return self.make(fields, *[binder(fields) for binder in self.binders])


_CODE: dict = {}  # generated source -> its code object (the same source for every list)


def _representation_name(src: _Source, field, kind: str, represent) -> str:
    """The name of the function writing a value of `field` that the code does not write
    inline: the compiled copy's when it reads nothing but its arguments, else the list's own."""
    if _context_free(field):
        return src.name(_converter(kind, represent))
    name = field.field_name
    return src.bound(lambda fields: _converter(*_representation(fields[name])))


def _compile_field(src: _Source, field, model) -> None:
    key = repr(field.field_name)
    name = field.field_name
    plain_get = _own(field, "get_attribute", drf_fields.Field)

    def attribute(value_code: str, convert_name: str) -> None:
        path = ".".join(field.source_attrs)
        chain = _chain(path)
        read = f"instance{chain}" if chain else f"{src.name(attrgetter(path))}(instance)"
        src.add(
            "try:",
            f"    v = {read}",
            "except _MISSES:",
            "    v = _MISSING",
            "if v is None:",
            f"    ret[{key}] = None",
            "elif v is _MISSING or callable(v):",
            f"    _slow_attribute(fields[{key}], instance, ret, {convert_name})",
            "else:",
            f"    ret[{key}] = {value_code}",
        )

    def generic() -> None:
        src.add(f"_generic(fields[{key}], instance, ret)")

    if isinstance(field, relations.PrimaryKeyRelatedField):
        if (
            _own(field, "get_attribute", relations.RelatedField)
            and _own(field, "to_representation", relations.PrimaryKeyRelatedField)
            and _own(field, "use_pk_only_optimization", relations.PrimaryKeyRelatedField)
        ):
            attname = _foreign_key_attname(model, field)
            if attname is not None:
                # The key column, as DRF's "pk only" optimisation reads it.
                chain = _chain(attname)
                read = f"instance{chain}" if chain else f"getattr(instance, {attname!r})"
                src.add(
                    "try:",
                    f"    ret[{key}] = {read}",
                    "except AttributeError:",
                    f"    _generic(fields[{key}], instance, ret)",
                )
                return
        return generic()
    if isinstance(field, relations.RelatedField):
        if (
            _own(field, "get_attribute", relations.RelatedField)
            and not field.use_pk_only_optimization()
            and field.source_attrs
        ):
            slug = _slug_path(field)
            if slug is not None and _chain(slug):
                convert = src.name(attrgetter(slug))
                return attribute(f"v{_chain(slug)}", convert)
            kind, represent = _representation(field)
            convert = _representation_name(src, field, "call", represent)
            return attribute(f"{convert}(v)", convert)
        return generic()
    if isinstance(field, relations.ManyRelatedField):
        child = field.child_relation
        item = None  # what each related row is written as: its slug, or its key
        if _own(field, "to_representation", relations.ManyRelatedField):
            if isinstance(child, relations.SlugRelatedField):
                slug = _slug_path(child)
                item = f"x{_chain(slug)}" if slug is not None and _chain(slug) else None
            elif (
                isinstance(child, relations.PrimaryKeyRelatedField)
                and _own(child, "to_representation", relations.PrimaryKeyRelatedField)
                and child.pk_field is None
            ):
                item = "x.pk"
        if item is None:
            return generic()
        related = src.name(
            _related_rows(field, _own(field, "get_attribute", relations.ManyRelatedField))
        )
        src.add(
            "try:",
            f"    r = {related}(instance, fields)",
            "except _SkipField:",
            "    pass",
            "else:",
            f"    ret[{key}] = None if r is None else [{item} for x in r]",
        )
        return
    if getattr(field, "reads_rows", False) and plain_get and len(field.source_attrs) == 1:
        # A field of a to-many relation whose to_representation takes the related rows as a
        # manager or as a plain list (VendorNamesField): the prefetched rows, as a list.
        related = src.name(_related_rows(field, True))
        represent = (
            src.name(field.to_representation)
            if _context_free(field)
            else src.bound(lambda fields: fields[name].to_representation)
        )
        src.add(
            "try:",
            f"    r = {related}(instance, fields)",
            "except _SkipField:",
            "    pass",
            "else:",
            f"    ret[{key}] = None if r is None else {represent}(r)",
        )
        return
    if isinstance(field, drf_serializers.ListSerializer):
        return _compile_nested_list(src, field, key, generic)
    if isinstance(field, drf_serializers.Serializer):
        if not (
            plain_get
            and field.source_attrs
            and field.source != "*"
            and _finishers(field) is not None
        ):
            return generic()
        child = src.bound(_nested_binder(field, lambda fields: fields[name]))
        return attribute(f"{child}(v)", child)
    if isinstance(field, drf_serializers.BaseSerializer) or not plain_get:
        return generic()
    if (
        isinstance(field, drf_fields.SerializerMethodField)
        and _own(field, "to_representation", drf_fields.SerializerMethodField)
        and field.source == "*"
    ):
        # The serializer's own get_<name>(instance), as SerializerMethodField calls it.
        method_name = field.method_name
        method = src.bound(lambda fields: getattr(fields.serializer(), method_name))
        src.add(f"ret[{key}] = {method}(instance)")
        return
    if not field.source_attrs:
        return generic()
    kind, represent = _representation(field)
    convert = _representation_name(src, field, kind, represent)
    inline = _INLINE.get(kind)
    if inline is None:
        value_code = f"{convert}(v)"
    else:
        # A kind written inline is DRF's own field's (context free): its to_representation for
        # the values of another type.
        value_code = inline.format(
            represent=src.name(represent) if "{represent}" in inline else "",
            choices=src.name(field.choice_strings_to_values) if kind == "choice" else "",
        )
    attribute(value_code, convert)


def _nested_binder(field, find):
    """A function fields -> the row function of the nested serializer `field` (`find(fields)`
    gives the list's own copy of it): its class's plan when its fields are its class's, else
    a plan compiled for that copy (or DRF's to_representation)."""
    if _fields_per_class(type(field)):
        nested = _class_plan(type(field))
        if nested is not None:
            return lambda fields: nested.bind(_Fields(find=lambda: find(fields)))

    def own(fields):
        serializer = find(fields)
        row = plan(serializer)
        return row if row is not None else serializer.to_representation

    return own


def _compile_nested_list(src: _Source, field, key: str, generic) -> None:
    """A nested serializer of a to-many relation (`many=True`): the prefetched rows (the plain
    list of a lean prefetch, or DRF's get_attribute), each by the child's own plan."""
    if not (
        type(field) in (drf_serializers.ListSerializer, LeanListSerializer)
        and _own(field, "get_attribute", drf_fields.Field)
        and len(field.source_attrs) == 1
        and field.source != "*"
        and _finishers(field.child) is not None
    ):
        return generic()
    name = field.field_name
    child = src.bound(_nested_binder(field.child, lambda fields: fields[name].child))
    lean_attr = LEAN_PREFIX + field.source_attrs[0]
    src.add(
        f"r = instance.__dict__.get({lean_attr!r})",
        "if r is None:",
        f"    _slow_rows(fields[{key}], instance, ret, {child})",
        "else:",
        f"    ret[{key}] = [{child}(x) for x in r]",
    )


def _compile(serializer) -> _Plan | None:
    """The row code of a bound serializer's readable fields, or None when DRF must render it."""
    finishers = _finishers(serializer)
    if finishers is None:
        return None
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    src = _Source()
    for field in serializer._readable_fields:
        _compile_field(src, field, model)
    if finishers:
        finish = src.bound(lambda fields: fields.serializer().finish_representation)
        src.add(f"return {finish}(ret)")
    else:
        src.add("return ret")
    parameters = "".join(f", {name}" for name, _binder in src.binders)
    source = "\n".join(
        [f"def make(fields{parameters}):", "    def row(instance):", "        ret = {}"]
        + src.lines
        + ["    return row"]
    )
    code = _CODE.get(source)
    if code is None:
        code = _CODE[source] = compile(source, "<core.api.lean row>", "exec")
    namespace = {**_HELPERS, **src.names}
    exec(code, namespace)  # noqa: S102 - our own source, generated from the serializer's fields
    return _Plan(namespace["make"], [binder for _name, binder in src.binders])


def _fields_per_class(cls) -> bool:
    """Whether a serializer of `cls` has its class's fields, whoever builds it: fields built
    once per class (LeanModelSerializer) or declared, and no __init__ that changes them."""
    from core.api.serializers import LeanModelSerializer

    return (
        cls.__init__ is drf_serializers.BaseSerializer.__init__
        and cls.get_fields
        in (LeanModelSerializer.get_fields, drf_serializers.Serializer.get_fields)
        and cls.fields is drf_serializers.Serializer.fields
        and cls._readable_fields is drf_serializers.Serializer._readable_fields
    )


_PLANS: dict = {}  # serializer class -> its plan, compiled from a copy of its own


def _class_plan(cls) -> _Plan | None:
    found = _PLANS.get(cls, _MISSING)
    if found is _MISSING:
        found = _PLANS[cls] = _compile(cls())
    return found


def _forget_plans(setting, **kwargs) -> None:
    # A plan holds what the settings gave (DRF's date format): compiled again after a change.
    _PLANS.clear()
    _STATEMENTS.clear()


setting_changed.connect(_forget_plans, dispatch_uid="core-api-lean-plans")


def plan(serializer):
    """The row function of a bound serializer (one row of a list: instance -> dict), or None
    when it must be rendered by DRF. A serializer whose fields are its class's (and not built
    yet) is rendered by its class's plan, compiled once per process: its fields are built only
    if a row needs one of them."""
    if "fields" not in serializer.__dict__ and _fields_per_class(type(serializer)):
        compiled = _class_plan(type(serializer))
    else:
        compiled = _compile(serializer)
    return None if compiled is None else compiled.bind(_Fields(serializer=serializer))


class LeanListSerializer(drf_serializers.ListSerializer):
    """ListSerializer with the compiled plan: the same list of dicts, built faster."""

    def to_representation(self, data):
        if not getattr(settings, "API_LEAN_LISTS", True):
            return super().to_representation(data)
        items = list(data.all() if isinstance(data, BaseManager) else data)
        if not items:
            return []  # as DRF: an empty page never builds the row's fields
        # Bound once per list serializer: a nested one renders a list for every parent row.
        row = self.__dict__.get("_lean_row", _MISSING)
        if row is _MISSING:
            row = self._lean_row = plan(self.child)
        if row is None:
            return super().to_representation(items)
        return [row(item) for item in items]


# --- Lean prefetch ----------------------------------------------------------------------------
#
# For each row and each prefetched relation, Django's prefetch builds a related manager and a
# QuerySet (about 25 us) to hold rows that a list page then only iterates. A lean prefetch reads
# the same rows into plain lists (what Prefetch(to_attr="_lean_<relation>") gives, the same
# queries) and gives each row a prefetch cache that builds the manager's QuerySet only when
# something asks for it (a method field, a property, DRF's own fields): whoever reads the
# relation gets what a plain prefetch_related gives, with no further query.
#
# A reverse foreign key and a many-to-many relation are read here, as Django's managers read
# them (get_prefetch_querysets) but with the page's keys as one array parameter
# (`__any_of`, core.db.lookups) instead of `__in` over the instances: Django checked each
# instance's model, normalised each key and wrote a placeholder a key, and psycopg split the
# statement at each (about 0.4 ms of CPU for a page of 50). Any other relation, and a sliced
# queryset, is left to Django's prefetch_related_objects, into the same plain lists.


def prefetched(instance, name: str):
    """The rows of `instance`'s to-many relation `name`, for a method field: a list page's lean
    prefetch (a plain list), or else the related manager's `all()` (prefetched or not)."""
    rows = instance.__dict__.get(LEAN_PREFIX + name)
    return rows if rows is not None else getattr(instance, name).all()


class _Node:
    __slots__ = (
        "name",
        "lean_attr",
        "model",
        "queryset",
        "children",
        "cache_name",
        "read",
        "plain",
    )

    def __init__(self, name, model, read=None):
        self.name, self.lean_attr, self.model = name, LEAN_PREFIX + name, model
        self.queryset, self.children, self.cache_name = None, {}, None
        self.read = read  # a _ReverseKey or _ManyToMany, or None: Django's prefetch reads it
        self.plain = False  # rows from the default manager's plain all(): _rows may reuse the SQL

    def rows_queryset(self):
        queryset = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return lean_rows(queryset._chain())


class _ReverseKey:
    """The rows of a reverse foreign key (`unit.decisions`), as the related manager's
    get_prefetch_querysets reads them: `<key>__any_of` the parents' keys, each row's cache of
    its parent set to the parent (the last one of that key) unless already there."""

    def __init__(self, field):
        self.field = field  # the foreign key, on the related model
        self.target = field.foreign_related_fields[0].attname  # on the parent

    def read(self, node, instances) -> None:
        field, target = self.field, self.target
        parents = {getattr(instance, target): instance for instance in instances}
        keys = list(parents)

        def queryset():
            queryset = node.rows_queryset()
            queryset.query.add_q(Q(**{f"{field.name}__any_of": keys}), reuse_all=True)
            return queryset

        attname, groups = field.attname, {}
        for row in _rows(node, ("reverse", field), queryset, keys):
            key = getattr(row, attname)
            if not field.is_cached(row):
                field.set_cached_value(row, parents[key])
            groups.setdefault(key, []).append(row)
        for instance in instances:
            instance.__dict__[node.lean_attr] = groups.get(getattr(instance, target), [])


class _ManyToMany:
    """The rows of a many-to-many relation, either way, as its manager's get_prefetch_querysets
    reads them: through the join table, its column naming the parent selected alongside
    (`_prefetch_related_val_<column>`, as Django selects it)."""

    def __init__(self, descriptor):
        field = descriptor.rel.field
        if descriptor.reverse:
            self.query_field_name, source = field.name, field.m2m_reverse_field_name()
        else:
            self.query_field_name, source = field.related_query_name(), field.m2m_field_name()
        fk = descriptor.rel.through._meta.get_field(source)
        self.column = fk.local_related_fields[0]  # the join table's column naming the parent
        self.target = fk.foreign_related_fields[0]  # the parent's key
        self.join_table = fk.model._meta.db_table
        self.extra = f"_prefetch_related_val_{self.column.attname}"

    @staticmethod
    def fits(descriptor) -> bool:
        field = descriptor.rel.field
        source = field.m2m_reverse_field_name() if descriptor.reverse else field.m2m_field_name()
        fk = descriptor.rel.through._meta.get_field(source)
        return len(fk.local_related_fields) == 1 and fk.foreign_related_fields[0].primary_key

    def read(self, node, instances) -> None:
        connection = connections[router.db_for_read(node.model)]
        column, target = self.column, self.target

        def prepared(field, value):
            return value if type(value) is int else field.get_db_prep_value(value, connection)

        keys = list(dict.fromkeys(prepared(target, getattr(i, target.attname)) for i in instances))

        def queryset():
            queryset = node.rows_queryset()
            queryset.query.add_q(Q(**{f"{self.query_field_name}__any_of": keys}), reuse_all=True)
            qn = connections[queryset.db].ops.quote_name
            column_sql = f"{qn(self.join_table)}.{qn(column.column)}"
            return queryset.extra(select={self.extra: column_sql})

        what = ("many", self.query_field_name, self.join_table, column.column)
        groups = {}
        for row in _rows(node, what, queryset, keys):
            groups.setdefault(prepared(column, getattr(row, self.extra)), []).append(row)
        for instance in instances:
            key = prepared(target, getattr(instance, target.attname))
            instance.__dict__[node.lean_attr] = groups.get(key, [])


# --- A relation's statement, compiled once -------------------------------------------------------
#
# Compiling the statement of a relation's rows took about 0.4 ms of CPU a page (a paragraph's
# twenty columns, each quoted, typed and given its converters) for a text that depends only on
# the relation: its rows come from the related model's default manager, and the page's keys are
# its one parameter, an array. For such a relation (`_Node.plain`: Django's own manager and
# QuerySet, nothing in the view's Prefetch), the first page's statement and its compiler are
# kept per relation and database, and later pages only execute it with their own keys.
# Anything else (keys that are not integers, another vendor, a statement with other
# parameters) is compiled each time, as before.

_STATEMENTS: dict = {}  # (model, relation, database) -> (sql, compiler), or None: not reusable


def _plain(model) -> bool:
    manager = model._default_manager
    queryset_class = getattr(manager, "_queryset_class", None)
    return (
        type(manager).get_queryset is BaseManager.get_queryset
        and type(manager).all is BaseManager.all
        and queryset_class is not None
        and all(
            getattr(queryset_class, name) is getattr(QuerySet, name)
            for name in ("__init__", "_fetch_all", "iterator", "__iter__", "_chain", "_clone")
        )
    )


def _rows(node, what, queryset, keys: list) -> list:
    """The rows of `queryset()`, a queryset whose only parameter is `keys` (one array), its
    statement compiled once per relation when `node.plain`."""
    if not node.plain or not keys or any(type(key) is not int for key in keys):
        return list(queryset())
    db = router.db_for_read(node.model)
    connection = connections[db]
    cache_key = (node.model, what, db)
    found = _STATEMENTS.get(cache_key, _MISSING)
    if found is None or connection.vendor != "postgresql":
        return list(queryset())
    if found is _MISSING:
        made = queryset()
        compiler = made.query.get_compiler(using=db)
        try:
            sql, params = compiler.as_sql()
        except Exception:
            _STATEMENTS[cache_key] = None
            return list(made)
        if made.db != db or len(params) != 1 or params[0] != array_parameter(keys):
            _STATEMENTS[cache_key] = None
            return list(made)
        found = _STATEMENTS[cache_key] = (sql, compiler)
    sql, compiler = found
    compiler = copy.copy(compiler)
    compiler.connection = connection
    cursor = connection.cursor()
    try:
        cursor.execute(sql, (array_parameter(keys),))
    except Exception:
        cursor.close()
        raise
    # SQLCompiler.execute_sql's MULTI: every chunk read, the cursor closed.
    results = list(
        cursor_iter(
            cursor,
            connection.features.empty_fetchmany_value,
            compiler.col_count if compiler.has_extra_select else None,
            GET_ITERATOR_CHUNK_SIZE,
        )
    )
    return list(_instances(compiler, results, db, ()))


def _reader(descriptor, queryset):
    """How a node's rows are read: here (a plain reverse foreign key or many-to-many relation of
    one column, on a queryset that is not sliced), else None (Django's prefetch)."""
    if queryset is not None and queryset.query.is_sliced:
        return None
    if type(descriptor) is ManyToManyDescriptor:
        return _ManyToMany(descriptor) if _ManyToMany.fits(descriptor) else None
    if type(descriptor) is ReverseManyToOneDescriptor:
        field = descriptor.rel.field
        if len(field.foreign_related_fields) == 1:
            return _ReverseKey(field)
    return None


def _related_model(descriptor):
    """The model of the rows a to-many descriptor's manager holds."""
    if isinstance(descriptor, ManyToManyDescriptor):
        return descriptor.rel.related_model if descriptor.reverse else descriptor.rel.model
    if isinstance(descriptor, ReverseGenericManyToOneDescriptor):
        return descriptor.rel.model
    return descriptor.rel.related_model


def _tree(model, lookups) -> dict | None:
    """{relation: _Node} of the lookups, or None when one of them is not a plain to-many
    prefetch (a to_attr of its own, a to-one relation, a queryset with prefetches of its own)."""
    tree = {}
    for lookup in lookups:
        if isinstance(lookup, str):
            path, queryset = lookup, None
        elif type(lookup) is Prefetch and lookup.to_attr is None:
            path, queryset = lookup.prefetch_through, lookup.queryset
            if queryset is not None and queryset._prefetch_related_lookups:
                return None
        else:
            return None
        nodes, current = tree, model
        parts = path.split("__")
        for depth, part in enumerate(parts):
            descriptor = getattr(current, part, None)
            if not isinstance(
                descriptor, ReverseManyToOneDescriptor | ReverseGenericManyToOneDescriptor
            ):
                return None  # ManyToManyDescriptor is a ReverseManyToOneDescriptor
            node = nodes.get(part)
            if node is None:
                node = nodes[part] = _Node(part, _related_model(descriptor))
                node.read = descriptor  # how: once its queryset is known
            if depth == len(parts) - 1 and queryset is not None:
                if node.queryset is not None:
                    return None
                node.queryset = queryset
            current = node.model
            nodes = node.children
    _readers(tree)
    return tree


def _readers(tree: dict) -> None:
    for node in tree.values():
        node.read = _reader(node.read, node.queryset)
        node.plain = node.queryset is None and _plain(node.model)
        _readers(node.children)


def _fetch(instances: list, tree: dict) -> None:
    """Each relation's rows into its plain list on every instance (`_lean_<relation>`), then the
    relations read through them, level by level as Django's prefetch goes."""
    for node in tree.values():
        if node.read is not None:
            node.read.read(node, instances)
        else:
            lookup = Prefetch(node.name, node.rows_queryset(), to_attr=node.lean_attr)
            prefetch_related_objects(instances, lookup)
        if node.children:
            related = [row for instance in instances for row in instance.__dict__[node.lean_attr]]
            if related:
                _fetch(related, node.children)


class LeanPrefetch:
    """The prefetches of a list queryset, into plain lists: `queryset()` to evaluate (without
    its prefetches), then `install(rows)` on the rows it gave, which reads them (the same
    queries as the queryset's prefetch_related, one a relation)."""

    def __init__(self, queryset):
        self.original = queryset
        lookups = queryset._prefetch_related_lookups
        self.tree = _tree(queryset.model, lookups) if lookups else None

    def queryset(self):
        queryset = self.original
        if self.tree:
            queryset = queryset.prefetch_related(None)
        return lean_rows(queryset)

    def install(self, rows) -> None:
        if self.tree and rows:
            rows = list(rows)
            _fetch(rows, self.tree)
            _install(rows, self.tree)


class _Prefetched(dict):
    """An instance's `_prefetched_objects_cache` after a lean prefetch: the QuerySet a related
    manager answers from the cache is built from the plain list when first asked for, as
    Django's prefetch builds it for every row."""

    __slots__ = ("instance", "pending", "building")

    def _build(self, key):
        spec = self.pending.get(key)
        if spec is None or self.building:
            return None
        node = spec
        rows = self.instance.__dict__.get(node.lean_attr)
        if rows is None:
            return None
        self.building = True
        try:
            manager = getattr(self.instance, node.name)
            if node.queryset is not None:
                queryset = manager._apply_rel_filters(node.queryset)
            else:
                queryset = manager.get_queryset()
        finally:
            self.building = False
        queryset._result_cache = rows
        queryset._prefetch_done = True
        dict.__setitem__(self, key, queryset)
        return queryset

    def __missing__(self, key):
        queryset = self._build(key)
        if queryset is None:
            raise KeyError(key)
        return queryset

    def __contains__(self, key):
        return dict.__contains__(self, key) or (
            key in self.pending and self.pending[key].lean_attr in self.instance.__dict__
        )

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def _forget(self, keys):
        # A change through the manager forgets the rows (Django pops its cache): the list too.
        for key in keys:
            node = self.pending.get(key)
            if node is not None:
                self.instance.__dict__.pop(node.lean_attr, None)
        self.pending = {k: v for k, v in self.pending.items() if k not in keys}

    def pop(self, key, *default):
        self._forget((key,))
        return dict.pop(self, key, *default)

    def clear(self):
        self._forget(tuple(self.pending))
        dict.clear(self)


def _cache_name(manager) -> str:
    name = getattr(manager, "prefetch_cache_name", None)  # many-to-many, generic relations
    return name if name is not None else manager.field.remote_field.cache_name  # reverse FK


def _install(instances: list, tree: dict) -> None:
    first = instances[0]
    for node in tree.values():
        if node.cache_name is None:
            node.cache_name = _cache_name(getattr(first, node.name))
    pending = {node.cache_name: node for node in tree.values()}
    for instance in instances:
        cache = _Prefetched(instance.__dict__.get("_prefetched_objects_cache") or ())
        cache.instance, cache.pending, cache.building = instance, pending, False
        instance._prefetched_objects_cache = cache
    for node in tree.values():
        if node.children:
            related = [row for instance in instances for row in instance.__dict__[node.lean_attr]]
            if related:
                _install(related, node.children)


# --- Lean instances -----------------------------------------------------------------------------
#
# Model.from_db builds each row through Model.__init__ (a setattr a field, the init signals):
# about 3.5 us a row of twenty columns, most of a list page's instances' cost. For a model whose
# construction does nothing else (Django's __init__ and from_db, or TrackedModel's from_db; no
# init signal receivers; plain field descriptors), a
# list page's rows are built by filling the instance's dict directly: the same instance.


def _plain_descriptors(model) -> bool:
    for field in model._meta.concrete_fields:
        descriptor = model.__dict__.get(field.attname)
        if descriptor is None:
            for klass in model.__mro__[1:]:
                if field.attname in klass.__dict__:
                    descriptor = klass.__dict__[field.attname]
                    break
        if type(descriptor) not in (DeferredAttribute, ForeignKeyDeferredAttribute):
            return False
    return True


_BUILDERS: dict = {}


def _builder(model, init_list):
    """A function (db, values) -> instance equal to model.from_db(db, init_list, values), or
    None when only from_db itself may build it."""
    key = (model, tuple(init_list))
    found = _BUILDERS.get(key, _MISSING)
    if found is not _MISSING:
        return found
    _BUILDERS[key] = found = _make_builder(model, list(init_list))
    return found


def _make_builder(model, init_list):
    from core.models import TrackedModel, _mutable_fields

    from_db = getattr(model.from_db, "__func__", None)
    tracked = from_db is TrackedModel.from_db.__func__
    if not (
        (from_db is Model.from_db.__func__ or tracked)
        and model.__init__ is Model.__init__
        and not model._meta.abstract
        # Every column, or the columns of only()/defer() in the model's order: a deferred one is
        # left out of the instance's __dict__, as Model.__init__ leaves DEFERRED values.
        and [f.attname for f in model._meta.concrete_fields if f.attname in init_list] == init_list
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
        and _plain_descriptors(model)
    ):
        return None
    new = object.__new__
    names = tuple(init_list)
    # TrackedModel.from_db copies what can be changed in place (JSON, arrays) at load.
    mutable = (
        tuple((f.name, f.attname) for f in _mutable_fields(model) if f.attname in names)
        if tracked
        else ()
    )
    if mutable:
        from core.history import _plain

    def build(db, values):
        instance = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = instance.__dict__
        attributes["_state"] = state
        # `values` is the row's slice of these very columns (the iterable's and the populators'
        # init_list): a `strict=` keyword checked nothing, for about 0.5 us an instance.
        attributes.update(zip(names, values))  # noqa: B905
        if tracked:
            attributes["_history_loaded"] = (init_list, values)
            if mutable:
                attributes["_history_loaded_mutable"] = {
                    name: _plain(attributes[attname]) for name, attname in mutable
                }
        return instance

    return build


class _LeanPopulator(RelatedPopulator):
    """RelatedPopulator (select_related) building its rows with the lean builder."""

    def __init__(self, klass_info, select, db):
        super().__init__(klass_info, select, db)
        self.related_populators = _populators(klass_info, select, db)
        self.build = _builder(self.model_cls, self.init_list)

    def populate(self, row, from_obj):
        if self.reorder_for_init:
            obj_data = self.reorder_for_init(row)
        else:
            obj_data = row[self.cols_start : self.cols_end]
        if obj_data[self.pk_idx] is None:
            obj = None
        else:
            if self.build is not None:
                obj = self.build(self.db, obj_data)
            else:
                obj = self.model_cls.from_db(self.db, self.init_list, obj_data)
            for rel_iter in self.related_populators:
                rel_iter.populate(row, obj)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


def _populators(klass_info, select, db):
    return [_LeanPopulator(info, select, db) for info in klass_info.get("related_klass_infos", [])]


class LeanModelIterable(ModelIterable):
    """ModelIterable (Django 5.2's, step for step) with the rows built by the lean builder."""

    def __iter__(self):
        queryset = self.queryset
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        known_related_objects = [
            (
                field,
                related_objs,
                attrgetter(
                    *[
                        (
                            field.attname
                            if from_field == "self"
                            else queryset.model._meta.get_field(from_field).attname
                        )
                        for from_field in field.from_fields
                    ]
                ),
            )
            for field, related_objs in queryset._known_related_objects.items()
        ]
        yield from _instances(compiler, results, db, known_related_objects)


def _instances(compiler, results, db, known_related_objects):
    """The instances of a compiled statement's results, as ModelIterable builds them."""
    select, klass_info, annotation_col_map = (
        compiler.select,
        compiler.klass_info,
        compiler.annotation_col_map,
    )
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    model_fields_start, model_fields_end = select_fields[0], select_fields[-1] + 1
    init_list = [f[0].target.attname for f in select[model_fields_start:model_fields_end]]
    build = _builder(model_cls, init_list)
    related_populators = _populators(klass_info, select, db)
    for row in compiler.results_iter(results):
        values = row[model_fields_start:model_fields_end]
        if build is not None:
            obj = build(db, values)
        else:
            obj = model_cls.from_db(db, init_list, values)
        for rel_populator in related_populators:
            rel_populator.populate(row, obj)
        if annotation_col_map:
            for attr_name, col_pos in annotation_col_map.items():
                setattr(obj, attr_name, row[col_pos])
        for field, rel_objs, rel_getter in known_related_objects:
            if field.is_cached(obj):
                continue
            rel_obj_id = rel_getter(obj)
            try:
                rel_obj = rel_objs[rel_obj_id]
            except KeyError:
                pass
            else:
                setattr(obj, field.name, rel_obj)
        yield obj


def lean_rows(queryset):
    """The queryset with its rows built by LeanModelIterable (when it yields model instances)."""
    if queryset._iterable_class is not ModelIterable:
        return queryset
    queryset = queryset._chain()
    queryset._iterable_class = LeanModelIterable
    return queryset
