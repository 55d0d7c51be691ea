from django.urls import path

from risk import views

app_name = "risk"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("heat-map/", views.HeatMapView.as_view(), name="heat_map"),
    path("risks/", views.RiskListView.as_view(), name="risk_list"),
    path("risks/new/", views.RiskCreateView.as_view(), name="risk_create"),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("risks/<int:pk>/edit/", views.RiskUpdateView.as_view(), name="risk_update"),
    path(
        "risks/<int:pk>/treatments/new/",
        views.TreatmentCreateView.as_view(),
        name="treatment_create",
    ),
    path("treatments/", views.TreatmentListView.as_view(), name="treatment_list"),
    path("treatments/<int:pk>/edit/", views.TreatmentUpdateView.as_view(), name="treatment_update"),
    path("controls/", views.ControlListView.as_view(), name="control_list"),
    path("controls/new/", views.ControlCreateView.as_view(), name="control_create"),
    path("controls/<int:pk>/", views.ControlDetailView.as_view(), name="control_detail"),
    path("controls/<int:pk>/edit/", views.ControlUpdateView.as_view(), name="control_update"),
    path(
        "controls/<int:pk>/tests/new/",
        views.ControlTestCreateView.as_view(),
        name="control_test_create",
    ),
    path("control-tests/", views.ControlTestListView.as_view(), name="control_test_list"),
    path(
        "control-tests/<int:pk>/", views.ControlTestDetailView.as_view(), name="control_test_detail"
    ),
    path(
        "control-tests/<int:pk>/deficiencies/new/",
        views.DeficiencyCreateView.as_view(),
        name="deficiency_create",
    ),
    path(
        "deficiencies/<int:pk>/edit/",
        views.DeficiencyUpdateView.as_view(),
        name="deficiency_update",
    ),
    path(
        "deficiencies/<int:pk>/close/",
        views.DeficiencyCloseView.as_view(),
        name="deficiency_close",
    ),
    path("self-assessments/", views.SelfAssessmentListView.as_view(), name="self_assessment_list"),
    path(
        "self-assessments/new/",
        views.SelfAssessmentCreateView.as_view(),
        name="self_assessment_create",
    ),
    path(
        "self-assessments/<int:pk>/",
        views.SelfAssessmentDetailView.as_view(),
        name="self_assessment_detail",
    ),
    path(
        "self-assessments/<int:pk>/certify/",
        views.CertifyView.as_view(),
        name="self_assessment_certify",
    ),
    path("procurement/", views.ProcurementCaseListView.as_view(), name="case_list"),
    path("procurement/flagged/", views.FlaggedCaseListView.as_view(), name="flagged_cases"),
    path("procurement/new/", views.ProcurementCaseCreateView.as_view(), name="case_create"),
    path("procurement/<int:pk>/", views.ProcurementCaseDetailView.as_view(), name="case_detail"),
    path(
        "procurement/<int:pk>/edit/", views.ProcurementCaseUpdateView.as_view(), name="case_update"
    ),
    path(
        "procurement/<int:pk>/declarations/new/",
        views.DeclarationCreateView.as_view(),
        name="declaration_create",
    ),
    path("procurement/<int:pk>/clear/", views.ClearCaseView.as_view(), name="case_clear"),
    path("procurement/<int:pk>/award/", views.AwardCaseView.as_view(), name="case_award"),
    path("procurement/<int:pk>/reopen/", views.ReopenCaseView.as_view(), name="case_reopen"),
    path("recovery/", views.RecoveryCaseListView.as_view(), name="recovery_list"),
    path("recovery/new/", views.RecoveryCaseCreateView.as_view(), name="recovery_create"),
    path("recovery/<int:pk>/", views.RecoveryCaseDetailView.as_view(), name="recovery_detail"),
    path("recovery/<int:pk>/edit/", views.RecoveryCaseUpdateView.as_view(), name="recovery_update"),
    path(
        "recovery/<int:pk>/actions/new/",
        views.RecoveryActionCreateView.as_view(),
        name="recovery_action_create",
    ),
    path("recovery/<int:pk>/refer/", views.ReferRecoveryCaseView.as_view(), name="recovery_refer"),
    path("control-statements/", views.StatementListView.as_view(), name="statement_list"),
    path("control-statements/new/", views.StatementCreateView.as_view(), name="statement_create"),
    path(
        "control-statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement_detail"
    ),
    path(
        "control-statements/<int:pk>/edit/",
        views.StatementUpdateView.as_view(),
        name="statement_update",
    ),
    path(
        "control-statements/<int:pk>/issue/",
        views.IssueStatementView.as_view(),
        name="statement_issue",
    ),
    path("critical-risks/", views.CriticalRiskListView.as_view(), name="critical_risk_list"),
    path(
        "critical-risks/<int:pk>/",
        views.CriticalRiskDetailView.as_view(),
        name="critical_risk_detail",
    ),
    path(
        "critical-risks/<int:pk>/edit/",
        views.CriticalRiskUpdateView.as_view(),
        name="critical_risk_update",
    ),
    path(
        "critical-risks/<int:pk>/withdraw/",
        views.WithdrawCriticalRiskView.as_view(),
        name="critical_risk_withdraw",
    ),
    path(
        "risks/<int:pk>/flag/", views.CriticalRiskCreateView.as_view(), name="critical_risk_create"
    ),
    path("vendor-sanctions/", views.VendorSanctionListView.as_view(), name="sanction_list"),
    path("vendor-sanctions/new/", views.VendorSanctionCreateView.as_view(), name="sanction_create"),
    path(
        "vendor-sanctions/<int:pk>/",
        views.VendorSanctionDetailView.as_view(),
        name="sanction_detail",
    ),
    path(
        "vendor-sanctions/<int:pk>/edit/",
        views.VendorSanctionUpdateView.as_view(),
        name="sanction_update",
    ),
    path(
        "procurement/<int:pk>/committee-reviews/new/",
        views.ContractsReviewCreateView.as_view(),
        name="contracts_review_create",
    ),
]
