from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accountability import metrics
from accountability.models import Delegation
from core import dashboard
from core.registry import Card, Evidence
from org.access import access_for
from org.models import OrgUnit, Person


def cards(user) -> list[Card]:
    return [
        Card(
            "accountability",
            _("Org units"),
            OrgUnit.objects.restrict(user, "view").count(),
            reverse("accountability:index"),
        ),
        Card(
            "accountability",
            _("Staff on record"),
            Person.objects.restrict(user, "view").count(),
            reverse("accountability:person_list"),
        ),
    ]


@dashboard.personal_rows
def personal_rows(user):
    """Instruments a manager holds outside their subtree count for them; so do the decisions
    under every instrument they issued, wherever those decisions sit. Finding whether any such
    decision lies outside the subtree would walk all of them, so having issued an instrument is
    enough to make the figures the issuer's own (one indexed look-up)."""
    access = access_for(user)
    if access.can_read_all:
        return []
    return [
        Delegation.objects.filter(delegatee_id=user.pk).exclude(unit_id__in=access.subtree_ids()),
        Delegation.objects.filter(delegator_id=user.pk),
    ]


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def authority_cards(user) -> list[Card]:
    """Decisions, commitments and delegations: what needs a manager's or reviewer's attention."""
    f = metrics.dashboard_figures(user)
    rate = f["within_rate"]
    return [
        Card(
            "accountability",
            _("Decisions outside authority awaiting review"),
            f["awaiting_review"],
            _url("accountability:decision_list", review="pending"),
            tone="alert" if f["awaiting_review"] else "",
        ),
        Card(
            "accountability",
            _("Decisions logged (last 12 months)"),
            f["decisions_logged"],
            _url("accountability:decision_list"),
            hint=_("%(rate)s%% within delegated authority") % {"rate": rate}
            if rate is not None
            else "",
        ),
        Card(
            "accountability",
            _("Commitments overdue"),
            f["commitments_overdue"],
            _url("accountability:commitment_list", overdue="true"),
            tone="alert" if f["commitments_overdue"] else "",
        ),
        Card(
            "accountability",
            _("Commitments due within 30 days"),
            f["commitments_due_soon"],
            _url("accountability:commitment_list", status="planned"),
            tone="warn" if f["commitments_due_soon"] else "",
        ),
        Card(
            "accountability",
            _("Delegations of authority in force"),
            f["delegations_active"],
            _url("accountability:delegation_list", state="active"),
        ),
        Card(
            "accountability",
            _("Delegations expiring within 30 days"),
            f["delegations_expiring"],
            _url("accountability:delegation_list", state="expiring"),
            tone="warn" if f["delegations_expiring"] else "",
        ),
    ]


def paragraph_evidence(user) -> dict[int, list[Evidence]]:
    """Counts and links for paragraphs 8, 13, 15, 17 and 21 on /resolution/."""
    counts = metrics.paragraph_counts(user)
    evidence: dict[int, list[Evidence]] = {}
    for number, figures in counts.items():
        items = [
            Evidence(
                str(_("Decisions")),
                figures.get("decisions", 0),
                _url("accountability:decision_list", paragraph=number),
            ),
            Evidence(
                str(_("Commitments")),
                figures.get("commitments", 0),
                _url("accountability:commitment_list", paragraph=number),
            ),
        ]
        if number == 21:
            items += [
                Evidence(
                    str(_("Delegations of authority")),
                    figures["delegations"],
                    _url("accountability:delegation_list"),
                ),
                Evidence(
                    str(_("Decisions outside authority")),
                    figures["outside"],
                    _url("accountability:decision_list", within_authority="false"),
                ),
            ]
        if number == 17:
            items.append(
                Evidence(
                    str(_("Decisions found to be mismanagement or abuse")),
                    figures["misuse"],
                    _url("accountability:decision_list", review="mismanagement"),
                )
            )
        evidence[number] = items
    return evidence
