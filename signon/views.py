"""Sign-on pages: the provider's sign-in and callback, sign-out (here and, where the provider
offers it, there), the no-access page, and the profile page where API tokens are issued."""

import logging
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)
from rest_framework.authtoken.models import Token

from core.forms import LoginForm
from org.access import access_for
from signon import conf
from signon.forms import IssueTokenForm
from signon.models import APIToken
from signon.services import issue_token, revoke_password_token, revoke_token

logger = logging.getLogger(__name__)

NEW_KEY_SESSION = "signon_new_token"
UNMAPPED_SESSION = "signon_unmapped"


class ProviderSignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (code flow, PKCE S256, state and nonce in the session)."""

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return conf.get_setting(attr, *args)

    def get(self, request):
        if conf.provider() is None:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except conf.ProviderUnavailable as error:
            logger.error("OpenID Connect provider unavailable: %s", error)
            messages.error(request, unavailable_message())
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = conf.provider().client_id
        return super().get(request)


def unavailable_message() -> str:
    return _("%(provider)s cannot be reached just now. Try again in a few minutes.") % {
        "provider": conf.provider().display_name
    }


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; the backend checks everything."""

    @staticmethod
    def get_settings(attr, *args):
        return conf.get_setting(attr, *args)

    def get(self, request):
        if conf.provider() is None:
            raise Http404
        if "state" in request.GET and request.GET.get("state") not in request.session.get(
            "oidc_states", {}
        ):
            # An unknown state: a replayed or forged answer, or a session that expired meanwhile.
            messages.error(request, failed_message())
            return redirect("login")
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        # The roles were read at this sign-in; the next one re-reads them (and a group left
        # meanwhile then takes its right away), so the session does not outlive a working day.
        self.request.session.set_expiry(settings.OIDC_SESSION_HOURS * 3600)
        return response

    def login_failure(self):
        request = self.request
        unmapped = getattr(request, "signon_unmapped", None)
        if unmapped is not None:
            request.session[UNMAPPED_SESSION] = unmapped
            return redirect("signon:no_access")
        refused = getattr(request, "signon_refused", None)
        if refused:
            messages.error(request, refused)
        elif request.GET.get("error"):
            messages.error(
                request,
                _("%(provider)s did not sign you in (%(error)s).")
                % {
                    "provider": conf.provider().display_name,
                    "error": request.GET.get("error")[:100],
                },
            )
        else:
            messages.error(request, failed_message())
        return redirect("login")


def failed_message() -> str:
    return _(
        "Signing in through %(provider)s did not succeed: its answer could not be verified. "
        "Try again; if it happens again, tell %(contact)s."
    ) % {"provider": conf.provider().display_name, "contact": contact()}


def contact() -> str:
    return settings.OIDC_ACCESS_CONTACT or _("the tracker's administrators")


class SignInView(auth_views.LoginView):
    """The login page: the provider's button when one is configured, the password form unless
    local sign-in is off (then folded away, for the break-glass administrators)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = conf.provider()
        context["provider"] = provider
        context["local_sign_in"] = provider is None or settings.OIDC_LOCAL_SIGNIN
        if provider is not None:
            next_url = self.get_redirect_url()
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            context["provider_url"] = reverse("oidc_authentication_init") + query
        return context


class SignOutView(auth_views.LogoutView):
    """Ends the session here and, when it was opened through a provider that advertises an
    end_session_endpoint, sends the browser there to end the provider's session too
    (OpenID Connect RP-Initiated Logout 1.0)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        provider = conf.provider()
        if id_token and provider is not None:
            endpoint = provider.end_session_endpoint
            if endpoint:
                params = {
                    "id_token_hint": id_token,
                    "client_id": provider.client_id,
                    "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
                }
                # Not a redirect: the page's CSP (form-action 'self') would stop a form's
                # redirect to another origin. A refresh is a navigation of its own.
                return render(
                    request,
                    "signon/provider_logout.html",
                    {"logout_url": f"{endpoint}?{urlencode(params)}", "provider": provider},
                )
        return response


@never_cache
def no_access(request):
    details = request.session.get(UNMAPPED_SESSION) or {}
    provider = conf.provider()
    return render(
        request,
        "signon/no_access.html",
        {
            "details": details,
            "provider": provider,
            "contact": contact(),
        },
        status=403,
    )


class ProfileView(LoginRequiredMixin, FormView):
    """The signed-in user's account: role, staff record, how they sign in, and their API tokens
    (issued here, listed, revoked; each expires)."""

    template_name = "signon/profile.html"
    form_class = IssueTokenForm

    def get_context_data(self, **kwargs):
        from org.models import Person

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["access"] = access_for(user)
        context["person"] = Person.objects.filter(user=user).select_related("unit").first()
        context["identities"] = list(user.provider_identities.all())
        context["tokens"] = list(APIToken.objects.restrict(user, "view"))
        context["new_key"] = self.request.session.pop(NEW_KEY_SESSION, None)
        context["max_days"] = settings.API_TOKEN_MAX_DAYS
        password_token = Token.objects.filter(user=user).first()
        if password_token is not None:
            expires = password_token.created + timedelta(days=settings.API_TOKEN_MAX_DAYS)
            context["password_token"] = {
                "created": password_token.created,
                "expires": expires,
                "hint": password_token.key[:6],
                "live": expires > timezone.now(),
            }
        return context

    def form_valid(self, form):
        key = issue_token(
            APIToken(name=form.cleaned_data["name"]),
            acting_user=self.request.user,
            days=form.cleaned_data["days"],
        )
        self.request.session[NEW_KEY_SESSION] = key
        return redirect("signon:profile")


class RevokePasswordTokenView(LoginRequiredMixin, View):
    """Revokes the token POST /api/auth/token/ handed out (it has no name or row of its own)."""

    http_method_names = ["post"]

    def post(self, request):
        if revoke_password_token(acting_user=request.user):
            messages.success(request, _("The token obtained with your password is revoked."))
        return redirect("signon:profile")


class RevokeTokenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(APIToken.objects.restrict(request.user, "view"), pk=pk)
        revoke_token(token, acting_user=request.user)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("signon:profile")
