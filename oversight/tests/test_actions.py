"""Issue 10: every change of an oversight record is a named action, decided by the policies, and
a state field moves only through its action."""

import datetime

import pytest
from django.utils import timezone

from core import actions, labels
from core.models import HistoryEntry
from oversight import services
from oversight.models import (
    Evidence,
    OversightBody,
    OversightReport,
    Recommendation,
    RecommendationUpdate,
)
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db
URL = "/api/oversight/recommendations/"


@pytest.fixture
def world(units):
    """Recommendations of two bodies addressed to two departments' units."""
    oios_report = ReportFactory(body=body("OIOS"), symbol="2025/001")
    boa_report = ReportFactory(body=body("BOA"), symbol="A/80/5")
    return {
        "oios_ohr": RecommendationFactory(report=oios_report, number="1", unit=units["ohr"]),
        "oios_pd": RecommendationFactory(report=oios_report, number="2", unit=units["pd"]),
        "boa_dmspc": RecommendationFactory(report=boa_report, number="1", unit=units["dmspc"]),
        "boa_dos": RecommendationFactory(report=boa_report, number="2", unit=units["dos"]),
    }


# persona -> {policy action: the recommendations it reaches}
TABLE = {
    "admin_user": {
        "view": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "change": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "status": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "verify": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "progress": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
    },
    "oios": {
        "view": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "change": {"oios_ohr", "oios_pd"},
        "status": {"oios_ohr", "oios_pd"},
        "verify": {"oios_ohr", "oios_pd"},
        "progress": set(),
    },
    "boa": {
        "view": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "change": {"boa_dmspc", "boa_dos"},
        "status": {"boa_dmspc", "boa_dos"},
        "verify": {"boa_dmspc", "boa_dos"},
        "progress": set(),
    },
    "manager": {
        "view": {"oios_ohr", "boa_dmspc"},
        "change": set(),
        "status": {"oios_ohr", "boa_dmspc"},
        "verify": set(),
        "progress": {"oios_ohr", "boa_dmspc"},
    },
    "manager2": {
        "view": {"oios_pd", "boa_dos"},
        "change": set(),
        "status": {"oios_pd", "boa_dos"},
        "verify": set(),
        "progress": {"oios_pd", "boa_dos"},
    },
    "gastaff": {
        "view": {"oios_ohr", "oios_pd", "boa_dmspc", "boa_dos"},
        "change": set(),
        "status": set(),
        "verify": set(),
        "progress": set(),
    },
    "outsider": {"view": set(), "change": set(), "status": set(), "verify": set()},
}


@pytest.mark.parametrize("persona", TABLE)
def test_the_policy_table(request, world, persona):
    user = request.getfixturevalue(persona)
    names = {rec.pk: name for name, rec in world.items()}
    for permission, expected in TABLE[persona].items():
        rows = Recommendation.objects.restrict(user, permission)
        assert {names[pk] for pk in rows.values_list("pk", flat=True)} == expected, permission
    # The timeline and its evidence follow their recommendation.
    timeline = RecommendationUpdate.objects.restrict(user, "view")
    assert timeline.query.is_empty() == (not TABLE[persona]["view"])


@pytest.mark.parametrize("persona", ["admin_user", "oios", "boa", "manager", "gastaff"])
def test_api_lists_what_the_policy_lets_see(request, api, world, persona):
    user = request.getfixturevalue(persona)
    listed = {r["id"] for r in api(user).get(URL).json()["results"]}
    assert listed == {world[n].pk for n in TABLE[persona]["view"]}


def test_every_model_with_a_write_path_has_a_save_action():
    for model in (OversightBody, OversightReport, Recommendation):
        assert actions.get(model, "save") is not None, model
    assert actions.get(Recommendation, "status") is services.change_status
    assert actions.get(Recommendation, "import") is services.import_recommendations
    # The timeline is written by the actions only: no save of its own, read-only in the admin.
    assert actions.get(RecommendationUpdate, "save") is None
    assert actions.get(Evidence, "save") is None


def test_labels_are_registered_once_with_the_contract_wording():
    assert labels.label("recommendation_status", "overtaken") == "Overtaken by events"
    assert labels.label("recommendation_status", "in_progress") == "Under implementation"
    assert labels.label("recommendation_priority", "critical") == "Critical"


# --- state fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value", [("status", "implemented"), ("implemented_on", "2026-01-15")]
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_state_field_changes_only_through_its_action(api, oios, world, field, value, method):
    rec = world["oios_ohr"]
    payload = {field: value}
    if method == "put":
        payload = {
            "report": rec.report_id,
            "number": rec.number,
            "text": rec.text,
            "unit": rec.unit.code,
            "accepted": True,
            **payload,
        }
    response = getattr(api(oios), method)(f"{URL}{rec.pk}/", payload, format="json")
    assert response.status_code == 400, response.content
    message = response.json()[field][0]
    assert f"POST /api/oversight/recommendations/{rec.pk}/status/" in message
    rec.refresh_from_db()
    assert (rec.status, rec.implemented_on, rec.version) == ("open", None, 1)


