"""A URL whose view fails, for the error-page test."""

from django.urls import path

from config.urls import urlpatterns as real_patterns


def boom(request):
    raise RuntimeError("boom with password=hunter22")


urlpatterns = [path("boom/", boom), *real_patterns]
handler500 = "operations.views.server_error"
