"""Browser pages: the decision form, lists with filters and exports, detail pages, rights."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accountability.models import Commitment, Decision, Delegation
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    CommitmentFactory,
    DelegationFactory,
)
from org.models import Paragraph
from org.tests.factories import PersonFactory, UserFactory

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def grant(units, manager, admin_user):
    return AcceptedDelegationFactory(
        reference="DOA/DMSPC/1",
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=TODAY - 60 * DAY,
        valid_to=TODAY + 300 * DAY,
    )


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


def test_manager_logs_a_decision_over_the_limit_and_sees_it_flagged(
    web, manager, grant, resolution
):
    client = web(manager)
    page = client.get("/accountability/decisions/new/")
    assert page.status_code == 200
    assert "DOA/DMSPC/1" in page.content.decode()  # the instrument is offered
    p21 = Paragraph.objects.get(number=21)
    response = client.post(
        "/accountability/decisions/new/", _form(grant, amount="12500.00", paragraphs=[p21.pk])
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.within_authority is False
    assert list(decision.paragraphs.values_list("number", flat=True)) == [21]
    detail = client.get(response["Location"]).content.decode()
    assert "Outside authority" in detail
    assert (
        "exceeds the delegation&#x27;s limit" in detail
        or "exceeds the delegation's limit" in detail
    )
    listing = client.get("/accountability/decisions/").content.decode()
    assert 'class="alert"' in listing


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"decided_on": (TODAY + DAY).isoformat()}, "decided_on", "future"),
        ({"amount": "-5"}, "amount", ""),
        ({"area": "", "delegation": ""}, "amount", "area"),
    ],
    ids=["future", "negative", "amount-without-area"],
)
def test_bad_decision_input_shows_a_field_message_and_saves_nothing(
    web, manager, grant, resolution, overrides, field, message
):
    response = web(manager).post("/accountability/decisions/new/", _form(grant, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert Decision.objects.count() == 0


@pytest.mark.parametrize(
    "problem,shown",
    [
        ("expired", "The delegation had expired on the date of the decision"),
        ("revoked", "The delegation was revoked on"),
        ("someone-else", "The delegation was not given to the person who decided."),
        ("pending", "The delegatee has not accepted the delegation."),
    ],
)
def test_invalid_instrument_chosen_in_the_form_is_logged_and_flagged(
    web, manager, grant, units, resolution, problem, shown
):
    if problem == "expired":
        Delegation.objects.filter(pk=grant.pk).update(valid_to=TODAY - 10 * DAY)
    elif problem == "revoked":
        Delegation.objects.filter(pk=grant.pk).update(revoked_on=TODAY - 5 * DAY)
    elif problem == "pending":
        Delegation.objects.filter(pk=grant.pk).update(accepted_on=None, chain_accepted_on=None)
    else:
        grant = AcceptedDelegationFactory(
            delegatee=UserFactory(username="colleague"), unit=units["dmspc"]
        )
    client = web(manager)
    response = client.post("/accountability/decisions/new/", _form(grant))
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.within_authority is False and decision.delegation_id == grant.pk
    page = client.get(f"/accountability/decisions/{decision.pk}/").content.decode()
    assert shown in page
    assert "Awaiting review" in page
    listed = client.get("/accountability/decisions/?within_authority=false").content.decode()
    assert decision.title in listed


def test_form_refuses_an_instrument_the_user_cannot_see(web, manager, units, resolution):
    hidden = AcceptedDelegationFactory(
        delegatee=UserFactory(username="hidden.holder"), unit=units["dos"]
    )
    response = web(manager).post("/accountability/decisions/new/", _form(hidden))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["delegation"])
    assert "Select a valid choice" in errors and "hidden.holder" not in errors
    assert Decision.objects.count() == 0


def test_delegatee_accepts_on_the_page(web, manager, admin_user, units):
    pending = DelegationFactory(delegator=admin_user, delegatee=manager, unit=units["dmspc"])
    client = web(manager)
    page = client.get(f"/accountability/delegations/{pending.pk}/").content.decode()
    assert "Awaiting acceptance" in page and 'action="/accountability/delegations/' in page
    earlier = client.post(
        f"/accountability/delegations/{pending.pk}/accept/",
        {"accepted_on": (TODAY - 3 * DAY).isoformat(), "version": pending.version},
    )
    assert earlier.status_code == 200
    assert "Only an administrator" in earlier.content.decode()
    ok = client.post(
        f"/accountability/delegations/{pending.pk}/accept/", {"version": pending.version}
    )
    assert ok.status_code == 302
    assert Delegation.objects.get(pk=pending.pk).accepted_on == TODAY
    again = client.get(f"/accountability/delegations/{pending.pk}/").content.decode()
    assert f'/accountability/delegations/{pending.pk}/accept/"' not in again


def test_stale_edit_in_the_browser_is_a_form_message(web, manager, grant, resolution):
    client = web(manager)
    client.post("/accountability/decisions/new/", _form(grant))
    decision = Decision.objects.get()
    url = f"/accountability/decisions/{decision.pk}/edit/"
    ok = client.post(url, _form(grant, title="First", version=decision.version))
    assert ok.status_code == 302
    stale = client.post(url, _form(grant, title="Second", version=decision.version))
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    assert Decision.objects.get().title == "First"


def test_rights_on_pages(web, manager, manager2, gastaff, grant, resolution):
    web(manager).post("/accountability/decisions/new/", _form(grant))
    decision = Decision.objects.get()
    detail = f"/accountability/decisions/{decision.pk}/"
    assert web(manager2).get(detail).status_code == 404
    assert web(manager2).get(f"{detail}edit/").status_code == 404
    assert web(manager2).post(f"{detail}edit/", _form(grant)).status_code == 404
    assert web(gastaff).get(detail).status_code == 200
    assert web(gastaff).get(f"{detail}edit/").status_code == 403
    assert web(gastaff).get("/accountability/decisions/new/").status_code == 403
    assert web(manager2).get(f"/accountability/delegations/{grant.pk}/").status_code == 404


def _bulk_decisions(n, units, user, delegation):
    Decision.objects.bulk_create(
        Decision(
            title=f"=cmd|' /C calc'!A{i}",
            unit=units["dmspc"],
            decided_by=user,
            decided_on=TODAY - DAY,
            area="finance",
            amount=Decimal(i),
            delegation=delegation,
            within_authority=i % 2 == 0,
        )
        for i in range(n)
    )


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_decision_list_queries_are_the_same_at_10_and_1000_rows(
    web, manager, grant, units, django_assert_max_num_queries
):
    PersonFactory(user=UserFactory(username="other"), unit=units["dmspc"])
    client = web(manager)
    filtered_url = f"/accountability/decisions/?within_authority=false&unit={units['dmspc'].pk}"
    _bulk_decisions(10, units, manager, grant)
    small = _queries(client, "/accountability/decisions/")
    small_filtered = _queries(client, filtered_url)
    _bulk_decisions(990, units, manager, grant)
    assert _queries(client, "/accountability/decisions/") == small
    assert _queries(client, filtered_url) == small_filtered
    assert small <= 10 and small_filtered <= 10
    with django_assert_max_num_queries(15):
        client.get("/accountability/decisions/?page=3")


def test_other_lists_queries_do_not_grow(web, manager, units, grant):
    client = web(manager)
    CommitmentFactory.create_batch(5, unit=units["dmspc"], owner=manager)
    DelegationFactory.create_batch(5, unit=units["dmspc"])
    c_small = _queries(client, "/accountability/commitments/")
    d_small = _queries(client, "/accountability/delegations/")
    CommitmentFactory.create_batch(80, unit=units["dmspc"], owner=manager)
    DelegationFactory.create_batch(80, unit=units["dmspc"])
    assert _queries(client, "/accountability/commitments/") == c_small
    assert _queries(client, "/accountability/delegations/") == d_small


def test_exports_are_filtered_and_formula_cells_are_inert(web, manager, grant, units):
    _bulk_decisions(6, units, manager, grant)
    client = web(manager)
    response = client.get("/accountability/decisions/?within_authority=false&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1] == "Title"
    assert len(rows) == 1 + 3
    assert all(row[1].startswith("'=") for row in rows[1:])
    xlsx = client.get("/accountability/decisions/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("=cmd")


def test_list_filters(web, manager, grant, units, resolution):
    client = web(manager)
    client.post(
        "/accountability/decisions/new/",
        _form(
            grant,
            title="In OHR",
            unit=units["ohr"].pk,
            paragraphs=[Paragraph.objects.get(number=13).pk],
        ),
    )
    client.post(
        "/accountability/decisions/new/",
        _form(grant, title="Older", decided_on=(TODAY - 40 * DAY).isoformat()),
    )

    def titles(query):
        response = client.get(f"/accountability/decisions/?{query}")
        return sorted(obj.title for obj in response.context["object_list"])

    assert titles(f"unit={units['ohr'].pk}") == ["In OHR"]
    assert titles(f"unit={units['dmspc'].pk}") == ["Older"]  # that unit only
    assert titles(f"within={units['dmspc'].pk}") == ["In OHR", "Older"]  # and below it
    assert titles("within=DMSPC") == ["In OHR", "Older"]
    assert titles("paragraph=13") == ["In OHR"]
    assert titles(f"decided_after={(TODAY - 10 * DAY).isoformat()}") == ["In OHR"]
    assert titles("q=older") == ["Older"]
    assert titles("decided_by=manager") == ["In OHR", "Older"]
    assert titles("decided_by=nobody") == []


def test_delegation_pages_register_revoke_and_sub_delegate(web, manager, grant, units):
    client = web(manager)
    UserFactory(username="deputy")
    assert (
        client.get(
            f"/accountability/delegations/?within={units['dmspc'].pk}&state=active"
        ).status_code
        == 200
    )
    sub = client.post(
        f"/accountability/delegations/new/?parent={grant.pk}",
        {
            "reference": "DOA/SUB/1",
            "delegator": "manager",
            "delegatee": "deputy",
            "unit": units["dmspc"].pk,
            "area": "finance",
            "limit_amount": "20000.00",
            "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + 10 * DAY).isoformat(),
            "parent": grant.pk,
        },
    )
    assert sub.status_code == 200
    assert "limit_amount" in sub.context["form"].errors
    ok = client.post(
        f"/accountability/delegations/new/?parent={grant.pk}",
        {
            "reference": "DOA/SUB/1",
            "delegator": "manager",
            "delegatee": "deputy",
            "unit": units["dmspc"].pk,
            "area": "finance",
            "limit_amount": "2000.00",
            "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + 10 * DAY).isoformat(),
            "parent": grant.pk,
        },
    )
    assert ok.status_code == 302
    child = Delegation.objects.get(reference="DOA/SUB/1")
    detail = client.get(f"/accountability/delegations/{grant.pk}/").content.decode()
    assert "DOA/SUB/1" in detail
    child_page = client.get(f"/accountability/delegations/{child.pk}/").content.decode()
    assert "DOA/DMSPC/1" in child_page  # the chain of parents
    refused = client.post(f"/accountability/delegations/{grant.pk}/revoke/", {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    revoked = client.post(f"/accountability/delegations/{grant.pk}/revoke/", {"reason": "Audit"})
    assert revoked.status_code == 302
    child.refresh_from_db()
    assert child.revoked_on == TODAY


def test_delegation_options_follow_the_date(web, manager, grant):
    client = web(manager)
    now = client.get(
        f"/accountability/decisions/delegation-options/?decided_on={TODAY.isoformat()}"
    )
    assert "DOA/DMSPC/1" in now.content.decode()
    before = client.get("/accountability/decisions/delegation-options/?decided_on=2001-01-01")
    assert "DOA/DMSPC/1" not in before.content.decode()


def test_commitment_pages_and_status_change(web, manager, manager2, units):
    client = web(manager)
    created = client.post(
        "/accountability/commitments/new/",
        {
            "title": "Train managers",
            "owner": "manager",
            "unit": units["dmspc"].pk,
            "due_on": (TODAY + 20 * DAY).isoformat(),
            "deliverable": "",
        },
    )
    assert created.status_code == 302
    commitment = Commitment.objects.get()
    url = f"/accountability/commitments/{commitment.pk}/"
    assert client.get(url).status_code == 200
    assert web(manager2).post(f"{url}status/", {"status": "honoured"}).status_code == 404
    bad = client.post(
        f"{url}status/", {"status": "honoured", "honoured_on": (TODAY + DAY).isoformat()}
    )
    assert bad.status_code == 200 and "honoured_on" in bad.context["form"].errors
    stale = client.post(f"{url}status/", {"status": "in_progress", "version": 0})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    done = client.post(f"{url}status/", {"status": "honoured"})
    assert done.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "honoured"
    assert "Honoured" in client.get(url).content.decode()
    bad_owner = client.post(
        "/accountability/commitments/new/",
        {
            "title": "x",
            "owner": "nobody",
            "unit": units["dmspc"].pk,
            "due_on": TODAY.isoformat(),
        },
    )
    assert "owner" in bad_owner.context["form"].errors


def test_person_authorities_page(web, manager, grant):
    index = manager.person.index_number
    page = web(manager).get(f"/accountability/people/{index}/authorities/")
    assert page.status_code == 200
    assert "DOA/DMSPC/1" in page.content.decode()


def test_review_in_the_browser(web, manager, admin_user, grant, resolution):
    web(manager).post("/accountability/decisions/new/", _form(grant, amount="50000"))
    decision = Decision.objects.get()
    assert (
        web(manager)
        .post(f"/accountability/decisions/{decision.pk}/review/", {"outcome": "justified"})
        .status_code
        == 403
    )
    response = web(admin_user).post(
        f"/accountability/decisions/{decision.pk}/review/",
        {"outcome": "justified", "action_taken": "Ratified"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.review_outcome == "justified"


def test_resolution_page_and_dashboard_show_this_apps_figures(web, manager, grant, resolution):
    web(manager).post(
        "/accountability/decisions/new/",
        _form(grant, amount="50000", paragraphs=[Paragraph.objects.get(number=8).pk]),
    )
    page = web(manager).get("/resolution/").content.decode()
    assert "/accountability/decisions/?paragraph=8" in page
    assert "Delegations of authority: 1" in page
    home = web(manager).get("/").content.decode()
    assert "Decisions outside authority awaiting review" in home


def test_pages_in_chinese(web, manager, grant, resolution):
    client = web(manager)
    client.post("/accountability/decisions/new/", _form(grant, amount="50000"))
    decision = Decision.objects.get()
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    listing = client.get("/accountability/decisions/", **headers).content.decode()
    assert "记录决定" in listing and "超出下放权力范围" in listing
    detail = client.get(f"/accountability/decisions/{decision.pk}/", **headers).content.decode()
    assert "金额超出该权力下放的限额" in detail
    register = client.get("/accountability/delegations/", **headers).content.decode()
    assert "权力下放文书登记册" in register


def test_evidence_is_filed_checked_and_served_only_to_readers(
    web, manager, manager2, grant, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = web(manager)
    bad = client.post(
        "/accountability/decisions/new/",
        {
            **_form(grant),
            "attachments": [
                SimpleUploadedFile("run.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
            ],
        },
    )
    assert bad.status_code == 200 and "attachments" in bad.context["form"].errors
    assert Decision.objects.count() == 0
    ok = client.post(
        "/accountability/decisions/new/",
        {
            **_form(grant),
            "attachments": [
                SimpleUploadedFile("memo.pdf", b"%PDF-1.4 memo"),
                SimpleUploadedFile("annex.txt", b"annex"),
            ],
        },
    )
    assert ok.status_code == 302
    decision = Decision.objects.get()
    assert sorted(decision.attachments.values_list("name", flat=True)) == ["annex.txt", "memo.pdf"]
    attachment = decision.attachments.get(name="memo.pdf")
    url = f"/accountability/decisions/{decision.pk}/attachments/{attachment.pk}/"
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 memo"
    assert web(manager2).get(url).status_code == 404
    assert url in client.get(f"/accountability/decisions/{decision.pk}/").content.decode()


def test_figures_page_per_unit_and_total_scoped(web, manager, manager2, grant, units):
    web(manager).post("/accountability/decisions/new/", _form(grant, amount="50000"))
    web(manager).post("/accountability/decisions/new/", _form(grant, title="Second"))
    start = (TODAY - 30 * DAY).isoformat()
    page = web(manager).get(f"/accountability/figures/?start={start}")
    assert page.status_code == 200
    totals = page.context["totals"]
    assert (totals["decisions_logged"], totals["decisions_outside_authority"]) == (2, 1)
    assert totals["within_rate"] == 50.0
    assert [row["unit"] for row in page.context["rows"]] == ["DMSPC"]
    other = web(manager2).get(f"/accountability/figures/?start={start}")
    assert other.context["rows"] == [] and other.context["totals"]["within_rate"] is None
    bad = web(manager).get("/accountability/figures/?start=2025-02-01&end=2025-01-01")
    assert "end" in bad.context["form"].errors


def test_a_unit_numbers_its_decisions_once(web, api, manager, grant, units, resolution):
    client = web(manager)
    first = client.post("/accountability/decisions/new/", _form(grant, reference="DMSPC/2026/14"))
    assert first.status_code == 302
    again = client.post("/accountability/decisions/new/", _form(grant, reference="DMSPC/2026/14"))
    assert again.status_code == 200
    assert again.context["form"].errors["reference"] == [
        "This unit already has a decision with this reference."
    ]
    # Another unit may use the same number; the API refuses the repeat as the page does.
    other = client.post(
        "/accountability/decisions/new/",
        _form(grant, reference="DMSPC/2026/14", unit=units["ohr"].pk),
    )
    assert other.status_code == 302
    repeat = api(manager).post(
        "/api/accountability/decisions/",
        {
            "reference": "DMSPC/2026/14",
            "title": "Repeat",
            "unit": "DMSPC",
            "decided_on": (TODAY - DAY).isoformat(),
            "paragraphs": [],
        },
        format="json",
    )
    assert repeat.status_code == 400
    assert repeat.data["reference"] == ["This unit already has a decision with this reference."]
    assert Decision.objects.filter(reference="DMSPC/2026/14").count() == 2
