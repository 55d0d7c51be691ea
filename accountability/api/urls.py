from rest_framework.routers import DefaultRouter

from accountability.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("accountability/delegations", views.DelegationViewSet, basename="delegation")
router.register("accountability/decisions", views.DecisionViewSet, basename="decision")
router.register("accountability/commitments", views.CommitmentViewSet, basename="commitment")

urlpatterns = router.urls
