from rest_framework.routers import DefaultRouter

from oversight.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("bodies", views.OversightBodyViewSet, basename="oversight-body")
router.register("reports", views.OversightReportViewSet, basename="oversight-report")
router.register("recommendations", views.RecommendationViewSet, basename="oversight-recommendation")

urlpatterns = router.urls
