"""The one import machinery every app's CSV/XLSX import uses.

- Reading: `read_table(upload)` checks the file by its content (core.uploads.spreadsheet_kind),
  reads CSV (UTF-8) or XLSX (first sheet) into a header and rows of text cells, and answers every
  problem as `ImportRejected([{row, column, error}, ...])`: nothing is ever half-read.
- Keeping the file: after a preview (with or without errors) the upload stays server-side under
  `VAR_DIR/imports/<token>/`, bound to the user who uploaded it and expiring after
  IMPORT_UPLOAD_TTL_SECONDS, so the user checks it again or confirms it without choosing it again.
  Another user's token, an expired one and a made-up one all read as "no longer here".
- Running: a preview (the import's dry run) and a confirmation (the import itself, all or
  nothing: the app's import function writes in one transaction) run in the request for small
  files and as a Celery task (`core.run_import`) for large ones, the state and progress kept
  beside the file for the page to poll. Every history entry a confirmation writes carries the
  token as its request id, and the ids of the imported rows are kept with the state, so the list
  the user lands on shows exactly the imported rows (`?import=<token>`, `imported_ids`).
- The page: `ImportView`, one upload / preview / confirm view; each app names its spec.

Each app's import function keeps its rules (what a row means, how it is matched); it is called as
`function(upload, *, acting_user, dry_run) -> summary` where summary is a dict
`{"created", "updated", "unchanged", "rows": [{"row", "action", "label", "changes"}], ...}`.
"""

import csv
import datetime
import importlib
import io
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field

from celery import shared_task
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from core.uploads import spreadsheet_kind

MAX_ERRORS = 500
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


# --- Errors -----------------------------------------------------------------------------------


class ImportRejected(Exception):
    """The file has errors; nothing was saved. `errors` is a list of {row, column, error}."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} errors")


def problem(row, column, error) -> dict:
    return {"row": row, "column": column, "error": str(error)}


class ErrorList(list):
    """Errors by row and column, capped at MAX_ERRORS (then one line says the rest are left out)."""

    def add(self, row, column, message) -> None:
        if len(self) < MAX_ERRORS:
            self.append(problem(row, column, message))
        elif len(self) == MAX_ERRORS:
            self.append(problem(None, None, _("Too many errors; the rest are not listed.")))

    @property
    def full(self) -> bool:
        return len(self) > MAX_ERRORS


# --- Reading ----------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: dates in ISO 8601, whole floats without ".0", booleans as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """A file's header (lower-case column names) and its non-empty rows, each as (row number in
    the file, {column: text}); the header is row 1."""

    header: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)


def _raw_rows(upload):
    """(row number, [cells]) of the file, after the content check."""
    try:
        kind = spreadsheet_kind(upload)
    except ValidationError as exc:
        raise ImportRejected([problem(None, None, m) for m in exc.messages]) from None
    upload.seek(0)
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except Exception:  # a damaged workbook, whatever openpyxl raises
            raise ImportRejected(
                [problem(None, None, _("The XLSX file cannot be read."))]
            ) from None
        try:
            for number, values in enumerate(
                workbook.worksheets[0].iter_rows(values_only=True), start=1
            ):
                yield number, list(values)
        except Exception:
            raise ImportRejected(
                [problem(None, None, _("The XLSX file cannot be read."))]
            ) from None
        finally:
            workbook.close()
        return
    stream = io.TextIOWrapper(
        upload.file if hasattr(upload, "file") else upload, encoding="utf-8-sig", newline=""
    )
    number = 0
    try:
        for number, values in enumerate(csv.reader(stream), start=1):
            yield number, values
    except UnicodeDecodeError:
        raise ImportRejected(
            [
                problem(
                    number + 1,
                    None,
                    _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."),
                )
            ]
        ) from None
    except csv.Error as exc:
        raise ImportRejected(
            [
                problem(
                    number + 1,
                    None,
                    _("The CSV file cannot be read here: %(reason)s") % {"reason": exc},
                )
            ]
        ) from None
    finally:
        stream.detach()


def read_table(upload, *, required=(), max_rows: int = 250_000) -> Table:
    """The file's header and rows; ImportRejected when it cannot be read, is empty, lacks a
    required column or holds more than `max_rows` rows."""
    table = None
    for number, values in _raw_rows(upload):
        if table is None:
            table = Table([cell_text(v).lower().lstrip("\ufeff") for v in values])
            missing = [name for name in required if name not in table.header]
            if missing:
                raise ImportRejected(
                    [
                        problem(
                            1,
                            name,
                            _("The column %(column)s is missing from the header row.")
                            % {"column": name},
                        )
                        for name in missing
                    ]
                )
            continue
        cells = {
            name: cell_text(values[i]) if i < len(values) else ""
            for i, name in enumerate(table.header)
            if name
        }
        if not any(cells.values()):
            continue
        table.rows.append((number, cells))
        if len(table.rows) > max_rows:
            raise ImportRejected(
                [problem(number, None, _("A file may hold at most %(n)d rows.") % {"n": max_rows})]
            )
    if table is None:
        raise ImportRejected(
            [problem(1, None, _("The file is empty: it needs a header row and at least one row."))]
        )
    return table


class ImportRequest:
    """What an import's API serializers read of a request (the user, no If-Match header) when the
    import runs outside one: on the import page's runner or a worker."""

    method = "POST"

    def __init__(self, user):
        self.user = user
        self.headers: dict = {}
        self.META: dict = {}

    def build_absolute_uri(self, location: str = "") -> str:
        return location


