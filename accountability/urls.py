from django.urls import path

from accountability import views

app_name = "accountability"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("units/<str:code>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<str:index_number>/", views.PersonDetailView.as_view(), name="person_detail"),
]
