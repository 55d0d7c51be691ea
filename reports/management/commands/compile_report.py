import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.actions import SYSTEM
from core.management import AuditedCommand
from reports import services
from reports.choices import ReportLanguage
from reports.models import ReportRun


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(AuditedCommand):
    help = "Compile the paragraph 33 implementation report for a period and a language."

    def add_arguments(self, parser):
        parser.add_argument("--period-start", required=True, type=_date)
        parser.add_argument("--period-end", required=True, type=_date)
        parser.add_argument(
            "--language", default="en", help=f"one of {', '.join(ReportLanguage.values)}"
        )
        parser.add_argument("--title", default="")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="hand the run to a Celery worker instead of compiling here",
        )

    def run(self, *args, period_start, period_end, language, title, queue, **options):
        try:
            run, created = services.request_report_run(
                ReportRun(
                    period_start=period_start, period_end=period_end, language=language, title=title
                ),
                acting_user=SYSTEM,
                queue=queue,
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from None
        if not created:
            self.stdout.write(f"An identical run is already {run.status}: #{run.pk}")
            return
        if queue:
            self.stdout.write(f"Queued run #{run.pk} ({run.reference})")
            return
        try:
            issued = services.compile_report_run(run.pk)
        except Exception as exc:
            services.mark_failed(run.pk, acting_user=SYSTEM, message=f"{type(exc).__name__}: {exc}")
            raise CommandError(f"Run #{run.pk} failed: {exc}") from exc
        if issued is None:
            run.refresh_from_db()
            raise CommandError(f"Run #{run.pk} did not complete: {run.status} {run.error}")
        self.stdout.write(
            f"Issued run #{issued.pk} ({issued.reference}) in {sum(issued.timings.values()):.1f}s"
        )
        for step, seconds in issued.timings.items():
            self.stdout.write(f"  {step:<9} {seconds:8.2f}s")
        for file in issued.files.order_by("format"):
            self.stdout.write(f"  {file.format:<5} {file.sha256}  {file.size:,} bytes")
