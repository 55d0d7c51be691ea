"""Editions of the Secretary-General's report: every change is a named action (core.actions) with
its history. An author creates an edition and writes its narrative section by section and
language by language; the figures its references name come from the edition's own snapshots,
compiled by a Celery job. Reviewers comment per section; an administrator who did not submit it
approves it (no unknown figure reference, no unresolved comment) and issues it: a job compiles the
figures afresh, fills the text, renders every format in every language and stores the files
with their SHA-256. An issued edition never changes.

Workflow: draft -> in review (submit) -> approved (approve) -> issued (issue, then the job);
in review or approved -> draft (reopen)."""

import datetime
import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import SYSTEM, action, may, require
from core.models import StaleVersion
from reports import figure_refs, narrative, render, structure
from reports.choices import FileFormat, ReportLanguage
from reports.gadoc import DocumentMeta, session_number
from reports.models import (
    EditionFile,
    EditionJob,
    EditionJobStatus,
    EditionSection,
    EditionState,
    ReportAuthor,
    ReportEdition,
    ReportTemplate,
    SectionComment,
)
from reports.snapshot import build_snapshot, canonical_json

logger = logging.getLogger(__name__)

SUMMARY = "summary"
ACTION_REQUESTED = "action_requested"
EXTRA_KEYS = (SUMMARY, ACTION_REQUESTED)
FORMATS = (FileFormat.JSON, FileFormat.HTML, FileFormat.PDF, FileFormat.DOCX, FileFormat.XLSX)
AUTHORS_ONLY = gettext_lazy("Only administrators and designated report authors draft editions.")
ADMINS_ONLY = gettext_lazy("Only administrators designate report authors.")
SYMBOL = re.compile(r"^A/(?P<session>\d{2,3})/(?P<number>\d{1,4})((/Add|/Corr|/Rev)\.\d{1,2})*$")
AGENDA_ITEM = re.compile(r"^\d{1,3}( ?\([a-z]{1,2}\))?$")


# --- Who writes ---------------------------------------------------------------------------------


@action(ReportAuthor, "designate", permission="add")
def designate_author(author: ReportAuthor, *, acting_user) -> ReportAuthor:
    """Designate `author.user` as a report author (administrators)."""
    if not may(acting_user, "add", ReportAuthor):
        raise PermissionDenied(str(ADMINS_ONLY))
    existing = ReportAuthor.objects.filter(user_id=author.user_id).first()
    if existing is not None:
        return existing
    author.designated_by = acting_user if getattr(acting_user, "pk", None) else None
    author.save()
    return author


@action(ReportAuthor, "withdraw", permission="delete")
def withdraw_author(author: ReportAuthor, *, acting_user) -> None:
    """End a designation (administrators); the editions the author wrote stay as they are."""
    author.delete()


# --- Checks -------------------------------------------------------------------------------------


def section_keys(edition: ReportEdition, language: str = "en") -> list[tuple[str, str]]:
    """(key, title) of every part of the edition an author writes, in order: the summary, the
    sections of its structure, the action requested of the General Assembly."""
    with_titles = structure.sections(edition.structure, language)
    from django.utils import translation

    with translation.override(language):
        return [
            (SUMMARY, _("Summary")),
            *with_titles,
            (ACTION_REQUESTED, _("Action requested of the General Assembly")),
        ]


