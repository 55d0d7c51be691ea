import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from accountability import authority_check, importer, services
from accountability.bulk import ASSIGN_OWNER
from accountability.filtersets import CommitmentFilterSet, DecisionFilterSet, DelegationFilterSet
from accountability.forms import (
    AcceptanceForm,
    CommitmentForm,
    CommitmentStatusForm,
    DecisionForm,
    DelegationForm,
    ImportForm,
    KpiEntryForm,
    NoticeLanguageForm,
    PeriodForm,
    ReviewForm,
    ReviseReviewForm,
    RevocationForm,
    delegation_label,
    delegation_options,
)
from accountability.metrics import UNIT_FIELDS, unit_breakdown
from accountability.models import Commitment, Decision, Delegation, KpiEntry
from accountability.policies import readable_unit_ids, recordable_units
from accountability.services import notice_language
from core import actions, imports
from core.figures import rate
from core.generic import (
    Column,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    TransitionView,
    visible_or_404,
)
from org.filters import PersonFilterSet
from org.models import OrgUnit, Person


class IndexView(ScopedListView):
    """The accountability area's landing page: org units (the tree everything hangs on)."""

    model = OrgUnit
    title = _("Org units")
    template_name = "accountability/index.html"
    paginate_by = 200
    columns = [
        Column(_("Code"), "code"),
        Column(_("Name"), "display_name"),
        Column(_("Kind"), "get_kind_display"),
        Column(_("Parent"), "parent.code"),
    ]

    def base_queryset(self):
        return OrgUnit.objects.restrict(self.request.user, "view").select_related("parent")


class PersonListView(ScopedListView):
    model = Person
    title = _("People")
    filterset_class = PersonFilterSet
    export_name = "people"
    columns = [
        Column(_("Index number"), "index_number", link=True),
        Column(_("Name"), "name", link=True),
        Column(_("Unit"), "unit.code"),
        Column(_("Grade"), "grade"),
        Column(_("Account"), "user.username"),
    ]

    def base_queryset(self):
        return Person.objects.restrict(self.request.user, "view").select_related("unit", "user")


class PersonDetailView(ScopedDetailView):
    model = Person
    slug_field = "index_number"
    slug_url_kwarg = "index_number"
    template_name = "accountability/person_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "user")


class OrgUnitDetailView(ScopedDetailView):
    model = OrgUnit
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "accountability/orgunit_detail.html"


class PersonAuthorityMixin:
    """Adds what a person holds and has given: delegations of authority, for the person page."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user_id = self.object.user_id
        if user_id is None:
            context.update(authorities_received=[], authorities_given=[])
            return context
        scoped = Delegation.objects.restrict(self.request.user, "view").select_related(
            "unit", "delegator__person", "delegatee__person"
        )
        context.update(
            authorities_received=list(scoped.filter(delegatee_id=user_id)[:100]),
            authorities_given=list(scoped.filter(delegator_id=user_id)[:100]),
        )
        return context


class PersonAuthoritiesView(PersonAuthorityMixin, PersonDetailView):
    """One person's delegated authorities: held and given."""

    template_name = "accountability/person_authorities.html"


# --- Shared pieces -------------------------------------------------------------------------------


class TabsMixin:
    tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab"] = self.tab
        return context


class FormPageMixin:
    """The accountability area's form page: its tabs and a title for a new record."""

    template_name = "accountability/object_form.html"
    form_title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form_title"] = self.form_title
        return context


# --- Delegations -----------------------------------------------------------------------------


class DelegationListView(TabsMixin, ScopedListView):
    """The register of delegation instruments: active, expiring, expired, revoked."""

    model = Delegation
    tab = "delegations"
    title = _("Delegations of authority")
    template_name = "accountability/delegation_list.html"
    filterset_class = DelegationFilterSet
    export_name = "delegations"
    create_url_name = "accountability:delegation_create"
    columns = [
        Column(_("Reference"), "reference", link=True),
        Column(_("Area"), "get_area_display", link=True),
        Column(_("Unit"), "unit.code"),
        Column(_("Delegator"), "delegator_name"),
        Column(_("Delegatee"), "delegatee_name"),
        Column(_("Limit (USD)"), "limit_amount"),
        Column(_("Valid from"), "valid_from"),
        Column(_("Valid to"), "valid_to"),
        Column(_("State"), "get_state_display"),
        Column(_("Revoked on"), "revoked_on"),
    ]

    def base_queryset(self):
        return Delegation.objects.restrict(self.request.user, "view").select_related(
            "unit", "delegator__person", "delegatee__person"
        )


