"""Lean list serialisation (issue 13): the rows of an API list page rendered by a plan compiled
once per serializer class, not by DRF's generic walk over every field of every row.

DRF asks each field of each row for its attribute (`get_attribute`, with its try/except, its
callable check and its "pk only" wrapper) and then for its representation, through several
method calls a field. The plan does the same work for the fields whose behaviour it knows
exactly, and hands every other field to DRF's own methods, so a page's JSON is byte for byte
what DRF answers (core/tests/test_lean_lists.py compares the two on every API list):

- a model attribute (`source` a chain of attributes, the field's `get_attribute` DRF's own):
  read with one `attrgetter`; anything unusual on the way (a missing attribute, a related
  record that does not exist, a callable) goes back to the field's `get_attribute`;
- a to-one relation by primary key (`PrimaryKeyRelatedField` on a foreign key): the key column
  (`report_id`), as DRF's "pk only" optimisation reads it;
- a to-one relation by slug (`SlugRelatedField`: a unit's code, a username): the related
  record's slug;
- a to-many relation by slug: the slugs of the (prefetched) related records;
- a to-many relation by primary key: the keys of the (prefetched) related records;
- a nested serializer (one record, or `many=True` over a prefetched relation): each record by
  the nested serializer's own plan;
- the representation of text, integers, booleans and ISO dates directly (`str`, `int`, the
  bool itself, `date.isoformat()`, as DRF's fields do); every other field type, and every
  value of an unexpected type, through the field's own `to_representation`.

A serializer whose class changes `to_representation` is rendered by DRF, unless each class that
does also defines `finish_representation(data)` and its `to_representation` is exactly
`finish_representation(super().to_representation(instance))` (org.api's PolicyFieldsMixin).
A list page's prefetches land in plain lists (LeanPrefetch, below), which the plan reads.
`settings.API_LEAN_LISTS = False` turns the plan and the lean prefetch off (the comparison test
does)."""

import datetime
from operator import attrgetter

from django.conf import settings
from django.contrib.contenttypes.fields import ReverseGenericManyToOneDescriptor
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Prefetch, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
)
from django.db.models.manager import BaseManager
from django.db.models.query import ModelIterable, RelatedPopulator
from django.db.models.query_utils import DeferredAttribute
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework import serializers as drf_serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

_ISO = drf_fields.ISO_8601
_MISSING = object()
LEAN_PREFIX = "_lean_"  # instance.__dict__["_lean_<relation>"]: a lean prefetch's rows


def _own(field, name: str, base) -> bool:
    """Whether `field`'s method `name` is `base`'s, not overridden on the way."""
    return getattr(type(field), name) is getattr(base, name)


def _converter(field):
    """A function value -> representation equal to `field.to_representation` for a value that
    is not None."""
    represent = field.to_representation
    if _own(field, "to_representation", drf_fields.CharField):

        def text(value):
            return value if type(value) is str else str(value)

        return text
    if _own(field, "to_representation", drf_fields.IntegerField):

        def integer(value):
            return value if type(value) is int else int(value)

        return integer
    if _own(field, "to_representation", drf_fields.BooleanField):

        def boolean(value):
            return value if value is True or value is False else represent(value)

        return boolean
    if _own(field, "to_representation", drf_fields.DateField):
        output_format = getattr(field, "format", drf_fields.api_settings.DATE_FORMAT)
        if isinstance(output_format, str) and output_format.lower() == _ISO:
            date = datetime.date

            def iso_date(value):
                return value.isoformat() if type(value) is date else represent(value)

            return iso_date
    return represent


def _slug_getter(field):
    """The slug of a related record, as SlugRelatedField.to_representation reads it."""
    if _own(field, "to_representation", relations.SlugRelatedField):
        return attrgetter(field.slug_field.replace("__", "."))
    return field.to_representation


def _attribute_step(field, convert):
    """A plain attribute chain; DRF's get_attribute for anything out of the ordinary."""
    get = attrgetter(".".join(field.source_attrs))
    name = field.field_name
    slow = field.get_attribute

    def step(instance, ret):
        try:
            value = get(instance)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            value = _MISSING
        if value is _MISSING or callable(value):
            try:
                value = slow(instance)
            except SkipField:
                return
        ret[name] = None if value is None else convert(value)

    return step


def _pk_step(field, attname: str):
    name = field.field_name
    generic = _generic_step(field)

    def step(instance, ret):
        try:
            ret[name] = getattr(instance, attname)
        except AttributeError:
            generic(instance, ret)

    return step


def _generic_step(field):
    """DRF's own loop body (Serializer.to_representation) for one field."""
    name = field.field_name
    get, represent = field.get_attribute, field.to_representation

    def step(instance, ret):
        try:
            attribute = get(instance)
        except SkipField:
            return
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        ret[name] = None if check_for_none is None else represent(attribute)

    return step


