from django.db import models

from org.access import access_for
from reports.choices import RunStatus


class ReportRunQuerySet(models.QuerySet):
    """Report runs as each role may see them: administrators and General Assembly staff (who
    request runs) follow every run; any other signed-in user reads issued (done) runs only."""

    def visible_to(self, user):
        access = access_for(user)
        if not access.authenticated:
            return self.none()
        if access.is_admin or access.is_ga_staff:
            return self.all()
        return self.filter(status=RunStatus.DONE)

    def editable_by(self, user):
        # Only administrators act on an existing run (retry); issued runs are never edited.
        if access_for(user).is_admin:
            return self.exclude(status=RunStatus.DONE)
        return self.none()

    def done(self):
        return self.filter(status=RunStatus.DONE)

    def update(self, **kwargs):
        # An issued report is part of the record the Assembly holds: a bulk update can never
        # reach it, whatever filter the caller used.
        return super(ReportRunQuerySet, self.exclude(status=RunStatus.DONE)).update(**kwargs)

    def delete(self):
        if self.filter(status=RunStatus.DONE).exists():
            raise PermissionError("An issued report cannot be deleted")
        return super().delete()


class ReportTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.all() if access_for(user).is_admin else self.none()

    def editable_by(self, user):
        return self.visible_to(user)
