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
]
