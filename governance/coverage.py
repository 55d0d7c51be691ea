"""What answers each of the 33 operative paragraphs of resolution 64/259, as it stands: the
records behind the paragraph's measures in the report (the `kind` of each measure the apps'
`paragraph_measures` and governance give it), the report figures (methodology keys) that answer
it, and, for every paragraph that asks something, the accountable office's assessment.

docs/paragraph-coverage.md is rendered from this registry (`manage.py paragraph_coverage`), and
governance/tests/test_coverage.py checks the registry against the measures the report really
gives on the demo data and the figures its methodology defines, so neither can drift.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Coverage:
    answers: str  # what the tracker holds that answers the paragraph, in words
    measures: tuple[str, ...] = ()  # measure kinds in the report's paragraph entry
    figures: tuple[str, ...] = ()  # report figures (methodology keys)
    asks: bool = True  # False: the paragraph takes note, endorses or reaffirms


NOTHING_ASKED = "%s: asks nothing of the Secretariat, no measure is expected"

COVERAGE: dict[int, Coverage] = {
    1: Coverage(NOTHING_ASKED % "Takes note of the report", asks=False),
    2: Coverage(NOTHING_ASKED % "Endorses the ACABQ's conclusions", asks=False),
    3: Coverage(NOTHING_ASKED % "Reaffirms the Assembly's role", asks=False),
    4: Coverage(
        "JIU reports and their recommendations (oversight), consultations with the JIU",
        ("oversight_reports",),
        ("by_body", "consultations_by_body"),
    ),
    5: Coverage(
        "Oversight reports; consultations with OIOS, the Board, the JIU and the IAAC",
        ("oversight_reports",),
        ("consultations_with_oversight_bodies", "consultations_by_body"),
    ),
    6: Coverage(
        "Mandatory courses and completions by unit (ethics, fraud, delegation of authority, "
        "results-based management)",
        ("mandatory_courses",),
        ("learning_mandatory_completion_rate", "learning_staff_fully_trained_rate"),
    ),
    7: Coverage(
        "Decisions reviewed when outside delegated authority; internal controls tested",
        (),
        ("decisions_outside_authority", "outside_authority_reviews", "controls_effective_rate"),
    ),
    8: Coverage(
        "Decisions logged; disciplinary measures and rewards (aggregate); mandates",
        ("decisions", "disciplinary_measures", "recognitions"),
        ("decisions_logged", "disciplinary_measures_imposed", "recognitions_given"),
    ),
    9: Coverage(
        "Lessons learned from funds, programmes and other organisations",
        ("lessons_learned",),
        ("lessons_learned",),
    ),
    10: Coverage(
        "Indicator results across budget periods; budget performance by unit",
        ("indicators", "budget_performance"),
        ("results_trend", "budget_utilisation_rate_in_period"),
    ),
    11: Coverage(
        "Efficiency indicators with cost per output",
        ("indicators", "cost_per_output"),
        ("efficiency_measures", "efficiency_results_with_cost_per_output"),
    ),
    12: Coverage(
        "Oversight recommendations followed up; Management Committee meetings, decisions and "
        "follow-up actions",
        ("recommendations", "recommendations_overdue"),
        ("implementation_rate", "committee_meetings", "follow_up_completion_rate"),
    ),
    13: Coverage(
        "Compact objectives measured by indicators; commitments honoured",
        ("objectives_measured",),
        ("commitments_honoured_on_time_rate", "compacts_signed"),
    ),
    14: Coverage(
        "Performance appraisals; senior managers' compacts",
        ("appraisals",),
        ("appraisal_compliance_rate", "compact_coverage_rate"),
    ),
    15: Coverage(
        "Decisions logged; compact objectives measured by indicators",
        ("decisions", "objectives_measured"),
        ("decisions_logged", "commitments_due"),
    ),
    16: Coverage(
        "Compacts, appraisals and underperformance cases",
        ("compacts", "appraisals", "underperformance_cases"),
        ("compacts_assessed", "underperformance_cases_opened"),
    ),
    17: Coverage(
        "Decisions found to be misuse; disciplinary measures; recovery cases and referrals",
        ("decisions_misuse", "disciplinary_measures", "recovery_cases_fraud", "recovery_referrals"),
        ("amount_lost", "amount_recovered", "referred_to_national_authorities"),
    ),
    18: Coverage(
        "Management Performance Board findings on the compacts",
        ("mpb_findings",),
        ("mpb_findings", "compacts_assessed"),
    ),
    19: Coverage(
        "JIU reports (selection and appointment) and their recommendations",
        ("oversight_reports",),
        ("by_body",),
    ),
    20: Coverage(
        "Inspira deployment milestones; appraisals recorded in it",
        ("appraisals", "inspira_milestones"),
        ("inspira_milestones_on_time_rate", "appraisal_compliance_rate"),
    ),
    21: Coverage(
        "Delegation instruments; decisions within and outside authority; the KPIs on delegated "
        "authority",
        ("decisions", "delegations"),
        ("delegations_issued", "decisions_within_authority_rate", "kpi_by_entity"),
    ),
    22: Coverage("Results-based management indicators", ("indicators",), ("rbm_indicators",)),
    23: Coverage(
        "Results-based management indicators and their targets",
        ("indicators",),
        ("rbm_targets_met", "rbm_units_with_indicators"),
    ),
    24: Coverage(
        "Indicator results recorded each period",
        ("indicators",),
        ("rbm_results_recorded", "indicator_target_met_rate"),
    ),
    25: Coverage(
        "The senior manager responsible for results-based management in each entity",
        ("indicators", "rbm_responsibility"),
        ("rbm_responsible_senior_manager",),
    ),
    26: Coverage(
        "Mandates and the results tied to them",
        ("indicators",),
        ("mandates_adopted", "mandates_with_results_rate"),
    ),
    27: Coverage(
        "Indicators of operational effectiveness; budget utilisation",
        ("indicators",),
        ("rbm_indicator_reporting_rate", "budget_utilisation_rate_in_period"),
    ),
    28: Coverage(
        "Umoja deployment milestones; lessons from other organisations' ERP",
        ("umoja_milestones",),
        ("umoja_milestones_achieved", "umoja_milestones_on_time_rate"),
    ),
    29: Coverage(
        "Umoja deployment milestones",
        ("umoja_milestones",),
        ("umoja_milestones_late", "umoja_milestones_on_time_rate"),
    ),
    30: Coverage(
        "Risk registers and assessments; the Secretariat-wide critical risk register",
        ("risks_assessed", "critical_risks_flagged"),
        ("units_with_current_register", "critical_risks"),
    ),
    31: Coverage(
        "Control tests; unit certifications rolled up into the statement of internal control",
        ("control_tests", "control_statements"),
        ("controls_effective_rate", "certification_rate", "significant_deficiencies"),
    ),
    32: Coverage(
        "Procurement conflict-of-interest declarations; recovery cases; vendor sanctions; "
        "committee on contracts reviews",
        ("procurement_cases_flagged", "recovery_cases", "vendor_sanctions", "committee_reviews"),
        ("procurement_cases_flagged", "vendor_sanctions_imposed", "committee_reviews"),
    ),
    33: Coverage(
        "This report: every paragraph's accepted assessment and the figures of sections A-K",
        (),
        ("paragraph_assessments",),
    ),
}

HEADER = (
    "# Paragraph coverage of resolution 64/259\n\n"
    "What answers each operative paragraph in the tracker, as it stands. Generated from "
    "`governance/coverage.py` by `manage.py paragraph_coverage`; "
    "`governance/tests/test_coverage.py` checks the registry against the measures the report "
    "gives on the demo data and the figures its methodology defines.\n\n"
    "Every paragraph that asks something also has the accountable office's implementation "
    "assessment (governance), reviewed by an administrator; the report's verdict is the "
    "assessment in force at the period end, and the measures stand beside it as facts.\n\n"
    "| Paragraph | What answers it | Measures in the report (kind) | Report figures |\n"
    "| --- | --- | --- | --- |\n"
)


def _codes(values: tuple[str, ...]) -> str:
    return ", ".join(f"`{v}`" for v in values) if values else "none"


def render_markdown() -> str:
    rows = []
    for number in sorted(COVERAGE):
        row = COVERAGE[number]
        answers = row.answers + ("; implementation assessment" if row.asks else "")
        rows.append(f"| {number} | {answers} | {_codes(row.measures)} | {_codes(row.figures)} |\n")
    asking = sum(1 for row in COVERAGE.values() if row.asks)
    footer = (
        f"\n{len(COVERAGE)} paragraphs; {asking} ask something, each answered by an assessment "
        f"and at least one report figure; {len(COVERAGE) - asking} ask nothing.\n"
    )
    return HEADER + "".join(rows) + footer
