"""Issue 10: every state change of performance is a named action. State fields move only through
their action endpoints (a generic PATCH/PUT answers 400 naming the endpoint); the actions check
the policy (404 / 403), refuse stale versions (409) and record the acting user in the history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core import actions, labels
from core.models import HistoryEntry, StaleVersion
from performance import services
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    CompactObjective,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    UnderperformanceCase,
)
from performance.tests.factories import (
    AppraisalFactory,
    CompactFactory,
    FindingFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db
COMPACTS = "/api/performance/compacts/"
FINDINGS = "/api/performance/mpb-findings/"


@pytest.fixture
def two_compacts(units):
    """A draft compact with an objective in DMSPC (the manager's) and one in DOS (manager2's)."""
    ours = CompactFactory(senior_manager__unit=units["ohr"], year=2025)
    theirs = CompactFactory(senior_manager__unit=units["pd"], year=2025)
    ObjectiveFactory(compact=ours)
    ObjectiveFactory(compact=theirs)
    return ours, theirs


def _signed(compact):
    compact.status = "signed"
    compact.signed_on = datetime.date(2025, 2, 1)
    compact.save()
    return compact


def _assessed(compact):
    _signed(compact)
    compact.status = "assessed"
    compact.assessed_on = datetime.date(2026, 4, 30)
    compact.mpb_rating = "satisfactory"
    compact.save()
    return compact


@pytest.fixture
def two_findings(units):
    ours = FindingFactory(
        compact=_assessed(CompactFactory(senior_manager__unit=units["ohr"], year=2025)),
        action_plan="Quarterly reviews",
        status="in_progress",
    )
    theirs = FindingFactory(
        compact=_assessed(CompactFactory(senior_manager__unit=units["pd"], year=2025)),
    )
    return ours, theirs


# --- State fields move only through their action ---------------------------------------------


@pytest.mark.parametrize(
    "payload, endpoint",
    [
        ({"status": "signed"}, "sign"),
        ({"signed_on": "2025-02-01"}, "sign"),
        ({"status": "assessed"}, "assess"),
        ({"assessed_on": "2026-04-30"}, "assess"),
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_compact_state_field_sent_to_the_generic_edit_names_its_action(
    api, manager, two_compacts, payload, endpoint, method
):
    compact = two_compacts[0]
    body = {"senior_manager": compact.senior_manager.index_number, "year": 2025, **payload}
    response = getattr(api(manager), method)(f"{COMPACTS}{compact.pk}/", body, format="json")
    assert response.status_code == 400
    field = next(iter(payload))
    assert f"POST /api/performance/compacts/{compact.pk}/{endpoint}/" in response.json()[field][0]
    compact.refresh_from_db()
    assert compact.status == "draft" and compact.signed_on is None and compact.version == 1


def test_a_compact_goes_no_longer_from_draft_to_assessed_in_one_patch(
    api, admin_user, two_compacts
):
    compact = two_compacts[0]
    response = api(admin_user).patch(
        f"{COMPACTS}{compact.pk}/",
        {
            "status": "assessed",
            "signed_on": "2025-02-01",
            "assessed_on": "2026-04-30",
            "mpb_rating": "satisfactory",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"status", "signed_on", "assessed_on"}
    assert f"/compacts/{compact.pk}/assess/" in response.json()["status"][0]
    assert Compact.objects.get(pk=compact.pk).status == "draft"


def test_a_state_field_sent_unchanged_is_ignored(api, manager, two_compacts):
    compact = two_compacts[0]
    response = api(manager).patch(
        f"{COMPACTS}{compact.pk}/", {"status": "draft", "year": 2026}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["year"] == 2026


def test_a_compact_created_signed_is_refused(api, manager, units):
    from org.tests.factories import PersonFactory

    PersonFactory(unit=units["ohr"], index_number="10000077", grade="ASG")
    response = api(manager).post(
        COMPACTS,
        {"senior_manager": "10000077", "year": 2026, "status": "signed"},
        format="json",
    )
    assert response.status_code == 400 and "/sign/" in response.json()["status"][0]
    assert not Compact.objects.exists()


@pytest.mark.parametrize("payload", [{"status": "closed"}, {"closed_on": "2026-10-01"}])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_finding_state_field_sent_to_the_generic_edit_names_close(
    api, manager, two_findings, payload, method
):
    finding = two_findings[0]
    body = {"compact": finding.compact_id, "finding": finding.finding, **payload}
    response = getattr(api(manager), method)(f"{FINDINGS}{finding.pk}/", body, format="json")
    assert response.status_code == 400
    field = next(iter(payload))
    assert f"POST /api/performance/mpb-findings/{finding.pk}/close/" in response.json()[field][0]
    finding.refresh_from_db()
    assert finding.status == "in_progress" and finding.closed_on is None


# --- The action endpoints take the same fields ----------------------------------------------


def test_sign_then_assess_through_their_endpoints(api, manager, admin_user, two_compacts):
    compact = two_compacts[0]
    client = api(manager)
    signed = client.post(
        f"{COMPACTS}{compact.pk}/sign/",
        {"signed_on": "2025-02-01", "status": "signed", "version": 1},
        format="json",
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed" and signed.json()["version"] == 2
    # The Management Performance Board assesses, through an administrator: never the manager.
    own = client.post(f"{COMPACTS}{compact.pk}/assess/", {"assessed_on": "2026-04-30"})
    assert own.status_code == 403
    assessed = api(admin_user).post(
        f"{COMPACTS}{compact.pk}/assess/",
        {
            "assessed_on": "2026-04-30",
            "mpb_rating": "needs_improvement",
            "mpb_assessment": "Two targets missed.",
            "status": "assessed",
            "version": 2,
        },
        format="json",
    )
    assert assessed.status_code == 200, assessed.json()
    body = assessed.json()
    assert body["status"] == "assessed" and body["assessed_on"] == "2026-04-30"
    assert body["mpb_rating"] == "needs_improvement"
    again = client.post(f"{COMPACTS}{compact.pk}/sign/", {"signed_on": "2025-02-01"}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_a_redundant_status_must_be_the_one_the_action_sets(api, manager, two_compacts):
    compact = two_compacts[0]
    response = api(manager).post(
        f"{COMPACTS}{compact.pk}/sign/",
        {"signed_on": "2025-02-01", "status": "assessed"},
        format="json",
    )
    assert response.status_code == 400 and "status" in response.json()
    assert Compact.objects.get(pk=compact.pk).status == "draft"


def test_close_a_finding_through_its_endpoint(api, manager, two_findings):
    finding = two_findings[0]
    response = api(manager).post(
        f"{FINDINGS}{finding.pk}/close/",
        {"closed_on": "2026-10-01", "status": "closed", "version": finding.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed" and response.json()["closed_on"] == "2026-10-01"
    again = api(manager).post(f"{FINDINGS}{finding.pk}/close/", {}, format="json")
    assert again.status_code == 400


def test_a_finding_without_an_action_plan_cannot_be_closed(api, manager, units):
    finding = FindingFactory(
        compact=_assessed(CompactFactory(senior_manager__unit=units["ohr"], year=2025))
    )
    response = api(manager).post(
        f"{FINDINGS}{finding.pk}/close/", {"closed_on": "2026-10-01"}, format="json"
    )
    assert response.status_code == 400 and "action_plan" in response.json()
    closed = api(manager).post(
        f"{FINDINGS}{finding.pk}/close/",
        {"closed_on": "2026-10-01", "action_plan": "Training for every manager"},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["action_plan"] == (
        "Training for every manager"
    )


def test_a_finding_is_under_way_once_it_has_an_action_plan(api, manager, two_findings):
    finding = two_findings[0]
    cleared = api(manager).patch(
        f"{FINDINGS}{finding.pk}/", {"action_plan": "", "status": "in_progress"}, format="json"
    )
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["status"] == "open"


@pytest.mark.parametrize(
    "url, payload",
    [
        ("{compacts}{ours}/sign/", {"signed_on": "2025-02-01"}),
        ("{findings}{finding}/close/", {"closed_on": "2026-10-01"}),
    ],
)
def test_a_stale_version_on_an_action_answers_409(
    api, manager, two_compacts, two_findings, url, payload
):
    target = url.format(
        compacts=COMPACTS, findings=FINDINGS, ours=two_compacts[0].pk, finding=two_findings[0].pk
    )
    response = api(manager).post(target, {**payload, "version": 99}, format="json")
    assert response.status_code == 409
    assert Compact.objects.get(pk=two_compacts[0].pk).status == "draft"
    assert BoardFinding.objects.get(pk=two_findings[0].pk).status == "in_progress"


def test_who_may_see_but_not_act_gets_403_and_who_may_not_see_404(
    api, manager2, oios, gastaff, two_compacts, two_findings
):
    ours = two_compacts[0]
    for user in (oios, gastaff):
        sign = api(user).post(f"{COMPACTS}{ours.pk}/sign/", {"signed_on": "2025-02-01"})
        assert sign.status_code == 403
        close = api(user).post(
            f"{FINDINGS}{two_findings[0].pk}/close/", {"closed_on": "2026-10-01"}
        )
        assert close.status_code == 403
    assert api(manager2).post(f"{COMPACTS}{ours.pk}/sign/", {}).status_code == 404
    assert api(manager2).post(f"{COMPACTS}{ours.pk}/assess/", {}).status_code == 404
    assert api(manager2).post(f"{FINDINGS}{two_findings[0].pk}/close/", {}).status_code == 404
    assert Compact.objects.get(pk=ours.pk).status == "draft"


def test_each_manager_lists_and_signs_only_their_units_compacts(
    api, manager, manager2, two_compacts
):
    ours, theirs = two_compacts
    assert [r["id"] for r in api(manager).get(COMPACTS).json()["results"]] == [ours.pk]
    assert [r["id"] for r in api(manager2).get(COMPACTS).json()["results"]] == [theirs.pk]
    assert (
        api(manager2)
        .post(f"{COMPACTS}{theirs.pk}/sign/", {"signed_on": "2025-03-01"}, format="json")
        .status_code
        == 200
    )


# --- The history names the acting user, wherever the action is called -----------------------


def test_an_action_called_outside_a_request_records_its_acting_user(manager, two_compacts):
    compact = two_compacts[0]
    services.sign_compact(compact, acting_user=manager, signed_on=datetime.date(2025, 2, 1))
    entry = HistoryEntry.objects.for_object(compact).filter(action="update").get()
    assert entry.actor == "user:manager" and entry.changes["status"] == ["draft", "signed"]


def test_closing_a_finding_outside_a_request_records_its_acting_user(manager, two_findings):
    finding = two_findings[0]
    services.close_finding(finding, acting_user=manager, closed_on=datetime.date(2026, 10, 1))
    entry = HistoryEntry.objects.for_object(finding).filter(action="update").get()
    assert entry.actor == "user:manager" and entry.changes["status"] == ["in_progress", "closed"]


def test_an_action_refuses_a_user_outside_the_unit_even_outside_a_request(
    manager2, oios, two_compacts
):
    ours = two_compacts[0]
    with pytest.raises(Http404):
        services.sign_compact(ours, acting_user=manager2, signed_on=datetime.date(2025, 2, 1))
    with pytest.raises(PermissionDenied):
        services.sign_compact(ours, acting_user=oios, signed_on=datetime.date(2025, 2, 1))
    assert Compact.objects.get(pk=ours.pk).status == "draft"


def test_an_action_honours_the_version_it_was_given(manager, two_compacts):
    compact = two_compacts[0]
    compact.version = 7
    with pytest.raises(StaleVersion):
        services.sign_compact(compact, acting_user=manager, signed_on=datetime.date(2025, 2, 1))
    assert Compact.objects.get(pk=compact.pk).status == "draft"


# --- Pages and admin --------------------------------------------------------------------------


def test_the_sign_page_refuses_a_stale_version(web, manager, two_compacts):
    compact = two_compacts[0]
    response = web(manager).post(
        f"/performance/compacts/{compact.pk}/sign/", {"signed_on": "2025-02-01", "version": 5}
    )
    assert response.status_code == 200 and "Someone else changed this record" in (
        response.content.decode()
    )
    assert Compact.objects.get(pk=compact.pk).status == "draft"


def test_the_admin_shows_state_fields_read_only(web, admin_user, two_findings):
    finding = two_findings[0]
    page = web(admin_user).get(f"/admin/performance/boardfinding/{finding.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="action_plan"' in body
    assert 'name="status"' not in body and 'name="closed_on"' not in body


def test_the_admin_closes_findings_through_the_action(web, admin_user, two_findings):
    ours, theirs = two_findings
    response = web(admin_user).post(
        "/admin/performance/boardfinding/",
        {"action": "close_findings", "_selected_action": [ours.pk, theirs.pk]},
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.status == "closed" and ours.closed_on is not None
    assert theirs.status == "open"  # no action plan: refused, and said so
    entry = HistoryEntry.objects.for_object(ours).filter(action="update").get()
    assert entry.actor == "user:admin"


# --- Every model saves through a named action; labels are registered ------------------------


@pytest.mark.parametrize(
    "model",
    [
        Compact,
        CompactObjective,
        BoardFinding,
        Appraisal,
        UnderperformanceCase,
        ExpectedAccomplishment,
        Indicator,
        IndicatorResult,
        RBMResponsibility,
    ],
)
def test_every_model_has_a_save_action_and_a_policy(model):
    assert actions.get(model, "save") is not None
    assert "policy" in vars(model)


def test_transitions_are_registered():
    assert actions.get(Compact, "sign") is services.sign_compact
    assert actions.get(Compact, "assess") is services.assess_compact
    assert actions.get(BoardFinding, "close") is services.close_finding
    assert actions.get(Appraisal, "import") is not None


def test_performance_codes_read_as_labels():
    assert labels.label("compact_status", "assessed") == "Assessed"
    assert labels.label("boardfinding_status", "in_progress") == "Action plan under way"
    assert labels.label("appraisal_rating", "does_not_meet") == (
        "Does not meet performance expectations"
    )
    assert labels.label("compact_mpb_rating", "") == "–"


# --- Appraisals are personal: who reads them by name -----------------------------------------


def test_appraisals_in_two_units_are_read_by_their_managers_only(
    api, manager, manager2, oios, gastaff, admin_user, units
):
    ours = AppraisalFactory(unit=units["ohr"])
    theirs = AppraisalFactory(unit=units["pd"])
    url = "/api/performance/appraisals/"

    def ids(user):
        return sorted(r["id"] for r in api(user).get(url).json()["results"])

    assert ids(manager) == [ours.pk]
    assert ids(manager2) == [theirs.pk]
    assert ids(admin_user) == sorted([ours.pk, theirs.pk])
    assert ids(oios) == [] and ids(gastaff) == []
    assert api(oios).get(f"{url}{ours.pk}/").status_code == 404


# --- The appraisal import is a named action: one transaction, attributed to its user ----------


def test_the_import_called_outside_a_request_records_its_acting_user(manager, oios, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from org.tests.factories import PersonFactory
    from performance.imports import import_appraisals

    PersonFactory(unit=units["ohr"], index_number="20000000")
    data = b"staff,cycle,due_on,completed_on,rating\n20000000,2024,,2025-05-02,meets\n"
    with pytest.raises(PermissionDenied):
        import_appraisals(SimpleUploadedFile("a.csv", data), acting_user=oios)
    result = import_appraisals(SimpleUploadedFile("a.csv", data), acting_user=manager)
    assert result.as_dict() == {"created": 1, "updated": 0, "unchanged": 0}
    entry = HistoryEntry.objects.for_object(Appraisal.objects.get()).get()
    assert entry.actor == "user:manager"
