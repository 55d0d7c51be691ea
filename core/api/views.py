from axes.exceptions import AxesBackendPermissionDenied
from django.apps import apps
from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api.serializers import HistoryEntrySerializer
from core.models import HistoryEntry


class LoginThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request,
                username=form.validated_data["username"],
                password=form.validated_data["password"],
            )
        except AxesBackendPermissionDenied:
            user = None
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"non_field_errors": [_("Too many failed sign-in attempts. Try again later.")]},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("The username or password is not correct.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class HistoryListView(generics.ListAPIView):
    """An object's change history, newest first: `?object=<app_label>.<model>:<id>`.
    Readable by whoever may read the object."""

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
        if not hasattr(manager, "visible_to"):
            raise Http404
        from accountability.access import access_for

        # A deleted record leaves only its history: administrators may still read it.
        if not access_for(self.request.user).is_admin:
            try:
                visible = manager.visible_to(self.request.user).filter(pk=object_id).exists()
            except (ValueError, TypeError):
                raise Http404 from None
            if not visible:
                raise Http404
        return HistoryEntry.objects.filter(object_type=model._meta.label_lower, object_id=object_id)

    def get_serializer_context(self):
        from accountability.access import access_for

        context = super().get_serializer_context()
        context["hide_people"] = access_for(self.request.user).is_ga_staff
        return context

    def paginate_queryset(self, queryset):
        self.paginator.ordering = "-seq"
        return super().paginate_queryset(queryset)
