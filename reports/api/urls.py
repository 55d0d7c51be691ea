from rest_framework.routers import SimpleRouter

from reports.api.views import ReportRunViewSet

router = SimpleRouter()
router.register("", ReportRunViewSet, basename="report")
urlpatterns = router.urls
