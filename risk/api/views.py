"""The risk API: one ActionModelViewSet per model; filters from risk.filtersets; writes and
transitions through the named actions of risk.services."""

from collections import namedtuple

from django.db.models import Prefetch
from django.db.models.constants import LOOKUP_SEP

from core.api.lean import LEAN_PREFIX
from core.api.viewsets import ActionModelViewSet, Transition, lean_list_page
from core.reads import ReadLoggedMixin
from org.policies import hidden_fields
from risk import filtersets, services
from risk.api import serializers as s
from risk.models import (
    Control,
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RatingScale,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
    Vendor,
)


def _related_ordering(model, prefix: str) -> list[str]:
    """`model`'s default ordering, as seen from a row holding it at `prefix`."""
    ordering = []
    for term in model._meta.ordering:
        descending = term.startswith("-")
        ordering.append(("-" if descending else "") + prefix + LOOKUP_SEP + term.lstrip("-"))
    return ordering


def m2m_column(model, relation: str, column: str):
    """A page reader of a many-to-many relation printed by one column of the related rows (a
    paragraph's number; `pk`: the key alone): the (row id, related row) pairs of the page's rows,
    from the link table, in the related model's order."""
    descriptor = getattr(model, relation)
    field = descriptor.rel.field if descriptor.reverse else descriptor.field
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    if descriptor.reverse:
        source, target = target, source
    related = getattr(field.remote_field.through, target).field.related_model
    row = namedtuple("Row", ["pk"] if column == "pk" else ["pk", column])
    columns = [f"{target}_id"] if column == "pk" else [f"{target}_id", f"{target}__{column}"]
    # The related model's order, then the key: rows equal in that order (two panel members of
    # the same name) come in one order on every page.
    ordering = [*_related_ordering(related, target), f"{target}_id"]

    def read(ids):
        links = (
            field.remote_field.through.objects.filter(**{f"{source}_id__in": ids})
            .order_by(*ordering)
            .values_list(f"{source}_id", *columns)
        )
        return ((link[0], row._make(link[1:])) for link in links)

    return read


_Vendor = namedtuple("Vendor", ["pk", "name"])


def vendor_names(ids):
    """The vendors of the page's procurement cases (VendorNamesField prints their names)."""
    rows = Vendor.objects.filter(case_id__in=ids).order_by(*Vendor._meta.ordering)
    for case_id, *vendor in rows.values_list("case_id", "pk", "name"):
        yield case_id, _Vendor._make(vendor)


class PageRelationsMixin:
    """A list page's to-many relations that print one column of the related rows (a
    paragraph's number, a control's id, a panel member's index number), read as (row id,
    related row) pairs into the plain lists core.api.lean's plan reads: one query a relation, as
    the prefetch, without the model instance and key tuple Django's prefetch built for every
    related row (about 4 ms of a page of 50 risks and their 164 controls). `page_relations`:
    {relation: reader(page ids)}. Other actions keep the viewset's prefetches."""

    page_relations: dict = {}

    def paginate_queryset(self, queryset):
        if not lean_list_page(self):
            return super().paginate_queryset(queryset)
        kept = [
            lookup
            for lookup in queryset._prefetch_related_lookups
            if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup)
            not in self.page_relations
        ]
        page = super().paginate_queryset(queryset.prefetch_related(None).prefetch_related(*kept))
        if page:
            ids = [row.pk for row in page]
            # A relation the reader's policy hides (a panel, from GA staff) is blanked: not read.
            hidden = hidden_fields(queryset.model, self.request.user)
            for relation, read in self.page_relations.items():
                found = {pk: [] for pk in ids}
                for pk, related in () if relation in hidden else read(ids):
                    found[pk].append(related)
                for row in page:
                    row.__dict__[LEAN_PREFIX + relation] = found[row.pk]
        return page


class RiskViewSet(PageRelationsMixin, ActionModelViewSet):
    """The enterprise risk register (para 30). `score` = likelihood × impact; `rating` is its band."""

    queryset = Risk.objects.all()
    serializer_class = s.RiskSerializer
    filterset_class = filtersets.RiskFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["id", "score", "residual_score", "reviewed_on", "identified_on"]
    ordering = ["-id"]
    page_relations = {
        "paragraphs": m2m_column(Risk, "paragraphs", "number"),
        "controls": m2m_column(Risk, "controls", "pk"),
    }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_bands(RatingScale.current())
            .select_related("unit", "owner")
            .prefetch_related("paragraphs", "controls")
        )


class TreatmentViewSet(ActionModelViewSet):
    queryset = Treatment.objects.select_related("owner")
    serializer_class = s.TreatmentSerializer
    filterset_class = filtersets.TreatmentFilterSet
    ordering_fields = ["id", "due_on"]
    ordering = ["-id"]


