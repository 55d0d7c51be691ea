from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from core import labels, registry
        from risk import choices, metrics, services  # noqa: F401 (services: the actions register)

        registry.dashboard_card(metrics.dashboard_cards)
        registry.paragraph_evidence(metrics.paragraph_evidence)
        for kind, values in {
            "risk_category": choices.RiskCategory,
            "risk_response": choices.RiskResponse,
            "risk_band": choices.Band,
            "treatment_status": choices.TreatmentStatus,
            "control_kind": choices.ControlKind,
            "control_frequency": choices.ControlFrequency,
            "controltest_result": choices.TestResult,
            "deficiency_status": choices.DeficiencyStatus,
            "selfassessment_conclusion": choices.Conclusion,
            "procurementcase_status": choices.CaseStatus,
            "recoverycase_finding": choices.Finding,
            "recoveryaction_kind": choices.RecoveryKind,
            "deficiency_severity": choices.DeficiencySeverity,
            "statement_status": choices.StatementStatus,
            "risk_trend": choices.Trend,
            "sanction_measure": choices.SanctionMeasure,
            "committee_outcome": choices.CommitteeOutcome,
            "referral_kind": choices.ReferralKind,
        }.items():
            labels.register(kind, values)