class DelegationDetailView(TabsMixin, ScopedDetailView):
    model = Delegation
    tab = "delegations"
    template_name = "accountability/delegation_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "unit", "delegator__person", "delegatee__person", "revoked_by", "parent"
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delegation = self.object
        visible = Delegation.objects.restrict(self.request.user, "view")
        # The chain from the Secretary-General down: whoever sees an instrument sees where its
        # authority comes from; only the instruments they may read are links.
        chain = delegation.ancestors()
        readable = set(visible.filter(pk__in=[a.pk for a in chain]).values_list("pk", flat=True))
        for ancestor in chain:
            ancestor.readable = ancestor.pk in readable
        context.update(
            ancestors=chain,
            children=list(
                visible.filter(parent=delegation).select_related("delegatee__person", "unit")
            ),
            decisions=list(
                Decision.objects.restrict(self.request.user, "view")
                .filter(delegation=delegation)
                .select_related("unit", "decided_by__person")[:50]
            ),
            can_revoke=delegation.revoked_on is None
            and actions.allowed(self.request.user, "revoke", delegation),
            revocation_form=RevocationForm(obj=delegation),
            can_accept=delegation.accepted_on is None
            and delegation.revoked_on is None
            and actions.allowed(self.request.user, "accept", delegation),
            acceptance_form=AcceptanceForm(obj=delegation),
        )
        return context


class DelegationCreateView(TabsMixin, FormPageMixin, ScopedCreateView):
    model = Delegation
    tab = "delegations"
    form_class = DelegationForm
    form_title = _("Record a delegation of authority")

    def get_parent(self):
        parent_id = self.request.GET.get("parent") or self.request.POST.get("parent")
        if not parent_id or not str(parent_id).isdigit():
            return None
        return visible_or_404(Delegation, self.request.user, pk=parent_id)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["parent"] = self.parent = self.get_parent()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = getattr(self, "parent", None)
        return context


class DelegationUpdateView(TabsMixin, FormPageMixin, ScopedUpdateView):
    model = Delegation
    tab = "delegations"
    form_class = DelegationForm


class DelegationAcceptView(TabsMixin, TransitionView):
    """The delegatee accepts an instrument (an administrator records an acceptance made
    elsewhere, with its date)."""

    model = Delegation
    action = services.accept_delegation
    form_class = AcceptanceForm
    tab = "delegations"
    template_name = "accountability/delegation_accept.html"
    success_message = _("The delegation was accepted.")


class DelegationRevokeView(TabsMixin, TransitionView):
    """Revoke an instrument (and its sub-delegations), saying why."""

    model = Delegation
    action = services.revoke_delegation
    form_class = RevocationForm
    tab = "delegations"
    template_name = "accountability/delegation_revoke.html"
    success_message = _("The delegation was revoked.")


# --- Decisions ---------------------------------------------------------------------------------


class DecisionListView(TabsMixin, ScopedListView):
    """The decision log; decisions outside delegated authority are highlighted."""

    model = Decision
    tab = "decisions"
    title = _("Decisions")
    template_name = "accountability/decision_list.html"
    filterset_class = DecisionFilterSet
    export_name = "decisions"
    create_url_name = "accountability:decision_create"
    columns = [
        Column(_("Decided on"), "decided_on"),
        Column(_("Title"), "title", link=True),
        Column(_("Unit"), "unit.code"),
        Column(_("Decided by"), "decided_by_name"),
        Column(_("Area"), "get_area_display"),
        Column(_("Amount (USD)"), "amount"),
        Column(_("Delegation"), "delegation.reference"),
        Column(_("Authority"), "authority_label"),
        Column(_("Review"), "review_label"),
    ]

    def base_queryset(self):
        return Decision.objects.restrict(self.request.user, "view").select_related(
            "unit", "decided_by__person", "delegation"
        )


class DecisionDetailView(TabsMixin, ScopedDetailView):
    model = Decision
    tab = "decisions"
    template_name = "accountability/decision_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "decided_by__person", "delegation__delegatee", "reviewed_by")
            .prefetch_related("paragraphs", "attachments")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision, user = self.object, self.request.user
        outside = not decision.within_authority
        context.update(
            can_review=outside
            and not decision.review_outcome
            and actions.allowed(user, "review", decision),
            can_revise_review=outside
            and bool(decision.review_outcome)
            and actions.allowed(user, "revise_review", decision),
            review_form=ReviewForm(obj=decision),
            revise_review_form=ReviseReviewForm(obj=decision),
        )
        return context


