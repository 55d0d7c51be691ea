from django.urls import path

from core import list_views, pickers

urlpatterns = [
    path("pick/<slug:kind>/", pickers.picker, name="picker"),
    path("views/", list_views.save_saved_view, name="saved_view_save"),
    path("views/<int:pk>/delete/", list_views.delete_saved_view, name="saved_view_delete"),
]
