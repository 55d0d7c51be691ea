"""Keyset pagination for every API list: the cursor holds the last row's whole sort key, and the
next page starts after it, `(decided_on, id) < (x, y)`, which PostgreSQL answers from the sort
key's index however deep the page.

DRF's CursorPagination keeps only the first sort field and an offset among the rows that share
it. With 20,000 decisions decided on the same day, page 21 read and threw away 1,000 rows (the
department manager's: 18,000), and past DRF's offset cap of 1,000 a page came back the same as
the one before. The cursor stays opaque (CONTRACT.md: `next`, `previous`, `results`).
"""

import json

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, _reverse_ordering

from core.api.pagination import StandardCursorPagination
from core.db.pages import page_queryset


def _sort_fields(model, ordering) -> list[tuple[str, bool, object]] | None:
    """(attribute, descending, field) for each sort key, the primary key added last when absent,
    or None when a key is not a plain, non-null column of the model (DRF's way then)."""
    keys = []
    for order in ordering:
        name = order.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        # A relation sorts by the related model's own ordering; a null has no place in a key.
        if not getattr(field, "concrete", False) or field.null or field.is_relation:
            return None
        keys.append((field.attname, order.startswith("-"), field))
    if not any(field.primary_key for _attname, _desc, field in keys):
        descending = keys[-1][1] if keys else True
        keys.append((model._meta.pk.attname, descending, model._meta.pk))
    return keys


class KeysetCursorPagination(StandardCursorPagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.keys = _sort_fields(queryset.model, self.ordering)
        if self.keys is None:  # a sort key DRF's cursor handles and a keyset cannot
            return super().paginate_queryset(queryset, request, view)
        self.ordering = tuple(f"{'-' if desc else ''}{attname}" for attname, desc, _f in self.keys)

        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        position = self._decoded_position(self.cursor)
        queryset = queryset.order_by(
            *(_reverse_ordering(self.ordering) if reverse else self.ordering)
        )
        if position is not None:
            queryset = queryset.filter(self._after(position, reverse))
        rows = list(page_queryset(queryset, self.page_size + 1)[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
        came_from_somewhere = position is not None
        self.has_next = came_from_somewhere if reverse else more
        self.has_previous = more if reverse else came_from_somewhere
        # An empty page reached by a cursor still links back to where it came from.
        here = self.cursor.position if self.cursor else None
        self.next_position = self._position(self.page[-1]) if self.page else here
        self.previous_position = self._position(self.page[0]) if self.page else here
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def _position(self, row) -> str:
        values = (
            row[attname] if isinstance(row, dict) else getattr(row, attname)
            for attname, _desc, _field in self.keys
        )
        return json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"))

    def _decoded_position(self, cursor):
        """The sort key in the cursor, as the fields' values; a cursor of another shape (an old
        link, a hand-made one) is refused as DRF refuses a bad cursor."""
        if cursor is None or cursor.position is None:
            return None
        try:
            raw = json.loads(cursor.position)
            if cursor.offset or not isinstance(raw, list) or len(raw) != len(self.keys):
                raise ValueError
            return [
                field.to_python(value)
                for value, (_attname, _desc, field) in zip(raw, self.keys, strict=True)
            ]
        except (ValueError, TypeError, ValidationError) as invalid:
            raise NotFound(self.invalid_cursor_message) from invalid

    def _after(self, position, reverse: bool):
        """The rows after `position` in the order read (before it when reading backwards)."""
        directions = {desc != reverse for _attname, desc, _field in self.keys}
        if len(directions) == 1 and connection.vendor == "postgresql":
            # One direction for every key: one row comparison, which the sort key's index answers
            # as where to start (`Index Cond: ROW(decided_on, id) < ROW(...)`).
            compare = TupleLessThan if directions.pop() else TupleGreaterThan
            return compare(Tuple(*(F(attname) for attname, _d, _f in self.keys)), position)
        # Mixed directions, or SQLite (whose row values Django's tuple lookup does not compile
        # there for dates): (a after x) or (a = x and b after y) ...
        after = Q()
        for n, (attname, desc, _field) in enumerate(self.keys):
            step = Q(**{f"{attname}__{'lt' if desc != reverse else 'gt'}": position[n]})
            for m in range(n):
                step &= Q(**{self.keys[m][0]: position[m]})
            after |= step
        return after

    def get_next_link(self):
        if self.keys is None:
            return super().get_next_link()
        if not self.has_next:
            return None
        return self.encode_cursor(Cursor(offset=0, reverse=False, position=self.next_position))

    def get_previous_link(self):
        if self.keys is None:
            return super().get_previous_link()
        if not self.has_previous:
            return None
        return self.encode_cursor(Cursor(offset=0, reverse=True, position=self.previous_position))
