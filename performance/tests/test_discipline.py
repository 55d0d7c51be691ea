"""Paragraphs 8 and 17: disciplinary cases (administrators only, published in aggregate with
counts of 1 to 4 suppressed) and rewards and recognition."""

import datetime

import pytest

from core.actions import SYSTEM
from org.tests.factories import PersonFactory
from performance import metrics
from performance.models import DisciplinaryCase, Recognition
from performance.services import save_disciplinary_case

pytestmark = pytest.mark.django_db
CASES = "/api/performance/disciplinary-cases/"
SUMMARY = "/api/performance/disciplinary-summary/"
RECOGNITIONS = "/api/performance/recognitions/"
Y2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def case(unit, opened, category, measure="", measure_on=None, referred_on=None):
    return save_disciplinary_case(
        DisciplinaryCase(
            unit=unit,
            opened_on=opened,
            category=category,
            measure=measure,
            measure_on=measure_on,
            referred_to_national_authorities=referred_on is not None,
            referred_on=referred_on,
        ),
        acting_user=SYSTEM,
    )


@pytest.fixture
def cases(units):
    """Hand-counted 2025, in two departments.

    Opened in 2025: 6 fraud (4 DMSPC-OHR, 2 DOS-PD), 3 harassment (DOS-PD) = 9.
    Measures imposed in 2025: 5 written censures, 2 separations, 1 dismissal = 8; one fraud
    case pending; one fraud case opened in 2024 whose censure came in 2025 (so censures are 5
    counting it, and it is not among the cases opened in 2025).
    Referred to national authorities in 2025: 2.
    """
    ohr, pd = units["ohr"], units["pd"]
    d = datetime.date
    for n in range(4):
        case(ohr, d(2025, 2, 1 + n), "fraud", "written_censure", d(2025, 6, 1))
    case(pd, d(2025, 3, 1), "fraud", "separation", d(2025, 9, 1), referred_on=d(2025, 9, 15))
    case(pd, d(2025, 3, 2), "fraud")  # pending
    case(pd, d(2025, 4, 1), "harassment", "separation", d(2025, 10, 1))
    case(pd, d(2025, 4, 2), "harassment", "dismissal", d(2025, 11, 1), referred_on=d(2025, 11, 2))
    case(pd, d(2025, 4, 3), "harassment", "no_measure", d(2025, 5, 1))
    case(ohr, d(2024, 11, 1), "misuse_of_resources", "written_censure", d(2025, 1, 20))


def test_counts_by_measure_and_category_for_administrators(cases, admin_user):
    summary = metrics.discipline_summary(admin_user, start=Y2025[0], end=Y2025[1])
    assert summary["cases_opened"] == 9
    # Closed without a measure is counted by kind but is not a measure imposed.
    assert summary["measures_imposed"] == 8
    assert summary["by_measure"]["written_censure"] == 5
    assert summary["by_measure"]["separation"] == 2
    assert summary["by_measure"]["dismissal"] == 1
    assert summary["by_measure"]["no_measure"] == 1
    assert summary["by_category"]["fraud"] == 6 and summary["by_category"]["harassment"] == 3
    assert summary["by_category"]["misuse_of_resources"] == 0
    assert summary["referred_to_national_authorities"] == 2


def test_small_counts_are_suppressed_for_everyone_else(cases, manager, gastaff, outsider):
    for reader in (manager, gastaff):
        summary = metrics.discipline_summary(reader, start=Y2025[0], end=Y2025[1])
        # 2 separations, 1 dismissal, 1 closed without measure: each hidden; 5 censures shown.
        assert summary["by_measure"]["written_censure"] == 5
        assert summary["by_measure"]["separation"] is None
        assert summary["by_measure"]["dismissal"] is None
        assert summary["by_measure"]["no_measure"] is None
        # Harassment (3) is the only small category: fraud (6) is hidden with it, or 9 - 6
        # would give it away.
        assert summary["by_category"]["harassment"] is None
        assert summary["by_category"]["fraud"] is None
        assert summary["by_category"]["theft"] == 0
        assert summary["referred_to_national_authorities"] is None
        assert (summary["cases_opened"], summary["measures_imposed"]) == (9, 8)
    assert metrics.discipline_summary(outsider, start=Y2025[0], end=Y2025[1]) is None


