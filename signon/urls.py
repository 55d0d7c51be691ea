from django.urls import path

from signon import views

app_name = "signon"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/tokens/<int:pk>/revoke/", views.RevokeTokenView.as_view(), name="token_revoke"),
    path(
        "profile/tokens/password/revoke/",
        views.RevokePasswordTokenView.as_view(),
        name="password_token_revoke",
    ),
    path("no-access/", views.no_access, name="no_access"),
]

# The provider's redirect URI is /oidc/callback/ (register it with the provider).
provider_urlpatterns = [
    path("authenticate/", views.ProviderSignInView.as_view(), name="oidc_authentication_init"),
    path("callback/", views.ProviderCallbackView.as_view(), name="oidc_authentication_callback"),
]
