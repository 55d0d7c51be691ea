from django.urls import path
from django.views.generic import TemplateView

app_name = "risk"
urlpatterns = [
    path("", TemplateView.as_view(template_name="risk/index.html"), name="index"),
]
