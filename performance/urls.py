from django.urls import path

from performance import views

app_name = "performance"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("compacts/", views.CompactListView.as_view(), name="compact_list"),
    path("compacts/new/", views.CompactCreateView.as_view(), name="compact_create"),
    path("compacts/<int:pk>/", views.CompactDetailView.as_view(), name="compact_detail"),
    path("compacts/<int:pk>/edit/", views.CompactUpdateView.as_view(), name="compact_edit"),
    path(
        "compacts/<int:pk>/sign/",
        views.CompactSignView.as_view(),
        name="compact_sign",
    ),
    path(
        "compacts/<int:pk>/assess/",
        views.CompactAssessView.as_view(),
        name="compact_assess",
    ),
    path(
        "compacts/<int:parent>/objectives/new/",
        views.ObjectiveCreateView.as_view(),
        name="objective_create",
    ),
    path("objectives/<int:pk>/edit/", views.ObjectiveUpdateView.as_view(), name="objective_edit"),
    path(
        "compacts/<int:parent>/findings/new/",
        views.FindingCreateView.as_view(),
        name="finding_create",
    ),
    path("findings/<int:pk>/edit/", views.FindingUpdateView.as_view(), name="finding_edit"),
    path("findings/<int:pk>/close/", views.FindingCloseView.as_view(), name="finding_close"),
    path("appraisals/", views.AppraisalListView.as_view(), name="appraisal_list"),
    path("appraisals/new/", views.AppraisalCreateView.as_view(), name="appraisal_create"),
    path("appraisals/import/", views.AppraisalImportView.as_view(), name="appraisal_import"),
    path("appraisals/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("appraisals/<int:pk>/", views.AppraisalDetailView.as_view(), name="appraisal_detail"),
    path("appraisals/<int:pk>/edit/", views.AppraisalUpdateView.as_view(), name="appraisal_edit"),
    path("appraisals/<int:parent>/case/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<int:pk>/edit/", views.CaseUpdateView.as_view(), name="case_edit"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path(
        "accomplishments/new/",
        views.AccomplishmentCreateView.as_view(),
        name="accomplishment_create",
    ),
    path("indicators/new/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("indicators/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("indicators/<int:pk>/edit/", views.IndicatorUpdateView.as_view(), name="indicator_edit"),
    path(
        "indicators/<int:parent>/results/new/",
        views.ResultCreateView.as_view(),
        name="result_create",
    ),
    path("results/<int:pk>/edit/", views.ResultUpdateView.as_view(), name="result_edit"),
    path("rbm-responsibility/new/", views.RBMAssignView.as_view(), name="rbm_assign"),
    path("objectives/<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective_detail"),
    path("units/<str:code>/", views.UnitChainView.as_view(), name="unit_chain"),
    # Learning (paragraph 6)
    path("learning/", views.LearningView.as_view(), name="learning"),
    path("courses/", views.CourseListView.as_view(), name="course_list"),
    path("courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/edit/", views.CourseUpdateView.as_view(), name="course_edit"),
    path("completions/", views.CompletionListView.as_view(), name="completion_list"),
    path("completions/new/", views.CompletionCreateView.as_view(), name="completion_create"),
    path("completions/import/", views.CompletionImportView.as_view(), name="completion_import"),
    path("completions/<int:pk>/", views.CompletionDetailView.as_view(), name="completion_detail"),
    path(
        "completions/<int:pk>/edit/", views.CompletionUpdateView.as_view(), name="completion_edit"
    ),
    # Rewards and sanctions (paragraphs 8 and 17)
    path("discipline/", views.DisciplineView.as_view(), name="discipline"),
    path("discipline/cases/", views.DisciplinaryCaseListView.as_view(), name="discipline_list"),
    path(
        "discipline/cases/new/",
        views.DisciplinaryCaseCreateView.as_view(),
        name="discipline_create",
    ),
    path(
        "discipline/cases/<int:pk>/",
        views.DisciplinaryCaseDetailView.as_view(),
        name="discipline_detail",
    ),
    path(
        "discipline/cases/<int:pk>/edit/",
        views.DisciplinaryCaseUpdateView.as_view(),
        name="discipline_edit",
    ),
    path("recognitions/", views.RecognitionListView.as_view(), name="recognition_list"),
    path("recognitions/new/", views.RecognitionCreateView.as_view(), name="recognition_create"),
    path(
        "recognitions/<int:pk>/", views.RecognitionDetailView.as_view(), name="recognition_detail"
    ),
    path(
        "recognitions/<int:pk>/edit/",
        views.RecognitionUpdateView.as_view(),
        name="recognition_edit",
    ),
    # Budget performance (paragraphs 10 and 11)
    path("budget/", views.BudgetListView.as_view(), name="budget_list"),
    path("budget/new/", views.BudgetCreateView.as_view(), name="budget_create"),
    path("budget/import/", views.BudgetImportView.as_view(), name="budget_import"),
    path("budget/<int:pk>/", views.BudgetDetailView.as_view(), name="budget_detail"),
    path("budget/<int:pk>/edit/", views.BudgetUpdateView.as_view(), name="budget_edit"),
]
