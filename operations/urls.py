from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
]
