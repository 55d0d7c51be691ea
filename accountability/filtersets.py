import django_filters
from django.utils.translation import gettext_lazy as _

from accountability.choices import Grade
from accountability.models import OrgUnit, Person


class UnitSubtreeFilter(django_filters.ModelChoiceFilter):
    """Filter records by an org unit and every unit below it. Reused by every app's filtersets."""

    def __init__(self, *args, unit_field="unit", **kwargs):
        self.unit_field = unit_field
        kwargs.setdefault("queryset", OrgUnit.objects.all())
        kwargs.setdefault("label", _("Unit (and units below)"))
        kwargs.setdefault("method", self.filter_subtree)
        super().__init__(*args, **kwargs)

    def filter_subtree(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.unit_field}__path__startswith": value.path})


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or index number"))
    unit = UnitSubtreeFilter()
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))

    class Meta:
        model = Person
        fields = ["q", "unit", "grade"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(index_number__iexact=value))
