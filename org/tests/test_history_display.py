"""Issue 17: the History section reads as a timeline people understand: field labels (verbose
names), names instead of ids, values as on the page, the actor's name, at a fixed query count."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import Decision
from accountability.tests.factories import AcceptedDelegationFactory
from core.models import HistoryEntry
from org import history_display
from org.models import Paragraph, Person

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
MONTHS = "January February March April May June July August September October November December"


def _un(day: datetime.date) -> str:
    return f"{day.day} {MONTHS.split()[day.month - 1]} {day.year}"


@pytest.fixture
def grants(units, manager, admin_user):
    return [
        AcceptedDelegationFactory(
            reference=f"DOA/DMSPC/{area}",
            delegator=admin_user,
            delegatee=manager,
            unit=units["dmspc"],
            area=area,
            limit_amount=Decimal("10000.00"),
            valid_from=TODAY - 60 * DAY,
            valid_to=TODAY + 300 * DAY,
        )
        for area in ("finance", "procurement")
    ]


def _post(client, url, **data):
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    return answer


def _decision(client, grants, units, edits: int) -> Decision:
    """A decision logged in the browser, then edited `edits` times, each edit moving its unit,
    instrument, area, amount, date and paragraphs."""
    base = {
        "title": "Approve the travel plan",
        "decided_on": (TODAY - DAY).isoformat(),
        "unit": units["dmspc"].pk,
        "area": "finance",
        "amount": "2500.00",
        "delegation": grants[0].pk,
        "rationale": "",
        "paragraphs": [Paragraph.objects.get(number=8).pk],
    }
    _post(client, "/accountability/decisions/new/", **base)
    decision = Decision.objects.latest("pk")
    for i in range(edits):
        second = i % 2 == 0
        decision.refresh_from_db()
        _post(
            client,
            f"/accountability/decisions/{decision.pk}/edit/",
            **{
                **base,
                "version": decision.version,
                "unit": units["ohr" if second else "dmspc"].pk,
                "area": "procurement" if second else "finance",
                "delegation": grants[1 if second else 0].pk,
                "amount": f"{1000 + i}.50",
                "decided_on": (TODAY - (2 + i) * DAY).isoformat(),
                "paragraphs": [Paragraph.objects.get(number=8 + i % 5).pk],
            },
        )
    return decision


def _history(html: str) -> str:
    return re.search(r'<section class="history".*?</section>', html, re.S).group(0)


def test_the_history_reads_with_labels_names_and_page_values(
    web, manager, grants, units, resolution
):
    client = web(manager)
    decision = _decision(client, grants, units, edits=1)
    html = _history(client.get(f"/accountability/decisions/{decision.pk}/").content.decode())
    # A timeline: an ordered list, each entry with a machine-readable time.
    assert '<ol class="timeline history-timeline"' in html
    assert len(re.findall(r'<time datetime="\d{4}-\d\d-\d\dT', html)) == 3  # create, edit, m2m
    # The actor by name, never "user:manager".
    assert "Maria Manager" in html
    assert "user:manager" not in html
    rows = dict(re.findall(r'<tr data-field="(\w+)"><th scope="row">([^<]+)</th>', html))
    # Labels from the models' verbose names, not field names.
    assert rows["unit"] == "Unit"
    assert rows["delegation"] == "Delegation relied on"
    assert rows["area"] == "Area of delegated authority"
    assert rows["decided_on"] == "Decided on"
    assert rows["amount"] == "Amount (USD)"
    assert rows["paragraphs"] == "Paragraphs"
    # Names instead of ids, values as on the page.
    assert "DMSPC-OHR – Office of Human Resources" in html
    assert "DOA/DMSPC/procurement · Procurement" in html
    assert ">Procurement<" in html and ">Finance<" in html
    assert "1,000.50" in html and "2,500.00" in html
    assert _un(TODAY - 2 * DAY) in html and _un(TODAY - DAY) in html
    assert "Paragraph 8" in html
    assert f">{units['ohr'].pk}<" not in html
    assert f">{grants[1].pk}<" not in html
    # The record's own id is not a change a reader needs.
    assert 'data-field="id"' not in html


def test_the_history_costs_the_same_queries_for_few_and_many_entries(
    web, manager, grants, units, resolution
):
    client = web(manager)
    few = _decision(client, grants, units, edits=1)
    many = _decision(client, grants, units, edits=8)
    assert (
        HistoryEntry.objects.for_object(many).count()
        > 2 * HistoryEntry.objects.for_object(few).count()
    )

    def cost(decision):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/accountability/decisions/{decision.pk}/").status_code == 200
        return len(ctx.captured_queries)

    cost(few)  # warm the caches (content types, access)
    assert cost(many) == cost(few)


def test_readable_resolves_each_related_model_once(manager, grants, units, resolution, web):
    client = web(manager)
    few = list(HistoryEntry.objects.for_object(_decision(client, grants, units, edits=1)))
    many = list(HistoryEntry.objects.for_object(_decision(client, grants, units, edits=6)))

    def queries(entries):
        with CaptureQueriesContext(connection) as ctx:
            readable = history_display.readable(entries, manager)
        assert len(readable) == len(entries)
        return [q["sql"] for q in ctx.captured_queries]

    queries(few)  # the reader's access, resolved once per request, is cached from here on
    assert len(queries(many)) == len(queries(few))
    # Units, instruments and paragraphs: one query each for all the entries.
    for table in ("org_orgunit", "accountability_delegation", "org_paragraph"):
        assert sum(f'FROM "{table}"' in sql for sql in queries(many)) == 1, table


def test_ga_staff_see_no_actor_and_hidden_fields_stay_hidden(
    web, manager, oios, gastaff, units, admin_user
):
    person = Person.objects.create(
        index_number="77001", name="Pat Staff", unit=units["dmspc"], grade="P-3"
    )
    person.grade = "P-4"
    person.save()
    entries = [e for e in HistoryEntry.objects.for_object(person) if "grade" in e.changes]
    assert entries
    # An oversight user reads that the grade changed, not its values (org.policies).
    html = web(oios).get(f"/accountability/people/{person.index_number}/").content.decode()
    section = _history(html)
    assert "changed (not shown to you)" in section
    assert "P-4" not in section
    assert "P-3" not in section
    # A manager of the unit reads the values, by their choice label.
    section = _history(
        web(manager).get(f"/accountability/people/{person.index_number}/").content.decode()
    )
    assert "P-3" in section and "P-4" in section
    # GA staff read no personal data: they get no person page at all.
    assert web(gastaff).get(f"/accountability/people/{person.index_number}/").status_code == 404


def test_actors_without_a_person_read_by_username_and_jobs_as_system(units, manager):
    from core.context import acting_as

    with acting_as("command:seed_demo"):
        units["dos"].name = "Department of Operational Support (renamed)"
        units["dos"].save()
    entry = HistoryEntry.objects.for_object(units["dos"]).first()
    item = history_display.readable([entry], manager)[0]
    assert item.actor == "System (command seed_demo)"
    assert item.changes[0].label == "Name"
    assert item.changes[0].after == "Department of Operational Support (renamed)"


def test_history_in_chinese_reads_its_dates_in_chinese(web, manager, grants, units, resolution):
    client = web(manager)
    decision = _decision(client, grants, units, edits=1)
    client.cookies["django_language"] = "zh-hans"
    html = _history(client.get(f"/accountability/decisions/{decision.pk}/").content.decode())
    day = TODAY - DAY
    assert f"{day.year}年{day.month}月{day.day}日" in html


def test_a_reader_reads_their_own_name_and_neither_name_nor_number_of_what_they_may_not_see(
    units, manager, gastaff
):
    """GA staff saw "Requested by #1" on their own report run: their own account, read by
    number. A reader now reads their own username; an account or record they may not see reads
    "(not shown)", without its id."""
    grant = AcceptedDelegationFactory(
        reference="DOA/DMSPC/TEST",
        delegator=gastaff,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("1.00"),
        valid_from=TODAY,
        valid_to=TODAY + DAY,
    )
    created = [e for e in HistoryEntry.objects.for_object(grant) if "delegatee" in e.changes]
    assert created
    item = history_display.readable(created[:1], gastaff)[0]
    values = {change.label: change.after for change in item.changes}
    assert values["Delegator"] == "gastaff"
    assert values["Delegatee"] == "(not shown)"
    assert "Maria Manager" not in str(values) and f"#{manager.pk}" not in str(values)
    # A manager who may see the person reads the name.
    item = history_display.readable(created[:1], manager)[0]
    assert {c.label: c.after for c in item.changes}["Delegatee"] == "Maria Manager"