class DecisionFormMixin:
    """The decision form with its live authority check (accountability.authority_check): the
    page says before saving whether the decision will be outside authority and why, and saving
    one outside authority ends with a warning, not the plain "Saved."."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        decided_by = form.instance.decided_by if form.instance.decided_by_id else None
        data = form.data if form.is_bound else self._initial_input(form)
        context["authority_check"] = authority_check.check_input(
            self.request.user, data, decided_by=decided_by
        )
        context["authority_check_url"] = reverse("accountability:decision_authority_check") + (
            f"?decision={form.instance.pk}" if form.instance.pk else ""
        )
        return context

    @staticmethod
    def _initial_input(form) -> dict:
        values = {}
        for name in ("decided_on", "area", "amount", "delegation"):
            value = form[name].value()
            values[name] = "" if value is None else str(getattr(value, "pk", value))
        return values

    def after_action(self, form) -> None:
        verdict = authority_check.check_decision(self.object)
        if verdict.within:
            messages.success(self.request, self.success_message)
            return
        messages.warning(
            self.request,
            _("Saved outside delegated authority: %(reasons)s The decision is flagged for review.")
            % {"reasons": " ".join(verdict.problems)},
        )


class DecisionCreateView(DecisionFormMixin, TabsMixin, FormPageMixin, ScopedCreateView):
    model = Decision
    tab = "decisions"
    form_class = DecisionForm
    template_name = "accountability/decision_form.html"


class DecisionUpdateView(DecisionFormMixin, TabsMixin, FormPageMixin, ScopedUpdateView):
    model = Decision
    tab = "decisions"
    form_class = DecisionForm
    template_name = "accountability/decision_form.html"


class DecisionAuthorityCheckView(LoginRequiredMixin, View):
    """htmx: the live authority check of the decision form for the values typed so far
    (`decision` names the decision being edited, whose decider the rule judges)."""

    def get(self, request):
        decided_by = None
        pk = request.GET.get("decision", "")
        if pk.isdigit():
            decision = visible_or_404(Decision, request.user, pk=int(pk))
            decided_by = decision.decided_by
        verdict = authority_check.check_input(request.user, request.GET, decided_by=decided_by)
        return render(request, "accountability/_authority_check.html", {"authority_check": verdict})


class DecisionAttachmentView(LoginRequiredMixin, View):
    """Evidence filed with a decision, served to whoever may read the decision (never by a
    public media URL)."""

    def get(self, request, pk, attachment_pk):
        decision = visible_or_404(Decision, request.user, pk=pk)
        attachment = decision.attachments.filter(pk=attachment_pk).first()
        if attachment is None:
            raise Http404
        return FileResponse(
            attachment.file.open("rb"), as_attachment=True, filename=attachment.name
        )


class DecisionDelegationOptionsView(LoginRequiredMixin, View):
    """htmx: the <option>s of the delegation menu for the date typed in the decision form, for
    the person who decided (the signed-in user, or `for` when editing someone's decision)."""

    def get(self, request):
        day = parse_date(request.GET.get("decided_on", "") or "") or timezone.localdate()
        person = request.user
        offered = delegation_options(person, day)
        other = request.GET.get("for", "")
        if other.isdigit() and int(other) != request.user.pk:
            visible = Delegation.objects.restrict(request.user, "view")
            offered = visible.filter(pk__in=delegation_options(int(other), day).values("pk"))
        options = [(d.pk, delegation_label(d)) for d in offered]
        return render(
            request,
            "accountability/_delegation_options.html",
            {"options": options, "selected": request.GET.get("delegation", "")},
        )


class DecisionReviewView(TabsMixin, TransitionView):
    """Record the review of a decision outside authority."""

    model = Decision
    action = services.review_decision
    form_class = ReviewForm
    tab = "decisions"
    template_name = "accountability/decision_review.html"
    success_message = _("The review was recorded.")


class DecisionReviseReviewView(DecisionReviewView):
    """Revise the review of a decision, saying why (both findings stay in its history)."""

    action = services.revise_review
    form_class = ReviseReviewForm
    template_name = "accountability/decision_revise_review.html"
    success_message = _("The review was revised.")


# --- Commitments ------------------------------------------------------------------------------


class CommitmentListView(TabsMixin, ScopedListView):
    model = Commitment
    tab = "commitments"
    title = _("Commitments")
    template_name = "accountability/commitment_list.html"
    filterset_class = CommitmentFilterSet
    export_name = "commitments"
    create_url_name = "accountability:commitment_create"
    bulk_actions = [ASSIGN_OWNER]
    columns = [
        Column(_("Due on"), "due_on"),
        Column(_("Title"), "title", link=True),
        Column(_("Unit"), "unit.code"),
        Column(_("Owner"), "owner_name"),
        Column(_("Status"), "get_status_display"),
        Column(_("Honoured on"), "honoured_on"),
    ]

    def base_queryset(self):
        return Commitment.objects.restrict(self.request.user, "view").select_related(
            "unit", "owner__person"
        )


class CommitmentDetailView(TabsMixin, ScopedDetailView):
    model = Commitment
    tab = "commitments"
    template_name = "accountability/commitment_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "owner__person")
            .prefetch_related("paragraphs")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["transitions"] = list(
            self.object.transitions.select_related("changed_by").order_by("-id")
        )
        context["status_form"] = CommitmentStatusForm(
            obj=self.object, initial={"status": self.object.status}
        )
        context["can_change_status"] = actions.allowed(self.request.user, "status", self.object)
        return context


class CommitmentCreateView(TabsMixin, FormPageMixin, ScopedCreateView):
    model = Commitment
    tab = "commitments"
    form_class = CommitmentForm
    form_title = _("Record a commitment")


class CommitmentUpdateView(TabsMixin, FormPageMixin, ScopedUpdateView):
    model = Commitment
    tab = "commitments"
    form_class = CommitmentForm


class CommitmentStatusView(TabsMixin, TransitionView):
    """Move a commitment to a new status (the transition is kept)."""

    model = Commitment
    action = services.change_commitment_status
    form_class = CommitmentStatusForm
    tab = "commitments"
    template_name = "accountability/commitment_status.html"
    success_message = _("The status was changed.")


class FiguresView(LoginRequiredMixin, TemplateView):
    """Decisions, commitments and delegations per unit and in total for a period, for the units
    the user may see (what the paragraph 33 report rolls up for the whole Secretariat)."""

    template_name = "accountability/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        form = PeriodForm(self.request.GET or None)
        start, end = datetime.date(today.year, 1, 1), today
        if form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
        rows = unit_breakdown(start, end, units=readable_unit_ids(self.request.user))
        totals = {name: sum(row[name] for row in rows) for name in UNIT_FIELDS}
        totals["within_rate"] = rate(
            totals["decisions_logged"] - totals["decisions_outside_authority"],
            totals["decisions_logged"],
        )
        context.update(form=form, start=start, end=end, rows=rows, totals=totals, tab="figures")
        return context


def unit_register_redirect(request, code):
    """The delegation register of one unit (and the units below it)."""
    unit = get_object_or_404(OrgUnit, code=code)
    return HttpResponseRedirect(f"{reverse('accountability:delegation_list')}?within={unit.pk}")


__all__ = ["IndexView", "PersonListView", "PersonDetailView", "OrgUnitDetailView", "TemplateView"]


class KpiTableView(LoginRequiredMixin, TemplateView):
    """The KPI framework on delegated authority: every entity the user may read, each KPI's
    value against its target for a year and the year before (the trend)."""

    template_name = "accountability/kpi_table.html"
    entity_code: str | None = None

    def _year(self) -> int:
        today = timezone.localdate()
        raw = self.request.GET.get("year", "")
        if raw.isdigit() and 2000 <= int(raw) <= today.year:
            return int(raw)
        return today.year

    def get_context_data(self, **kwargs):
        from accountability import kpis

        context = super().get_context_data(**kwargs)
        year = self._year()
        today = timezone.localdate()
        periods = []
        for y in (year - 1, year):
            start, end = datetime.date(y, 1, 1), min(datetime.date(y, 12, 31), today)
            periods.append((y, kpis.kpi_table(start, end, readable_unit_ids(self.request.user))))
        entities = [row["entity"] for row in periods[-1][1]]
        code = kwargs.get("code")
        if code is not None:
            if code not in entities:
                raise Http404
            entities = [code]
        by_entity = {p[0]: {row["entity"]: row for row in p[1]} for p in periods}
        rows = []
        for entity in entities:
            current = by_entity[year][entity]
            rows.append(
                {
                    "entity": entity,
                    "name": current["name"],
                    "kpis": [
                        {
                            "kpi": k,
                            "previous": by_entity[year - 1]
                            .get(entity, {})
                            .get("kpis", {})
                            .get(k.code),
                            "current": current["kpis"][k.code],
                        }
                        for k in kpis.ALL_KPIS
                    ],
                }
            )
        context.update(
            year=year,
            previous_year=year - 1,
            rows=rows,
            kpis=kpis.ALL_KPIS,
            entity=code,
            can_enter=code is not None
            and recordable_units(self.request.user).filter(code=code).exists(),
            tab="kpis",
        )
        return context


class KpiEntryCreateView(TabsMixin, FormPageMixin, ScopedCreateView):
    """Enter the value of a KPI whose data lives elsewhere, with its evidence, for an entity."""

    model = KpiEntry
    tab = "kpis"
    form_class = KpiEntryForm
    form_title = _("Enter a KPI with its evidence")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.entity = get_object_or_404(
            recordable_units(self.request.user), code=self.kwargs["code"]
        )
        kwargs["entity"] = self.entity
        return kwargs

    def get_success_url(self):
        return reverse("accountability:kpi_entity", args=[self.entity.code]) + (
            f"?year={self.object.year}"
        )


class MyAuthorityView(LoginRequiredMixin, TemplateView):
    """ "My authority": what the user holds (from whom, until when), what they sub-delegated and
    what awaits their acceptance."""

    template_name = "accountability/my_authority.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        visible = Delegation.objects.restrict(user, "view").select_related(
            "unit", "delegator__person", "delegatee__person", "parent"
        )
        in_force = (Q(revoked_on__isnull=True) | Q(revoked_on__gt=today)) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        # What the user held and no longer holds: expired or revoked, with the day it ended
        # (revoked_on is the first day without authority; valid_to the last day with it).
        ended = list(
            visible.filter(delegatee=user)
            .filter(Q(revoked_on__lte=today) | Q(valid_to__lt=today))
            .order_by("-valid_from", "-pk")[:100]
        )
        for delegation in ended:
            if delegation.revoked_on is not None and delegation.revoked_on <= today:
                delegation.ended_on = delegation.revoked_on - datetime.timedelta(days=1)
                delegation.ended_because = delegation.revocation_reason or _("Revoked")
                if delegation.valid_to is not None and delegation.valid_to < delegation.ended_on:
                    delegation.ended_on = delegation.valid_to
                    delegation.ended_because = _("Expired")
            else:
                delegation.ended_on = delegation.valid_to
                delegation.ended_because = _("Expired")
        ended.sort(key=lambda d: (d.ended_on, d.pk), reverse=True)
        context.update(
            tab="my_authority",
            ended=ended,
            language_form=NoticeLanguageForm(initial={"language": notice_language(user)}),
            held=list(
                visible.filter(in_force, delegatee=user, accepted_on__isnull=False).order_by(
                    "area", "valid_to"
                )
            ),
            awaiting=list(
                visible.filter(in_force, delegatee=user, accepted_on__isnull=True).order_by(
                    "valid_from"
                )
            ),
            sub_delegated=list(
                visible.filter(in_force, delegator=user, parent__isnull=False).order_by(
                    "area", "valid_to"
                )
            ),
            today=today,
        )
        return context


