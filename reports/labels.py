"""Display labels of the figures the apps' metrics.py give the report. The snapshot stores the
label in the report's language next to each key, so a rendering needs nothing but the snapshot.

FIGURE_LABELS names figures. A key that is a *code* (a recommendation status under `by_body`, a
rating under `rating_distribution`, a risk category...) and the status of a measure's items are
labelled by the one label registry, core.labels, so the report says what the pages say."""

import re

from django.utils.translation import gettext_lazy as _

from core import labels

FIGURE_LABELS = {
    # A: decisions and commitments
    "decisions_logged": _("Decisions logged"),
    "decisions_within_authority": _("Decisions within delegated authority"),
    "decisions_within_authority_rate": _("Share of decisions within delegated authority (%)"),
    "commitments_due": _("Commitments due"),
    "commitments_honoured": _("Commitments honoured"),
    "commitments_honoured_on_time": _("Commitments honoured on time"),
    "commitments_honoured_on_time_rate": _("Commitments honoured on time (%)"),
    "commitments_missed": _("Commitments missed"),
    "commitments_open": _("Commitments open"),
    # B, H, I: results-based management
    "indicators": _("Indicators"),
    "indicators_total": _("Indicators"),
    "indicator_results": _("Indicator results"),
    "indicators_with_results": _("Indicators with results"),
    "targets_met": _("Targets met"),
    "targets_met_rate": _("Targets met (%)"),
    "units_with_indicators": _("Units with indicators"),
    "rbm_coverage_rate": _("Results-based management coverage (%)"),
    "trend": _("Trend"),
    "by_period": _("By budget period"),
    # C: oversight
    "by_body": _("Recommendations by oversight body"),
    "by_priority": _("Recommendations by priority"),
    "ageing": _("Ageing of open recommendations"),
    "total": _("Total"),
    "issued": _("Issued"),
    "accepted": _("Accepted"),
    "overdue": _("Overdue"),
    "implementation_rate": _("Implementation rate (%)"),
    "recommendations_total": _("Recommendations"),
    "reports_issued": _("Oversight reports issued"),
    # D, E, F: compacts, appraisals, misconduct
    "appraisal_compliance_rate": _("Appraisal compliance (%)"),
    "appraisals_due": _("Appraisals due"),
    "appraisals_completed": _("Appraisals completed"),
    "appraisals_on_time": _("Appraisals completed on time"),
    "compacts_signed": _("Senior managers' compacts signed"),
    "compacts_assessed": _("Senior managers' compacts assessed"),
    "underperformance_cases": _("Underperformance cases"),
    "underperformance_handled": _("Underperformance cases handled"),
    "mpb_findings_open": _("Management Performance Board findings open"),
    "mpb_findings_closed": _("Management Performance Board findings closed"),
    "misconduct_findings": _("Misconduct findings"),
    "rating_distribution": _("Rating distribution"),
    "senior_appointments": _("Senior appointments"),
    # G: delegation of authority
    "delegations_issued": _("Delegation instruments issued"),
    "delegations_active": _("Delegation instruments active"),
    "delegations_revoked": _("Delegation instruments revoked"),
    "kpi_by_entity": _("Key performance indicators on delegated authority, by entity"),
    "decisions_outside_authority": _("Decisions outside delegated authority"),
    "outside_authority_reviews": _("Reviews of decisions outside authority"),
    "actions_taken": _("Actions taken"),
    # J: risk and internal control
    "units_with_current_register": _("Units with a current risk register"),
    "risks_by_band": _("Risks by rating"),
    "risks_by_category": _("Risks by category"),
    "treatments_overdue": _("Risk treatments overdue"),
    "controls_tested": _("Controls tested"),
    "controls_effective": _("Controls effective"),
    "open_deficiencies": _("Open control deficiencies"),
    "heat_map": _("Risk heat map"),
    # K: procurement and recovery
    "procurement_cases": _("Procurement cases"),
    "procurement_cases_flagged": _("Procurement cases flagged for conflict of interest"),
    "declarations": _("Conflict-of-interest declarations"),
    "interest_declarations": _("Conflict-of-interest declarations"),
    "amount_lost": _("Amount lost (US$)"),
    "amount_recovered": _("Amount recovered (US$)"),
    "recovery_cases": _("Recovery cases"),
    "recovery_cases_open": _("Recovery cases open"),
    "recovery_cases_closed": _("Recovery cases closed"),
    "recovery_rate": _("Recovery rate (%)"),
    # Headline figures
    "recommendations_implementation_rate": _("Oversight recommendations implemented (%)"),
    "recommendations_overdue": _("Oversight recommendations overdue"),
    # Further figures the apps give (see each app's metrics.py)
    "decisions_amount": _("Amount of decisions (US$)"),
    "decisions_by_unit": _("Decisions by unit"),
    "accountability_by_unit": _("Accountability figures by unit"),
    "unit": _("Unit"),
    "decisions_outside_authority_amount": _("Amount of decisions outside authority (US$)"),
    "commitments_cancelled": _("Commitments cancelled"),
    "commitments_honoured_late": _("Commitments honoured late"),
    "delegations_expiring": _("Delegation instruments expiring"),
    "delegations_sub_delegated": _("Delegation instruments sub-delegated"),
    "outside_authority_actions_taken": _("Actions taken on decisions outside authority"),
    "recommendations_accepted": _("Recommendations accepted"),
    "recommendations_ageing": _("Ageing of open recommendations"),
    "recommendations_by_year": _("Recommendations by year of issue"),
    "recommendations_critical_overdue": _("Critical recommendations overdue"),
    "recommendations_implemented": _("Recommendations implemented"),
    "recommendations_issued_in_period": _("Recommendations issued in the period"),
    "recommendations_under_implementation": _("Recommendations under implementation"),
    "under_1_year": _("Under 1 year"),
    "1_to_2_years": _("1 to 2 years"),
    "over_2_years": _("Over 2 years"),
    "none": _("No priority"),
    "year": _("Year"),
    "period": _("Period"),
    "cycle": _("Cycle"),
    "due": _("Due"),
    "count": _("Count"),
    "pending": _("Pending"),
    "results": _("Results"),
    "target_met": _("Targets met"),
    "target_met_rate": _("Targets met (%)"),
    "compliance_rate": _("Compliance (%)"),
    "indicator_results_by_period": _("Indicator results by budget period"),
    "indicator_results_in_period": _("Indicator results in the period"),
    "indicator_targets_met_in_period": _("Indicator targets met in the period"),
    "indicator_target_met_rate": _("Indicator targets met (%)"),
    "efficiency_measures": _("Efficiency measures"),
    "results_trend": _("Trend of results"),
    "appraisal_compliance_by_cycle": _("Appraisal compliance by cycle"),
    "appraisal_rated": _("Appraisals rated"),
    "appraisal_rating_distribution": _("Appraisal rating distribution"),
    "appraisal_rebuttals": _("Appraisal rebuttals"),
    "appraisals_completed_on_time": _("Appraisals completed on time"),
    "appraisals_recorded": _("Appraisals recorded"),
    "compacts_total": _("Compacts"),
    "senior_managers_with_compact": _("Senior managers with a compact"),
    "mpb_findings": _("Management Performance Board findings"),
    "underperformance_cases_opened": _("Underperformance cases opened"),
    "underperformance_cases_closed": _("Underperformance cases closed"),
    "underperformance_ratings": _("Underperformance ratings"),
    "misconduct_findings_by_type": _("Misconduct findings by type"),
    "rbm_indicator_reporting_rate": _("Indicators reporting results (%)"),
    "rbm_indicators": _("Results-based management indicators"),
    "rbm_indicators_with_results": _("Indicators with results"),
    "rbm_responsible_senior_manager": _("Senior manager responsible for results-based management"),
    "rbm_results_recorded": _("Results recorded"),
    "rbm_targets_met": _("Targets met"),
    "rbm_units_reporting_results": _("Units reporting results"),
    "rbm_units_with_indicators": _("Units with indicators"),
    "units_with_risk_register": _("Units with a risk register"),
    "risks_total": _("Risks"),
    "risks_by_residual_band": _("Risks by residual rating"),
    "controls_total": _("Controls"),
    "controls_effective_rate": _("Controls effective (%)"),
    "control_tests": _("Control tests in the period"),
    "procurement_cases_cleared": _("Flagged procurement cases cleared"),
    "procurement_value": _("Value of procurement cases (US$)"),
    "declarations_of_interest": _("Declarations of an interest"),
    "amount_outstanding": _("Amount outstanding at the period end (US$)"),
    "senior_managers_required_compact": _("Senior managers required to have a compact"),
    "compact_coverage_rate": _("Compact coverage (%)"),
    "acceptance_rate": _("Acceptance rate (%)"),
    "implementation_rate_of_accepted": _("Implementation rate of accepted recommendations (%)"),
    "prior_period": _("Recommendations of prior periods"),
    "issued_in_period": _("Recommendations issued in the period"),
    "under_implementation": _("Under implementation"),
    "critical_past_due": _("Critical recommendations past due"),
    "amount_identified": _("Savings or recoveries identified (US$)"),
    "amount_realised": _("Savings or recoveries realised (US$)"),
    "days_past_due": _("Days past due"),
    "target_date": _("Target date"),
    "recovery_actions_in_period": _("Recovery actions in the period"),
    "amount_identified_in_period": _("Savings or recoveries identified in the period (US$)"),
    "amount_realised_in_period": _("Savings or recoveries realised in the period (US$)"),
    "critical": _("Critical recommendations"),
    "important": _("Important recommendations"),
    "report": _("Report"),
    "body": _("Oversight body"),
    "number": _("Number"),
    "status": _("Status"),
    "latest_comment": _("Latest comment"),
    # the cells of the delegation KPI table (section G)
    "entity": _("Entity"),
    "name": _("Name"),
    "kpis": _("Key performance indicators"),
    "value": _("Value"),
    "numerator": _("Numerator"),
    "denominator": _("Denominator"),
    "target": _("Target (%)"),
    "entered": _("Entered with evidence"),
    "entry_id": _("Entry"),
}