def validate_edition(edition: ReportEdition, *, today: datetime.date | None = None) -> None:
    """Every field of the edition's document data checked at once; a ValidationError by field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    edition.symbol = (edition.symbol or "").strip()
    edition.agenda_item = (edition.agenda_item or "").strip()
    edition.agenda_item_title_en = (edition.agenda_item_title_en or "").strip()
    edition.agenda_item_title_zh = (edition.agenda_item_title_zh or "").strip()
    languages = edition.languages if isinstance(edition.languages, list) else []
    languages = [str(code).strip().lower() for code in languages]
    unknown = [code for code in languages if code not in ReportLanguage.values]
    if unknown or not languages:
        errors["languages"] = [
            _("Choose one or more languages of: %(choices)s.")
            % {"choices": ", ".join(ReportLanguage.values)}
        ]
    else:
        # The order the report lists them in, each once.
        edition.languages = [code for code in ReportLanguage.values if code in languages]
    current = session_number(today)
    if not edition.session or not 64 <= edition.session <= current + 1:
        errors["session"] = [
            _("The session must be between the 64th and the %(next)sth.") % {"next": current + 1}
        ]
    match = SYMBOL.match(edition.symbol)
    if not match:
        errors["symbol"] = [
            _(
                "A report of the Secretary-General has a symbol like A/81/123 (the session, then "
                "the document's number; /Add.1, /Corr.1 or /Rev.1 may follow)."
            )
        ]
    elif edition.session and int(match["session"]) != edition.session:
        errors["symbol"] = [
            _("The symbol names session %(symbol)s but the edition is for session %(session)s.")
            % {"symbol": match["session"], "session": edition.session}
        ]
    elif ReportEdition.objects.filter(symbol=edition.symbol).exclude(pk=edition.pk or 0).exists():
        errors["symbol"] = [_("Another edition already has this symbol.")]
    if not AGENDA_ITEM.match(edition.agenda_item):
        errors["agenda_item"] = [_("An agenda item is a number, such as 136 or 17 (a).")]
    if not edition.agenda_item_title_en:
        errors["agenda_item_title_en"] = [_("Give the agenda item's title.")]
    if "zh-hans" in (edition.languages or []) and not edition.agenda_item_title_zh:
        errors["agenda_item_title_zh"] = [
            _("A Chinese edition needs the agenda item's Chinese title.")
        ]
    if edition.structure not in structure.STRUCTURES:
        errors["structure"] = [_("Choose the resolution's sections or the six components.")]
    if edition.period_start and edition.period_end:
        if edition.period_end < edition.period_start:
            errors["period_end"] = [_("The period ends before it starts.")]
        elif edition.period_end > today:
            errors["period_end"] = [
                _("The period lies in the future: it must end today or earlier.")
            ]
    else:
        errors.setdefault("period_start", [_("Give the period the report covers.")])
    if errors:
        raise ValidationError(errors)


def _require_state(edition: ReportEdition, *states: str, message: str) -> None:
    if edition.state not in states:
        raise ValidationError({"state": [message]})


def _not_issued(edition: ReportEdition) -> None:
    _require_state(
        edition,
        EditionState.DRAFT,
        EditionState.IN_REVIEW,
        EditionState.APPROVED,
        message=_("This edition has been issued: it can no longer be changed."),
    )


def _locked(edition: ReportEdition) -> ReportEdition:
    locked = ReportEdition.objects.select_for_update().get(pk=edition.pk)
    if edition.version is not None and edition.version != locked.version:
        raise StaleVersion(locked, edition.version)
    return locked


def _ensure_sections(edition: ReportEdition) -> None:
    existing = set(edition.sections.values_list("key", "language"))
    for language in edition.languages:
        for key, _title in section_keys(edition, language):
            if (key, language) not in existing:
                EditionSection.objects.create(edition=edition, key=key, language=language)


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


# --- Drafting -----------------------------------------------------------------------------------


@action(ReportEdition, "add")
def create_edition(edition: ReportEdition, *, acting_user, queue: bool = True) -> ReportEdition:
    """A new draft edition with an empty text for every part in every language; its figures are
    compiled by a job."""
    if not may(acting_user, "add", ReportEdition):
        raise PermissionDenied(str(AUTHORS_ONLY))
    validate_edition(edition)
    edition.state = EditionState.DRAFT
    edition.created_by = _user(acting_user)
    try:
        with transaction.atomic():
            edition.save()
    except IntegrityError:
        raise ValidationError({"symbol": [_("Another edition already has this symbol.")]}) from None
    _ensure_sections(edition)
    _queue_job(edition, EditionJob.FIGURES, queue=queue)
    return edition


EDITABLE_FIELDS = (
    "session",
    "agenda_item",
    "agenda_item_title_en",
    "agenda_item_title_zh",
    "symbol",
    "period_start",
    "period_end",
    "languages",
    "structure",
)


@action(ReportEdition, "edit")
def update_edition(
    edition: ReportEdition, *, acting_user, changes: dict, queue: bool = True
) -> ReportEdition:
    """Change the document data of a draft. A new period or language compiles the figures
    again; a new structure or language adds the empty parts it needs (text already written is
    kept)."""
    locked = _locked(edition)
    _not_issued(locked)
    _require_state(
        locked,
        EditionState.DRAFT,
        message=_("Only a draft is edited: send the edition back to draft first."),
    )
    before = (locked.period_start, locked.period_end, list(locked.languages))
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: [_("This field cannot be changed here.")]})
        setattr(locked, name, value)
    validate_edition(locked)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError({"symbol": [_("Another edition already has this symbol.")]}) from None
    _ensure_sections(locked)
    if (locked.period_start, locked.period_end, list(locked.languages)) != before:
        _queue_job(locked, EditionJob.FIGURES, queue=queue)
    return locked


@action(EditionSection, "edit", check=False)
def save_section(
    section: EditionSection, *, acting_user, text: str, version: int | None = None
) -> EditionSection:
    """Write one part of a draft in one language (Markdown with figure references)."""
    require(acting_user, "change", section)
    edition = ReportEdition.objects.select_for_update().get(pk=section.edition_id)
    _not_issued(edition)
    _require_state(
        edition,
        EditionState.DRAFT,
        message=_(
            "The text is written while the edition is a draft: send it back to draft to change it."
        ),
    )
    locked = EditionSection.objects.select_for_update().get(pk=section.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(locked, version)
    if len(text or "") > 100_000:
        raise ValidationError({"text": [_("A section holds at most 100,000 characters.")]})
    if locked.text == (text or ""):
        return locked
    locked.text = text or ""
    locked.save()
    return locked


@action(ReportEdition, "refresh")
def refresh_figures(edition: ReportEdition, *, acting_user) -> ReportEdition:
    """Compile the draft's figures again (records corrected since)."""
    locked = _locked(edition)
    _not_issued(locked)
    _require_state(
        locked,
        EditionState.DRAFT,
        message=_("The figures of an edition in review are those its reviewers saw."),
    )
    if locked.job_active and not _job_stale(locked):
        raise ValidationError({"job": [_("The figures are being compiled already.")]})
    _queue_job(locked, EditionJob.FIGURES)
    return locked


