from django.urls import path
from django.views.generic import TemplateView

app_name = "performance"
urlpatterns = [
    path("", TemplateView.as_view(template_name="performance/index.html"), name="index"),
]
