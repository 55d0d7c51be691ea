from org.permissions import RestrictedQuerySet
from reports.choices import RunStatus


class ReportRunQuerySet(RestrictedQuerySet):
    """Report runs; who sees which is reports.policies.ReportRunPolicy."""

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


class ReportTemplateQuerySet(RestrictedQuerySet):
    pass


class ReportFileQuerySet(RestrictedQuerySet):
    pass


class LiveHeadlineQuerySet(RestrictedQuerySet):
    pass