def serializer_context(user) -> dict:
    return {"request": ImportRequest(user)}


class _Rollback(Exception):
    pass


def rolled_back(function, upload, **kwargs):
    """What an import without a dry run of its own would do: run it and roll it all back."""
    from django.db import transaction

    found = {}
    try:
        with transaction.atomic():
            found["result"] = function(upload, **kwargs)
            raise _Rollback
    except _Rollback:
        return found["result"]


# --- The kept upload and its state ------------------------------------------------------------


class UploadGone(Exception):
    """The kept file is not there for this user: never uploaded, another user's, or expired."""


def _root():
    return settings.VAR_DIR / "imports"


def _ttl() -> int:
    return int(getattr(settings, "IMPORT_UPLOAD_TTL_SECONDS", 2 * 3600))


def _folder(token: str):
    if not TOKEN.match(token or ""):
        raise UploadGone
    return _root() / token


def _write_json(path, data: dict) -> None:
    # Written beside and renamed: a reader (the page polling) never sees half a file.
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(temporary, path)


def keep(upload, *, user, spec: str) -> str:
    """Keep `upload` for `user` and the import `spec` (a dotted path); answers its token."""
    purge_expired()
    token = secrets.token_urlsafe(24)
    folder = _root() / token
    folder.mkdir(parents=True, mode=0o700)
    upload.seek(0)
    with open(folder / "file", "wb") as out:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            out.write(chunk)
    upload.seek(0)
    meta = {
        "user": user.pk,
        "spec": spec,
        "name": str(getattr(upload, "name", "") or "file")[:200],
        "kept_at": time.time(),
    }
    _write_json(folder / "meta.json", meta)
    _write_json(folder / "state.json", {"status": "kept"})
    return token


def meta(token: str, user) -> dict:
    """The kept upload's facts, for its own user only, while it has not expired."""
    folder = _folder(token)
    try:
        found = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UploadGone from None
    if found.get("user") != getattr(user, "pk", None) or time.time() - found["kept_at"] > _ttl():
        raise UploadGone
    return found


def load(token: str, user) -> SimpleUploadedFile:
    found = meta(token, user)
    try:
        data = (_folder(token) / "file").read_bytes()
    except OSError:
        raise UploadGone from None
    return SimpleUploadedFile(found["name"], data)