def _prefetched_or(field, get):
    """A to-many relation's prefetched rows: the plain list of a lean prefetch (`lean_prefetch`),
    or the row's prefetch cache: what `get` (ManyRelatedField.get_attribute: the manager's
    `all()`) answers for a prefetched relation, the same rows, without building a related
    manager for every row (about 20 us each). Anything else (not prefetched, another kind of
    manager) goes to `get`."""
    if len(field.source_attrs) != 1:
        return get
    attr = field.source_attrs[0]
    lean_attr = LEAN_PREFIX + attr
    cache_name = []  # the manager's prefetch_cache_name, read from the first row's manager

    def related(instance):
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
        return get(instance)

    return related


def _foreign_key_attname(model, field) -> str | None:
    """The key column of a PrimaryKeyRelatedField whose source is a foreign key of `model`."""
    if model is None or len(field.source_attrs) != 1 or field.pk_field is not None:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except Exception:
        return None
    if not (model_field.many_to_one and model_field.concrete):
        return None
    return model_field.attname


def _step(field, model):
    plain_get = _own(field, "get_attribute", drf_fields.Field)
    if isinstance(field, relations.PrimaryKeyRelatedField):
        if (
            _own(field, "get_attribute", relations.RelatedField)
            and _own(field, "to_representation", relations.PrimaryKeyRelatedField)
            and _own(field, "use_pk_only_optimization", relations.PrimaryKeyRelatedField)
        ):
            attname = _foreign_key_attname(model, field)
            if attname is not None:
                return _pk_step(field, attname)
        return _generic_step(field)
    if isinstance(field, relations.RelatedField):
        if (
            _own(field, "get_attribute", relations.RelatedField)
            and not field.use_pk_only_optimization()
            and field.source_attrs
        ):
            return _attribute_step(field, _slug_getter(field))
        return _generic_step(field)
    if isinstance(field, relations.ManyRelatedField):
        child = field.child_relation
        key = None  # what each related row is written as: its slug, or its key
        if _own(field, "to_representation", relations.ManyRelatedField):
            if isinstance(child, relations.SlugRelatedField) and _own(
                child, "to_representation", relations.SlugRelatedField
            ):
                key = _slug_getter(child)
            elif (
                isinstance(child, relations.PrimaryKeyRelatedField)
                and _own(child, "to_representation", relations.PrimaryKeyRelatedField)
                and child.pk_field is None
            ):
                key = attrgetter("pk")
        if key is None:
            return _generic_step(field)
        name, get = field.field_name, field.get_attribute
        if _own(field, "get_attribute", relations.ManyRelatedField):
            get = _prefetched_or(field, get)

        def many(instance, ret):
            try:
                related = get(instance)
            except SkipField:
                return
            ret[name] = None if related is None else [key(value) for value in related]

        return many
    if getattr(field, "reads_rows", False) and plain_get and len(field.source_attrs) == 1:
        # A field of a to-many relation whose to_representation takes the related rows as a
        # manager or as a plain list (VendorNamesField): the prefetched rows, as a list.
        name, get, represent = (
            field.field_name,
            _prefetched_or(field, field.get_attribute),
            (field.to_representation),
        )

        def rows_step(instance, ret):
            try:
                rows = get(instance)
            except SkipField:
                return
            ret[name] = None if rows is None else represent(rows)

        return rows_step
    if isinstance(field, drf_serializers.ListSerializer):
        return _nested_list_step(field)
    if isinstance(field, drf_serializers.Serializer):
        return _nested_step(field)
    if isinstance(field, drf_serializers.BaseSerializer) or not plain_get:
        return _generic_step(field)
    if not field.source_attrs:
        return _generic_step(field)
    return _attribute_step(field, _converter(field))


def _child_row(serializer):
    """One row of a nested serializer: its own plan, or DRF's to_representation."""
    row = plan(serializer)
    return row if row is not None else serializer.to_representation


def _nested_step(field):
    """A nested serializer of a to-one relation (select_related): its rows by its own plan."""
    if not (
        _own(field, "get_attribute", drf_fields.Field)
        and field.source_attrs
        and field.source != "*"
        and _finishers(field) is not None
    ):
        return _generic_step(field)
    return _attribute_step(field, _child_row(field))


