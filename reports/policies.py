"""Who may do what to the reports app's records: each rule written once (org.permissions).

A report run is requested by administrators and General Assembly staff, who follow every run;
any other signed-in user reads issued (done) runs only. Only administrators retry a run. The
worker's bookkeeping on a run (claim, issue, fail) is done by jobs acting as SYSTEM, never on a
user's behalf. An issued run never changes, so nobody edits or deletes a run.
"""

from org.permissions import AdminPolicy, Policy
from reports.choices import RunStatus


def _requesters(access) -> bool:
    return access.is_admin or access.is_ga_staff


class ReportRunPolicy(Policy):
    as_change: tuple[str, ...] = ()

    def view(self, queryset, access):
        if not access.authenticated:
            return queryset.none()
        if _requesters(access):
            return queryset
        return queryset.filter(status=RunStatus.DONE)

    def add(self, queryset, access):
        """Request a run (services.request_report_run)."""
        return queryset if _requesters(access) else queryset.none()

    def retry(self, queryset, access):
        # Every run, so that retrying a run that did not fail is a 400 saying why, not a 403.
        return queryset if access.is_admin else queryset.none()

    def change(self, queryset, access):
        # Nobody edits a run: it changes only through its actions.
        return queryset.none()

    def delete(self, queryset, access):
        return queryset.none()

    def worker(self, queryset, access):
        """The compile task's bookkeeping: claim, issue, fail (jobs acting as SYSTEM)."""
        if access.is_system:
            return queryset.exclude(status=RunStatus.DONE)
        return queryset.none()

    claim = issue = fail = worker


class ReportFilePolicy(Policy):
    """A run's files are read by whoever may read the run, and never change."""

    as_change: tuple[str, ...] = ()

    def view(self, queryset, access):
        if not access.authenticated:
            return queryset.none()
        if _requesters(access):
            return queryset
        return queryset.filter(run__status=RunStatus.DONE)

    def change(self, queryset, access):
        return queryset.none()

    add = delete = change


class ReportTemplatePolicy(AdminPolicy):
    """The DOCX templates: administrators upload them and choose the active one."""

    as_change = ("add", "delete", "upload", "activate")


class LiveHeadlinePolicy(Policy):
    """The dashboard's cache of today's headline figures: every signed-in user reads it; only the
    refresh job (SYSTEM) writes it."""

    as_change: tuple[str, ...] = ()

    def view(self, queryset, access):
        return queryset if access.authenticated else queryset.none()

    def change(self, queryset, access):
        return queryset if access.is_system else queryset.none()

    add = delete = change