# Label kinds (core.labels) of the codes found as keys below a figure: every key under the figure,
# at any depth, that is a code of the kind is labelled by the registry (`BOA` under `by_body` is
# not a status, so it keeps its own name).
CODE_KINDS = {
    "by_body": "recommendation_status",
    "by_priority": "recommendation_priority",
    "recommendations_by_priority": "recommendation_priority",
    "rating_distribution": "appraisal_rating",
    "appraisal_rating_distribution": "appraisal_rating",
    "underperformance_ratings": "appraisal_rating",
    "misconduct_findings": "recoverycase_finding",
    "misconduct_findings_by_type": "recoverycase_finding",
    "outside_authority_reviews": "decision_review_outcome",
    "risks_by_category": "risk_category",
    "risks_by_band": "risk_band",
    "risks_by_residual_band": "risk_band",
    "disciplinary_measures_by_kind": "disciplinarycase_measure",
    "disciplinary_cases_by_category": "disciplinarycase_category",
    "mandates_by_body": "mandating_body",
    "critical_risks_by_band": "risk_band",
    "critical_risks_by_trend": "risk_trend",
    "vendor_sanctions_by_measure": "sanction_measure",
}

# Label kinds of the `status` of each kind of measure item (the apps' paragraph_measures); an
# item may name its own with `status_kind`.
ITEM_STATUS_KINDS = {
    "decisions": "decision_authority",
    "decisions_misuse": "decision_review_outcome",
    "commitments": "commitment_status",
    "delegations": "delegation_state",
    "recommendations": "recommendation_status",
    "recommendations_overdue": "recommendation_status",
    "compacts": "compact_status",
    "mpb_findings": "boardfinding_status",
    "indicators": "indicator_kind",
    "recovery_cases": "recoverycase_finding",
    "recovery_cases_fraud": "recoverycase_finding",
    "risks_assessed": "risk_category",
    "control_tests": "controltest_result",
    "procurement_cases_flagged": "procurementcase_status",
}

