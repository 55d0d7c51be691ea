from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportRunListView.as_view(), name="index"),
    path("request/", views.ReportRequestView.as_view(), name="request"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("audit-trail/", views.AnchorListView.as_view(), name="anchors"),
    path("templates/", views.TemplateListView.as_view(), name="templates"),
    path("templates/activate/", views.TemplateActivateView.as_view(), name="template_activate"),
    path(
        "templates/default.docx",
        views.DefaultTemplateDownloadView.as_view(),
        name="template_default",
    ),
    path(
        "templates/<int:pk>.docx",
        views.DefaultTemplateDownloadView.as_view(),
        name="template_download",
    ),
    path("<int:pk>/", views.ReportRunDetailView.as_view(), name="run_detail"),
    path("<int:pk>/progress/", views.ReportRunProgressView.as_view(), name="run_progress"),
    path("<int:pk>/retry/", views.ReportRunRetryView.as_view(), name="run_retry"),
    path("<int:pk>/verify/", views.VerifyFileView.as_view(), name="run_verify"),
    path("<int:pk>/files/<str:fmt>/", views.ReportDownloadView.as_view(), name="download"),
]