def test_cases_are_for_administrators_only(api, cases, admin_user, manager, gastaff, oios):
    one = DisciplinaryCase.objects.filter(unit__code="DMSPC-OHR").first()
    assert len(api(admin_user).get(CASES).json()["results"]) == 10
    for reader in (manager, gastaff, oios):
        assert api(reader).get(CASES).json()["results"] == []
        assert api(reader).get(f"{CASES}{one.pk}/").status_code == 404
    refused = api(manager).post(
        CASES,
        {"unit": "DMSPC-OHR", "opened_on": "2025-01-01", "category": "fraud"},
        format="json",
    )
    assert refused.status_code == 403
    body = api(gastaff).get(SUMMARY, {"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert body["by_measure"]["written_censure"] == 5 and body["by_measure"]["dismissal"] is None
    assert (
        api(gastaff).get(SUMMARY, {"start": "2025-12-31", "end": "2025-01-01"}).status_code == 400
    )
    assert api(gastaff).get(SUMMARY, {"start": "1 Jan"}).status_code == 400


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"measure": "fine"}, "measure_on"),
        ({"measure_on": "2025-03-01"}, "measure"),
        ({"measure": "fine", "measure_on": "2024-12-31"}, "measure_on"),
        ({"referred_to_national_authorities": True}, "referred_on"),
        ({"referred_on": "2025-02-01"}, "referred_to_national_authorities"),
        ({"measure": "promotion", "measure_on": "2025-03-01"}, "measure"),
        ({"opened_on": "2999-01-01"}, "opened_on"),
    ],
)
def test_a_case_is_refused_with_a_clear_message(api, units, admin_user, extra, field):
    payload = {"unit": "DOS-PD", "opened_on": "2025-01-01", "category": "fraud", **extra}
    response = api(admin_user).post(CASES, payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not DisciplinaryCase.objects.exists()


def test_an_administrator_records_a_case_and_its_measure(api, units, admin_user):
    person = PersonFactory(unit=units["pd"], index_number="50000001")
    created = api(admin_user).post(
        CASES,
        {"unit": "DOS-PD", "person": "50000001", "opened_on": "2025-01-10", "category": "theft"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"{CASES}{created.json()['id']}/"
    done = api(admin_user).patch(
        url, {"measure": "fine", "measure_on": "2025-04-01", "version": 1}, format="json"
    )
    assert done.status_code == 200 and done.json()["measure"] == "fine"
    stale = api(admin_user).patch(url, {"summary": "late", "version": 1}, format="json")
    assert stale.status_code == 409
    stored = DisciplinaryCase.objects.get()
    assert stored.person == person and stored.version == 2


# --- Rewards and recognition ------------------------------------------------------------------


def test_recognition_rights_and_the_person_hidden_from_ga_staff(
    api, units, manager, manager2, gastaff
):
    PersonFactory(unit=units["ohr"], index_number="60000001", name="Awarded Person")
    PersonFactory(unit=units["pd"], index_number="60000002", name="Other Department Person")
    created = api(manager).post(
        RECOGNITIONS,
        {
            "unit": "DMSPC-OHR",
            "person": "60000001",
            "kind": "sg_award",
            "awarded_on": "2025-06-01",
            "reason": "Led the roll-out of the new appraisal cycle.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    other = api(manager).post(
        RECOGNITIONS,
        {
            "unit": "DMSPC-OHR",
            "person": "60000002",
            "kind": "commendation",
            "awarded_on": "2025-06-01",
            "reason": "x",
        },
        format="json",
    )
    assert other.status_code == 400 and "Other Department" not in other.content.decode()
    elsewhere = api(manager).post(
        RECOGNITIONS,
        {"unit": "DOS-PD", "kind": "team_award", "awarded_on": "2025-06-01", "reason": "x"},
        format="json",
    )
    assert elsewhere.status_code == 403
    ga = api(gastaff).get(RECOGNITIONS).json()["results"]
    assert len(ga) == 1 and not ga[0]["person"] and ga[0]["unit"] == "DMSPC-OHR"
    assert api(manager2).get(RECOGNITIONS).json()["results"] == []
    detail = api(gastaff).get(f"/api/history/?object=performance.recognition:{ga[0]['id']}")
    assert "60000001" not in detail.content.decode()


def test_recognition_summary_and_the_page(web, units, manager, gastaff):
    d = datetime.date
    for unit, kind, day in [
        ("ohr", "sg_award", d(2025, 3, 1)),
        ("ohr", "team_award", d(2025, 5, 1)),
        ("pd", "team_award", d(2025, 7, 1)),
        ("pd", "innovation", d(2024, 12, 31)),  # before the period
    ]:
        Recognition.objects.create(unit=units[unit], kind=kind, awarded_on=day, reason="Good work")
    summary = metrics.recognition_summary(gastaff, start=Y2025[0], end=Y2025[1])
    assert summary["total"] == 3 and summary["by_kind"]["team_award"] == 2
    assert [(u["unit__code"], u["count"]) for u in summary["by_unit"]] == [
        ("DMSPC-OHR", 2),
        ("DOS-PD", 1),
    ]
    page = web(gastaff).get(
        "/performance/discipline/", {"start": "2025-01-01", "end": "2025-12-31"}
    )
    assert page.status_code == 200 and 'id="recognitions-total">3<' in page.content.decode()
    assert web(gastaff).get("/performance/discipline/cases/").status_code == 200
    assert web(manager).get("/performance/discipline/cases/new/").status_code == 403


def test_what_the_paragraph_page_and_the_report_hold(cases, units):
    """Paragraphs 8 and 17 hold the measures in aggregate (small counts shown as a dash) and
    the awards; no item names a person."""
    Recognition.objects.create(
        unit=units["ohr"], kind="sg_award", awarded_on=datetime.date(2025, 3, 1), reason="Results"
    )
    measures = metrics.paragraph_measures(*Y2025)
    (imposed,) = [m for m in measures[17] if m["kind"] == "disciplinary_measures"]
    assert imposed["count"] == 8
    titles = {item["title"] for item in imposed["items"]}
    assert "Written censure: 5" in titles and "Separation from service: —" in titles
    awards = [m for m in measures[8] if m["kind"] == "recognitions"]
    assert awards[0]["count"] == 1 and awards[0]["items"][0]["title"] == (
        "Secretary-General's award – DMSPC-OHR"
    )
    report = metrics.report_metrics(*Y2025)["D"]
    assert (report["disciplinary_cases_opened"], report["disciplinary_measures_imposed"]) == (9, 8)
    assert report["disciplinary_measures_by_kind"]["separation"] is None
    assert report["disciplinary_referrals_to_national_authorities"] is None
    assert (report["recognitions_given"], report["recognitions_units"]) == (1, 1)
