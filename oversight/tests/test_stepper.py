"""Issue 17: the recommendation page shows the workflow as a stepper with who acts next; the
status menu preselects nothing; verifying straight from open or in progress (skipping
management's report) is the body's only, explained, and needs a note (form and API)."""

import re

import pytest

from oversight import services, workflow
from oversight.forms import StatusForm
from oversight.models import Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(units):
    return RecommendationFactory(unit=units["ohr"], report=ReportFactory(body=body("OIOS")))


def _page(client, rec) -> str:
    answer = client.get(f"/oversight/recommendations/{rec.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def _steps(html: str) -> list[tuple[str, bool]]:
    stepper = re.search(r'<ol class="stepper" id="workflow-steps">(.*?)</ol>', html, re.S).group(1)
    return [
        (cls, "aria-current" in attrs)
        for cls, attrs in re.findall(r'<li class="(\w+)"([^>]*)>', stepper)
    ]


def _options(html: str) -> list[tuple[str, bool]]:
    select = re.search(r'<select name="status".*?</select>', html, re.S).group(0)
    return [(v, bool(sel)) for v, sel in re.findall(r'<option value="(\w*)"( selected)?', select)]


def _move(rec, user, status, note="Done."):
    return services.change_status(rec, acting_user=user, status=status, note=note)


@pytest.mark.parametrize(
    ("path", "states", "actor"),
    [
        ([], ["current", "todo", "todo", "todo"], "Management of DMSPC-OHR"),
        (["in_progress"], ["done", "current", "todo", "todo"], "Management of DMSPC-OHR"),
        (
            ["in_progress", "pending_verification"],
            ["done", "done", "current", "todo"],
            "OIOS",
        ),
    ],
)
def test_the_stepper_marks_the_current_step_and_who_acts_next(
    web, manager, oios, rec, path, states, actor
):
    for status in path:
        _move(rec, manager, status)
    for user in (manager, oios):
        html = _page(web(user), rec)
        steps = _steps(html)
        assert [cls for cls, _current in steps] == states
        # Exactly one step is the current one, for assistive technology too.
        assert [current for _cls, current in steps] == [s == "current" for s in states]
        next_actor = re.search(r'<p class="next-actor" id="next-actor">(.*?)</p>', html, re.S)
        assert f"Next: {actor}" in next_actor.group(1)


def test_a_closed_recommendation_is_at_its_last_step_and_no_one_acts(web, oios, manager, rec):
    _move(rec, manager, "pending_verification")
    _move(rec, oios, "implemented", note="Verified on a sample.")
    html = _page(web(oios), rec)
    assert [cls for cls, _c in _steps(html)] == ["done", "done", "done", "current"]
    assert "Verified and closed" in html
    assert "Next: No one" in html
    # The only move is sending it back; the menu opens on no status.
    assert _options(html) == [("", True), ("in_progress", False)]


def test_the_status_menu_preselects_nothing_and_an_empty_choice_is_refused(web, manager, rec):
    client = web(manager)
    assert _options(_page(client, rec))[0] == ("", True)
    assert all(not sel for value, sel in _options(_page(client, rec)) if value)
    answer = client.post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {"status": "", "note": "Something", "version": rec.version},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "data-error-summary" in html
    assert 'href="#id_status"' in html
    rec.refresh_from_db()
    assert rec.status == "open"


def test_the_skip_is_offered_to_the_body_only_and_explained(web, manager, oios, boa, rec):
    oios_html = _page(web(oios), rec)
    assert 'id="skip-note"' in oios_html
    assert "verified without management&#x27;s report" in oios_html
    assert 'aria-describedby="id_status_helptext"' in oios_html
    manager_html = _page(web(manager), rec)
    assert 'id="skip-note"' not in manager_html
    assert "implemented" not in [v for v, _s in _options(manager_html)]
    # Another body may not verify at all: no form.
    assert 'id="status-form"' not in _page(web(boa), rec)
    # Once management reported, verifying skips nothing: no note about it.
    _move(rec, manager, "pending_verification")
    assert 'id="skip-note"' not in _page(web(oios), rec)
    labels = dict(StatusForm(obj=Recommendation.objects.get(pk=rec.pk), user=oios).offered)
    assert str(labels["implemented"]) == "Implemented"


@pytest.mark.parametrize("start", ["open", "in_progress"])
def test_the_skip_needs_a_note_in_the_form(web, manager, oios, rec, start):
    if start == "in_progress":
        _move(rec, manager, "in_progress")
    rec.refresh_from_db()
    client = web(oios)
    url = f"/oversight/recommendations/{rec.pk}/status/"
    refused = client.post(url, {"status": "implemented", "note": "  ", "version": rec.version})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'href="#id_note"' in html
    rec.refresh_from_db()
    assert rec.status == start
    accepted = client.post(
        url, {"status": "implemented", "note": "Checked on site.", "version": rec.version}
    )
    assert accepted.status_code == 302
    rec.refresh_from_db()
    assert rec.status == "implemented"


def test_the_skip_needs_a_note_in_the_api_and_stays_allowed_with_one(api, oios, rec):
    url = f"/api/oversight/recommendations/{rec.pk}/status/"
    refused = api(oios).post(url, {"status": "implemented", "note": ""}, format="json")
    assert refused.status_code == 400
    assert "note" in refused.json()
    assert "verification rests on" in str(refused.json()["note"])
    rec.refresh_from_db()
    assert rec.status == "open"
    done = api(oios).post(
        url, {"status": "implemented", "note": "Verified on evidence."}, format="json"
    )
    assert done.status_code == 200, done.content
    rec.refresh_from_db()
    assert rec.status == "implemented"
    assert rec.updates.get().from_status == "open"


def test_management_cannot_skip_whatever_the_note(api, manager, rec):
    url = f"/api/oversight/recommendations/{rec.pk}/status/"
    for note in ("", "We did it."):
        answer = api(manager).post(url, {"status": "implemented", "note": note}, format="json")
        assert answer.status_code in (400, 403)
        if note:
            assert answer.status_code == 403
    rec.refresh_from_db()
    assert rec.status == "open"


def test_is_skip():
    assert workflow.is_skip("open", "implemented")
    assert workflow.is_skip("in_progress", "implemented")
    assert not workflow.is_skip("pending_verification", "implemented")
    assert not workflow.is_skip("open", "not_implemented")
