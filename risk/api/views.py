"""The risk API: one ActionModelViewSet per model; filters from risk.filtersets; writes and
transitions through the named actions of risk.services."""

from core.api.viewsets import ActionModelViewSet, Transition
from core.reads import ReadLoggedMixin
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
)


class RiskViewSet(ActionModelViewSet):
    """The enterprise risk register (para 30). `score` = likelihood × impact; `rating` is its band."""

    queryset = Risk.objects.all()
    serializer_class = s.RiskSerializer
    filterset_class = filtersets.RiskFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["id", "score", "residual_score", "reviewed_on", "identified_on"]
    ordering = ["-id"]

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


class ControlViewSet(ActionModelViewSet):
    """Internal controls and the risks they treat (para 31)."""

    queryset = Control.objects.select_related("unit", "owner").prefetch_related(
        "risks", "paragraphs"
    )
    serializer_class = s.ControlSerializer
    filterset_class = filtersets.ControlFilterSet
    search_fields = ["title", "objective"]
    ordering_fields = ["id", "title"]
    ordering = ["-id"]


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


class ProcurementCaseViewSet(ActionModelViewSet):
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


class RecoveryCaseViewSet(ActionModelViewSet):
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
    transitions = {"refer": Transition(services.refer_recovery_case, s.ReferSerializer)}


class RecoveryActionViewSet(ActionModelViewSet):
    """Amounts recovered over time. Append-only: a mistake is put right with a `correction`."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = RecoveryAction.objects.all()
    serializer_class = s.RecoveryActionSerializer
    filterset_class = filtersets.RecoveryActionFilterSet
    ordering = ["-id"]
