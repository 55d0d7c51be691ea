from django.urls import path

from governance import resolution_views

app_name = "resolution"
urlpatterns = [
    path("", resolution_views.ResolutionView.as_view(), name="index"),
    path("<int:number>/", resolution_views.ParagraphView.as_view(), name="paragraph"),
]
