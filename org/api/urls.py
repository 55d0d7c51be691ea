from rest_framework.routers import DefaultRouter

from org.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("org-units", views.OrgUnitViewSet, basename="orgunit")
router.register("people", views.PersonViewSet, basename="person")
router.register("resolution/paragraphs", views.ParagraphViewSet, basename="paragraph")

urlpatterns = router.urls
