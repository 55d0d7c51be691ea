from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accountability.filtersets import PersonFilterSet
from accountability.models import OrgUnit, Person
from core.generic import Column, ScopedDetailView, ScopedListView


class IndexView(ScopedListView):
    """The accountability area's landing page: org units (the tree everything hangs on)."""

    model = OrgUnit
    title = _("Org units")
    template_name = "accountability/index.html"
    paginate_by = 200
    columns = [
        Column(_("Code"), "code"),
        Column(_("Name"), "display_name"),
        Column(_("Kind"), "get_kind_display"),
        Column(_("Parent"), "parent.code"),
    ]

    def base_queryset(self):
        return OrgUnit.objects.visible_to(self.request.user).select_related("parent")


class PersonListView(ScopedListView):
    model = Person
    title = _("People")
    filterset_class = PersonFilterSet
    export_name = "people"
    columns = [
        Column(_("Index number"), "index_number", link=True),
        Column(_("Name"), "name", link=True),
        Column(_("Unit"), "unit.code"),
        Column(_("Grade"), "grade"),
        Column(_("Account"), "user.username"),
    ]

    def base_queryset(self):
        return Person.objects.visible_to(self.request.user).select_related("unit", "user")


class PersonDetailView(ScopedDetailView):
    model = Person
    slug_field = "index_number"
    slug_url_kwarg = "index_number"
    template_name = "accountability/person_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "user")


class OrgUnitDetailView(ScopedDetailView):
    model = OrgUnit
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "accountability/orgunit_detail.html"


__all__ = ["IndexView", "PersonListView", "PersonDetailView", "OrgUnitDetailView", "TemplateView"]
