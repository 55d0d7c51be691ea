"""Demo data of the reports app: one issued report for the last biennium, so General Assembly
staff find something to download and the dashboard shows its headline figures."""

from django.utils import timezone

from core.actions import SYSTEM
from reports import services
from reports.choices import RunStatus
from reports.models import ReportRun
from reports.tasks import last_biennium


def seed_demo(stdout) -> dict[str, int]:
    start, end = last_biennium(timezone.localdate())
    if ReportRun.objects.filter(
        period_start=start, period_end=end, language="en", status=RunStatus.DONE
    ).exists():
        return {"report runs": ReportRun.objects.done().count()}
    run, created = services.request_report_run(
        ReportRun(period_start=start, period_end=end, language="en"),
        acting_user=SYSTEM,
        queue=False,
    )
    if created or run.status == RunStatus.QUEUED:
        services.compile_report_run(run.pk)
    return {"report runs": ReportRun.objects.done().count()}
