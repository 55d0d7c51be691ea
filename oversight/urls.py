from django.urls import path

from oversight import bulk, views

app_name = "oversight"
urlpatterns = [
    path("", views.RecommendationListView.as_view(), name="index"),
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendation_list"),
    path(
        "recommendations/bulk/status/",
        bulk.BulkStatusView.as_view(),
        name="recommendation_bulk_status",
    ),
    path(
        "recommendations/new/",
        views.RecommendationCreateView.as_view(),
        name="recommendation_create",
    ),
    path(
        "recommendations/<int:pk>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation_detail",
    ),
    path(
        "recommendations/<int:pk>/edit/",
        views.RecommendationUpdateView.as_view(),
        name="recommendation_update",
    ),
    path(
        "recommendations/<int:pk>/status/",
        views.StatusChangeView.as_view(),
        name="recommendation_status",
    ),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report_create"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", views.ReportUpdateView.as_view(), name="report_update"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("monitoring/", views.MonitoringView.as_view(), name="monitoring"),
]
