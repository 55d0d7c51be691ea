from rest_framework.routers import DefaultRouter

from governance.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessments", views.AssessmentViewSet, basename="paragraph-assessment")
router.register("mandates", views.MandateViewSet, basename="mandate")
router.register("meetings", views.MeetingViewSet, basename="committee-meeting")
router.register("decisions", views.DecisionViewSet, basename="committee-decision")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")
router.register("consultations", views.ConsultationViewSet, basename="consultation")
router.register("lessons", views.LessonViewSet, basename="lesson")
router.register("milestones", views.MilestoneViewSet, basename="milestone")

urlpatterns = router.urls
