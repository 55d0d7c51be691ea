from django.urls import path

from governance import views

app_name = "governance"


def _crud(prefix: str, name: str, list_view, create_view, detail_view, update_view) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", create_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", update_view.as_view(), name=f"{name}_update"),
    ]


urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    *_crud(
        "assessments",
        "assessment",
        views.AssessmentListView,
        views.AssessmentCreateView,
        views.AssessmentDetailView,
        views.AssessmentUpdateView,
    ),
    path(
        "assessments/<int:pk>/submit/",
        views.AssessmentSubmitView.as_view(),
        name="assessment_submit",
    ),
    path(
        "assessments/<int:pk>/delete/",
        views.AssessmentDeleteView.as_view(),
        name="assessment_delete",
    ),
    path(
        "assessments/<int:pk>/review/",
        views.AssessmentReviewView.as_view(),
        name="assessment_review",
    ),
    path(
        "assessments/<int:pk>/evidence/new/",
        views.EvidenceAddView.as_view(),
        name="assessment_evidence_add",
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_pk>/",
        views.EvidenceDownloadView.as_view(),
        name="assessment_evidence",
    ),
    *_crud(
        "mandates",
        "mandate",
        views.MandateListView,
        views.MandateCreateView,
        views.MandateDetailView,
        views.MandateUpdateView,
    ),
    path("mandates/import/", views.MandateImportView.as_view(), name="mandate_import"),
    *_crud(
        "meetings",
        "meeting",
        views.MeetingListView,
        views.MeetingCreateView,
        views.MeetingDetailView,
        views.MeetingUpdateView,
    ),
    path(
        "meetings/<int:pk>/decisions/new/",
        views.DecisionCreateView.as_view(),
        name="decision_create",
    ),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision_detail"),
    path("decisions/<int:pk>/edit/", views.DecisionUpdateView.as_view(), name="decision_update"),
    path(
        "decisions/<int:pk>/follow-ups/new/",
        views.FollowUpCreateView.as_view(),
        name="followup_create",
    ),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup_detail"),
    path("follow-ups/<int:pk>/edit/", views.FollowUpUpdateView.as_view(), name="followup_update"),
    path("follow-ups/<int:pk>/status/", views.FollowUpStatusView.as_view(), name="followup_status"),
    *_crud(
        "consultations",
        "consultation",
        views.ConsultationListView,
        views.ConsultationCreateView,
        views.ConsultationDetailView,
        views.ConsultationUpdateView,
    ),
    *_crud(
        "lessons",
        "lesson",
        views.LessonListView,
        views.LessonCreateView,
        views.LessonDetailView,
        views.LessonUpdateView,
    ),
    *_crud(
        "milestones",
        "milestone",
        views.MilestoneListView,
        views.MilestoneCreateView,
        views.MilestoneDetailView,
        views.MilestoneUpdateView,
    ),
]
