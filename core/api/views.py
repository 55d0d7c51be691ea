from datetime import timedelta

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView


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
        if user is None and getattr(request._request, "password_sign_in_off", False):
            # OIDC_LOCAL_SIGNIN=0 (signon.backends.LocalSignInGate): only break-glass
            # administrators get a token for a password; everyone else issues one on their profile.
            raise exceptions.ValidationError(
                {
                    "non_field_errors": [
                        _(
                            "Sign-in with a password is switched off. Sign in through your "
                            "organisation account and issue an API token on your profile page."
                        )
                    ]
                }
            )
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("The username or password is not correct.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        if token.created < timezone.now() - timedelta(days=settings.API_TOKEN_MAX_DAYS):
            # Tokens expire (signon.authentication refuses this one): a fresh key replaces it.
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})
