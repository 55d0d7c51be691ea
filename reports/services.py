"""Every state change of a report run and of the report templates, each a named action
(core.actions): request, retry, the worker's claim, issue and fail, and the sweep that fails runs
whose worker went silent; upload and activate a template. Views, the API, the command and the
Celery tasks all call these; jobs pass `acting_user=SYSTEM`."""

import datetime
import hashlib
import io
import json
import logging
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import SYSTEM, action, may, require
from core.models import StaleVersion
from core.uploads import check_size
from reports import render
from reports.choices import ACTIVE_STATUSES, FileFormat, ReportLanguage, RunStatus
from reports.gadoc import DocumentMeta
from reports.models import ReportFile, ReportRun, ReportTemplate
from reports.snapshot import build_snapshot, canonical_json

logger = logging.getLogger(__name__)
FORMAT_ORDER = (FileFormat.JSON, FileFormat.HTML, FileFormat.PDF, FileFormat.DOCX, FileFormat.XLSX)
REQUEST_REFUSED = gettext_lazy(
    "Only administrators and General Assembly staff may request reports."
)
TEMPLATES_REFUSED = gettext_lazy("Only administrators manage report templates.")


class Superseded(Exception):
    """This delivery of the task no longer holds the run (a newer one claimed it, or it was
    failed by the sweep): stop without writing anything visible."""


def validate_request(
    period_start, period_end, language, *, today: datetime.date | None = None
) -> None:
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if language not in ReportLanguage.values:
        errors["language"] = [
            _("Unknown language %(language)s: choose one of %(choices)s.")
            % {"language": language, "choices": ", ".join(ReportLanguage.values)}
        ]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    elif period_end and period_end > today:
        errors["period_end"] = [_("The period lies in the future: it must end today or earlier.")]
    if errors:
        raise ValidationError(errors)


def _enqueue(run: ReportRun) -> None:
    from reports.tasks import compile_report

    transaction.on_commit(lambda: compile_report.delay(run.pk))


def _require_may(user, permission: str, model, message) -> None:
    """Refuse at once whoever may never do this (the policy's rule), before any input check."""
    if not may(user, permission, model):
        raise PermissionDenied(str(message))


@action(ReportRun, "request", permission="add")
def request_report_run(
    run: ReportRun, *, acting_user, queue: bool = True
) -> tuple[ReportRun, bool]:
    """Queue `run`, a new request (period, language, title, agenda item). Returns (run, created):
    an identical request (same period and language) already queued or running is returned
    instead of a new one. Administrators and General Assembly staff request runs (the policy's
    "add" rule); jobs request the scheduled report as SYSTEM."""
    _require_may(acting_user, "add", ReportRun, REQUEST_REFUSED)
    language = (run.language or "").strip().lower()
    validate_request(run.period_start, run.period_end, language)
    active = ReportRun.objects.filter(
        period_start=run.period_start,
        period_end=run.period_end,
        language=language,
        status__in=ACTIVE_STATUSES,
    ).first()
    if active is not None:
        return active, False
    run.language = language
    run.title = (run.title or "").strip()
    run.agenda_item = (run.agenda_item or "").strip() or getattr(settings, "REPORT_AGENDA_ITEM", "")
    run.status = RunStatus.QUEUED
    run.requested_by = acting_user if getattr(acting_user, "pk", None) else None
    run.template = ReportTemplate.objects.filter(is_active=True).first()
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        # Someone made the identical request between our check and our insert.
        return ReportRun.objects.get(
            period_start=run.period_start,
            period_end=run.period_end,
            language=language,
            status__in=ACTIVE_STATUSES,
        ), False
    if queue:
        _enqueue(run)
    return run, True


def _locked(run: ReportRun) -> ReportRun:
    """The run's row, locked; an edit based on an older version than the stored one is stale."""
    locked = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.version is not None and run.version != locked.version:
        raise StaleVersion(locked, run.version)
    return locked


@action(ReportRun, "retry")
def retry_report_run(run: ReportRun, *, acting_user) -> ReportRun:
    """Queue a failed run again (administrators)."""
    run = _locked(run)
    if run.status != RunStatus.FAILED:
        raise ValidationError({"status": [_("Only a failed run can be retried.")]})
    run.status = RunStatus.QUEUED
    run.error = ""
    run.progress = 0
    run.step = ""
    run.attempt_token = ""
    # A fresh budget of attempts for the sweep (a run it failed had used them all), and the time
    # it was queued again, from which the sweep counts.
    run.attempts = 0
    run.heartbeat_at = timezone.now()
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        raise ValidationError(
            {"status": [_("An identical report is already being compiled; open that run instead.")]}
        ) from None
    _enqueue(run)
    return run


