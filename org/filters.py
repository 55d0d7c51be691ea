"""Filters every app's filtersets reuse: a unit and its subtree, a person by username or index
number, a paragraph of the resolution."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from org.choices import Grade
from org.models import OrgUnit, Person


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit given by its code (the API) or its id (the browser's select)."""

    default_error_messages = {"invalid_choice": _("There is no org unit with this code.")}
    # The label reads the unit's own columns and the language only: a list page's selects keep
    # each unit's option across pages (core.tables).
    labels_from_own_columns = True

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        # One query for both readings; a unit whose code is the text wins over one whose id is.
        match = (
            Q(code=text) | Q(pk=int(text)) if text.isdigit() and len(text) < 19 else Q(code=text)
        )
        found = {unit.code == text: unit for unit in self.queryset.filter(match)[:2]}
        unit = found.get(True) or found.get(False)
        if unit is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit

    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.display_name}"


@extend_schema_field(OpenApiTypes.STR)
class UnitFilter(django_filters.ModelChoiceFilter):
    """Records of one org unit (`subtree=False`) or of a unit and every unit below it, given by
    code or id. The unit is resolved to ids first, so the filter is on ids, never a join on codes.
    Every app's filtersets reuse it."""

    field_class = UnitChoiceField

    def __init__(self, *args, unit_field="unit", subtree=True, **kwargs):
        self.unit_field = unit_field
        self.subtree = subtree
        kwargs.setdefault("queryset", OrgUnit.objects.order_by("path"))
        kwargs.setdefault("label", _("Unit (and units below)") if subtree else _("Unit"))
        kwargs.setdefault("method", self.filter_unit)
        kwargs.setdefault("empty_label", _("All"))
        super().__init__(*args, **kwargs)

    def filter_unit(self, queryset, name, value):
        if not value:
            return queryset
        if not self.subtree:
            return queryset.filter(**{f"{self.unit_field}_id": value.pk})
        ids = list(OrgUnit.objects.filter(path__startswith=value.path).values_list("pk", flat=True))
        return queryset.filter(**{f"{self.unit_field}_id__in": ids})


# The name the apps' filtersets have always used.
UnitSubtreeFilter = UnitFilter


class PersonFilterSet(django_filters.FilterSet):
    """Staff members: one filterset for the people page and `/api/people/`."""

    q = django_filters.CharFilter(method="search", label=_("Name or index number"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    grade = django_filters.ChoiceFilter(
        choices=Grade.choices, label=_("Grade"), empty_label=_("All")
    )
    username = django_filters.CharFilter(field_name="user__username", label=_("Username"))

    class Meta:
        model = Person
        fields = [
            "q",
            "index_number",
            "unit",
            "within",
            "grade",
            "is_active",
            "is_head_of_entity",
            "username",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(index_number__iexact=value))


YES_NO = [("true", _("Yes")), ("false", _("No"))]


class UsernameFilter(django_filters.CharFilter):
    """A person given by username (or, for people with an account, by index number)."""

    def __init__(self, *args, field_name: str, **kwargs):
        kwargs.setdefault("method", self.filter_person)
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Resolved to ids first (one small query): the list then compares its own column.
        user_ids = list(
            get_user_model()
            .objects.filter(Q(username=value) | Q(person__index_number=value))
            .values_list("pk", flat=True)
        )
        return queryset.filter(**{f"{self.field_name}_id__in": user_ids})


class IndexNumberFilter(django_filters.CharFilter):
    """A staff member given by index number, resolved to the person's id before filtering (the
    list compares its own foreign key, never joins on the index number). `field_name` names the
    foreign key to org.Person."""

    def __init__(self, *args, field_name: str, **kwargs):
        kwargs.setdefault("method", self.filter_person)
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        ids = list(Person.objects.filter(index_number=value).values_list("pk", flat=True))
        return queryset.filter(**{f"{self.field_name}_id__in": ids})


class ParagraphFilter(django_filters.NumberFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "paragraphs__number")
        kwargs.setdefault("label", _("Paragraph"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        # A semi-join, so a record citing several paragraphs is listed once; the paragraph's
        # number is resolved to its id first, so the semi-join reads the link table alone.
        through = qs.model.paragraphs.through
        paragraph_ids = list(
            through._meta.get_field("paragraph")
            .related_model.objects.filter(number=value)
            .values_list("pk", flat=True)
        )
        ids = through.objects.filter(paragraph_id__in=paragraph_ids).values(
            f"{qs.model._meta.model_name}_id"
        )
        return qs.filter(pk__in=ids)
