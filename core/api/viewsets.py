"""The one API adapter: a model viewset that lists and reads through `restrict(user, "view")`,
writes through the model's named actions (core.actions), and exposes each transition as
`POST /api/.../{id}/<action>/`. A PATCH or PUT that changes a state field answers 400 naming that
endpoint, so no rule of a transition can be skipped by a generic edit."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import actions
from core.api.lean import LeanPrefetch
from core.api.serializers import expected_version
from core.models import StaleVersion


@dataclass(frozen=True)
class Transition:
    """One named action offered at `POST {id}/<name>/`: the service function and the serializer
    of its inputs (which the function takes as keyword arguments)."""

    function: Callable
    serializer_class: type
    multipart: bool = False
    status: int = 200


def lean_list_page(view) -> bool:
    """Whether the view answers a paginated list page that core.api.lean writes."""
    return (
        getattr(view, "action", None) == "list"
        and view.paginator is not None
        and getattr(settings, "API_LEAN_LISTS", True)
    )


class LeanListMixin:
    """A list page's prefetches into plain lists (core.api.lean.LeanPrefetch): the same rows and
    queries, without a related manager and a QuerySet built for every row and relation."""

    def paginate_queryset(self, queryset):
        if not lean_list_page(self):
            return super().paginate_queryset(queryset)
        lean = LeanPrefetch(queryset)
        page = super().paginate_queryset(lean.queryset())
        if page is not None:
            lean.install(page)
        return page


class ListRowsMixin:
    """A list page reads the few related values its rows show as columns (the queryset's
    `with_codes()`) and writes them with `list_serializer_class`; a record's own answers keep the
    related records, which writes and transitions use. Put before the viewset class."""

    list_serializer_class: type | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.with_codes() if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "list":
            return self.list_serializer_class
        return super().get_serializer_class()


class ActionModelViewSet(LeanListMixin, viewsets.ModelViewSet):
    """Declare `queryset`, `serializer_class` (an ActionModelSerializer), `filterset_class`,
    optionally `delete_action` and `transitions`; nothing else decides anything."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    delete_action: Callable | None = None
    transitions: dict[str, Transition] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, transition in cls.transitions.items():
            attr = name.replace("-", "_")
            if attr in cls.__dict__:
                continue  # a hand-written endpoint of the same name wins

            def endpoint(self, request, pk=None, _name=name):
                return self.run_transition(_name, request)

            endpoint.__name__ = attr
            endpoint.__doc__ = (transition.function.__doc__ or "").strip().split("\n\n")[0]
            parsers = [MultiPartParser, FormParser, JSONParser] if transition.multipart else None
            options = {"parser_classes": parsers} if parsers else {}
            decorated = drf_action(
                detail=True,
                methods=["post"],
                url_path=name,
                url_name=name,
                **options,
            )(endpoint)
            decorated = extend_schema(
                request=transition.serializer_class, responses=cls.serializer_class
            )(decorated)
            setattr(cls, attr, decorated)
        if cls.delete_action is not None and "delete" not in cls.http_method_names:
            cls.http_method_names = [*cls.http_method_names, "delete"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    def get_object(self):
        obj = super().get_object()
        if self.action in ("update", "partial_update"):
            # After any 404 and before any 403: a state field sent with a new value is answered by
            # naming its action, which then gives its own 403 or 409.
            serializer = self.get_serializer(obj)
            if hasattr(serializer, "state_field_errors"):
                errors = serializer.state_field_errors(self.request.data)
                if errors:
                    raise exceptions.ValidationError(errors)
            actions.require(self.request.user, "change", obj)
        elif self.action == "destroy":
            actions.require(self.request.user, "delete", obj)
        return obj

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def create(self, request, *args, **kwargs):
        model = self.get_serializer_class().Meta.model
        if not actions.may(request.user, "add", model):
            raise exceptions.PermissionDenied(_("You may not create these records."))
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance):
        if self.delete_action is None:
            raise exceptions.MethodNotAllowed(self.request.method)
        type(self).delete_action(instance, acting_user=self.request.user)

    def run_transition(self, name: str, request) -> Response:
        transition = self.transitions[name]
        obj = self.get_object()  # 404 for what the caller may not see
        spec = getattr(transition.function, "action", None)
        if spec is not None and spec.permission:
            actions.require(request.user, spec.permission, obj)  # 403 before any 400
        form = transition.serializer_class(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        expected = expected_version(request, request.data)
        if expected is not None:
            if expected != obj.version:
                raise StaleVersion(obj, expected)
            obj.version = expected
        inputs = {k: v for k, v in form.validated_data.items() if k != "version"}
        transition.function(obj, acting_user=request.user, **inputs)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=transition.status)


class ActionReadOnlyViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")
