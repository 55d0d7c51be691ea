from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views
from core.api.views import ObtainTokenView
from operations import views as operations_views
from org.api.history import HistoryListView
from signon import urls as signon_urls

api_patterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("history/", HistoryListView.as_view(), name="history"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("org.api.urls")),
    path("", include("accountability.api.urls")),
    path("oversight/", include("oversight.api.urls")),
    path("performance/", include("performance.api.urls")),
    path("risk/", include("risk.api.urls")),
    path("governance/", include("governance.api.urls")),
    path("reports/", include("reports.api.urls")),
]

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("health/", core_views.health, name="health"),
    path("metrics/", operations_views.metrics_view, name="metrics"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("signon.auth_urls")),
    path("oidc/", include(signon_urls.provider_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("resolution/", include("governance.resolution_urls")),
    path("lists/", include("core.list_urls")),
    path("accountability/", include("accountability.urls")),
    path("oversight/", include("oversight.urls")),
    path("performance/", include("performance.urls")),
    path("risk/", include("risk.urls")),
    path("governance/", include("governance.urls")),
    path("reports/", include("reports.urls")),
    path("operations/", include("operations.urls")),
]

# Uploaded evidence and issued reports are never served from MEDIA_URL, not even with DEBUG=1:
# only the permission-checked download views read them (README, "Security and operations").

# A plain error page with the request id to quote (operations app).
handler500 = "operations.views.server_error"
