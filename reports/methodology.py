"""The methodology registry: one definition for every figure the report gives.

Each figure key of the snapshot (every key of a section's metrics, the keys inside its
body-by-body style breakdowns, and the headline figures) has exactly one entry here:
what it counts, its numerator and denominator when it is a rate, and its date rule. The snapshot
stores the entries of the figures it holds under `methodology`, in the report's language, and
every format prints them as an annex. An app may declare its own entries in its metrics module
as `FIGURES = {key: {"definition": ..., "numerator": ..., "denominator": ..., "date_rule": ...,
"source": ...}}`; an app's entry replaces the one here for that key, so a key still has one
definition.

The general date rule: a report describes the period as at its end. Records count by their own
dates (a recovery action by `taken_on`, a compact by `signed_on`/`assessed_on`, a finding by
`closed_on`, a risk's rating by its dated assessments, an indicator result by its budget
period); a state reached after the period end is not counted. What is not dated in the records is
taken as recorded, and the entry says so: a person's grade and post (for compact coverage), a
commitment's `missed` status, a decision's review outcome, the risk rating scale.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.figures import previous_period  # noqa: F401  (the report's periods: methodology.previous_period)
from reports.labels import label_for


@dataclass(frozen=True)
class Figure:
    definition: str
    numerator: str = ""
    denominator: str = ""
    date_rule: str = ""
    source: str = ""


# Date rules shared by many figures.
IN_PERIOD = _("Records dated within the period, start and end dates included.")
AS_AT_END = _("As at the period end: a state reached after the period end is not counted.")
AS_RECORDED = _("As recorded when the report is compiled: the records keep no dated history.")
RATE_NOTE = _("Percentage rounded to one decimal; no figure when the denominator is zero.")
RECS_AS_AT = _(
    "Recommendations of reports issued up to the period end, each with its status, acceptance "
    "and target date as in force on the period end (reconstructed from its dated timeline)."
)

SRC_ACCOUNTABILITY = "accountability"
SRC_OVERSIGHT = "oversight"
SRC_PERFORMANCE = "performance"
SRC_RISK = "risk"
SRC_REPORTS = "reports"


def _rec_count(status_text) -> Figure:
    return Figure(status_text, date_rule=RECS_AS_AT, source=SRC_OVERSIGHT)


FIGURES: dict[str, Figure] = {
    # --- A: decisions and commitments ---------------------------------------------------
    "decisions_logged": Figure(
        _("Decisions recorded in the decision log."),
        date_rule=_("Decisions whose decision date is within the period."),
        source=SRC_ACCOUNTABILITY,
    ),
    "decisions_within_authority": Figure(
        _("Decisions logged in the period that were within delegated authority."),
        date_rule=_(
            "Decisions dated within the period; authority judged on the decision date, as recorded."
        ),
        source=SRC_ACCOUNTABILITY,
    ),
    "decisions_within_authority_rate": Figure(
        _("Share of the decisions logged in the period that were within delegated authority."),
        _("Decisions within delegated authority"),
        _("Decisions logged"),
        IN_PERIOD,
        SRC_ACCOUNTABILITY,
    ),
    "decisions_amount": Figure(
        _("Total amount (US$) of the decisions logged in the period."),
        date_rule=IN_PERIOD,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_due": Figure(
        _("Commitments whose due date is within the period."),
        date_rule=IN_PERIOD,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_honoured_on_time": Figure(
        _("Commitments due in the period honoured on or before their due date."),
        date_rule=AS_AT_END,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_honoured_late": Figure(
        _("Commitments due in the period honoured after their due date, by the period end."),
        date_rule=AS_AT_END,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_missed": Figure(
        _("Commitments due in the period recorded as missed."),
        date_rule=AS_RECORDED,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_open": Figure(
        _("Commitments due in the period not yet honoured on the period end."),
        date_rule=AS_AT_END,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_cancelled": Figure(
        _("Commitments due in the period that were cancelled."),
        date_rule=AS_RECORDED,
        source=SRC_ACCOUNTABILITY,
    ),
    "commitments_honoured_on_time_rate": Figure(
        _("Share of the commitments due in the period honoured on time."),
        _("Commitments honoured on time"),
        _("Commitments due, less those cancelled"),
        AS_AT_END,
        SRC_ACCOUNTABILITY,
    ),
    "accountability_by_unit": Figure(
        _("Decisions, commitments and delegation instruments of the period, by org unit."),
        date_rule=IN_PERIOD,
        source=SRC_ACCOUNTABILITY,
    ),
    # --- G: delegation of authority -----------------------------------------------------
    "delegations_issued": Figure(
        _("Delegation instruments taking effect in the period."),
        date_rule=_("Instruments whose valid-from date is within the period."),
        source=SRC_ACCOUNTABILITY,
    ),
    "delegations_sub_delegated": Figure(
        _("Sub-delegations (instruments with a parent) taking effect in the period."),
        date_rule=IN_PERIOD,
        source=SRC_ACCOUNTABILITY,
    ),
    "delegations_active": Figure(
        _("Instruments in force on the period end: accepted, valid and not revoked."),
        date_rule=AS_AT_END,
        source=SRC_ACCOUNTABILITY,
    ),
    "delegations_expiring": Figure(
        _("Instruments in force on the period end that expire within 60 days of it."),
        date_rule=AS_AT_END,
        source=SRC_ACCOUNTABILITY,
    ),
    "delegations_revoked": Figure(
        _("Instruments revoked in the period."),
        date_rule=_("Instruments whose revocation date is within the period."),
        source=SRC_ACCOUNTABILITY,
    ),
    "decisions_outside_authority": Figure(
        _("Decisions logged in the period that were outside delegated authority."),
        date_rule=IN_PERIOD,
        source=SRC_ACCOUNTABILITY,
    ),
    "decisions_outside_authority_amount": Figure(
        _("Total amount (US$) of the decisions outside delegated authority."),
        date_rule=IN_PERIOD,
        source=SRC_ACCOUNTABILITY,
    ),
    "outside_authority_reviews": Figure(
        _("Decisions outside authority by the outcome of their review."),
        date_rule=_("Decisions dated within the period; review outcomes as recorded."),
        source=SRC_ACCOUNTABILITY,
    ),
    "outside_authority_actions_taken": Figure(
        _("Decisions outside authority on which an action was recorded."),
        date_rule=_("Decisions dated within the period; actions as recorded."),
        source=SRC_ACCOUNTABILITY,
    ),
    "kpi_by_entity": Figure(
        _(
            "The key performance indicators of the accountability framework on delegated "
            "authority, by entity (the units directly below the Secretariat): each one's value, "
            "target and whether it was met. Each indicator is defined in this annex."
        ),
        date_rule=_("As at the period end, each indicator by its own date rule."),
        source=SRC_ACCOUNTABILITY,
    ),
    # --- B, H, I: results-based management ------------------------------------------------
    "indicator_results_by_period": Figure(
        _("Indicator results and targets met, by budget period, up to the period's last year."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "indicator_results_in_period": Figure(
        _("Indicator results for budget periods starting in the years of the period."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "indicator_targets_met_in_period": Figure(
        _("Indicator results of the period that met their target."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "indicator_target_met_rate": Figure(
        _("Share of the indicator results of the period that met their target."),
        _("Results that met their target"),
        _("Results of the period"),
        _("Results by their budget period."),
        SRC_PERFORMANCE,
    ),
    "efficiency_measures": Figure(
        _("Efficiency indicators recorded by the period end."),
        date_rule=_(
            "Indicators recorded by the period end, or later with a result for a budget period "
            "up to the period's last year."
        ),
        source=SRC_PERFORMANCE,
    ),
    "results_trend": Figure(
        _("Direction of the share of targets met, first budget period against the last."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "rbm_indicators": Figure(
        _("Results-based management indicators recorded by the period end."),
        date_rule=_(
            "Indicators recorded by the period end, or later with a result for a budget period "
            "up to the period's last year."
        ),
        source=SRC_PERFORMANCE,
    ),
    "rbm_units_with_indicators": Figure(
        _("Org units with at least one indicator recorded by the period end."),
        date_rule=_(
            "Indicators recorded by the period end, or later with a result for a budget period "
            "up to the period's last year."
        ),
        source=SRC_PERFORMANCE,
    ),
    "rbm_units_reporting_results": Figure(
        _("Org units with at least one indicator result for the period."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "rbm_indicators_with_results": Figure(
        _("Indicators with at least one result for the period."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "rbm_targets_met": Figure(
        _("Indicator results of the period that met their target."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "rbm_responsible_senior_manager": Figure(
        _("Senior manager assigned responsibility for results-based management on the period end."),
        date_rule=AS_AT_END,
        source=SRC_PERFORMANCE,
    ),
    "rbm_results_recorded": Figure(
        _("Indicator results for the period."),
        date_rule=_("Results by their budget period."),
        source=SRC_PERFORMANCE,
    ),
    "rbm_indicator_reporting_rate": Figure(
        _("Share of indicators with a result for the period."),
        _("Indicators with results"),
        _("Indicators recorded by the period end"),
        _("Results by their budget period."),
        SRC_PERFORMANCE,
    ),
    "appraisals_recorded": Figure(
        _("Appraisals due in the period."),
        date_rule=_("Appraisals whose due date is within the period."),
        source=SRC_PERFORMANCE,
    ),
    # --- D, E, F: compacts, appraisals, findings, misconduct ------------------------------
    "appraisal_compliance_rate": Figure(
        _(
            "Appraisal compliance: share of the appraisals due in the period that were "
            "completed on or before their due date. The report gives no other appraisal rate."
        ),
        _("Appraisals due in the period completed on or before their due date"),
        _("Appraisals due in the period"),
        _(
            "Appraisals whose due date is within the period; suppressed when fewer than five "
            "are due."
        ),
        SRC_PERFORMANCE,
    ),
    "appraisals_due": Figure(
        _("Appraisals whose due date is within the period."),
        date_rule=IN_PERIOD,
        source=SRC_PERFORMANCE,
    ),
    "appraisals_completed_on_time": Figure(
        _("Appraisals due in the period completed on or before their due date."),
        date_rule=IN_PERIOD,
        source=SRC_PERFORMANCE,
    ),
    "compacts_signed": Figure(
        _("Compacts for the years of the period signed on or before the period end."),
        date_rule=_("By the compact's signature date."),
        source=SRC_PERFORMANCE,
    ),
    "compacts_assessed": Figure(
        _("Compacts for the years of the period assessed on or before the period end."),
        date_rule=_("By the compact's assessment date."),
        source=SRC_PERFORMANCE,
    ),
    "compacts_total": Figure(
        _("Compacts recorded for the years of the period, whatever their status."),
        date_rule=_("By the compact's year."),
        source=SRC_PERFORMANCE,
    ),
    "underperformance_ratings": Figure(
        _(
            "Appraisals due in the period rated 'partially meets' or 'does not meet', "
            "completed by the period end."
        ),
        date_rule=AS_AT_END,
        source=SRC_PERFORMANCE,
    ),
    "underperformance_cases_opened": Figure(
        _("Underperformance cases whose improvement plan started in the period."),
        date_rule=IN_PERIOD,
        source=SRC_PERFORMANCE,
    ),
    "underperformance_cases_closed": Figure(
        _("Underperformance cases opened in the period and closed by its end."),
        date_rule=AS_AT_END,
        source=SRC_PERFORMANCE,
    ),
    "mpb_findings": Figure(
        _("Management Performance Board findings on the compacts of the years of the period."),
        date_rule=_("By the compact's year."),
        source=SRC_PERFORMANCE,
    ),
    "mpb_findings_open": Figure(
        _(
            "Management Performance Board findings open on the period end, whatever the year "
            "of their compact."
        ),
        date_rule=_("Not closed on or before the period end (by the closing date)."),
        source=SRC_PERFORMANCE,
    ),
    "mpb_findings_closed": Figure(
        _("Management Performance Board findings closed in the period."),
        date_rule=_("By the closing date."),
        source=SRC_PERFORMANCE,
    ),
    "senior_managers_required_compact": Figure(
        _(
            "Senior managers required to have a compact: staff at Assistant Secretary-General "
            "level and above, and heads of entity, in post during the period. In post is taken "
            "as the person's current active status and grade, as postings are not dated yet."
        ),
        date_rule=AS_RECORDED,
        source=SRC_PERFORMANCE,
    ),
    "senior_managers_with_compact": Figure(
        _(
            "Senior managers required to have a compact who have one for a year of the period, "
            "signed by the period end."
        ),
        date_rule=_("By the compact's signature date."),
        source=SRC_PERFORMANCE,
    ),
    "compact_coverage_rate": Figure(
        _(
            "Compact coverage: share of the senior managers required to have a compact who have one."
        ),
        _("Senior managers with a compact signed by the period end"),
        _("Senior managers required to have a compact"),
        _("By the compact's signature date; grades and posts as recorded."),
        SRC_PERFORMANCE,
    ),
    "appraisal_rating_distribution": Figure(
        _(
            "Appraisals due in the period, completed by its end, by rating; suppressed when "
            "fewer than five are due."
        ),
        date_rule=AS_AT_END,
        source=SRC_PERFORMANCE,
    ),
    "appraisal_rated": Figure(
        _("Appraisals due in the period with a rating, completed by its end."),
        date_rule=AS_AT_END,
        source=SRC_PERFORMANCE,
    ),
    "appraisal_rebuttals": Figure(
        _("Underperformance cases opened in the period with a rebuttal."),
        date_rule=IN_PERIOD,
        source=SRC_PERFORMANCE,
    ),
    "appraisal_compliance_by_cycle": Figure(
        _(
            "Appraisal compliance (as defined above) for each cycle with appraisals due in the period."
        ),
        _("Appraisals of the cycle completed on or before their due date"),
        _("Appraisals of the cycle due in the period"),
        IN_PERIOD,
        SRC_PERFORMANCE,
    ),
    "misconduct_findings": Figure(
        _("Misconduct and recovery cases opened in the period."),
        date_rule=_("By the case's opening date."),
        source=SRC_RISK,
    ),
    "misconduct_findings_by_type": Figure(
        _(
            "Cases opened in the period, losses established on them and amounts recovered in "
            "the period, by type of finding."
        ),
        date_rule=_("Cases by opening date; recoveries by the date of each recovery action."),
        source=SRC_RISK,
    ),
    "count": Figure(
        _("Number of records in the category."),
        date_rule=_("As for the figure it breaks down."),
        source=SRC_RISK,
    ),
    # --- J: risk and internal control ---------------------------------------------------
    "units_with_risk_register": Figure(
        _("Org units with at least one risk active on the period end."),
        date_rule=_("Risks identified by the period end and not closed by it."),
        source=SRC_RISK,
    ),
    "units_with_current_register": Figure(
        _(
            "Org units whose every active risk was reviewed within the 12 months up to the period end."
        ),
        date_rule=_("By the dates of the risk reviews (assessment history)."),
        source=SRC_RISK,
    ),
    "risks_total": Figure(
        _("Risks active on the period end."),
        date_rule=_("Risks identified by the period end and not closed by it."),
        source=SRC_RISK,
    ),
    "risks_by_band": Figure(
        _(
            "Active risks by rating band of their inherent score as at the period end (the last "
            "dated assessment on or before it; the recorded rating for a risk never assessed). "
            "Bands from the current rating scale."
        ),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    "risks_by_residual_band": Figure(
        _("Active risks by rating band of their residual score as at the period end."),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    "risks_by_category": Figure(
        _("Active risks on the period end by category."),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    "treatments_overdue": Figure(
        _("Risk treatments due before the period end and not completed by it."),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    "controls_total": Figure(
        _("Internal controls recorded by the period end (or tested by then)."),
        date_rule=_("Controls recorded or tested on or before the period end."),
        source=SRC_RISK,
    ),
    "controls_tested": Figure(
        _("Controls tested at least once in the period."),
        date_rule=_("By the test date."),
        source=SRC_RISK,
    ),
    "controls_effective": Figure(
        _("Controls whose latest test in the period found them effective."),
        date_rule=_("By the test date."),
        source=SRC_RISK,
    ),
    "controls_effective_rate": Figure(
        _("Share of the controls tested in the period found effective at their latest test."),
        _("Controls effective"),
        _("Controls tested"),
        _("By the test date."),
        SRC_RISK,
    ),
    "control_tests": Figure(
        _("Control tests carried out in the period."),
        date_rule=_("By the test date."),
        source=SRC_RISK,
    ),
    "open_deficiencies": Figure(
        _("Control deficiencies found by the period end and not closed by it."),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    "heat_map": Figure(
        _(
            "Active risks by likelihood and impact as at the period end; cells coloured by the "
            "same rating bands as the table of risks by rating."
        ),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    # --- K: procurement and recovery ----------------------------------------------------
    "procurement_cases": Figure(
        _("Procurement cases opened in the period."),
        date_rule=IN_PERIOD,
        source=SRC_RISK,
    ),
    "procurement_cases_flagged": Figure(
        _(
            "Procurement cases opened in the period in which a panel member declared an "
            "interest in a vendor or made no declaration."
        ),
        date_rule=_("Cases by opening date; declarations as recorded."),
        source=SRC_RISK,
    ),
    "procurement_cases_cleared": Figure(
        _("Flagged procurement cases opened in the period that were cleared."),
        date_rule=_("Cases by opening date; clearance as recorded."),
        source=SRC_RISK,
    ),
    "procurement_value": Figure(
        _("Total value (US$) of the procurement cases opened in the period."),
        date_rule=IN_PERIOD,
        source=SRC_RISK,
    ),
    "declarations": Figure(
        _("Conflict-of-interest declarations made in the period."),
        date_rule=IN_PERIOD,
        source=SRC_RISK,
    ),
    "declarations_of_interest": Figure(
        _("Declarations made in the period that declare an interest in a vendor."),
        date_rule=IN_PERIOD,
        source=SRC_RISK,
    ),
    "recovery_cases": Figure(
        _("Recovery cases opened in the period."),
        date_rule=_("By the case's opening date."),
        source=SRC_RISK,
    ),
    "recovery_cases_closed": Figure(
        _("Recovery cases closed in the period, whatever their opening date."),
        date_rule=_("By the case's closing date."),
        source=SRC_RISK,
    ),
    "amount_lost": Figure(
        _("Losses (US$) established on the recovery cases opened in the period."),
        date_rule=_("By the case's opening date."),
        source=SRC_RISK,
    ),
    "amount_recovered": Figure(
        _(
            "Amounts (US$) recovered by recovery actions taken in the period, whatever the "
            "case's opening date."
        ),
        date_rule=_("By the date of each recovery action."),
        source=SRC_RISK,
    ),
    "recovery_actions_in_period": Figure(
        _("Recovery actions taken in the period."),
        date_rule=_("By the date of each recovery action."),
        source=SRC_RISK,
    ),
    "amount_outstanding": Figure(
        _(
            "Balance (US$) still to recover on the period end: for every case opened by then, "
            "the loss less the recovery actions taken by then (never below zero)."
        ),
        date_rule=AS_AT_END,
        source=SRC_RISK,
    ),
    "recovery_rate": Figure(
        _("Share of the losses established by the period end recovered by the period end."),
        _("Amounts recovered by the period end on cases opened by then"),
        _("Losses on cases opened by the period end"),
        AS_AT_END,
        SRC_RISK,
    ),
    # --- C: oversight (rules of the interface contract). The bodies' rates and the prior-period
    # block are declared by oversight.metrics.FIGURES, which its monitoring page prints too. ---
    "by_body": Figure(
        _("Recommendations by oversight body, counted by each body's own method."),
        date_rule=RECS_AS_AT,
        source=SRC_OVERSIGHT,
    ),
    "by_priority": Figure(
        _("Recommendations by priority."),
        date_rule=RECS_AS_AT,
        source=SRC_OVERSIGHT,
    ),
    "total": _rec_count(_("Recommendations counted.")),
    "accepted": _rec_count(_("Recommendations accepted by management.")),
    "open": _rec_count(_("Recommendations accepted on which nothing was done yet.")),
    "in_progress": _rec_count(_("Recommendations under implementation.")),
    "pending_verification": _rec_count(
        _("Recommendations management reports implemented, not yet verified by the body.")
    ),
    "implemented": _rec_count(_("Recommendations verified as implemented by the body.")),
    "not_implemented": _rec_count(_("Recommendations closed without implementation.")),
    "overtaken": _rec_count(_("Recommendations overtaken by events.")),
    "not_accepted": _rec_count(_("Recommendations not accepted by management.")),
    "overdue": _rec_count(
        _("Recommendations whose target date is before the period end and not closed on it.")
    ),
    "issued_in_period": _rec_count(_("Recommendations of reports issued in the period.")),
    "critical": _rec_count(_("Recommendations of critical priority.")),
    "important": _rec_count(_("Recommendations of important priority.")),
    "amount_identified": _rec_count(
        _("Savings or recoveries (US$) identified by the recommendations counted (cumulative).")
    ),
    "amount_realised": _rec_count(
        _("Savings or recoveries (US$) realised by the period end (cumulative).")
    ),
    "amount_identified_in_period": _rec_count(
        _("Savings or recoveries (US$) identified in recommendations issued in the period.")
    ),
    "amount_realised_in_period": _rec_count(
        _("Savings or recoveries (US$) realised in the period on the recommendations.")
    ),
    "critical_past_due": _rec_count(
        _("Critical recommendations past their target date and not closed on the period end.")
    ),
    "recommendations_issued_in_period": _rec_count(
        _("Recommendations of reports issued in the period.")
    ),
    "recommendations_total": _rec_count(_("Recommendations counted, all bodies.")),
    "recommendations_accepted": _rec_count(_("Recommendations accepted, all bodies.")),
    "recommendations_implemented": _rec_count(_("Recommendations implemented, all bodies.")),
    "recommendations_under_implementation": _rec_count(
        _("Recommendations in progress or pending verification, all bodies.")
    ),
    "recommendations_overdue": _rec_count(
        _("Recommendations overdue on the period end, all bodies.")
    ),
    "recommendations_critical_overdue": _rec_count(
        _("Critical recommendations overdue on the period end, all bodies.")
    ),
    "recommendations_implementation_rate": Figure(
        _("Share of the recommendations implemented, all bodies."),
        _("Recommendations implemented"),
        _("Recommendations counted"),
        RECS_AS_AT,
        SRC_OVERSIGHT,
    ),
    "recommendations_ageing": _rec_count(
        _("Open recommendations by age on the period end (from the report's issue date).")
    ),
    "recommendations_by_year": _rec_count(_("Recommendations by year of issue.")),
}

# Keys of a section's metrics that hold records or codes, not figures: not documented.
NOT_FIGURES: set[str] = set()


def registry() -> dict[str, Figure]:
    """This module's entries, replaced by the entries the apps' metrics modules declare."""
    from reports.governance_figures import registry as governance_registry
    from reports.snapshot import _module

    merged = dict(FIGURES)
    merged.update(governance_registry())
    for app in ("accountability", "oversight", "performance", "risk"):
        module = _module(app)
        declared = getattr(module, "FIGURES", None) if module is not None else None
        for key, entry in (declared or {}).items():
            if isinstance(entry, Figure):
                merged[key] = entry
            elif isinstance(entry, dict):
                merged[key] = Figure(**{k: entry.get(k, "") for k in Figure.__dataclass_fields__})
    return merged


def figure_keys(sections: list[dict], headline: list[dict]) -> list[str]:
    """Every figure key of a snapshot: each section's metric keys, the keys inside breakdowns
    whose entries are themselves figure sets (by_body -> BOA -> {total, ...}), and the headline
    keys. Codes used as keys of a category breakdown (a status, a band) are not figures."""
    keys: list[str] = []

    def add(key):
        if key not in keys and key not in NOT_FIGURES:
            keys.append(key)

    def inner(row: dict):
        for key, item in row.items():
            add(key)
            if isinstance(item, dict):
                inner(item)

    for section in sections:
        for key, value in (section.get("metrics") or {}).items():
            add(key)
            if (
                isinstance(value, dict)
                and value
                and all(isinstance(v, dict) for v in value.values())
            ):
                for row in value.values():
                    inner(row)
    for item in headline:
        add(item["key"])
    return keys


def entries(keys: list[str]) -> dict[str, dict]:
    """The snapshot's `methodology`: the entries of `keys`, in the active language."""
    known = registry()
    result = {}
    for key in keys:
        figure = known.get(key)
        if figure is None:
            continue
        result[key] = {
            # a recommendation status documented as a figure (by_body) reads as its label
            "label": label_for(key, "recommendation_status"),
            "definition": str(figure.definition),
            "numerator": str(figure.numerator),
            "denominator": str(figure.denominator),
            "date_rule": str(figure.date_rule),
            "source": figure.source,
        }
    return result


