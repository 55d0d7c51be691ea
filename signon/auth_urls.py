"""/accounts/: sign-in (password, and the provider's button when one is configured), sign-out,
the profile page with API tokens, and the no-access page."""

from django.urls import include, path

from signon import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("", include("signon.urls")),
]
