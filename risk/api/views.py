from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from org.filters import UnitSubtreeFilter
from risk import services
from risk.api import serializers as s
from risk.choices import Band
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


class RiskFilter(filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code")
    owner = filters.CharFilter(field_name="owner__username")
    band = filters.ChoiceFilter(choices=Band.choices, method="filter_band")
    residual_band = filters.ChoiceFilter(choices=Band.choices, method="filter_band")
    reviewed_before = filters.DateFilter(field_name="reviewed_on", lookup_expr="lt")
    active = filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull")

    class Meta:
        model = Risk
        fields = [
            "unit",
            "owner",
            "category",
            "response",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
            "band",
            "residual_band",
            "reviewed_before",
            "active",
        ]

    def filter_band(self, queryset, name, value):
        return queryset.in_band(value, RatingScale.current(), residual=name == "residual_band")


class RiskViewSet(ScopedModelViewSet):
    """The enterprise risk register (para 30). `score` = likelihood × impact; `rating` is its band."""

    queryset = Risk.objects.all()
    serializer_class = s.RiskSerializer
    filterset_class = RiskFilter
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


class TreatmentFilter(filters.FilterSet):
    overdue = filters.BooleanFilter(method="filter_overdue")
    owner = filters.CharFilter(field_name="owner__username")

    class Meta:
        model = Treatment
        fields = ["risk", "status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class TreatmentViewSet(ScopedModelViewSet):
    queryset = Treatment.objects.all()
    serializer_class = s.TreatmentSerializer
    filterset_class = TreatmentFilter
    ordering_fields = ["id", "due_on"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("owner")


class ControlFilter(filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code")
    owner = filters.CharFilter(field_name="owner__username")

    class Meta:
        model = Control
        fields = ["unit", "owner", "kind", "frequency", "risks"]


class ControlViewSet(ScopedModelViewSet):
    """Internal controls and the risks they treat (para 31)."""

    queryset = Control.objects.all()
    serializer_class = s.ControlSerializer
    filterset_class = ControlFilter
    search_fields = ["title", "objective"]
    ordering_fields = ["id", "title"]
    ordering = ["-id"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "owner")
            .prefetch_related("risks", "paragraphs")
        )


class ControlTestViewSet(ScopedModelViewSet):
    queryset = ControlTest.objects.all()
    serializer_class = s.ControlTestSerializer
    filterset_fields = {
        "control": ["exact"],
        "result": ["exact"],
        "tested_on": ["exact", "gte", "lte"],
    }
    ordering_fields = ["id", "tested_on"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("tester")


class DeficiencyViewSet(ScopedModelViewSet):
    queryset = Deficiency.objects.all()
    serializer_class = s.DeficiencySerializer
    filterset_fields = {"test": ["exact"], "closed_on": ["isnull"]}
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("owner")


class SelfAssessmentViewSet(ScopedModelViewSet):
    """The yearly internal control self-assessment of a unit; its head certifies it with
    `POST .../{id}/certify/` (`conclusion`, `statement`)."""

    queryset = SelfAssessment.objects.all()
    serializer_class = s.SelfAssessmentSerializer
    filterset_fields = ["year"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "certified_by")

    @extend_schema(request=s.CertifySerializer, responses=s.SelfAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def certify(self, request, pk=None):
        assessment = self.get_object()
        form = s.CertifySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.certify_self_assessment(
            assessment, acting_user=request.user, **form.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)


class CaseFilter(filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code")
    flagged = filters.BooleanFilter(method="filter_flagged")

    class Meta:
        model = ProcurementCase
        fields = ["unit", "status", "flagged", "reference"]

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        flagged = ProcurementCase.objects.flagged().values("pk")
        return queryset.filter(pk__in=flagged) if value else queryset.exclude(pk__in=flagged)


class ProcurementCaseViewSet(ScopedModelViewSet):
    """Procurement cases and their panels (para 32). `flagged`: a panel member declared an interest
    in one of the vendors, or has made no declaration. A flagged case needs a clearance
    (`POST .../{id}/clear/` with a reason) before it can be awarded."""

    queryset = ProcurementCase.objects.all()
    serializer_class = s.ProcurementCaseSerializer
    filterset_class = CaseFilter
    search_fields = ["reference", "title"]
    ordering_fields = ["id", "opened_on", "value"]
    ordering = ["-id"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_flag()
            .select_related("unit", "cleared_by")
            .prefetch_related("vendors", "panel", "paragraphs")
        )

    @extend_schema(request=s.ClearanceSerializer, responses=s.ProcurementCaseSerializer)
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        case = self.get_object()
        form = s.ClearanceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            services.clear_case(
                case, acting_user=request.user, reason=form.validated_data["reason"]
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)


class DeclarationViewSet(ScopedModelViewSet):
    queryset = InterestDeclaration.objects.all()
    serializer_class = s.InterestDeclarationSerializer
    filterset_fields = {"case": ["exact"], "person__index_number": ["exact"], "vendor": ["exact"]}
    ordering_fields = ["id", "declared_on"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("person")


class RecoveryCaseViewSet(ScopedModelViewSet):
    """Misconduct findings and the losses recovered (paras 17, 32). Setting `amount_recovered`
    records the difference as a correction; `recovery-actions` record amounts over time."""

    queryset = RecoveryCase.objects.all()
    serializer_class = s.RecoveryCaseSerializer
    filterset_fields = {
        "finding": ["exact"],
        "unit__code": ["exact"],
        "opened_on": ["gte", "lte"],
        "closed_on": ["isnull"],
    }
    search_fields = ["reference", "title"]
    ordering_fields = ["id", "opened_on", "amount_lost"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("unit").prefetch_related("paragraphs")


class RecoveryActionViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Amounts recovered over time. Append-only: a mistake is put right with a `correction`."""

    queryset = RecoveryAction.objects.all()
    serializer_class = s.RecoveryActionSerializer
    filterset_fields = ["case", "kind"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)
