import pickle
from decimal import Decimal
from functools import partial

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core import dashboard, imports
from core.actions import may
from core.exports import csv_response, xlsx_response
from core.generic import (
    Column,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    TransitionView,
    visible_or_404,
)
from oversight import charts, metrics, services, workflow
from oversight.bodies import short_name
from oversight.bulk import CHANGE_STATUS
from oversight.choices import Priority, RecommendationStatus
from oversight.filtersets import (
    MonitoringFilterSet,
    OversightReportFilterSet,
    RecommendationFilterSet,
)
from oversight.forms import ImportForm, RecommendationForm, ReportForm, StatusForm
from oversight.importer import ALL_COLUMNS, COLUMNS, OPTIONAL_COLUMNS
from oversight.models import Evidence, OversightReport, Recommendation

RECOMMENDATION_COLUMNS = [
    Column(gettext_lazy("Report"), "report.symbol", link=True),
    Column(gettext_lazy("No."), "number", link=True),
    Column(gettext_lazy("Body"), "report.body.short_name"),
    Column(gettext_lazy("Recommendation"), "text"),
    Column(gettext_lazy("Priority"), "get_priority_display"),
    Column(gettext_lazy("Addressed to"), "unit.code"),
    Column(pgettext_lazy("report", "Issued"), "report.issued_on"),
    Column(gettext_lazy("Target date"), "target_date"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Overdue"), "is_overdue"),
    Column(gettext_lazy("Amount identified (USD)"), "amount_identified"),
    Column(gettext_lazy("Amount realised (USD)"), "amount_realised"),
]


class RecommendationListView(ScopedListView):
    model = Recommendation
    title = gettext_lazy("Oversight recommendations")
    template_name = "oversight/index.html"
    filterset_class = RecommendationFilterSet.page(
        "search", "body", "status", "state", "priority", "within", "issued_from", "issued_to"
    )
    export_name = "recommendations"
    columns = RECOMMENDATION_COLUMNS
    bulk_actions = [CHANGE_STATUS]

    def base_queryset(self):
        return super().base_queryset().select_related("report__body", "unit")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "import":
            return self.export_for_import()
        return super().get(request, *args, **kwargs)

    def export_for_import(self):
        """What the filter shows, in the import's own columns: edit it and import it back."""
        rows = (
            [
                r.report.body.code,
                r.report.symbol,
                r.report.title,
                r.report.issued_on,
                r.number,
                r.text,
                r.priority,
                r.unit.code,
                r.accepted,
                r.target_date,
                r.status,
                r.implemented_on,
                "",  # status_on: a changed status takes effect on the day of the import
                r.amount_identified,
                r.amount_realised,
            ]
            for r in self.get_queryset()[: self.export_limit].iterator(chunk_size=2000)
        )
        return csv_response("recommendations-import", ALL_COLUMNS, rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(tab="recommendations", can_author=may(self.request.user, "add", self.model))
        if context["can_author"]:
            context["create_url_name"] = "oversight:recommendation_create"
        return context


class ReportListView(ScopedListView):
    model = OversightReport
    title = gettext_lazy("Oversight reports")
    template_name = "oversight/index.html"
    filterset_class = OversightReportFilterSet.page(
        "search", "body", "paragraph", "issued_from", "issued_to"
    )
    export_name = "oversight-reports"
    columns = [
        Column(gettext_lazy("Symbol"), "symbol", link=True),
        Column(gettext_lazy("Body"), "body.short_name"),
        Column(gettext_lazy("Title"), "title", link=True),
        Column(pgettext_lazy("report", "Issued"), "issued_on"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("body")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab"] = "reports"
        if may(self.request.user, "add", self.model):
            context["create_url_name"] = "oversight:report_create"
        return context


class ReportDetailView(ScopedDetailView):
    model = OversightReport
    template_name = "oversight/report_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("body").prefetch_related("paragraphs")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recommendations"] = (
            Recommendation.objects.restrict(self.request.user, "view")
            .filter(report=self.object)
            .select_related("unit")
            .order_by("number")[:500]
        )
        return context


class FormTitleMixin:
    template_name = "oversight/form.html"
    form_title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = getattr(self, "object", None)
        context["form_title"] = (_("Edit %(record)s") % {"record": obj}) if obj else self.form_title
        context["cancel_url"] = obj.get_absolute_url() if obj else reverse("oversight:index")
        return context

    def get_success_url(self):
        return self.object.get_absolute_url()


class ReportCreateView(FormTitleMixin, ScopedCreateView):
    model = OversightReport
    form_class = ReportForm
    form_title = gettext_lazy("New oversight report")


class ReportUpdateView(FormTitleMixin, ScopedUpdateView):
    model = OversightReport
    form_class = ReportForm


class RecommendationCreateView(FormTitleMixin, ScopedCreateView):
    model = Recommendation
    form_class = RecommendationForm
    form_title = gettext_lazy("New recommendation")

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("report"):
            initial["report"] = self.request.GET["report"]
        return initial


class RecommendationUpdateView(FormTitleMixin, ScopedUpdateView):
    model = Recommendation
    form_class = RecommendationForm


class RecommendationDetailView(ScopedDetailView):
    model = Recommendation
    template_name = "oversight/recommendation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("report__body", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rec = self.object
        context["updates"] = rec.updates.select_related("author").prefetch_related("evidence")
        context["workflow_steps"] = workflow.steps(rec)
        context["next_actor"], context["next_action"] = workflow.next_actor(rec)
        if "status_form" not in context:
            form = StatusForm(obj=rec, user=self.request.user)
            if form.offered:
                context["status_form"] = form
        return context


class StatusChangeView(TransitionView):
    """The status form on the recommendation page (services.change_status). An invalid form is
    shown again on the recommendation page."""

    model = Recommendation
    action = services.change_status
    form_class = StatusForm
    success_message = gettext_lazy("The recommendation was updated.")

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(self.object.get_absolute_url())

    def form_invalid(self, form):
        view = RecommendationDetailView()
        view.setup(self.request, pk=self.object.pk)
        view.object = self.object
        context = view.get_context_data(object=self.object, status_form=form)
        return render(self.request, view.template_name, context, status=400)


class EvidenceDownloadView(LoginRequiredMixin, View):
    """An evidence file, for whoever may read its recommendation (404 for anyone else)."""

    def get(self, request, pk):
        evidence = visible_or_404(Evidence, request.user, pk=pk)
        return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


class ImportView(imports.ImportView):
    """Upload a file, see what it would do (rows to create, update, leave, every error), check it
    again or confirm it, land on the imported recommendations (core.imports). Both steps run the
    import action (services.import_recommendations), the first as a dry run."""

    spec = "oversight.importer:import_for_page"
    model = Recommendation
    permission = "add"
    refusal = gettext_lazy("Only oversight bodies and administrators import recommendations.")
    form_class = ImportForm
    list_url_name = "oversight:recommendation_list"
    title = gettext_lazy("Import recommendations")
    intro = gettext_lazy(
        "Upload a CSV (UTF-8) or XLSX file with a header row. Rows are matched on body, report "
        "symbol and number: importing the same file again changes nothing, an edited file updates."
    )
    columns = COLUMNS
    optional_columns = OPTIONAL_COLUMNS
    label_heading = gettext_lazy("Recommendation")
    tabs_template = "oversight/_tabs.html"
    cards = [("reports_created", gettext_lazy("new reports"))]
    template_file_name = "recommendations-template"
    template_example = [
        "OIOS",
        "2026/001",
        "Audit of travel management",
        "2026-02-15",
        "1",
        "Strengthen the review of travel approvals.",
        "important",
        "DMSPC-OHR",
        "yes",
        "2026-12-31",
        "open",
        "",
        "",
        "25000.00",
        "",
    ]


STATUS_TONES = [
    (RecommendationStatus.IMPLEMENTED, "ok"),
    (RecommendationStatus.PENDING_VERIFICATION, "info"),
    (RecommendationStatus.IN_PROGRESS, "progress"),
    (RecommendationStatus.OPEN, "warn"),
    (RecommendationStatus.NOT_IMPLEMENTED, "alert"),
    (RecommendationStatus.OVERTAKEN, "muted"),
    (RecommendationStatus.NOT_ACCEPTED, "dark"),
]


def status_headers() -> list:
    """The column heads of every status table: the statuses' own labels (one set of labels)."""
    return [
        _("Total"),
        *(RecommendationStatus(key).label for key in metrics.STATUS_KEYS),
        _("Overdue"),
        _("Implementation rate (%)"),
    ]


class MonitoringView(LoginRequiredMixin, TemplateView):
    """The Management Committee's view of implementation (paragraph 12): rates by body, unit and
    priority, status counts, overdue and ageing, critical overdue, trend by year of issue."""

    template_name = "oversight/monitoring.html"
    filterset_class = MonitoringFilterSet.page(
        "period_from", "as_at", "issued_from", "issued_to", "body", "within"
    )

    def dispatch(self, request, *args, **kwargs):
        # Whoever reads the oversight reports (every role) reads the figures of what they see.
        if request.user.is_authenticated and not may(request.user, "view", OversightReport):
            raise PermissionDenied(_("Your account has no role in the tracker."))
        return super().dispatch(request, *args, **kwargs)

    def figures(self) -> dict:
        """The figures ("data", pickled) and the part of the page that shows them ("html": the
        cards, charts and tables), kept together per scope, filters and language until a tracked
        write changes them (core.dashboard): a warm visit renders only the page around them."""
        queryset = Recommendation.objects.restrict(self.request.user, "view")
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        on = start = None
        valid = True
        if self.filterset.is_bound:
            valid = self.filterset.is_valid()
            queryset = self.filterset.qs if valid else queryset.none()
            on = self.filterset.form.cleaned_data.get("as_at") if valid else None
            start = self.filterset.form.cleaned_data.get("period_from") if valid else None

        def compute() -> dict:
            data = metrics.monitoring(queryset, period_start=start, period_end=on)
            return {
                "today": data["today"],
                "period_start": data["period_start"],
                "html": self.render_figures(data, self.request.GET),
                # The filter panel too: its options (every unit, every body) change only by
                # tracked writes, its values and chips follow `params` in the request's order.
                "filters": render_to_string(
                    "includes/filters.html", {"filter": self.filterset, "request": self.request}
                ),
                # Kept pickled: a warm page shows the HTML and never rebuilds the critical
                # recommendations' records; the export (and context["data"]) read them back.
                "data": pickle.dumps(data, pickle.HIGHEST_PROTOCOL),
            }

        if not valid:
            return compute()
        params = self.request.GET.copy()
        params.pop("export", None)
        # The HTML depends on nothing else: the language and the day are in the scope's key, the
        # charts' links and the filter panel read only `params` (kept in the request's order:
        # the chips' links keep it).
        entry, self.computed_at = dashboard.cached(
            self.request.user, "oversight-monitoring-html", params.urlencode(), compute
        )
        return entry

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export(pickle.loads(self.figures()["data"]))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.figures()
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            data=SimpleLazyObject(partial(pickle.loads, entry["data"])),
            as_at=entry["today"],
            period_start=entry["period_start"],
            # Our own templates wrote them, escaped.
            figures=mark_safe(entry["html"]),
            filters=mark_safe(entry["filters"]),
            # When the cached figures were computed (none for filters that were refused).
            computed_at=getattr(self, "computed_at", None),
            filter=self.filterset,
            querystring=query.urlencode(),
            tab="monitoring",
        )
        return context

    @classmethod
    def render_figures(cls, data: dict, query) -> str:
        """The cards, charts and tables of `data` (oversight/_monitoring_figures.html), in the
        active language; `query` holds the page's filters, which every bar's link carries."""
        statuses = dict(RecommendationStatus.choices)
        status_keys = [(key.value, tone) for key, tone in STATUS_TONES]
        return render_to_string(
            "oversight/_monitoring_figures.html",
            {
                "data": data,
                "status_headers": status_headers(),
                "priority_rows": [
                    (Priority("" if key == "none" else key).label, row)
                    for key, row in data["by_priority"].items()
                ],
                **cls.charts(data, query, statuses, status_keys),
            },
        )

    @staticmethod
    def charts(data, query, statuses, status_keys) -> dict:
        """The page's charts; every bar links to the list it counts (oversight.charts)."""
        ageing = data["totals"]["ageing"]
        ageing_urls = charts.ageing_urls(query, data["today"])
        # Bars read the body's short name in the reader's language; links keep the code.
        body_codes = {short_name(code): code for code in data["by_body"]}
        return {
            "rate_chart": charts.bar_chart(
                _("Implementation rate by body (%)"),
                [
                    (
                        short_name(code),
                        row["implementation_rate"],
                        "ok",
                        charts.list_url(query, body=code, status="implemented"),
                    )
                    for code, row in data["by_body"].items()
                    if row["total"]
                ],
                maximum=100.0,
                suffix="%",
                key="rate",
            ),
            "status_chart": charts.stacked_chart(
                _("Status by body"),
                [(short_name(code), row) for code, row in data["by_body"].items() if row["total"]],
                status_keys,
                labels=statuses,
                url=lambda name, status: charts.list_url(
                    query, body=body_codes.get(name, name), status=status
                ),
                key="status",
            ),
            "ageing_chart": charts.bar_chart(
                _("Ageing of open recommendations"),
                [
                    (label, ageing[k], tone, ageing_urls[k])
                    for k, label, tone in (
                        ("under_1_year", _("Under 1 year"), "ok"),
                        ("1_to_2_years", _("1 to 2 years"), "warn"),
                        ("over_2_years", _("Over 2 years"), "alert"),
                    )
                ],
                key="ageing",
            ),
            "trend_chart": charts.stacked_chart(
                _("Recommendations by year of issue, by status now"),
                [(str(row["year"]), row) for row in data["by_year"]],
                status_keys,
                labels=statuses,
                url=lambda year, status: charts.year_url(query, year, status),
                key="trend",
            ),
        }

    def export(self, data):
        headers = [str(label) for label in status_headers()]
        keys = ["total", *metrics.STATUS_KEYS, "overdue", "implementation_rate"]
        ageing = data["totals"]["ageing"]
        sheets = [
            (
                _("By body"),
                [
                    _("Body"),
                    *headers,
                    _("Acceptance rate (%)"),
                    _("Implementation rate of accepted (%)"),
                    _("Amount identified (USD)"),
                    _("Amount realised (USD)"),
                ],
                (
                    [
                        code,
                        *[row[k] for k in keys],
                        row["acceptance_rate"],
                        row["implementation_rate_of_accepted"],
                        *[
                            Decimal(row[k]) if row[k] is not None else None
                            for k in ("amount_identified", "amount_realised")
                        ],
                    ]
                    for code, row in data["by_body"].items()
                ),
            ),
            (
                _("Prior periods"),
                [
                    _("Body"),
                    _("Total"),
                    _("Implemented"),
                    _("Under implementation"),
                    _("Not implemented"),
                    _("Overtaken by events"),
                    _("Implementation rate (%)"),
                ],
                (
                    [
                        code,
                        *[
                            row[k]
                            for k in (
                                "total",
                                "implemented",
                                "under_implementation",
                                "not_implemented",
                                "overtaken",
                                "implementation_rate",
                            )
                        ],
                    ]
                    for code, row in data["prior_by_body"].items()
                ),
            ),
            (
                _("By priority"),
                [_("Priority"), *headers],
                (
                    [Priority("" if p == "none" else p).label, *[row[k] for k in keys]]
                    for p, row in data["by_priority"].items()
                ),
            ),
            (
                _("By unit"),
                [_("Unit"), _("Name"), *headers],
                ([row["unit"], row["name"], *[row[k] for k in keys]] for row in data["by_unit"]),
            ),
            (
                _("By year of issue"),
                [_("Year"), *headers],
                ([row["year"], *[row[k] for k in keys]] for row in data["by_year"]),
            ),
            (
                _("Ageing"),
                [_("Since issue"), _("Open recommendations")],
                [
                    [_("Under 1 year"), ageing["under_1_year"]],
                    [_("1 to 2 years"), ageing["1_to_2_years"]],
                    [_("Over 2 years"), ageing["over_2_years"]],
                ],
            ),
            (
                _("Critical overdue"),
                [
                    _("Report"),
                    _("No."),
                    _("Body"),
                    _("Addressed to"),
                    _("Target date"),
                    _("Status"),
                    _("Recommendation"),
                ],
                (
                    [
                        r.report.symbol,
                        r.number,
                        r.report.body.code,
                        r.unit.code,
                        r.target_date,
                        r.get_status_display(),
                        r.text,
                    ]
                    for r in data["critical_overdue"]
                ),
            ),
        ]
        return xlsx_response(
            "oversight-monitoring", [(str(t), [str(h) for h in hs], rows) for t, hs, rows in sheets]
        )
