from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets
from rest_framework.permissions import SAFE_METHODS


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A model API scoped by the caller's rights: lists and reads through `visible_to(user)`
    (what one may not see is a 404), writes through `editable_by(user)` (403 when visible but not
    editable), re-checked after saving inside the transaction."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def _model(self):
        return self.get_serializer_class().Meta.model

    def _editable(self, obj) -> bool:
        return self._model().objects.editable_by(self.request.user).filter(pk=obj.pk).exists()

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in SAFE_METHODS and not self._editable(obj):
            raise exceptions.PermissionDenied(_("You may read this record but not change it."))
        return obj

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            if not self._editable(instance):
                raise exceptions.PermissionDenied(_("You may not create records for this unit."))

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            if not self._editable(instance):
                raise exceptions.PermissionDenied(_("You may not move records to this unit."))


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)