# --- Review -------------------------------------------------------------------------------------


def text_problems(edition: ReportEdition) -> list[tuple[str, str, str]]:
    """(section key, language, message) for every reference of the edition's text that names
    no figure of its snapshot in that language (all of them when none is compiled yet)."""
    found = []
    for section in edition.sections.all():
        if section.language not in edition.languages:
            continue
        snapshot = (edition.snapshots or {}).get(section.language)
        if snapshot is None:
            continue
        for message in [
            *figure_refs.problems(section.text, snapshot),
            *narrative.problems(section.text),
        ]:
            found.append((section.key, section.language, message))
    return found


@action(ReportEdition, "submit")
def submit_edition(edition: ReportEdition, *, acting_user) -> ReportEdition:
    """Send a draft for review."""
    locked = _locked(edition)
    _not_issued(locked)
    _require_state(locked, EditionState.DRAFT, message=_("Only a draft is sent for review."))
    locked.state = EditionState.IN_REVIEW
    locked.submitted_by = _user(acting_user)
    locked.submitted_at = timezone.now()
    locked.save()
    return locked


@action(ReportEdition, "reopen")
def reopen_edition(edition: ReportEdition, *, acting_user) -> ReportEdition:
    """Send an edition in review, or approved and not yet issued, back to draft."""
    locked = _locked(edition)
    _not_issued(locked)
    _require_state(
        locked,
        EditionState.IN_REVIEW,
        EditionState.APPROVED,
        message=_("Only an edition in review or approved goes back to draft."),
    )
    if locked.job == EditionJob.ISSUE and locked.job_active and not _job_stale(locked):
        raise ValidationError({"state": [_("The edition is being issued.")]})
    locked.state = EditionState.DRAFT
    locked.approved_by = None
    locked.approved_at = None
    locked.issued_by = None
    locked.save()
    return locked


@action(SectionComment, "comment", permission="add", check=False)
def add_comment(comment: SectionComment, *, acting_user) -> SectionComment:
    """A reviewer's comment on one part of an edition not yet issued."""
    require(acting_user, "comment", comment.edition)
    edition = ReportEdition.objects.select_for_update().get(pk=comment.edition_id)
    _not_issued(edition)
    keys = {key for key, _title in section_keys(edition)}
    errors = {}
    if comment.section_key not in keys:
        errors["section_key"] = [_("This edition has no such section.")]
    if comment.language and comment.language not in edition.languages:
        errors["language"] = [_("This edition is not written in that language.")]
    comment.text = (comment.text or "").strip()
    if not comment.text:
        errors["text"] = [_("Write the comment.")]
    elif len(comment.text) > 10_000:
        errors["text"] = [_("A comment holds at most 10,000 characters.")]
    if errors:
        raise ValidationError(errors)
    comment.author = _user(acting_user)
    comment.resolved = False
    comment.save()
    return comment


