from django.urls import path
from rest_framework.routers import DefaultRouter

from performance.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("compacts", views.CompactViewSet, basename="compact")
router.register("compact-objectives", views.CompactObjectiveViewSet, basename="compactobjective")
router.register("mpb-findings", views.BoardFindingViewSet, basename="boardfinding")
router.register("appraisals", views.AppraisalViewSet, basename="appraisal")
router.register(
    "underperformance-cases", views.UnderperformanceCaseViewSet, basename="underperformancecase"
)
router.register(
    "expected-accomplishments",
    views.ExpectedAccomplishmentViewSet,
    basename="expectedaccomplishment",
)
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-results", views.IndicatorResultViewSet, basename="indicatorresult")
router.register("courses", views.CourseViewSet, basename="course")
router.register("course-completions", views.CourseCompletionViewSet, basename="coursecompletion")
router.register("disciplinary-cases", views.DisciplinaryCaseViewSet, basename="disciplinarycase")
router.register("recognitions", views.RecognitionViewSet, basename="recognition")
router.register("budget-performance", views.BudgetPerformanceViewSet, basename="budgetperformance")

urlpatterns = [
    path("appraisal-compliance/", views.ComplianceView.as_view(), name="appraisal-compliance"),
    path(
        "learning-completion/",
        views.LearningCompletionView.as_view(),
        name="learning-completion",
    ),
    path(
        "disciplinary-summary/",
        views.DisciplinarySummaryView.as_view(),
        name="disciplinary-summary",
    ),
    *router.urls,
]