# The worker's bookkeeping. These actions take the run's id, not a record: the row is locked and
# re-read inside (another delivery of the task may hold it), and the attempt token, not the
# version, says who may write (heartbeats move the row under a slow attempt). They check the
# right on the locked row themselves (check=False), and only SYSTEM holds it.


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)


@action(ReportRun, "claim", check=False)
def claim_report_run(
    run_id: int, *, acting_user, redelivered: bool = False
) -> tuple[ReportRun, str] | None:
    """Claim a queued (or abandoned running) run for this delivery of the task: a fresh token.

    A running run is taken over only if its worker went silent (no heartbeat for
    REPORT_STALE_AFTER_SECONDS) or this is the broker giving back the very task whose worker
    died (`redelivered`); a copy of the task that arrives while a live attempt holds the run
    (the sweep queued it again, the broker's visibility timeout ran out) leaves it alone."""
    run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status not in ACTIVE_STATUSES:
        return None
    if (
        run.status == RunStatus.RUNNING
        and not redelivered
        and run.heartbeat_at is not None
        and run.heartbeat_at > timezone.now() - stale_after()
    ):
        return None
    require(acting_user, "claim", run)
    token = uuid.uuid4().hex
    now = timezone.now()
    run.status = RunStatus.RUNNING
    run.attempt_token = token
    run.attempts += 1
    run.started_at = now
    run.heartbeat_at = now
    run.progress = 0
    run.step = "snapshot"
    run.error = ""
    run.save()
    return run, token


def _prefix(run_id: int) -> str:
    return f"reports/runs/{run_id}"


def _remove_stale_attempts(run_id: int, token: str) -> None:
    """Files an interrupted attempt stored are never referenced (no ReportFile row points at
    them, so nobody can download them); tidy them up when the next attempt starts."""
    try:
        directories, _files = default_storage.listdir(_prefix(run_id))
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for directory in directories:
        if directory == token:
            continue
        try:
            _subdirs, files = default_storage.listdir(f"{_prefix(run_id)}/{directory}")
            for name in files:
                default_storage.delete(f"{_prefix(run_id)}/{directory}/{name}")
        except OSError:
            logger.warning("Could not remove stale report files of run %s/%s", run_id, directory)


def _tick(run_id: int, token: str, progress: int, step: str) -> None:
    """Progress and the heartbeat: a guarded UPDATE, not an action. It touches only fields the
    history ignores (progress, step, heartbeat_at), it must be visible to the polling page at
    once (outside the compile's work), and it is refused to any attempt that no longer holds the
    run: the WHERE clause is the rule."""
    updated = ReportRun.objects.filter(
        pk=run_id, attempt_token=token, status=RunStatus.RUNNING
    ).update(progress=min(progress, 99), step=step, heartbeat_at=timezone.now())
    if not updated:
        raise Superseded(run_id)


@dataclass
class Rendered:
    format: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _template_bytes(run: ReportRun) -> bytes | None:
    if run.template_id is None:
        return None
    with run.template.file.open("rb") as handle:
        return handle.read()


def render_all(
    snapshot_bytes: bytes, run: ReportRun, tick=None
) -> tuple[list[Rendered], dict[str, float]]:
    """Every rendering of a snapshot, made from the JSON bytes and the run's own document data
    (title, symbol, agenda item), which the snapshot does not hold."""
    timings: dict[str, float] = {}
    snap = json.loads(snapshot_bytes)
    meta = DocumentMeta.of(run)
    outputs = [Rendered(FileFormat.JSON, snapshot_bytes)]
    steps = (
        (FileFormat.HTML, 30, lambda: render.html(snap, meta)),
        (FileFormat.PDF, 45, lambda: render.pdf(outputs[1].content)),
        (FileFormat.DOCX, 70, lambda: render.docx(snap, _template_bytes(run), meta)),
        (FileFormat.XLSX, 85, lambda: render.xlsx(snap, meta)),
    )
    for fmt, progress, make in steps:
        if tick:
            tick(progress, str(fmt))
        started = time.perf_counter()
        outputs.append(Rendered(fmt, make()))
        timings[str(fmt)] = round(time.perf_counter() - started, 3)
    return outputs, timings