@action(SectionComment, "resolve")
def resolve_comment(comment: SectionComment, *, acting_user) -> SectionComment:
    """Mark a comment dealt with."""
    locked = SectionComment.objects.select_for_update().get(pk=comment.pk)
    _not_issued(locked.edition)
    if locked.resolved:
        raise ValidationError({"resolved": [_("This comment is resolved already.")]})
    locked.resolved = True
    locked.resolved_by = _user(acting_user)
    locked.resolved_at = timezone.now()
    locked.save()
    return locked


def approval_blockers(edition: ReportEdition, acting_user=None) -> list[str]:
    """Why the edition cannot be approved now (empty: it can)."""
    reasons = []
    if edition.state != EditionState.IN_REVIEW:
        reasons.append(_("Only an edition in review is approved."))
    if (
        acting_user is not None
        and getattr(acting_user, "pk", None)
        and edition.submitted_by_id == acting_user.pk
    ):
        reasons.append(_("You sent this edition for review: another administrator approves it."))
    missing = [code for code in edition.languages if code not in (edition.snapshots or {})]
    if missing or edition.job_active:
        reasons.append(_("The figures are not compiled yet."))
    problems = text_problems(edition)
    if problems:
        reasons.append(
            _("%(count)s figure references name no figure of the snapshot.")
            % {"count": len(problems)}
        )
    open_comments = edition.comments.filter(resolved=False).count()
    if open_comments:
        reasons.append(_("%(count)s comments are not resolved.") % {"count": open_comments})
    return reasons


@action(ReportEdition, "approve")
def approve_edition(edition: ReportEdition, *, acting_user) -> ReportEdition:
    """Approve an edition in review: an administrator other than the one who submitted it, once
    every figure reference names a figure and every comment is resolved."""
    locked = _locked(edition)
    _not_issued(locked)
    reasons = approval_blockers(locked, acting_user)
    if reasons:
        raise ValidationError({"state": reasons})
    locked.state = EditionState.APPROVED
    locked.approved_by = _user(acting_user)
    locked.approved_at = timezone.now()
    locked.save()
    return locked


@action(ReportEdition, "issue")
def issue_edition(edition: ReportEdition, *, acting_user, queue: bool = True) -> ReportEdition:
    """Issue an approved edition: a job compiles the figures afresh, renders and stores every
    file in every language, then marks it issued."""
    locked = _locked(edition)
    _not_issued(locked)
    _require_state(locked, EditionState.APPROVED, message=_("Only an approved edition is issued."))
    if locked.job == EditionJob.ISSUE and locked.job_active and not _job_stale(locked):
        raise ValidationError({"state": [_("The edition is being issued already.")]})
    locked.issued_by = _user(acting_user)
    _queue_job(locked, EditionJob.ISSUE, queue=queue)
    return locked


# --- The job ------------------------------------------------------------------------------------


def _job_stale(edition: ReportEdition) -> bool:
    limit = datetime.timedelta(minutes=settings.REPORT_STUCK_AFTER_MINUTES)
    return edition.updated_at is not None and edition.updated_at < timezone.now() - limit


def _queue_job(edition: ReportEdition, kind: str, *, queue: bool = True) -> None:
    token = uuid.uuid4().hex
    edition.job = kind
    edition.job_status = EditionJobStatus.QUEUED
    edition.job_error = ""
    edition.job_token = token
    edition.save()
    if queue:
        from reports.tasks import edition_job

        pk = edition.pk
        transaction.on_commit(lambda: edition_job.delay(pk, token))


@action(ReportEdition, "claim_job", check=False)
def claim_job(edition_id: int, *, acting_user, token: str) -> ReportEdition | None:
    edition = ReportEdition.objects.select_for_update().filter(pk=edition_id).first()
    if edition is None or edition.job_token != token or not edition.job_active:
        return None
    if edition.state == EditionState.ISSUED:
        return None
    require(acting_user, "worker", edition)
    edition.job_status = EditionJobStatus.RUNNING
    edition.save()
    return edition


