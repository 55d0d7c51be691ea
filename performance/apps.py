from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance")

    def ready(self) -> None:
        from core import labels, registry
        from performance import choices, dashboard, imports, reminders, services  # noqa: F401

        registry.dashboard_card(dashboard.cards)
        registry.paragraph_evidence(dashboard.evidence)
        from performance import metrics

        registry.provide("delegation_trained_users", metrics.delegation_trained_users)
        for kind, codes in (
            ("compact_status", choices.CompactStatus),
            ("compact_mpb_rating", choices.MPBRating),
            ("compactobjective_kind", choices.ObjectiveKind),
            ("compactobjective_outcome", choices.ObjectiveOutcome),
            ("boardfinding_status", choices.FindingStatus),
            ("appraisal_rating", choices.Rating),
            ("underperformancecase_outcome", choices.CaseOutcome),
            ("underperformancecase_rebuttal", choices.RebuttalOutcome),
            ("indicator_kind", choices.IndicatorKind),
            ("indicator_direction", choices.Direction),
            ("indicator_trend", choices.Trend),
            ("rbmresponsibility_status", choices.ResponsibilityStatus),
            ("course_area", choices.CourseArea),
            ("disciplinarycase_category", choices.DisciplinaryCategory),
            ("disciplinarycase_measure", choices.DisciplinaryMeasure),
            ("recognition_kind", choices.RecognitionKind),
        ):
            labels.register(kind, codes)
