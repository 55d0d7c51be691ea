"""Report pages: the list of runs with the request form, a run with its progress, files and
checksums, downloads, the comparison of two runs, the change-history anchors and the DOCX
templates."""

import hashlib

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from core import actions
from core.exports import xlsx_response
from core.generic import (
    Column,
    ScopedDetailView,
    ScopedListView,
    TransitionView,
    add_errors,
    visible_or_404,
)
from reports import anchors, services
from reports.choices import CONTENT_TYPES, FileFormat, RunStatus
from reports.compare import compare
from reports.docx_builder import PLACEHOLDER_NAMES
from reports.filtersets import ReportRunFilterSet
from reports.forms import (
    CompareForm,
    ReportRequestForm,
    RetryForm,
    TemplateUploadForm,
    VerifyFileForm,
)
from reports.layout import display
from reports.models import ReportFile, ReportRun, ReportTemplate
from reports.render import style_hash
from reports.services import FORMAT_ORDER


class ReportRunListView(ScopedListView):
    model = ReportRun
    template_name = "reports/index.html"
    filterset_class = ReportRunFilterSet
    title = gettext_lazy("Report runs")
    export_name = "report-runs"
    columns = [
        Column(gettext_lazy("Reference"), "reference", link=True),
        Column(gettext_lazy("Period start"), "period_start"),
        Column(gettext_lazy("Period end"), "period_end"),
        Column(gettext_lazy("Language"), "get_language_display"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Requested by"), "requested_by.username"),
        Column(gettext_lazy("Requested at"), "created_at"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("requested_by").defer("snapshot")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_request"] = actions.may(user, "add", ReportRun)
        context["can_manage_templates"] = actions.may(user, "add", ReportTemplate)
        context["request_form"] = ReportRequestForm()
        return context


class MayAddMixin(LoginRequiredMixin):
    """Refuses at once (403) whoever the policy never lets add `add_model` records."""

    add_model = None
    refusal = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actions.may(request.user, "add", self.add_model):
            raise PermissionDenied(str(self.refusal))
        return super().dispatch(request, *args, **kwargs)


class ReportRequestView(MayAddMixin, FormView):
    """A request for a run: services.request_report_run, which answers an identical active run
    instead of a new one (so this is not a plain create form)."""

    add_model = ReportRun
    refusal = services.REQUEST_REFUSED
    form_class = ReportRequestForm
    template_name = "reports/request.html"

    def form_valid(self, form):
        try:
            run, created = services.request_report_run(
                ReportRun(**form.cleaned_data), acting_user=self.request.user
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        if created:
            messages.success(self.request, _("The report is queued; this page shows its progress."))
        else:
            messages.info(
                self.request, _("An identical report is already being compiled; here it is.")
            )
        return redirect(run)


class ReportRunDetailView(ScopedDetailView):
    model = ReportRun
    template_name = "reports/run_detail.html"
    context_object_name = "run"

    def get_queryset(self):
        return super().get_queryset().select_related("requested_by", "template")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        files = {f.format: f for f in run.files.all()}
        context["files"] = [files[f] for f in FORMAT_ORDER if f in files]
        context["can_retry"] = run.status == RunStatus.FAILED and actions.allowed(
            self.request.user, "retry", run
        )
        context["anchor"] = anchors.check(run) if run.is_done else None
        context["headline"] = [
            (item["label"], display(item["key"], item["value"]))
            for item in (run.snapshot or {}).get("headline", [])
        ]
        context["verify_form"] = VerifyFileForm()
        if run.is_done and "json" in files:
            # The proof that the files were made from the snapshot the database keeps.
            regenerated = hashlib.sha256(services.regenerated_json(run)).hexdigest()
            context["snapshot_regenerates"] = regenerated == files["json"].sha256
        return context


class ReportRunProgressView(ReportRunDetailView):
    """The progress fragment the run page polls (htmx) while the run is queued or running."""

    template_name = "reports/_progress.html"

    def get_context_data(self, **kwargs):
        return {"run": self.object}

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_active and self.request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"  # the files and checksums appear with the full page
        return response


class ReportRunRetryView(TransitionView):
    """The retry button of a failed run: a refusal is a message on the run's page."""

    model = ReportRun
    action = services.retry_report_run
    form_class = RetryForm
    http_method_names = ["post"]
    success_message = gettext_lazy("The report is queued again.")

    def form_invalid(self, form):
        errors = [str(m) for m in form.non_field_errors()]
        errors += [str(m) for field in form for m in field.errors]
        messages.error(self.request, " ".join(errors))
        return redirect(self.object)


class ReportDownloadView(LoginRequiredMixin, View):
    """A file of an issued run, for any signed-in user; never served as public media."""

    def get(self, request, pk, fmt):
        run = get_object_or_404(ReportRun.objects.restrict(request.user, "view").done(), pk=pk)
        return file_response(run, fmt)


def file_response(run: ReportRun, fmt: str) -> FileResponse:
    """Always an attachment: a report file opened inline would run in the tracker's origin."""
    file = ReportFile.objects.filter(run=run, format=fmt).first()
    if file is None:
        raise Http404
    try:
        handle = default_storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=file.filename, content_type=CONTENT_TYPES[fmt]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Checksum-SHA256"] = file.sha256
    response["Cache-Control"] = "private, max-age=3600"
    if fmt == FileFormat.HTML:
        # The report carries its own stylesheet; allow exactly that one, by the hash of the
        # stylesheet in this very file (older reports keep the style they were issued with).
        with default_storage.open(file.name, "rb") as html:
            response._csp_update = {"style-src": [style_hash(html.read())]}
    return response


class VerifyFileView(LoginRequiredMixin, View):
    """Check a file someone holds against the checksums of every issued report."""

    def post(self, request, pk):
        run = get_object_or_404(ReportRun.objects.restrict(request.user, "view").done(), pk=pk)
        form = VerifyFileForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a file to check."))
            return redirect(run)
        digest = hashlib.sha256()
        for chunk in form.cleaned_data["file"].chunks():
            digest.update(chunk)
        match = run.files.filter(sha256=digest.hexdigest()).first()
        if match:
            messages.success(
                request,
                _("This file is the %(format)s of this report, unchanged (SHA-256 %(sha)s).")
                % {"format": match.get_format_display(), "sha": match.sha256},
            )
        else:
            messages.error(
                request,
                _("This file does not match any file of this report (its SHA-256 is %(sha)s).")
                % {"sha": digest.hexdigest()},
            )
        return redirect(run)


class CompareView(LoginRequiredMixin, TemplateView):
    template_name = "reports/compare.html"

    def get(self, request, *args, **kwargs):
        form = CompareForm(request.GET or None, user=request.user)
        rows = None
        if form.is_bound and form.is_valid():
            a, b = form.cleaned_data["a"], form.cleaned_data["b"]
            rows = compare(a.snapshot or {}, b.snapshot or {})
            if request.GET.get("export") == "xlsx":
                return self.export(a, b, rows)
        return self.render_to_response(self.get_context_data(form=form, rows=rows))

    def export(self, a, b, rows):
        headers = [
            _("Section"),
            _("Figure"),
            f"{a.reference} ({a.period_start}–{a.period_end})",
            f"{b.reference} ({b.period_start}–{b.period_end})",
            _("Change"),
        ]
        data = [[r.section, r.label, r.before, r.after, r.change] for r in rows]
        return xlsx_response(f"report-comparison-{a.pk}-{b.pk}", [(_("Comparison"), headers, data)])


class AnchorListView(LoginRequiredMixin, TemplateView):
    """Today's change history compared with the anchor printed in each issued report."""

    template_name = "reports/anchors.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = (
            ReportRun.objects.restrict(self.request.user, "view")
            .done()
            .order_by("-finished_at")[:100]
        )
        context["checks"] = anchors.check_many(list(runs))
        context["head"] = anchors.current_head()
        return context


class TemplateManagerMixin(MayAddMixin):
    """The template pages: for whoever the template policy lets add templates."""

    add_model = ReportTemplate
    refusal = services.TEMPLATES_REFUSED


class TemplateListView(TemplateManagerMixin, FormView):
    form_class = TemplateUploadForm
    template_name = "reports/templates.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["templates"] = ReportTemplate.objects.restrict(
            self.request.user, "view"
        ).select_related("uploaded_by")
        context["default_active"] = not ReportTemplate.objects.filter(is_active=True).exists()
        context["placeholders"] = ", ".join("{{" + name + "}}" for name in PLACEHOLDER_NAMES)
        context["body_placeholder"] = "{{body}}"
        return context

    def form_valid(self, form):
        try:
            services.upload_template(
                ReportTemplate(name=form.cleaned_data["name"]),
                acting_user=self.request.user,
                upload=form.cleaned_data["file"],
                activate=form.cleaned_data["activate"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Template saved."))
        return redirect("reports:templates")


class TemplateActivateView(TemplateManagerMixin, View):
    def post(self, request):
        raw = request.POST.get("template", "")
        template = None
        if raw:
            if not raw.isdigit():
                raise Http404
            template = visible_or_404(ReportTemplate, request.user, pk=raw)
        services.activate_template(template, acting_user=request.user)
        messages.success(request, _("New reports will use this template."))
        return redirect("reports:templates")


class DefaultTemplateDownloadView(TemplateManagerMixin, View):
    def get(self, request, pk=None):
        from reports.docx_builder import DEFAULT_TEMPLATE

        if pk is None:
            return FileResponse(
                open(DEFAULT_TEMPLATE, "rb"), as_attachment=True, filename="default-template.docx"
            )
        template = visible_or_404(ReportTemplate, request.user, pk=pk)
        return FileResponse(
            template.file.open("rb"), as_attachment=True, filename=f"template-{pk}.docx"
        )