@action(ReportEdition, "store_figures", check=False)
def store_figures(
    edition_id: int, *, acting_user, token: str, snapshots: dict
) -> ReportEdition | None:
    edition = ReportEdition.objects.select_for_update().filter(pk=edition_id).first()
    if edition is None or edition.job_token != token or edition.state == EditionState.ISSUED:
        return None
    require(acting_user, "store_figures", edition)
    edition.snapshots = snapshots
    edition.figures_at = timezone.now()
    edition.job = EditionJob.NONE
    edition.job_status = EditionJobStatus.NONE
    edition.job_token = ""
    edition.save()
    return edition


@action(ReportEdition, "fail_job", check=False)
def fail_job(edition_id: int, *, acting_user, token: str, message: str) -> bool:
    edition = ReportEdition.objects.select_for_update().filter(pk=edition_id).first()
    if edition is None or edition.job_token != token or edition.state == EditionState.ISSUED:
        return False
    require(acting_user, "fail_job", edition)
    edition.job_status = EditionJobStatus.FAILED
    edition.job_error = message[:2000]
    edition.save()
    return True


@action(ReportEdition, "complete_issue", check=False)
def complete_issue(
    edition_id: int,
    *,
    acting_user,
    token: str,
    snapshots: dict,
    stored: list[tuple[str, str, str, int, str]],
    timings: dict,
) -> ReportEdition | None:
    """Record the stored files (language, format, name, size, sha256) and mark the edition
    issued, if this delivery of the job still holds it."""
    edition = ReportEdition.objects.select_for_update().filter(pk=edition_id).first()
    if (
        edition is None
        or edition.job_token != token
        or edition.state != EditionState.APPROVED
        or edition.job != EditionJob.ISSUE
    ):
        return None
    require(acting_user, "complete_issue", edition)
    for language, fmt, name, size, sha256 in stored:
        EditionFile.objects.create(
            edition=edition, language=language, format=fmt, name=name, size=size, sha256=sha256
        )
    edition.snapshots = snapshots
    edition.figures_at = timezone.now()
    edition.timings = timings
    edition.previous = previous_edition(edition)
    edition.template = ReportTemplate.objects.filter(is_active=True).first()
    edition.state = EditionState.ISSUED
    edition.issued_at = timezone.now()
    edition.job = EditionJob.NONE
    edition.job_status = EditionJobStatus.NONE
    edition.job_token = ""
    edition.save()
    return edition


def previous_edition(edition: ReportEdition) -> ReportEdition | None:
    """The latest edition issued before this one, for an earlier period: its key figures are
    printed beside this one's."""
    return (
        ReportEdition.objects.filter(state=EditionState.ISSUED, period_end__lt=edition.period_end)
        .exclude(pk=edition.pk)
        .order_by("-period_end", "-issued_at")
        .first()
    )


def compile_snapshots(edition: ReportEdition, timings: dict | None = None) -> dict[str, dict]:
    """The report's data snapshot in each of the edition's languages (the run's compile);
    `timings`, when given, gets the seconds of each ("snapshot_fr": 41.2)."""
    snapshots = {}
    for language in edition.languages:
        started = time.perf_counter()
        snapshots[language] = build_snapshot(
            period_start=edition.period_start, period_end=edition.period_end, language=language
        )
        if timings is not None:
            timings[f"snapshot_{language}"] = round(time.perf_counter() - started, 3)
    return snapshots


def texts(edition: ReportEdition, language: str) -> dict[str, str]:
    return {s.key: s.text for s in edition.sections.all() if s.language == language}


def document_meta(edition: ReportEdition, language: str, snapshot: dict) -> DocumentMeta:
    """What the renderer prints besides the figures, the narrative's references filled."""
    written = texts(edition, language)
    keys = [key for key, _title in structure.sections(edition.structure, language)]
    previous = edition.previous or previous_edition(edition)
    return DocumentMeta(
        symbol=edition.symbol,
        agenda_item=edition.agenda_item,
        session=str(edition.session),
        agenda_item_title=edition.agenda_item_title(language),
        structure=edition.structure,
        narrative={key: figure_refs.fill(written.get(key, ""), snapshot) for key in keys},
        summary=figure_refs.fill(written.get(SUMMARY, ""), snapshot),
        action_requested=figure_refs.fill(written.get(ACTION_REQUESTED, ""), snapshot),
        previous_snapshot=(previous.snapshots or {}).get(language) if previous else None,
    )