def state(token: str, user) -> dict:
    meta(token, user)
    try:
        return json.loads((_folder(token) / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UploadGone from None


def set_state(token: str, **values) -> None:
    folder = _folder(token)
    if folder.exists():
        _write_json(folder / "state.json", {**values, "updated_at": time.time()})


def discard_file(token: str) -> None:
    """The file goes once imported; the state (and the imported ids) stay until expiry."""
    try:
        (_folder(token) / "file").unlink()
    except (OSError, UploadGone):
        pass


def purge_expired() -> None:
    root = _root()
    if not root.exists():
        return
    limit = time.time() - _ttl()
    for folder in root.iterdir():
        try:
            kept_at = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["kept_at"]
        except (OSError, ValueError, KeyError):
            kept_at = folder.stat().st_mtime
        if kept_at < limit:
            shutil.rmtree(folder, ignore_errors=True)


# --- Running ----------------------------------------------------------------------------------


def _function(spec: str):
    module_name, _sep, name = spec.partition(":")
    return getattr(importlib.import_module(module_name), name)


def _imported_rows(token: str, since: int) -> dict[str, list[int]]:
    """{object type: [ids]} of the records the confirmation with `token` created or changed:
    its history entries (request id = token) after the sequence number it started at."""
    from core.models import HistoryEntry

    found: dict[str, set[int]] = {}
    rows = HistoryEntry.objects.filter(seq__gt=since, request_id=token).values_list(
        "object_type", "object_id"
    )
    for object_type, object_id in rows.iterator(chunk_size=5000):
        if str(object_id).isdigit():
            found.setdefault(object_type, set()).add(int(object_id))
    return {k: sorted(v) for k, v in found.items()}


def run(token: str, user_id: int, confirm: bool) -> dict:
    """Preview or import the kept file of `token` as its user, and record the outcome on its
    state: done (with the summary, and for a confirmation the imported rows), rejected (with the
    errors) or failed. Idempotent for a confirmation: a done import is not run twice."""
    from core import models as core_models
    from core.context import acting_as
    from core.models import HistoryEntry

    user = get_user_model().objects.get(pk=user_id)
    current = state(token, user)
    mode = "confirm" if confirm else "preview"
    if confirm and current.get("status") == "done" and current.get("mode") == "confirm":
        return current
    found = meta(token, user)
    upload = load(token, user)
    set_state(token, status="running", mode=mode, progress=10)
    # The newest linked entry: the import's entries come after it, linked or still pending (a
    # pending entry's number is in the reserved range above PENDING_SEQ until it is linked).
    pending = getattr(core_models, "PENDING_SEQ", 2**62)
    since = HistoryEntry.objects.filter(seq__lt=pending).aggregate(last=Max("seq"))["last"] or 0
    try:
        with acting_as(f"user:{user.get_username()}", user=user, request_id=token):
            summary = _function(found["spec"])(upload, acting_user=user, dry_run=not confirm)
    except ImportRejected as exc:
        outcome = {"status": "rejected", "mode": mode, "progress": 100, "errors": exc.errors}
    except (PermissionDenied, ValidationError) as exc:
        messages_ = getattr(exc, "messages", None) or [str(exc)]
        outcome = {
            "status": "rejected",
            "mode": mode,
            "progress": 100,
            "errors": [problem(None, None, m) for m in messages_],
        }
    except Exception:
        # Not the file's fault: nothing was saved (the import is one transaction); the page says
        # so instead of following a run that will never end, and the error is logged.
        set_state(token, status="failed", mode=mode, progress=100)
        raise
    else:
        outcome = {"status": "done", "mode": mode, "progress": 100, "summary": summary}
        if confirm:
            outcome["imported"] = _imported_rows(token, since)
    set_state(token, **outcome)
    if confirm and outcome["status"] == "done":
        discard_file(token)
    return outcome


@shared_task(name="core.run_import", acks_late=True, max_retries=0)
def run_import(token: str, user_id: int, confirm: bool) -> str:
    """A large import's preview or confirmation, off the request (the page polls its state)."""
    try:
        return run(token, user_id, confirm)["status"]
    except UploadGone:
        return "gone"
    except Exception:
        set_state(token, status="failed", mode="confirm" if confirm else "preview", progress=100)
        raise


def start(token: str, user, *, confirm: bool, size: int) -> dict:
    """Run in the request when the file is small, on a worker otherwise."""
    if size <= int(getattr(settings, "IMPORT_IN_REQUEST_MAX_BYTES", 256 * 1024)):
        return run(token, user.pk, confirm)
    set_state(token, status="queued", mode="confirm" if confirm else "preview", progress=0)
    queue = getattr(settings, "IMPORT_QUEUE", None)
    run_import.apply_async((token, user.pk, confirm), **({"queue": queue} if queue else {}))
    return state(token, user)


def imported_ids(request, model) -> list[int] | None:
    """The ids of `model`'s records the user's import `?import=<token>` created or changed (the
    list the user lands on after confirming); None without the parameter; [] for a token that is
    not the user's, or expired."""
    token = request.GET.get("import")
    if not token:
        return None
    try:
        found = state(token, request.user)
    except UploadGone:
        return []
    return list((found.get("imported") or {}).get(model._meta.label_lower, []))


# --- The page ---------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("CSV or XLSX file"),
        help_text=_lazy("CSV in UTF-8 or XLSX (first sheet), with a header row."),
    )


class ImportView(LoginRequiredMixin, View):
    """Upload a file, see what it would do (rows to create, update, leave; every error by row and
    column), check it again or confirm it without choosing it again, land on the imported rows.

    A subclass names `spec` (the import function's dotted path), `model` and `permission` (the
    right checked with core.actions.may), `list_url_name` and `title`, and optionally
    `form_class`, `columns`, `optional_columns`, `intro`, `label_heading`, `tabs_template`,
    `cards` and `template_example` (a CSV row offered as a template)."""

    template_name = "includes/import_page.html"
    form_class = ImportUploadForm
    spec = ""
    model = None
    permission = "add"
    refusal = ""
    list_url_name = ""
    title = ""
    intro = ""
    columns: list[str] = []
    optional_columns: list[str] = []
    label_heading = ""
    tabs_template = ""
    tab = "import"
    template_example: list[str] | None = None
    template_file_name = "import-template"
    cards: list[tuple[str, str]] = []  # (summary key, label) shown beside the three counts

    def dispatch(self, request, *args, **kwargs):
        from core.actions import may

        if request.user.is_authenticated and not may(request.user, self.permission, self.model):
            raise PermissionDenied(self.refusal or _("You may not import these records."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def session_key(self) -> str:
        return f"import:{self.spec}"

    def get_list_url(self) -> str:
        return reverse(self.list_url_name)

    def context(self, **extra) -> dict:
        return {
            "view": self,
            "title": self.title,
            "intro": self.intro,
            "columns": self.columns,
            "optional_columns": self.optional_columns,
            "label_heading": self.label_heading or _("Record"),
            "tabs_template": self.tabs_template,
            "tab": self.tab,
            "list_url": self.get_list_url(),
            "has_template": self.template_example is not None,
            "extra_cards": self.cards,
            "form": extra.pop("form", None) or self.form_class(),
            **extra,
        }

    def page(self, request, status=200, **extra):
        return render(request, self.template_name, self.context(**extra), status=status)

    def get(self, request):
        if request.GET.get("template") and self.template_example is not None:
            from core.exports import csv_response

            return csv_response(
                self.template_file_name,
                [*self.columns, *self.optional_columns],
                [self.template_example],
            )
        token = request.GET.get("token")
        if not token:
            return self.page(request)
        return self.show(request, token)

    def gone(self, request):
        messages.error(request, _("Upload the file again: the previewed file is no longer here."))
        return HttpResponseRedirect(request.path)

    def landing(self, token: str):
        url = f"{self.get_list_url()}?import={token}"
        if self.request.headers.get("HX-Request"):
            # The progress region polls with htmx: the whole page goes to the imported rows.
            return HttpResponse(status=200, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)

    def show(self, request, token, form=None):
        """The kept file's page: its preview, its errors, or its progress while it runs."""
        try:
            found = meta(token, request.user)
            current = state(token, request.user)
        except UploadGone:
            return self.gone(request)
        if current.get("mode") == "confirm" and current.get("status") == "done":
            return self.landing(token)
        running = current.get("status") in ("queued", "running")
        failed = current.get("status") == "failed"
        rejected = current.get("status") == "rejected"
        return self.page(
            request,
            # htmx swaps only a 2xx answer: the polling region gets the errors with 200.
            status=400 if rejected and not request.headers.get("HX-Request") else 200,
            form=form,
            token=token,
            filename=found["name"],
            job=current,
            errors=current.get("errors") or [],
            result=current.get("summary") if current.get("mode") == "preview" else None,
            running=running,
            failed=failed,
            confirming=current.get("mode") == "confirm",
        )

    def post(self, request):
        if "confirm" in request.POST or "recheck" in request.POST:
            return self.again(request)
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, status=400, form=form)
        upload = form.cleaned_data["file"]
        token = keep(upload, user=request.user, spec=self.spec)
        request.session[self.session_key] = token
        start(token, request.user, confirm=False, size=upload.size)
        return self.show(request, token)

    def again(self, request):
        """Check the kept file again, or import it once its preview is clean."""
        token = request.POST.get("token") or request.session.get(self.session_key) or ""
        confirm = "confirm" in request.POST
        try:
            meta(token, request.user)
            current = state(token, request.user)
            size = (_folder(token) / "file").stat().st_size
        except (UploadGone, OSError):
            return self.gone(request)
        if confirm and not (current.get("mode") == "preview" and current.get("status") == "done"):
            # Only a file whose last check was clean is imported: check it again first.
            return self.show(request, token)
        outcome = start(token, request.user, confirm=confirm, size=size)
        if confirm and outcome.get("status") == "done":
            request.session.pop(self.session_key, None)
            summary = outcome.get("summary") or {}
            messages.success(
                request,
                _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                % {k: summary.get(k, 0) for k in ("created", "updated", "unchanged")},
            )
            return self.landing(token)
        if outcome.get("status") in ("queued", "running"):
            return HttpResponseRedirect(f"{request.path}?token={token}")
        return self.show(request, token)
