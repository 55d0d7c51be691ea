"""The API of the Secretariat-wide controls (issue 15): the statement of internal control, the
critical risk register, vendor sanctions, committee on contracts reviews, and the referral of
recovery cases. Writes and transitions go through risk.services' named actions."""

from django.utils import timezone
from django.utils.dateparse import parse_date
from rest_framework import serializers

from core.api.serializers import ActionModelSerializer
from core.api.viewsets import ActionModelViewSet, Transition
from org.api.serializers import PersonIndexField, PolicyFieldsMixin, UnitCodeField
from risk import filtersets, metrics, services
from risk.api.serializers import VisibleRelatedField
from risk.choices import Band, StatementStatus, Trend
from risk.models import (
    ContractsReview,
    CriticalRisk,
    InternalControlStatement,
    ProcurementCase,
    RatingScale,
    Risk,
    VendorSanction,
)

# --- Serializers --------------------------------------------------------------------------------


class StatementSerializer(PolicyFieldsMixin, ActionModelSerializer):
    """`rollup`: units expected to certify and certified, conclusions, and the significant
    deficiencies as at the year's end; live while a draft, as stored once issued."""

    status = serializers.ChoiceField(choices=StatementStatus.choices, read_only=True)
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    rollup = serializers.SerializerMethodField()

    class Meta:
        model = InternalControlStatement
        fields = ["id", "year", "text", "status", "issued_on", "issued_by", "rollup", "version"]
        read_only_fields = ["issued_on"]

    def get_rollup(self, statement) -> dict:
        # A list shows the stored figures only; the live roll-up of a draft is read one at a time.
        if statement.is_issued or getattr(self.context.get("view"), "action", None) != "list":
            return statement.figures()
        return {}


class IssueStatementSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


class CriticalRiskSerializer(PolicyFieldsMixin, ActionModelSerializer):
    """`rating`, `band` and `trend` are as at `?as_of=` (default today), from the risk's dated
    assessments (risk.metrics.with_trend)."""

    risk = VisibleRelatedField(queryset=Risk.objects.all())
    risk_title = serializers.CharField(source="risk.title", read_only=True)
    unit = serializers.CharField(source="risk.unit.code", read_only=True)
    owner_unit = UnitCodeField()
    accountable_manager = PersonIndexField("assign")
    flagged_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    score = serializers.IntegerField(source="at_score", read_only=True, allow_null=True)
    band = serializers.ChoiceField(
        source="at_band", choices=Band.choices, read_only=True, allow_blank=True
    )
    previous_score = serializers.IntegerField(read_only=True, allow_null=True)
    trend = serializers.ChoiceField(choices=Trend.choices, read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = CriticalRisk
        fields = [
            "id",
            "risk",
            "risk_title",
            "unit",
            "owner_unit",
            "accountable_manager",
            "treatment",
            "flagged_on",
            "flagged_by",
            "score",
            "band",
            "previous_score",
            "trend",
            "is_active",
            "withdrawn_on",
            "withdrawal_reason",
            "version",
        ]


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()
    withdrawn_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class VendorSanctionSerializer(PolicyFieldsMixin, ActionModelSerializer):
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = VendorSanction
        fields = [
            "id",
            "vendor",
            "measure",
            "sanctioned_from",
            "sanctioned_to",
            "reason",
            "decided_by",
            "in_force",
            "version",
        ]

    def get_in_force(self, sanction) -> bool:
        return sanction.in_force_on(timezone.localdate())


class ContractsReviewSerializer(ActionModelSerializer):
    case = VisibleRelatedField(queryset=ProcurementCase.objects.all())

    class Meta:
        model = ContractsReview
        fields = ["id", "case", "reviewed_on", "reference", "outcome", "recommendation", "version"]


# --- Viewsets -----------------------------------------------------------------------------------


class StatementViewSet(ActionModelViewSet):
    """The Secretariat's statement of internal control per year (paras 30-31), written and issued
    by administrators (`POST .../{id}/issue/`, after the year's end); an issued statement keeps
    the roll-up it was issued with."""

    queryset = InternalControlStatement.objects.select_related("issued_by")
    serializer_class = StatementSerializer
    filterset_class = filtersets.StatementFilterSet
    ordering_fields = ["id", "year"]
    ordering = ["-year"]
    transitions = {"issue": Transition(services.issue_statement, IssueStatementSerializer)}


def as_of_date(request):
    """`?as_of=` when it is a date (the filterset answers 400 otherwise), else today."""
    return parse_date(request.query_params.get("as_of") or "") or timezone.localdate()


class CriticalRiskViewSet(ActionModelViewSet):
    """The Secretariat-wide critical risk register: a risk flagged by an administrator (POST),
    with its owner unit, accountable manager and treatment; `POST .../{id}/withdraw/` with a
    reason takes it off. Filters: `as_of`, `unit`, `within`, `owner_unit`, `band`, `trend`."""

    queryset = CriticalRisk.objects.all()
    serializer_class = CriticalRiskSerializer
    filterset_class = filtersets.CriticalRiskFilterSet
    ordering_fields = ["id", "flagged_on", "at_score"]
    ordering = ["-id"]
    transitions = {"withdraw": Transition(services.withdraw_critical_risk, WithdrawSerializer)}

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("risk__unit", "owner_unit", "accountable_manager", "flagged_by")
        )
        self.scale = RatingScale.current()
        return metrics.with_trend(
            queryset,
            as_of_date(self.request),
            self.scale,
            prefix="risk__",
            selected=not self._page_only(),
        )

    def _page_only(self) -> bool:
        # A list page's band and trend are given to its rows (set_band_and_trend), not selected.
        return getattr(self, "action", None) == "list" and self.paginator is not None

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self._page_only():
            metrics.set_band_and_trend(page, self.scale)
        return page

    def _reload(self, serializer):
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._reload(serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._reload(serializer)


class VendorSanctionViewSet(ActionModelViewSet):
    """Measures against vendors (para 32), recorded by administrators: a suspension or debarment
    in force bars the vendor from any award (`award` answers 400); a censure does not."""

    queryset = VendorSanction.objects.select_related("decided_by")
    serializer_class = VendorSanctionSerializer
    filterset_class = filtersets.VendorSanctionFilterSet
    search_fields = ["vendor"]
    ordering_fields = ["id", "sanctioned_from", "vendor"]
    ordering = ["-id"]


class ContractsReviewViewSet(ActionModelViewSet):
    """Committee on contracts reviews, recorded by administrators: a case above the threshold
    (setting CONTRACTS_COMMITTEE_THRESHOLD_USD) is awarded only after one recommending it."""

    queryset = ContractsReview.objects.all()
    serializer_class = ContractsReviewSerializer
    filterset_class = filtersets.ContractsReviewFilterSet
    ordering_fields = ["id", "reviewed_on"]
    ordering = ["-id"]
