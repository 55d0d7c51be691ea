"""Issue 17: the decision form says before saving whether the decision will be outside authority
(the live check, by the model's one rule), and saving one outside authority ends with a warning."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import constants

from accountability.authority_check import check_input
from accountability.models import Decision
from accountability.tests.factories import AcceptedDelegationFactory, DelegationFactory
from org.tests.factories import UserFactory

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
CHECK = "/accountability/decisions/authority-check/"


@pytest.fixture
def grant(units, manager, admin_user):
    return AcceptedDelegationFactory(
        reference="DOA/DMSPC/9",
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=TODAY - 60 * DAY,
        valid_to=TODAY + 300 * DAY,
    )


@pytest.fixture
def dos_grant(units, manager2, admin_user):
    """An instrument of another department, which the DMSPC manager may not see."""
    return AcceptedDelegationFactory(
        reference="DOA/DOS/9",
        delegator=admin_user,
        delegatee=manager2,
        unit=units["dos"],
        area="procurement",
        limit_amount=Decimal("5.00"),
        valid_from=TODAY - 60 * DAY,
        valid_to=TODAY + 300 * DAY,
    )


def _state(html: str) -> str:
    return re.search(r'data-state="(\w+)"', html).group(1)


def _problems(html: str) -> list[str]:
    block = re.search(r'<ul id="authority-problems">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def _form(grant, **overrides):
    data = {
        "title": "Approve the travel plan",
        "decided_on": (TODAY - DAY).isoformat(),
        "unit": grant.unit_id,
        "area": "finance",
        "amount": "2500.00",
        "delegation": grant.pk,
        "rationale": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "state", "reasons"),
    [
        ({}, "within", []),
        ({"amount": "10000.01"}, "outside", ["limit"]),
        ({"area": "procurement"}, "outside", ["area"]),
        ({"area": "procurement", "amount": "20000"}, "outside", ["area", "limit"]),
        (
            {"decided_on": (TODAY - 90 * DAY).isoformat()},
            "outside",
            ["not yet valid", "accepted only after"],
        ),
        ({"delegation": "", "area": ""}, "none", []),
        ({"delegation": "", "area": "finance"}, "outside", ["No delegation"]),
    ],
)
def test_the_live_check_gives_the_rule_s_verdict_and_its_reasons(
    web, manager, grant, overrides, state, reasons
):
    answer = web(manager).get(CHECK, _form(grant, **overrides))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert _state(html) == state
    problems = _problems(html)
    assert len(problems) == len(reasons)
    for problem, word in zip(problems, reasons, strict=True):
        assert word in problem
    # One rule: the verdict is the one the saved decision gets.
    saved = Decision(
        decided_by=manager,
        decided_on=datetime.date.fromisoformat(_form(grant, **overrides)["decided_on"]),
        area=_form(grant, **overrides)["area"],
        amount=Decimal(_form(grant, **overrides)["amount"]),
        delegation=grant if _form(grant, **overrides)["delegation"] else None,
    )
    assert saved.compute_within_authority() == (state != "outside")


def test_the_check_names_another_person_s_instrument_as_not_theirs(web, manager, units, admin_user):
    other = AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=UserFactory(),
        unit=units["dmspc"],
        area="finance",
    )
    html = web(manager).get(CHECK, {"area": "finance", "amount": "1", "delegation": other.pk})
    html = html.content.decode()
    assert _state(html) == "outside"
    assert any("not given to the person who decided" in p for p in _problems(html))


def test_a_pending_instrument_is_outside_before_saving(web, manager, units, admin_user):
    pending = DelegationFactory(delegator=admin_user, delegatee=manager, unit=units["dmspc"])
    html = web(manager).get(CHECK, {"area": "finance", "amount": "1", "delegation": pending.pk})
    html = html.content.decode()
    assert _state(html) == "outside"
    assert any("not accepted" in p for p in _problems(html))


def test_an_instrument_the_user_may_not_see_is_never_described(web, manager, dos_grant):
    html = web(manager).get(
        CHECK, {"area": "procurement", "amount": "100", "delegation": dos_grant.pk}
    )
    html = html.content.decode()
    # Read as none cited: the answer does not reveal the hidden instrument's limit or holder.
    assert _state(html) == "outside"
    assert "5.00" not in html
    assert "DOA/DOS/9" not in html
    assert any("No delegation" in p for p in _problems(html))


def test_bad_input_is_no_error(web, manager, grant):
    client = web(manager)
    for params in (
        {"decided_on": "31/12/2026", "amount": "lots", "area": "nonsense", "delegation": "x"},
        {"amount": "NaN", "delegation": "99999999"},
        {"decision": "abc"},
    ):
        assert client.get(CHECK, params).status_code == 200


def test_editing_another_s_decision_judges_its_decider(web, admin_user, manager, grant):
    decision = Decision.objects.create(
        title="Theirs",
        unit=grant.unit,
        decided_by=manager,
        decided_on=TODAY - DAY,
        area="finance",
        amount=Decimal("10"),
        delegation=grant,
    )
    client = web(admin_user)
    within = client.get(
        CHECK,
        {"decision": decision.pk, "area": "finance", "amount": "10", "delegation": grant.pk},
    )
    assert _state(within.content.decode()) == "within"
    # Without the decision, the administrator is the one deciding: not the delegatee.
    mine = client.get(CHECK, {"area": "finance", "amount": "10", "delegation": grant.pk})
    assert _state(mine.content.decode()) == "outside"


def test_a_decision_the_user_may_not_see_is_404(web, manager2, manager, grant):
    decision = Decision.objects.create(
        title="DMSPC only",
        unit=grant.unit,
        decided_by=manager,
        decided_on=TODAY - DAY,
    )
    assert web(manager2).get(CHECK, {"decision": decision.pk}).status_code == 404


def test_the_form_page_shows_the_check_and_wires_it_to_the_fields(web, manager, grant):
    html = web(manager).get("/accountability/decisions/new/").content.decode()
    region = re.search(r'<section class="authority-check-region".*?</section>', html, re.S).group(0)
    assert f'hx-get="{CHECK}"' in region
    for field in ("delegation", "area", "amount", "decided_on"):
        assert f"from:#id_{field}" in region
        assert f"#id_{field}" in re.search(r'hx-include="([^"]+)"', region).group(1)
    assert _state(region) == "none"  # nothing chosen yet: no authority needed


def test_a_refused_form_shows_the_check_of_what_was_typed(web, manager, grant):
    html = web(manager).post(
        "/accountability/decisions/new/", _form(grant, title="", amount="20000")
    )
    html = html.content.decode()
    assert _state(html) == "outside"
    assert any("limit" in p for p in _problems(html))
    assert not Decision.objects.exists()


def test_saving_within_authority_says_saved(web, manager, grant):
    answer = web(manager).post("/accountability/decisions/new/", _form(grant), follow=True)
    messages = list(answer.context["messages"])
    assert [(m.level, str(m)) for m in messages] == [(constants.SUCCESS, "Saved.")]
    assert Decision.objects.get().within_authority is True


def test_saving_outside_authority_warns_with_the_reasons(web, manager, grant):
    answer = web(manager).post(
        "/accountability/decisions/new/", _form(grant, amount="12000"), follow=True
    )
    messages = list(answer.context["messages"])
    assert len(messages) == 1
    assert messages[0].level == constants.WARNING
    assert "outside delegated authority" in str(messages[0])
    assert "limit of USD 10,000.00" in str(messages[0])
    html = answer.content.decode()
    assert 'class="message warning"' in html
    assert "Saved." not in html
    decision = Decision.objects.get()
    assert decision.within_authority is False  # recorded, never refused


def test_editing_into_outside_authority_warns_too(web, manager, grant):
    client = web(manager)
    client.post("/accountability/decisions/new/", _form(grant), follow=True)  # reads "Saved."
    decision = Decision.objects.get()
    answer = client.post(
        f"/accountability/decisions/{decision.pk}/edit/",
        _form(grant, amount="50000", version=decision.version),
        follow=True,
    )
    assert [m.level for m in answer.context["messages"]] == [constants.WARNING]
    decision.refresh_from_db()
    assert decision.within_authority is False


def test_check_input_reads_the_same_as_the_saved_flag_for_an_expired_instrument(
    manager, units, admin_user
):
    expired = AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        valid_from=TODAY - 100 * DAY,
        valid_to=TODAY - 10 * DAY,
    )
    verdict = check_input(
        admin_user,
        {"decided_on": (TODAY - DAY).isoformat(), "area": "finance", "delegation": expired.pk},
        decided_by=manager,
    )
    assert verdict.state == "outside"
    assert any("expired" in p for p in verdict.problems)