class Heartbeat:
    """Touches the run's `heartbeat_at` every REPORT_HEARTBEAT_SECONDS from a thread of its own
    (with its own database connection) while a compile runs, so a long step (a big PDF) shows
    life and a dead worker shows none. If the attempt no longer holds the run the next tick
    stops the compile (Superseded)."""

    def __init__(self, run_id: int, token: str):
        self.run_id, self.token = run_id, token
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def _beat(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(settings.REPORT_HEARTBEAT_SECONDS):
                try:
                    updated = ReportRun.objects.filter(
                        pk=self.run_id, attempt_token=self.token, status=RunStatus.RUNNING
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # the database blinked: the next beat tries again
                    logger.warning("Report run %s: heartbeat failed", self.run_id, exc_info=True)
                    continue
                if not updated:
                    self.lost = True
                    return
        finally:
            connection.close()

    def __enter__(self) -> "Heartbeat":
        from django.db import connection

        # Inside a transaction (a compile run eagerly within one, as the tests do) the claim is
        # not committed, so another connection would not see it: the progress ticks suffice.
        if not connection.in_atomic_block:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)


def compile_report_run(run_id: int, *, redelivered: bool = False) -> ReportRun | None:
    """The worker's job: claim the run, snapshot, render, store, issue. Idempotent: a done (or
    failed) run is left alone, and only the attempt holding the claim may issue the run, so a
    redelivered task completes it once. Files become visible only when the run is issued.

    Not itself an action: its steps must commit one by one (the claim, each progress tick) so
    the run page can follow them. The changes it makes are the SYSTEM actions claim_report_run
    and issue_report_run."""
    claimed = claim_report_run(run_id, acting_user=SYSTEM, redelivered=redelivered)
    if claimed is None:
        return None
    run, token = claimed
    with Heartbeat(run_id, token) as heartbeat:
        return _compile(run, token, heartbeat)


def _compile(run: ReportRun, token: str, heartbeat: Heartbeat) -> ReportRun | None:
    run_id = run.pk
    _remove_stale_attempts(run_id, token)

    def tick(progress: int, step: str) -> None:
        if heartbeat.lost:
            raise Superseded(run_id)
        _tick(run_id, token, progress, step)

    timings: dict[str, float] = {}
    started = time.perf_counter()
    snapshot = build_snapshot(
        period_start=run.period_start,
        period_end=run.period_end,
        language=run.language,
        progress=lambda p: tick(2 + p, "snapshot"),
    )
    payload = canonical_json(snapshot)
    timings["snapshot"] = round(time.perf_counter() - started, 3)
    outputs, render_timings = render_all(payload, run, tick)
    timings.update(render_timings)
    tick(95, "store")
    started = time.perf_counter()
    stored: list[tuple[Rendered, str]] = []
    try:
        for output in outputs:
            name = default_storage.save(
                f"{_prefix(run_id)}/{token}/report-{run_id}.{output.format}",
                ContentFile(output.content),
            )
            stored.append((output, name))
        timings["store"] = round(time.perf_counter() - started, 3)
        issued = issue_report_run(
            run_id,
            acting_user=SYSTEM,
            token=token,
            snapshot=json.loads(payload),
            stored=stored,
            timings=timings,
        )
    except BaseException:
        for _output, name in stored:
            default_storage.delete(name)
        raise
    if issued is None:
        for _output, name in stored:
            default_storage.delete(name)
    else:
        _checkpoint_history()
    return issued


def _checkpoint_history() -> None:
    """Every issued report also anchors the change history outside the database (a signed
    checkpoint of its head, core.history): a failure to write it is logged, never fails the run."""
    from core.history import write_checkpoint

    try:
        write_checkpoint()
    except Exception:
        logger.exception("Could not write the change-history checkpoint")


@action(ReportRun, "issue", check=False)
def issue_report_run(
    run_id: int,
    *,
    acting_user,
    token: str,
    snapshot: dict,
    stored: list[tuple[Rendered, str]],
    timings: dict[str, float],
) -> ReportRun | None:
    """Issue the run with its stored files, if this attempt still holds it (else None)."""
    run = ReportRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.attempt_token != token:
        return None
    require(acting_user, "issue", run)
    for output, name in stored:
        ReportFile.objects.create(
            run=run, format=output.format, name=name, sha256=output.sha256, size=len(output.content)
        )
    run.snapshot = snapshot
    run.timings = timings
    run.status = RunStatus.DONE
    run.progress = 100
    run.step = ""
    run.finished_at = timezone.now()
    run.save()
    return run


@action(ReportRun, "fail", check=False)
def mark_failed(run_id: int, *, acting_user, message: str, token: str | None = None) -> bool:
    """Fail a queued or running run with the error (the task, the command, the sweep). With a
    token, only if that attempt still holds the run."""
    run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status not in ACTIVE_STATUSES:
        return False
    if token is not None and run.attempt_token != token:
        return False
    require(acting_user, "fail", run)
    run.status = RunStatus.FAILED
    run.error = message[:2000]
    run.finished_at = timezone.now()
    run.save()
    return True


@action(ReportRun, "requeue", check=False)
def requeue_report_run(run_id: int, *, acting_user, stale_before: datetime.datetime) -> str:
    """The sweep's step on a run whose worker went silent: queue it again (a fresh task; the
    attempt that went silent can no longer issue it), or fail it once it has had
    REPORT_MAX_ATTEMPTS attempts, so an administrator can retry it. A queued run that no worker
    took is sent again. Returns what was done: "requeued", "resent", "failed" or ""."""
    run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status not in ACTIVE_STATUSES:
        return ""
    last_sign = run.heartbeat_at or run.created_at
    if last_sign >= stale_before:
        return ""  # it beat since the sweep looked
    require(acting_user, "fail", run)
    if run.status == RunStatus.RUNNING and run.attempts >= settings.REPORT_MAX_ATTEMPTS:
        run.status = RunStatus.FAILED
        run.error = _(
            "The worker stopped during each of %(attempts)s attempts; the run was stopped. "
            "An administrator may retry it."
        ) % {"attempts": run.attempts}
        run.finished_at = timezone.now()
        run.save()
        return "failed"
    if run.status == RunStatus.QUEUED:
        # Queued since `heartbeat_at` (set when retried or queued again) or its creation: send
        # the task again on each sweep (a broker that lost it, a worker killed before it claimed
        # it; a copy that finds the run taken does nothing), and give up after
        # REPORT_STUCK_AFTER_MINUTES without a worker.
        if last_sign < timezone.now() - datetime.timedelta(
            minutes=settings.REPORT_STUCK_AFTER_MINUTES
        ):
            run.status = RunStatus.FAILED
            run.error = _(
                "No worker took the run for %(minutes)s minutes; the run was stopped. "
                "An administrator may retry it."
            ) % {"minutes": settings.REPORT_STUCK_AFTER_MINUTES}
            run.finished_at = timezone.now()
            run.save()
            return "failed"
        _enqueue(run)
        return "resent"
    run.status = RunStatus.QUEUED
    run.attempt_token = ""
    run.step = ""
    run.heartbeat_at = timezone.now()
    run.save()
    _enqueue(run)
    return "requeued"


def fail_stuck_runs(now: datetime.datetime | None = None) -> dict[str, int]:
    """The sweep (beat, every REPORT_SWEEP_SECONDS): every queued or running run with no sign of
    life for REPORT_STALE_AFTER_SECONDS is queued again, or failed after REPORT_MAX_ATTEMPTS.
    A worker that died mid-compile (the child or the whole worker, whatever the broker does
    with its task) is so recovered within about the stale time plus one sweep interval."""
    stale_before = (now or timezone.now()) - stale_after()
    candidates = ReportRun.objects.filter(status__in=ACTIVE_STATUSES).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, created_at__lt=stale_before)
    )
    counts = {"requeued": 0, "resent": 0, "failed": 0}
    for run_id in candidates.values_list("pk", flat=True):
        outcome = requeue_report_run(run_id, acting_user=SYSTEM, stale_before=stale_before)
        if outcome:
            counts[outcome] += 1
    return counts


