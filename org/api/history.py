"""`/api/history/`: an object's change history, read by whoever may read the object."""

from django.apps import apps
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics

from core import history
from core.api.serializers import HistoryEntrySerializer
from core.models import HistoryEntry
from org.access import access_for
from org.policies import hidden_fields


class HistoryListView(generics.ListAPIView):
    """An object's change history, newest first: `?object=<app_label>.<model>:<id>`.
    Readable by whoever may read the object; the fields its policy hides from the reader
    (`hidden_fields`) show as null in each change."""

    serializer_class = HistoryEntrySerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("object", str, required=True, description="app_label.model:id")
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        raw = self.request.query_params.get("object", "")
        label, sep, object_id = raw.partition(":")
        if not sep or "." not in label or not object_id:
            raise exceptions.ValidationError(
                {"object": [_("Give the record as <app_label>.<model>:<id>.")]}
            )
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise Http404 from None
        manager = model._default_manager
        if not hasattr(manager, "restrict"):
            raise Http404
        # A deleted record leaves only its history: administrators may still read it.
        if not access_for(self.request.user).is_admin:
            try:
                visible = manager.restrict(self.request.user, "view").filter(pk=object_id).exists()
            except (ValueError, TypeError):
                raise Http404 from None
            if not visible:
                raise Http404
        self.hidden_fields = hidden_fields(model, self.request.user)
        # Entries committed but not linked yet (normally none: each writer links at its commit)
        # get their place in the chain first, so every entry shown carries its hash.
        history.link_pending()
        return HistoryEntry.objects.filter(object_type=model._meta.label_lower, object_id=object_id)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["hide_people"] = access_for(self.request.user).is_ga_staff
        # A field the reader cannot see in the object's API is redacted in its history too.
        context["hidden_fields"] = getattr(self, "hidden_fields", frozenset())
        return context

    def paginate_queryset(self, queryset):
        self.paginator.ordering = "-seq"
        return super().paginate_queryset(queryset)
