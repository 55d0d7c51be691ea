from rest_framework.routers import SimpleRouter

from reports.api.edition_views import ReportEditionViewSet
from reports.api.views import ReportRunViewSet

router = SimpleRouter()
# Before the runs: "editions" would otherwise read as a run's id.
router.register("editions", ReportEditionViewSet, basename="report-edition")
router.register("", ReportRunViewSet, basename="report")
urlpatterns = router.urls