def _nested_list_step(field):
    """A nested serializer of a to-many relation (`many=True`): the prefetched rows (the plain
    list of a lean prefetch, or the prefetch cache), each by the child's own plan."""
    if not (
        type(field) in (drf_serializers.ListSerializer, LeanListSerializer)
        and _own(field, "get_attribute", drf_fields.Field)
        and len(field.source_attrs) == 1
        and field.source != "*"
        and _finishers(field.child) is not None
    ):
        return _generic_step(field)
    name, slow = field.field_name, field.get_attribute
    attr = field.source_attrs[0]
    lean_attr = LEAN_PREFIX + attr
    child = _child_row(field.child)

    def step(instance, ret):
        rows = instance.__dict__.get(lean_attr)
        if rows is None:
            try:
                rows = slow(instance)
            except SkipField:
                return
            if rows is None:
                ret[name] = None
                return
            if isinstance(rows, BaseManager):
                rows = rows.all()
        ret[name] = [child(row) for row in rows]

    return step


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


def plan(serializer):
    """The row function of a bound serializer (one row of a list: instance -> dict), or None
    when it must be rendered by DRF."""
    finishers = _finishers(serializer)
    if finishers is None:
        return None
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    steps = [_step(field, model) for field in serializer._readable_fields]
    finish = finishers[0] if finishers else None

    def row(instance):
        ret = {}
        for step in steps:
            step(instance, ret)
        return finish(ret) if finish is not None else ret

    return row


class LeanListSerializer(drf_serializers.ListSerializer):
    """ListSerializer with the compiled plan: the same list of dicts, built faster."""

    def to_representation(self, data):
        if not getattr(settings, "API_LEAN_LISTS", True):
            return super().to_representation(data)
        items = list(data.all() if isinstance(data, BaseManager) else data)
        if not items:
            return []  # as DRF: an empty page never builds the row's fields
        # Compiled once per list serializer: a nested one renders a list for every parent row.
        row = self.__dict__.get("_lean_row", _MISSING)
        if row is _MISSING:
            row = self._lean_row = plan(self.child)
        if row is None:
            return super().to_representation(items)
        return [row(item) for item in items]


# --- Lean prefetch ----------------------------------------------------------------------------
#
# For each row and each prefetched relation, Django's prefetch builds a related manager and a
# QuerySet (about 25 us) to hold rows that a list page then only iterates. A lean prefetch asks
# Django for the same rows into plain lists (Prefetch(to_attr="_lean_<relation>"), the same
# queries) and gives each row a prefetch cache that builds the manager's QuerySet only when
# something asks for it (a method field, a property, DRF's own fields): whoever reads the
# relation gets what a plain prefetch_related gives, with no further query.


def prefetched(instance, name: str):
    """The rows of `instance`'s to-many relation `name`, for a method field: a list page's lean
    prefetch (a plain list), or else the related manager's `all()` (prefetched or not)."""
    rows = instance.__dict__.get(LEAN_PREFIX + name)
    return rows if rows is not None else getattr(instance, name).all()


class _Node:
    __slots__ = ("name", "lean_attr", "model", "queryset", "children", "cache_name")

    def __init__(self, name, model):
        self.name, self.lean_attr, self.model = name, LEAN_PREFIX + name, model
        self.queryset, self.children, self.cache_name = None, {}, None


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
            if depth == len(parts) - 1 and queryset is not None:
                if node.queryset is not None:
                    return None
                node.queryset = queryset
            current = node.model
            nodes = node.children
    return tree


def _lookups(tree: dict, prefix: str = "") -> list:
    """Prefetch(to_attr=...) lookups, a relation's before those that go through its list (not
    nested in its queryset: Django would evaluate that queryset's prefetches twice)."""
    found = []
    for node in tree.values():
        queryset = node.queryset if node.queryset is not None else node.model._default_manager.all()
        found.append(Prefetch(prefix + node.name, lean_rows(queryset), to_attr=node.lean_attr))
        found.extend(_lookups(node.children, f"{prefix}{node.lean_attr}__"))
    return found


class LeanPrefetch:
    """The prefetches of a list queryset, into plain lists: `queryset()` to evaluate, then
    `install(rows)` on the rows it gave."""

    def __init__(self, queryset):
        self.original = queryset
        lookups = queryset._prefetch_related_lookups
        self.tree = _tree(queryset.model, lookups) if lookups else None

    def queryset(self):
        queryset = self.original
        if self.tree:
            lookups = _lookups(self.tree)
            queryset = queryset.prefetch_related(None).prefetch_related(*lookups)
        return lean_rows(queryset)

    def install(self, rows) -> None:
        if self.tree and rows:
            _install(list(rows), self.tree)


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
        and [f.attname for f in model._meta.concrete_fields] == init_list
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
        and _plain_descriptors(model)
    ):
        return None
    new = object.__new__
    names = tuple(init_list)
    # TrackedModel.from_db copies what can be changed in place (JSON, arrays) at load.
    mutable = tuple((f.name, f.attname) for f in _mutable_fields(model)) if tracked else ()
    if mutable:
        from core.history import _plain

    def build(db, values):
        instance = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = instance.__dict__
        attributes["_state"] = state
        attributes.update(zip(names, values, strict=True))
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