def test_a_state_field_sent_unchanged_is_ignored(api, oios, world):
    rec = world["oios_ohr"]
    response = api(oios).patch(
        f"{URL}{rec.pk}/", {"status": "open", "implemented_on": None, "text": "New"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "New"


def test_a_create_may_set_only_the_initial_status(api, oios, world):
    base = {"report": world["oios_ohr"].report_id, "text": "New", "unit": "DOS"}
    closed = api(oios).post(URL, {**base, "number": "7", "status": "implemented"}, format="json")
    assert closed.status_code == 400
    assert "POST /api/oversight/recommendations/" in closed.json()["status"][0]
    assert not Recommendation.objects.filter(number="7").exists()
    opened = api(oios).post(URL, {**base, "number": "8", "status": "open"}, format="json")
    assert opened.status_code == 201, opened.content
    declined = api(oios).post(
        URL,
        {
            **base,
            "number": "9",
            "status": "not_accepted",
            "accepted": False,
            "acceptance_comment": "Declined.",
        },
        format="json",
    )
    assert declined.status_code == 201, declined.content
    assert declined.json()["status"] == "not_accepted"


def test_the_status_action_takes_the_same_fields(api, oios, world):
    rec = world["oios_ohr"]
    response = api(oios).post(
        f"{URL}{rec.pk}/status/",
        {
            "status": "implemented",
            "implemented_on": "2026-01-15",
            "note": "Verified.",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["implemented_on"], data["version"]) == (
        "implemented",
        "2026-01-15",
        2,
    )
    wrong = api(oios).post(
        f"{URL}{world['oios_pd'].pk}/status/",
        {"status": "overtaken", "implemented_on": "2026-01-15", "note": "x"},
        format="json",
    )
    assert wrong.status_code == 400 and "implemented_on" in wrong.json()


def test_the_status_action_answers_its_own_404_403_and_409(api, oios, boa, gastaff, world):
    rec = world["oios_ohr"]
    target = f"{URL}{rec.pk}/status/"
    move = {"status": "implemented", "note": "Verified."}
    assert api(gastaff).post(target, move, format="json").status_code == 403
    assert api(boa).post(target, move, format="json").status_code == 403
    stale = api(oios).post(target, {**move, "version": 7}, format="json")
    assert stale.status_code == 409
    rec.refresh_from_db()
    assert rec.status == "open" and not rec.updates.exists()


def test_a_direct_call_records_the_acting_user_not_the_ambient_one(world, manager, oios):
    rec = world["oios_ohr"]
    services.change_status(rec, acting_user=manager, status="in_progress", note="Started.")
    entry = HistoryEntry.objects.for_object(rec).first()
    assert entry.actor == "user:manager"
    update = rec.updates.get()
    assert HistoryEntry.objects.for_object(update).first().actor == "user:manager"
    rec.accepted = True
    rec.text = "Edited by the body."
    services.save_recommendation(rec, acting_user=oios)
    assert HistoryEntry.objects.for_object(rec).first().actor == "user:oios"


def test_saving_a_declined_recommendation_puts_the_acceptance_on_the_timeline(world, oios):
    rec = world["oios_ohr"]
    rec.accepted = False
    rec.acceptance_comment = "The cost exceeds the benefit."
    services.save_recommendation(rec, acting_user=oios)
    rec.refresh_from_db()
    assert (rec.status, rec.status_changed_on) == ("not_accepted", timezone.localdate())
    assert [(u.from_status, u.to_status, u.author_label) for u in rec.updates.all()] == [
        ("open", "not_accepted", "oios")
    ]
    rec.accepted = True
    services.save_recommendation(rec, acting_user=oios)
    assert rec.status == "open" and rec.updates.count() == 2


def test_a_save_cannot_move_a_recommendation_to_another_bodys_report(world, oios):
    from django.core.exceptions import PermissionDenied

    rec = world["oios_ohr"]
    rec.report = world["boa_dos"].report
    rec.number = "99"
    with pytest.raises(PermissionDenied):
        services.save_recommendation(rec, acting_user=oios)
    assert Recommendation.objects.get(pk=rec.pk).report_id == world["oios_pd"].report_id


# --- the overdue rule -------------------------------------------------------------------------


def test_is_overdue_says_what_the_queryset_says(units):
    today = timezone.localdate()
    for status in ("open", "in_progress", "pending_verification", "implemented", "overtaken"):
        for target in (None, today - datetime.timedelta(days=1), today, today.replace(year=2099)):
            RecommendationFactory(unit=units["ohr"], status=status, target_date=target)
    RecommendationFactory(
        unit=units["ohr"],
        status="not_accepted",
        accepted=False,
        target_date=today - datetime.timedelta(days=1),
    )
    overdue = set(Recommendation.objects.overdue().values_list("pk", flat=True))
    not_overdue = set(Recommendation.objects.not_overdue().values_list("pk", flat=True))
    for rec in Recommendation.objects.all():
        assert rec.is_overdue == (rec.pk in overdue) != (rec.pk in not_overdue), rec
    assert len(overdue) == 3
    assert Recommendation.objects.overdue(on=datetime.date(2000, 1, 1)).count() == 0