def verify_file(run: ReportRun, fmt: str) -> bool:
    """Whether the stored bytes still match the checksum recorded when the run was issued."""
    file = run.files.get(format=fmt)
    digest = hashlib.sha256()
    with default_storage.open(file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == file.sha256


def regenerated_json(run: ReportRun) -> bytes:
    """The JSON file made again from the stored snapshot: byte for byte the issued one."""
    return canonical_json(run.snapshot)


@action(ReportTemplate, "upload", permission="add")
def upload_template(
    template: ReportTemplate, *, acting_user, upload, activate: bool = True
) -> ReportTemplate:
    """Store a DOCX template an administrator uploads (`template`: a new one, with its name); it
    must open as a Word document."""
    from docx import Document
    from docx.opc.exceptions import OpcError

    from reports.docx_builder import as_document

    _require_may(acting_user, "add", ReportTemplate, TEMPLATES_REFUSED)
    try:
        check_size(upload)  # before reading it into memory
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    content = upload.read()
    try:
        content = as_document(content)
        Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError, OpcError):
        raise ValidationError(
            {"file": [_("This is not a Word document or template (.docx, .dotx).")]}
        ) from None
    if activate:
        _deactivate_all()
    template.name = (template.name or "").strip() or upload.name
    template.is_active = activate
    template.uploaded_by = acting_user if getattr(acting_user, "pk", None) else None
    template.sha256 = hashlib.sha256(content).hexdigest()
    template.file.save(f"{uuid.uuid4().hex}.docx", ContentFile(content), save=False)
    template.save()
    return template


def _deactivate_all() -> None:
    for current in ReportTemplate.objects.filter(is_active=True):
        current.is_active = False
        current.save()


@action(ReportTemplate, "activate", check=False)
def activate_template(template: ReportTemplate | None, *, acting_user) -> ReportTemplate | None:
    """Make a template the one new runs use (None: back to the default that ships). The check is
    the function's own because None names no record."""
    if template is None:
        _require_may(acting_user, "activate", ReportTemplate, TEMPLATES_REFUSED)
    else:
        require(acting_user, "activate", template)
    _deactivate_all()
    if template is not None:
        template = ReportTemplate.objects.get(pk=template.pk)
        template.is_active = True
        template.save()
    return template