_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _choices(kind: str):
    try:
        return labels.choices(kind)
    except KeyError:
        return None


def code_label(kind: str | None, code) -> str | None:
    """The registry's label of `code` when it is a code of `kind`; None otherwise."""
    if not kind or not isinstance(code, str) or code == "":
        return None
    found = _choices(kind)
    if found is None or code not in found.values:
        return None
    return labels.label(kind, code)


def item_status_label(measure_kind: str, item: dict) -> str:
    """How a measure item's status reads in the report: its label, never a raw code."""
    status = item.get("status")
    if status in (None, ""):
        return ""
    text = str(status)
    kind = item.get("status_kind") or ITEM_STATUS_KINDS.get(measure_kind)
    label = code_label(kind, text)
    if label is not None:
        return label
    if not _CODE.match(text):
        return text  # already a label (some apps give the display value)
    return label_for(text)


# Label kinds of figures whose value is a code.
VALUE_KINDS = {"results_trend": "indicator_trend"}
# Label kinds of the codes in a column of a list of records, by list: {list key: {column: kind}}.
LIST_VALUE_KINDS = {"critical_past_due": {"status": "recommendation_status"}}


def value_label(key: str, value: str) -> str:
    """How a figure whose value is text reads: a code as its label, other text as it is."""
    label = code_label(VALUE_KINDS.get(key), value)
    if label is not None:
        return label
    if not _CODE.match(value):
        return value
    return label_for(value)


def humanize(key: str) -> str:
    if key.isupper() or any(ch.isdigit() for ch in key) or "_" not in key and not key.islower():
        return key
    return key.replace("_", " ").capitalize()


def app_label(key: str):
    """The label an app's metrics module declares for one of its figures (`LABELS = {key:
    gettext_lazy(...)}` beside its `FIGURES`), so an app names its new figures in its own
    catalogue; None when no app does."""
    from reports.snapshot import _module, metric_modules

    for app in metric_modules():
        declared = getattr(_module(app), "LABELS", None) or {}
        if key in declared:
            return declared[key]
    return None


def label_for(key: str, kind: str | None = None) -> str:
    """A figure's label; with `kind`, a key that is a code of that kind reads as its label."""
    coded = code_label(kind, key)
    if coded is not None:
        return coded
    label = FIGURE_LABELS.get(key)
    if label is None:
        label = app_label(key)
    if label is None:
        from reports.governance_figures import LABELS as GOVERNANCE_LABELS

        label = GOVERNANCE_LABELS.get(key)
    return str(label) if label is not None else humanize(key)