KPI_COMPUTED_RULE = _(
    "Records dated within the period, as at the period end: a review, an acceptance or a "
    "sub-delegation recorded after the period end is not counted. Units are folded into their "
    "entity, the unit directly below the Secretariat."
)
KPI_ENTERED_RULE = _(
    "Entered with its evidence for the calendar year in which the period ends, as recorded "
    "when the report is compiled."
)
KPI_TARGET = _("Target: %(target)s%%. The indicator is met when its value reaches the target.")


def kpi_key(code: str) -> str:
    """The methodology key of a delegation KPI (its code may also name a section's figure)."""
    return f"kpi_{code}"


def kpi_entries(definitions: dict[str, dict]) -> dict[str, dict]:
    """The methodology entries of the delegation KPIs (accountability.metrics.kpi_section's
    `kpi_definitions`), in the active language, each with its target."""
    result = {}
    for code, kpi in definitions.items():
        target = kpi.get("target")
        target_text = f"{target:g}" if isinstance(target, int | float) else str(target)
        result[kpi_key(code)] = {
            "label": str(kpi.get("title") or label_for(code)),
            "definition": f"{kpi.get('definition', '')} {KPI_TARGET % {'target': target_text}}",
            "numerator": "",
            "denominator": "",
            "date_rule": str(KPI_COMPUTED_RULE if kpi.get("computed") else KPI_ENTERED_RULE),
            "source": str(kpi.get("source") or SRC_ACCOUNTABILITY),
            "target": target,
        }
    return result