class ControlViewSet(PageRelationsMixin, ActionModelViewSet):
    """Internal controls and the risks they treat (para 31)."""

    queryset = Control.objects.select_related("unit", "owner").prefetch_related(
        "risks", "paragraphs"
    )
    serializer_class = s.ControlSerializer
    filterset_class = filtersets.ControlFilterSet
    search_fields = ["title", "objective"]
    ordering_fields = ["id", "title"]
    ordering = ["-id"]
    page_relations = {
        "risks": m2m_column(Control, "risks", "pk"),
        "paragraphs": m2m_column(Control, "paragraphs", "number"),
    }


class ControlTestViewSet(ActionModelViewSet):
    queryset = ControlTest.objects.select_related("tester")
    serializer_class = s.ControlTestSerializer
    filterset_class = filtersets.ControlTestFilterSet
    ordering_fields = ["id", "tested_on"]
    ordering = ["-id"]


class DeficiencyViewSet(ActionModelViewSet):
    """Control deficiencies. A deficiency is closed with `POST .../{id}/close/` (`closed_on`,
    optional `remediation`), once its remediation is recorded."""

    queryset = Deficiency.objects.select_related("owner")
    serializer_class = s.DeficiencySerializer
    filterset_class = filtersets.DeficiencyFilterSet
    ordering = ["-id"]
    transitions = {"close": Transition(services.close_deficiency, s.CloseDeficiencySerializer)}


class SelfAssessmentViewSet(ActionModelViewSet):
    """The yearly internal control self-assessment of a unit; its head certifies it with
    `POST .../{id}/certify/` (`conclusion`, `statement`)."""

    queryset = SelfAssessment.objects.select_related("unit", "certified_by")
    serializer_class = s.SelfAssessmentSerializer
    filterset_class = filtersets.SelfAssessmentFilterSet
    ordering = ["-id"]
    transitions = {"certify": Transition(services.certify_self_assessment, s.CertifySerializer)}


class ProcurementCaseViewSet(PageRelationsMixin, ActionModelViewSet):
    """Procurement cases and their panels (para 32). `flagged`: a panel member declared an interest
    in one of the vendors, or has made no declaration. A flagged case needs a clearance
    (`POST .../{id}/clear/` with a reason) before it is awarded (`POST .../{id}/award/`); an
    awarded case is reopened with `POST .../{id}/reopen/` and a reason."""

    queryset = ProcurementCase.objects.all()
    serializer_class = s.ProcurementCaseSerializer
    filterset_class = filtersets.ProcurementCaseFilterSet
    search_fields = ["reference", "title"]
    ordering_fields = ["id", "opened_on", "value"]
    ordering = ["-id"]
    page_relations = {
        "vendors": vendor_names,
        "panel": m2m_column(ProcurementCase, "panel", "index_number"),
        "paragraphs": m2m_column(ProcurementCase, "paragraphs", "number"),
    }
    transitions = {
        "award": Transition(services.award_case, s.AwardSerializer),
        "clear": Transition(services.clear_case, s.ClearanceSerializer),
        "reopen": Transition(services.reopen_case, s.ReopenSerializer),
    }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_flag()
            .select_related("unit", "cleared_by")
            .prefetch_related("vendors", "panel", "paragraphs")
        )

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class DeclarationViewSet(ReadLoggedMixin, ActionModelViewSet):
    queryset = InterestDeclaration.objects.select_related("person")
    serializer_class = s.InterestDeclarationSerializer
    filterset_class = filtersets.InterestDeclarationFilterSet
    ordering_fields = ["id", "declared_on"]
    ordering = ["-id"]


class RecoveryCaseViewSet(PageRelationsMixin, ActionModelViewSet):
    """Misconduct findings and the losses recovered (paras 17, 32). Setting `amount_recovered`
    records the difference as a correction; `recovery-actions` record amounts over time.
    `POST .../{id}/refer/` (`to`: disciplinary or national, `referred_on`, `authority`, `note`)
    refers the case for disciplinary action or to national authorities."""

    queryset = RecoveryCase.objects.select_related("unit").prefetch_related("paragraphs")
    serializer_class = s.RecoveryCaseSerializer
    filterset_class = filtersets.RecoveryCaseFilterSet
    search_fields = ["reference", "title"]
    ordering_fields = ["id", "opened_on", "amount_lost"]
    ordering = ["-id"]
    page_relations = {"paragraphs": m2m_column(RecoveryCase, "paragraphs", "number")}
    transitions = {"refer": Transition(services.refer_recovery_case, s.ReferSerializer)}


class RecoveryActionViewSet(ActionModelViewSet):
    """Amounts recovered over time. Append-only: a mistake is put right with a `correction`."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = RecoveryAction.objects.all()
    serializer_class = s.RecoveryActionSerializer
    filterset_class = filtersets.RecoveryActionFilterSet
    ordering = ["-id"]