class NoticeLanguageView(LoginRequiredMixin, View):
    """The signed-in user chooses the language of their delegation notices (their own only)."""

    def post(self, request):
        form = NoticeLanguageForm(request.POST)
        if form.is_valid():
            services.set_notice_language(request.user, form.cleaned_data["language"])
            messages.success(request, _("Your notices will be written in this language."))
        else:
            messages.error(request, _("Choose one of the offered languages."))
        return HttpResponseRedirect(reverse("accountability:my_authority"))


class ImportView(imports.ImportView):
    """Upload instruments or decisions, see what the file would do (rows to create, to update,
    unchanged, every error by row and column), check it again or confirm it, land on the imported
    rows (core.imports). Both steps call the importer the API calls, the first as a preview."""

    kinds = {
        "delegations": (
            Delegation,
            "accountability.importer:delegations_for_page",
            importer.DELEGATION_COLUMNS,
            importer.DELEGATION_OPTIONAL,
            "accountability:delegation_list",
            _("Import delegations of authority"),
            _(
                "Instruments are matched on their reference: importing the same file again "
                "changes nothing, an edited file updates the instrument through the same rules "
                "as the register (chain of authority, reserved matters, acceptance)."
            ),
            _("Instrument"),
        ),
        "decisions": (
            Decision,
            "accountability.importer:decisions_for_page",
            importer.DECISION_COLUMNS,
            importer.DECISION_OPTIONAL,
            "accountability:decision_list",
            _("Import decisions"),
            _(
                "Decisions are matched on their unit and reference (without a reference: unit, "
                "person, date and title): importing the same file again changes nothing, an "
                "edited file updates. A decision outside delegated authority is imported and "
                "flagged for review, never refused."
            ),
            _("Decision"),
        ),
    }
    kind = ""
    form_class = ImportForm
    refusal = _("You may not create these records.")
    tabs_template = "accountability/_tabs.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        (
            self.model,
            self.spec,
            self.columns,
            self.optional_columns,
            self.list_url_name,
            self.title,
            self.intro,
            self.label_heading,
        ) = self.kinds[self.kind]
        self.tab = self.kind
