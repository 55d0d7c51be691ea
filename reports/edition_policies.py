"""Who may do what to report editions (the Secretary-General's report, drafted in the tracker).

- Report authors are administrators and the users an administrator designated (ReportAuthor).
  They create editions, write the narrative, refresh its figures, submit it for review, comment
  and resolve comments, and send an edition in review (or approved) back to draft.
- Reviewers are the same people: every author may comment on any draft. Approving is for an
  administrator who did not submit the edition for review (four eyes; services.approve_edition
  says why when it refuses). Issuing is for administrators.
- Everyone else signed in (managers, oversight bodies, General Assembly staff) reads issued
  editions and their files only: a draft is an internal Secretariat document.

Which state allows which step is the services' rule (a 400 saying why), not the policy's: the
policy answers by role only, so a refusal never hides a record its reader may see.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from org import access as org_access
from org.permissions import Policy


def is_author(access) -> bool:
    """Administrators, and users designated as report authors."""
    if access.is_admin:
        return True
    if not access.authenticated or access.user_id is None:
        return False
    ids = access.resolved_ids(
        "report_author",
        lambda: (
            apps.get_model("reports", "ReportAuthor")
            .objects.filter(user_id=access.user_id)
            .values_list("user_id", flat=True)
        ),
    )
    return bool(ids)


def _issued_only(queryset, field: str):
    from reports.models import EditionState

    return queryset.filter(**{field: EditionState.ISSUED})


class ReportEditionPolicy(Policy):
    as_change: tuple[str, ...] = ()
    state_field = "state"

    def view(self, queryset, access):
        if not access.authenticated:
            return queryset.none()
        if is_author(access):
            return queryset
        return _issued_only(queryset, self.state_field)

    def change(self, queryset, access):
        return queryset if is_author(access) else queryset.none()

    # Create, edit text and data, refresh figures, submit, send back to draft, comment.
    add = edit = refresh = submit = reopen = comment = change

    def approve(self, queryset, access):
        return queryset if access.is_admin else queryset.none()

    issue = approve

    def delete(self, queryset, access):
        return queryset.none()

    def worker(self, queryset, access):
        """The Celery job's bookkeeping (figures stored, edition issued): SYSTEM only."""
        return queryset if access.is_system else queryset.none()

    store_figures = complete_issue = fail_job = worker


class EditionPartPolicy(ReportEditionPolicy):
    """Sections, comments and files of an edition: read by whoever reads the edition; changed
    only through the edition's actions."""

    state_field = "edition__state"

    def change(self, queryset, access):
        return queryset if is_author(access) else queryset.none()

    add = resolve = change

    def delete(self, queryset, access):
        return queryset.none()


class ReportAuthorPolicy(Policy):
    """The designation of report authors: administrators read and change it; a designated user
    reads their own."""

    as_change: tuple[str, ...] = ("add", "delete")

    def view(self, queryset, access):
        if access.is_admin:
            return queryset
        if access.authenticated and access.user_id is not None:
            return queryset.filter(user_id=access.user_id)
        return queryset.none()

    def change(self, queryset, access):
        return queryset if access.is_admin else queryset.none()


# A designation made or withdrawn drops the author sets cached on Access objects, as the org
# records do: org.access drops them on any save or deletion; named here as well.
for _signal in (post_save, post_delete):
    _signal.connect(
        org_access._forget_resolved_ids,
        sender="reports.ReportAuthor",
        dispatch_uid=f"report-author-ids-{_signal is post_save}",
    )
