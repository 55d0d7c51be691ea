"""The row code compiled once per serializer class (core.api.lean): the same rows as DRF's own
serialisation, whatever the values, for each list's own readers (its context), without building
the list's fields unless a row needs them."""

import datetime
import enum
import json
from types import SimpleNamespace

from django.test import override_settings
from rest_framework import serializers

from core.api.lean import LeanListSerializer


class Colour(enum.Enum):
    RED = 1


class ReaderField(serializers.CharField):
    """A field whose value depends on who reads the list."""

    def to_representation(self, value):
        return f"{value} for {self.context['reader']}"


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField()
    seen = serializers.BooleanField()


class RowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    big = serializers.BigIntegerField()
    title = serializers.CharField()
    flag = serializers.BooleanField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=[("open", "Open"), ("1", "One")])
    unit = serializers.CharField(source="unit.code")
    fallback = serializers.CharField(default="none", source="absent")
    nested = NoteSerializer()
    notes = NoteSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    greeting = serializers.SerializerMethodField()
    reader = ReaderField(source="title")

    def get_greeting(self, row) -> str:
        return f"hello {self.context['reader']} #{row.id}"


def _rows():
    unit = SimpleNamespace(code="OHR")
    note = SimpleNamespace(text="n", seen=1)
    ordinary = dict(
        id=1,
        big=2**40,
        title="A",
        flag=True,
        due_on=datetime.date(2025, 1, 2),
        state="open",
        unit=unit,
        absent="here",
        nested=note,
        notes=[note, note],
        tags=["x", "y"],
    )
    odd = dict(
        ordinary,
        id="7",  # text in an integer field, a number in a text field, 1 as a flag
        title=42,
        flag=1,
        state=Colour.RED,
        nested=None,
        notes=[],
        due_on=None,
    )
    return [SimpleNamespace(**ordinary), SimpleNamespace(**odd)]


def _render(list_class, rows, reader: str):
    context = {"reader": reader}
    serializer = list_class(rows, child=RowSerializer(context=context), context=context)
    return json.dumps(serializer.data), serializer


def test_a_class_plan_writes_what_drf_writes_for_each_reader_without_building_fields():
    rows = _rows()
    for reader in ("ana", "ben"):  # the plan is compiled once, bound to each list's reader
        drf, _ = _render(serializers.ListSerializer, rows, reader)
        lean, serializer = _render(LeanListSerializer, rows, reader)
        assert lean == drf
        assert f"hello {reader} #1" in lean and f"A for {reader}" in lean
    # The reader's field is not DRF's own: asked of this list's fields, which it built.
    assert "fields" in serializer.child.__dict__


def test_a_row_out_of_the_ordinary_is_read_by_the_lists_own_fields():
    class PlainSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        fallback = serializers.CharField(default="none", source="absent")

    context = {}
    plain = [SimpleNamespace(id=1, title="A", absent="here")]
    serializer = LeanListSerializer(plain, child=PlainSerializer(), context=context)
    drf = serializers.ListSerializer(plain, child=PlainSerializer(), context=context)
    assert json.dumps(serializer.data) == json.dumps(drf.data)
    assert "fields" not in serializer.child.__dict__  # an ordinary page builds no field

    missing = [SimpleNamespace(id=2, title=lambda: "called")]  # no `absent`; a callable
    serializer = LeanListSerializer(missing, child=PlainSerializer(), context=context)
    drf = serializers.ListSerializer(missing, child=PlainSerializer(), context=context)
    assert serializer.data == drf.data == [{"id": 2, "title": "called", "fallback": "none"}]
    assert "fields" in serializer.child.__dict__


def test_a_settings_change_compiles_the_plans_again():
    rows = _rows()
    _render(LeanListSerializer, rows, "ana")  # compiled with the ISO date format
    with override_settings(REST_FRAMEWORK={"DATE_FORMAT": "%d/%m/%Y"}):
        drf, _ = _render(serializers.ListSerializer, rows, "ana")
        lean, _ = _render(LeanListSerializer, rows, "ana")
        assert lean == drf
        assert "02/01/2025" in lean
    assert '"2025-01-02"' in _render(LeanListSerializer, rows, "ana")[0]
