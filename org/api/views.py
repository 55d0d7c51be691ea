import django_filters

from core.api.viewsets import ActionModelViewSet, ActionReadOnlyViewSet
from org.api.serializers import OrgUnitSerializer, ParagraphSerializer, PersonSerializer
from org.filters import PersonFilterSet
from org.models import OrgUnit, Paragraph, Person


class OrgUnitFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code")
    code = django_filters.CharFilter()
    within = django_filters.CharFilter(method="filter_within", label="subtree of unit code")

    class Meta:
        model = OrgUnit
        fields = ["code", "parent", "kind", "is_active"]

    def filter_within(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value).first()
        return queryset.filter(path__startswith=unit.path) if unit else queryset.none()


class OrgUnitViewSet(ActionModelViewSet):
    """Departments, offices and missions; administrators create and change them."""

    queryset = OrgUnit.objects.select_related("parent")
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    search_fields = ["code", "name", "name_zh"]
    ordering_fields = ["code", "name", "path"]
    lookup_field = "code"
    ordering = ["path"]


class PersonViewSet(ActionModelViewSet):
    """Staff members, with or without an account."""

    queryset = Person.objects.select_related("unit", "user")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ["index_number", "name"]
    ordering_fields = ["name", "index_number", "grade"]
    lookup_field = "index_number"
    ordering = ["name"]


class ParagraphViewSet(ActionReadOnlyViewSet):
    """The 33 operative paragraphs of resolution 64/259."""

    queryset = Paragraph.objects.select_related("section")
    serializer_class = ParagraphSerializer
    filterset_fields = ["number", "section__code", "requests", "tracked_in"]
    search_fields = ["text_en", "text_zh", "text_ar", "text_fr", "text_ru", "text_es"]
    ordering_fields = ["number"]
    lookup_field = "number"
    ordering = ["number"]
