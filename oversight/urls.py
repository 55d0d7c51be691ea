from django.urls import path
from django.views.generic import TemplateView

app_name = "oversight"
urlpatterns = [
    path("", TemplateView.as_view(template_name="oversight/index.html"), name="index"),
]
