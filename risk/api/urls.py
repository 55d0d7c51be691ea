from rest_framework.routers import DefaultRouter

from risk.api import secretariat, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("risks", views.RiskViewSet, basename="risk")
router.register("treatments", views.TreatmentViewSet, basename="treatment")
router.register("controls", views.ControlViewSet, basename="control")
router.register("control-tests", views.ControlTestViewSet, basename="control-test")
router.register("deficiencies", views.DeficiencyViewSet, basename="deficiency")
router.register("self-assessments", views.SelfAssessmentViewSet, basename="self-assessment")
router.register("procurement-cases", views.ProcurementCaseViewSet, basename="procurement-case")
router.register("interest-declarations", views.DeclarationViewSet, basename="interest-declaration")
router.register("recovery-cases", views.RecoveryCaseViewSet, basename="recovery-case")
router.register("recovery-actions", views.RecoveryActionViewSet, basename="recovery-action")
router.register("control-statements", secretariat.StatementViewSet, basename="control-statement")
router.register("critical-risks", secretariat.CriticalRiskViewSet, basename="critical-risk")
router.register("vendor-sanctions", secretariat.VendorSanctionViewSet, basename="vendor-sanction")
router.register(
    "contracts-reviews", secretariat.ContractsReviewViewSet, basename="contracts-review"
)

urlpatterns = router.urls
