"""What oversight contributes to the dashboard and to the resolution page."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.actions import may
from core.registry import Card, Evidence
from oversight.choices import OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightReport, Recommendation
from oversight.querysets import overdue_q


def cards(user) -> list[Card]:
    if not may(user, "view", OversightReport):
        return []
    today = timezone.localdate()
    verifies = may(user, "verify", Recommendation)
    # What awaits this user's verification: the recommendations they may verify.
    pending = Q(status=RecommendationStatus.PENDING_VERIFICATION) & Q(
        pk__in=Recommendation.objects.restrict(user, "verify").values("pk")
    )
    row = Recommendation.objects.restrict(user, "view").aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        critical_overdue=Count("pk", filter=overdue_q(today) & Q(priority=Priority.CRITICAL)),
        pending=Count("pk", filter=pending if verifies else Q(pk__in=[])),
    )
    base = reverse("oversight:recommendation_list")
    result = [
        Card("oversight", _("Open oversight recommendations"), row["open"], f"{base}?state=open"),
        Card(
            "oversight",
            _("Overdue recommendations"),
            row["overdue"],
            f"{base}?state=overdue",
            tone="warn" if row["overdue"] else "",
        ),
        Card(
            "oversight",
            _("Critical and overdue"),
            row["critical_overdue"],
            f"{base}?state=overdue&priority=critical",
            tone="alert" if row["critical_overdue"] else "",
        ),
    ]
    if verifies:
        result.append(
            Card(
                "oversight",
                _("Awaiting verification"),
                row["pending"],
                f"{base}?status=pending_verification",
                tone="warn" if row["pending"] else "",
            )
        )
    return result


def paragraph_evidence(user) -> dict[int, list[Evidence]]:
    if not may(user, "view", OversightReport):
        return {}
    reports = OversightReport.objects.restrict(user, "view")
    cited = dict(
        reports.filter(paragraphs__number__in=(4, 5, 12, 19))
        .values_list("paragraphs__number")
        .annotate(n=Count("pk", distinct=True))
    )
    report_url = reverse("oversight:report_list")
    rec_url = reverse("oversight:recommendation_list")
    today = timezone.localdate()
    recs = Recommendation.objects.restrict(user, "view").aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        implemented=Count("pk", filter=Q(status=RecommendationStatus.IMPLEMENTED)),
    )
    evidence: dict[int, list[Evidence]] = {}
    for number in (4, 19):
        evidence[number] = [
            Evidence(
                str(_("JIU reports")), cited.get(number, 0), f"{report_url}?paragraph={number}"
            )
        ]
    evidence[5] = [Evidence(str(_("Oversight reports")), reports.count(), report_url)]
    evidence[12] = [
        Evidence(str(_("Recommendations followed up")), recs["total"], rec_url),
        Evidence(str(_("Overdue recommendations")), recs["overdue"], f"{rec_url}?state=overdue"),
        Evidence(
            str(_("Implemented, verified by the body")),
            recs["implemented"],
            reverse("oversight:monitoring"),
        ),
    ]
    return evidence
