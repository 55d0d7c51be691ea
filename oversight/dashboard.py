"""What oversight contributes to the dashboard and to the resolution page."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.registry import Card, Evidence
from org.access import access_for
from oversight.choices import OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightReport, Recommendation


def cards(user) -> list[Card]:
    access = access_for(user)
    if not access.kind:
        return []
    today = timezone.localdate()
    still_open = Q(status__in=OPEN_STATUSES)
    pending = Q(status=RecommendationStatus.PENDING_VERIFICATION)
    if access.is_oversight:
        pending &= Q(report__body__code=access.body_code)
    row = Recommendation.objects.visible_to(user).aggregate(
        open=Count("pk", filter=still_open),
        overdue=Count("pk", filter=still_open & Q(target_date__lt=today)),
        critical_overdue=Count(
            "pk", filter=still_open & Q(target_date__lt=today, priority=Priority.CRITICAL)
        ),
        pending=Count("pk", filter=pending),
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
    if access.is_oversight or access.is_admin:
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
    access = access_for(user)
    if not access.kind:
        return {}
    reports = OversightReport.objects.visible_to(user)
    cited = dict(
        reports.filter(paragraphs__number__in=(4, 5, 12, 19))
        .values_list("paragraphs__number")
        .annotate(n=Count("pk", distinct=True))
    )
    report_url = reverse("oversight:report_list")
    rec_url = reverse("oversight:recommendation_list")
    today = timezone.localdate()
    recs = Recommendation.objects.visible_to(user).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, target_date__lt=today)),
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
