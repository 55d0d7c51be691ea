from django.urls import path

from reports import edition_views, views

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
    path("editions/", edition_views.EditionListView.as_view(), name="edition_list"),
    path("editions/new/", edition_views.EditionCreateView.as_view(), name="edition_create"),
    path("editions/authors/", edition_views.AuthorListView.as_view(), name="edition_authors"),
    path("editions/<int:pk>/", edition_views.EditionDetailView.as_view(), name="edition_detail"),
    path("editions/<int:pk>/edit/", edition_views.EditionUpdateView.as_view(), name="edition_edit"),
    path("editions/<int:pk>/job/", edition_views.EditionJobView.as_view(), name="edition_job"),
    path(
        "editions/<int:pk>/<str:transition>/",
        edition_views.EditionTransitionView.as_view(),
        name="edition_transition",
    ),
    path(
        "editions/<int:pk>/sections/<str:key>/<str:language>/",
        edition_views.EditionSectionView.as_view(),
        name="edition_section",
    ),
    path(
        "editions/<int:pk>/sections/<str:key>/<str:language>/preview/",
        edition_views.EditionPreviewView.as_view(),
        name="edition_preview",
    ),
    path(
        "editions/<int:pk>/sections/<str:key>/<str:language>/comments/",
        edition_views.CommentCreateView.as_view(),
        name="edition_comment",
    ),
    path(
        "editions/<int:pk>/comments/<int:comment_pk>/resolve/",
        edition_views.CommentResolveView.as_view(),
        name="edition_comment_resolve",
    ),
    path(
        "editions/<int:pk>/files/<str:language>/<str:fmt>/",
        edition_views.EditionDownloadView.as_view(),
        name="edition_download",
    ),
    path("<int:pk>/", views.ReportRunDetailView.as_view(), name="run_detail"),
    path("<int:pk>/progress/", views.ReportRunProgressView.as_view(), name="run_progress"),
    path("<int:pk>/retry/", views.ReportRunRetryView.as_view(), name="run_retry"),
    path("<int:pk>/verify/", views.VerifyFileView.as_view(), name="run_verify"),
    path("<int:pk>/files/<str:fmt>/", views.ReportDownloadView.as_view(), name="download"),
]