def render_edition(
    edition: ReportEdition, language: str, snapshot: dict, timings: dict | None = None
) -> list[tuple[str, bytes]]:
    """Every file of one language of the edition: (format, bytes). `timings`, when given, gets
    the seconds each format took ("pdf_fr": 9.8)."""
    meta = document_meta(edition, language, snapshot)
    template = ReportTemplate.objects.filter(is_active=True).first()
    template_bytes = None
    if template is not None:
        with template.file.open("rb") as handle:
            template_bytes = handle.read()
    made: dict[str, bytes] = {}

    def timed(fmt: str, make) -> None:
        started = time.perf_counter()
        made[fmt] = make()
        if timings is not None:
            timings[f"{fmt.value}_{language}"] = round(time.perf_counter() - started, 3)

    timed(FileFormat.JSON, lambda: canonical_json(snapshot))
    timed(FileFormat.HTML, lambda: render.html(snapshot, meta))
    timed(FileFormat.PDF, lambda: render.pdf(made[FileFormat.HTML]))
    timed(FileFormat.DOCX, lambda: render.docx(snapshot, template_bytes, meta))
    timed(FileFormat.XLSX, lambda: render.xlsx(snapshot, meta))
    return list(made.items())


def run_job(edition_id: int, token: str) -> str:
    """The Celery job of an edition: compile its figures, or issue it. Idempotent: a delivery
    whose token is no longer the edition's does nothing."""
    edition = claim_job(edition_id, acting_user=SYSTEM, token=token)
    if edition is None:
        return "skipped"
    try:
        if edition.job == EditionJob.FIGURES:
            snapshots = compile_snapshots(edition)
            done = store_figures(edition_id, acting_user=SYSTEM, token=token, snapshots=snapshots)
            return "figures" if done else "superseded"
        return _issue(edition, token)
    except Exception as exc:
        logger.exception("Report edition %s: job failed", edition_id)
        fail_job(
            edition_id, acting_user=SYSTEM, token=token, message=f"{type(exc).__name__}: {exc}"
        )
        return "failed"


def _issue(edition: ReportEdition, token: str) -> str:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    snapshots = compile_snapshots(edition, timings)
    timings["snapshot"] = round(time.perf_counter() - started, 3)
    edition.snapshots = snapshots
    problems = text_problems(edition)
    if problems:
        message = _("The figures compiled for the issue lack what the text cites: %(list)s") % {
            "list": "; ".join(f"{key} ({language}): {text}" for key, language, text in problems)
        }
        fail_job(edition.pk, acting_user=SYSTEM, token=token, message=message)
        return "failed"
    stored: list[tuple[str, str, str, int, str]] = []
    prefix = f"reports/editions/{edition.pk}/{token}"
    try:
        for language in edition.languages:
            started = time.perf_counter()
            for fmt, content in render_edition(edition, language, snapshots[language], timings):
                name = default_storage.save(
                    f"{prefix}/{edition.symbol.replace('/', '_')}-{language}.{fmt}",
                    ContentFile(content),
                )
                stored.append(
                    (language, str(fmt), name, len(content), hashlib.sha256(content).hexdigest())
                )
            timings[f"render_{language}"] = round(time.perf_counter() - started, 3)
        issued = complete_issue(
            edition.pk,
            acting_user=SYSTEM,
            token=token,
            snapshots=snapshots,
            stored=stored,
            timings=timings,
        )
    except BaseException:
        for _language, _fmt, name, _size, _sha in stored:
            default_storage.delete(name)
        raise
    if issued is None:
        for _language, _fmt, name, _size, _sha in stored:
            default_storage.delete(name)
        return "superseded"
    from reports.services import _checkpoint_history

    _checkpoint_history()
    return "issued"


def verify_file(file: EditionFile) -> bool:
    digest = hashlib.sha256()
    with default_storage.open(file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == file.sha256


def next_actor(edition: ReportEdition) -> str:
    """Who acts next, in words, for the edition's page."""
    if edition.state == EditionState.DRAFT:
        return _("The authors write the text, then send it for review.")
    if edition.state == EditionState.IN_REVIEW:
        return _(
            "Reviewers comment; an administrator other than the one who sent it for review "
            "approves it once every comment is resolved."
        )
    if edition.state == EditionState.APPROVED:
        return _("An administrator issues it.")
    return _("Nobody: the edition is issued and never changes.")
