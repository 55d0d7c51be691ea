from django.urls import path

from accountability import bulk, views

app_name = "accountability"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("my-authority/", views.MyAuthorityView.as_view(), name="my_authority"),
    path("my-authority/language/", views.NoticeLanguageView.as_view(), name="notice_language"),
    path("kpis/", views.KpiTableView.as_view(), name="kpi_table"),
    path("kpis/<str:code>/", views.KpiTableView.as_view(), name="kpi_entity"),
    path("kpis/<str:code>/enter/", views.KpiEntryCreateView.as_view(), name="kpi_enter"),
    path("units/<str:code>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path(
        "units/<str:code>/delegations/",
        views.unit_register_redirect,
        name="orgunit_delegations",
    ),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<str:index_number>/", views.PersonDetailView.as_view(), name="person_detail"),
    path(
        "people/<str:index_number>/authorities/",
        views.PersonAuthoritiesView.as_view(),
        name="person_authorities",
    ),
    # Delegation of authority (paragraph 21)
    path("delegations/", views.DelegationListView.as_view(), name="delegation_list"),
    path("delegations/new/", views.DelegationCreateView.as_view(), name="delegation_create"),
    path(
        "delegations/import/",
        views.ImportView.as_view(kind="delegations"),
        name="delegation_import",
    ),
    path("delegations/<int:pk>/", views.DelegationDetailView.as_view(), name="delegation_detail"),
    path(
        "delegations/<int:pk>/edit/", views.DelegationUpdateView.as_view(), name="delegation_update"
    ),
    path(
        "delegations/<int:pk>/accept/",
        views.DelegationAcceptView.as_view(),
        name="delegation_accept",
    ),
    path(
        "delegations/<int:pk>/revoke/",
        views.DelegationRevokeView.as_view(),
        name="delegation_revoke",
    ),
    # Decision log (paragraphs 8, 17, 21)
    path("decisions/", views.DecisionListView.as_view(), name="decision_list"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="decision_create"),
    path("decisions/import/", views.ImportView.as_view(kind="decisions"), name="decision_import"),
    path(
        "decisions/delegation-options/",
        views.DecisionDelegationOptionsView.as_view(),
        name="decision_delegation_options",
    ),
    path(
        "decisions/authority-check/",
        views.DecisionAuthorityCheckView.as_view(),
        name="decision_authority_check",
    ),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision_detail"),
    path("decisions/<int:pk>/edit/", views.DecisionUpdateView.as_view(), name="decision_update"),
    path("decisions/<int:pk>/review/", views.DecisionReviewView.as_view(), name="decision_review"),
    path(
        "decisions/<int:pk>/revise-review/",
        views.DecisionReviseReviewView.as_view(),
        name="decision_revise_review",
    ),
    path(
        "decisions/<int:pk>/attachments/<int:attachment_pk>/",
        views.DecisionAttachmentView.as_view(),
        name="decision_attachment",
    ),
    # Commitments (paragraph 8)
    path("commitments/", views.CommitmentListView.as_view(), name="commitment_list"),
    path("commitments/new/", views.CommitmentCreateView.as_view(), name="commitment_create"),
    path(
        "commitments/bulk/owner/",
        bulk.AssignCommitmentOwnerView.as_view(),
        name="commitment_bulk_owner",
    ),
    path("commitments/<int:pk>/", views.CommitmentDetailView.as_view(), name="commitment_detail"),
    path(
        "commitments/<int:pk>/edit/",
        views.CommitmentUpdateView.as_view(),
        name="commitment_update",
    ),
    path(
        "commitments/<int:pk>/status/",
        views.CommitmentStatusView.as_view(),
        name="commitment_status",
    ),
]
