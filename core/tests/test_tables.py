"""Issue 17 point 2: lists people expect. Click-to-sort headers (aria-sort, indexed columns
only, keyset pages kept), amounts grouped and right-aligned, the filter panel with chips and
"All", native date pickers, one UN style date, pickers scoped by the caller's rights, saved
views per user, and bulk actions (export, assign owner, change status) all or nothing."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accountability.models import Commitment, Decision
from accountability.tests.factories import CommitmentFactory, DecisionFactory
from core.generic import indexed_fields
from core.models import HistoryEntry
from core.saved_views import SavedView
from core.templatetags.core_tags import amount, cell, un_date
from org.tests.factories import PersonFactory, UserFactory
from oversight.models import Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db
DECISIONS = "/accountability/decisions/"
COMMITMENTS = "/accountability/commitments/"


# --- One date style ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "20 November 2026", "20 November 2026, 14:24"),
        ("zh-hans", "2026年11月20日", "2026年11月20日 14:24"),
    ],
)
def test_one_un_style_for_dates_and_datetimes(language, day, moment, settings):
    settings.TIME_ZONE = "UTC"
    at = datetime.datetime(2026, 11, 20, 14, 24, tzinfo=datetime.UTC)
    with translation.override(language):
        assert un_date(datetime.date(2026, 11, 20)) == day
        assert un_date(at) == moment
        # A datetime is a date too: the cell reads it as a datetime, not a bare date.
        assert cell(at) == moment
        assert cell(datetime.date(2026, 11, 20)) == day
        assert cell(Decimal("1234567.50")) == "1,234,567.50"
        assert amount(1234567) == "1,234,567"
    assert un_date(None) == ""


def test_pages_write_dates_un_style(web, manager, units):
    DecisionFactory(
        title="Dated", unit=units["dmspc"], decided_by=manager, decided_on=datetime.date(2026, 3, 5)
    )
    html = web(manager).get(DECISIONS).content.decode()
    assert "5 March 2026" in html and "03/05/2026" not in html and "March 5" not in html
    client = web(manager)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "2026年3月5日" in client.get(DECISIONS).content.decode()


# --- Sorting ----------------------------------------------------------------------------------


@pytest.fixture
def decisions(units, manager, manager2):
    rows = []
    for i, (title, value) in enumerate(
        [("Alpha", "500.00"), ("Bravo", None), ("Charlie", "1234567.89"), ("Delta", "20.00")]
    ):
        rows.append(
            DecisionFactory(
                title=title,
                unit=units["dmspc"],
                decided_by=manager,
                decided_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                amount=Decimal(value) if value else None,
            )
        )
    DecisionFactory(title="Hidden", unit=units["pd"], decided_by=manager2, amount=Decimal(9))
    return rows


def _titles(html):
    return re.findall(r'href="/accountability/decisions/\d+/">([A-Z][a-z]+)<', html)


def _header(html, label):
    return re.search(rf"<th[^>]*>(?:<a[^>]*>)?{label}.*?</th>", html, re.S).group(0)


def test_headers_sort_by_indexed_columns_with_aria_sort(web, manager, decisions):
    client = web(manager)
    html = client.get(DECISIONS).content.decode()
    # The default order (newest first) is the Decided on column, descending.
    assert 'aria-sort="descending"' in _header(html, "Decided on")
    assert _titles(html) == ["Delta", "Charlie", "Bravo", "Alpha"]
    # Amount sorts (an index leads with it); Title does not (no index): plain text, no link.
    assert "?sort=amount" in _header(html, "Amount \\(USD\\)")
    assert "<a" not in _header(html, "Title")
    html = client.get(DECISIONS + "?sort=amount").content.decode()
    assert 'aria-sort="ascending"' in _header(html, "Amount \\(USD\\)")
    assert "aria-sort" not in _header(html, "Decided on")
    assert "sort=-amount" in _header(html, "Amount \\(USD\\)")  # the next click reverses
    # Ascending amounts; the decision without an amount last (hand order).
    assert _titles(html) == ["Delta", "Alpha", "Charlie", "Bravo"]
    html = client.get(DECISIONS + "?sort=-amount").content.decode()
    assert _titles(html) == ["Bravo", "Charlie", "Alpha", "Delta"]
    # Amounts right-aligned and grouped.
    assert re.search(r'<td data-label="Amount \(USD\)" class="num">1,234,567.89</td>', html)
    # A sort the list does not offer is ignored, never an error.
    for bad in ("title", "rationale", "-unit__code", "amount;drop", "-"):
        response = client.get(f"{DECISIONS}?sort={bad}")
        assert response.status_code == 200
        assert _titles(response.content.decode()) == ["Delta", "Charlie", "Bravo", "Alpha"]


def test_sorted_pages_keep_keyset_paging_and_query_count(web, manager, units):
    Decision.objects.bulk_create(
        [
            Decision(
                title=f"Row{i:03d}",
                unit=units["dmspc"],
                decided_by=manager,
                decided_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 9),
                amount=None if i % 5 == 0 else Decimal(i % 13),
            )
            for i in range(60)
        ]
    )
    client = web(manager)
    client.get(DECISIONS)
    with CaptureQueriesContext(connection) as default:
        first = client.get(DECISIONS)
    with CaptureQueriesContext(connection) as sorted_:
        page = client.get(DECISIONS + "?sort=amount")
    assert len(sorted_) == len(default)
    assert first.status_code == page.status_code == 200
    seen = re.findall(r'decisions/\d+/">(Row\d{3})<', page.content.decode())
    following = re.search(r'rel="next" href="\?([^"]+)"', page.content.decode()).group(1)
    following = following.replace("&amp;", "&")
    assert "sort=amount" in following
    nxt = client.get(f"{DECISIONS}?{following}").content.decode()
    seen += re.findall(r'decisions/\d+/">(Row\d{3})<', nxt)
    assert sorted(seen) == [f"Row{i:03d}" for i in range(60)]
    amounts = dict(Decision.objects.values_list("title", "amount"))
    values = [amounts[t] for t in seen]
    assert values[:48] == sorted(values[:48]) and values[48:] == [None] * 12


def test_indexed_fields_are_the_ones_an_index_leads_with():
    fields = indexed_fields(Decision)
    assert {"decided_on", "amount", "area", "id"} <= fields
    assert "title" not in fields and "unit" not in fields


# --- Filters ----------------------------------------------------------------------------------


def test_filter_panel_closed_without_filters_open_with_chips(web, manager, decisions, units):
    client = web(manager)
    html = client.get(DECISIONS).content.decode()
    assert '<details class="filter-panel">' in html
    assert "---------" not in html and "Unknown" not in html
    assert 'type="date" name="decided_after"' in html
    assert ">All</option>" in html
    assert "Order by" not in html
    html = client.get(f"{DECISIONS}?area=finance&decided_after=2026-01-02&sort=amount")
    html = html.content.decode()
    assert '<details class="filter-panel" open>' in html
    chips = re.findall(r'<a class="chip" href="\?([^"]*)"', html)
    assert len(chips) == 2
    # Each chip's link drops its own filter and keeps the rest and the sort.
    dropped = [c.replace("&amp;", "&") for c in chips]
    assert sorted(dropped) == ["area=finance&sort=amount", "decided_after=2026-01-02&sort=amount"]
    assert "2 January 2026" in html  # the date chip reads UN style


def test_a_refused_filter_opens_the_panel_and_lists_nothing(web, manager, decisions):
    response = web(manager).get(f"{DECISIONS}?decided_after=20/11/2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<details class="filter-panel" open>' in html and _titles(html) == []


# --- Pickers ----------------------------------------------------------------------------------


def test_people_picker_suggests_only_people_the_user_may_see(web, manager, manager2, units):
    PersonFactory(name="Lina Ohr", unit=units["ohr"], index_number="7001")
    PersonFactory(name="Lina Procurement", unit=units["pd"], index_number="7002")
    found = web(manager).get("/lists/pick/people/?q=lina").json()["results"]
    assert [r["label"] for r in found] == ["Lina Ohr (7001)"]
    assert found[0]["value"] == "7001"
    other = web(manager2).get("/lists/pick/people/?q=lina").json()["results"]
    assert [r["label"] for r in other] == ["Lina Procurement (7002)"]
    assert web(manager).get("/lists/pick/people/?q=maria").json()["results"][0]["value"] == (
        "manager"
    )


def test_picker_kinds_and_refusals(web, manager, resolution, units):
    client = web(manager)
    paragraphs = client.get("/lists/pick/paragraphs/?q=21").json()["results"]
    assert paragraphs[0]["value"] == 21
    # Units are reference data every signed-in user reads: found by code or name.
    units_found = client.get("/lists/pick/units/?q=DOS").json()["results"]
    assert [u["value"] for u in units_found] == ["DOS", "DOS-PD"]
    assert client.get("/lists/pick/secrets/").status_code == 404
    assert web(None).get("/lists/pick/people/?q=a").status_code == 302


def test_commitment_form_picks_owner_and_paragraphs_with_pickers(web, manager, resolution):
    html = web(manager).get("/accountability/commitments/new/").content.decode()
    assert 'data-combobox="remote"' in html and "/lists/pick/people/" in html
    assert 'data-combobox="multiple"' in html and "press Enter to add it" in html
    assert "js/combobox.js" in html


# --- Saved views ------------------------------------------------------------------------------


def test_saved_views_are_per_user_with_history(web, manager, manager2, decisions):
    client = web(manager)
    response = client.post(
        "/lists/views/",
        {"path": DECISIONS, "name": "Big ones", "query": "sort=-amount&page=3&cursor=x"},
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{DECISIONS}?sort=-amount"
    assert view.user == manager and view.query == "sort=-amount"
    assert HistoryEntry.objects.for_object(view).filter(action="create").count() == 1
    html = client.get(DECISIONS).content.decode()
    assert "Big ones" in html and f'href="{DECISIONS}?sort=-amount"' in html
    # Saving under the same name replaces the filters; a blank name is refused.
    client.post("/lists/views/", {"path": DECISIONS, "name": "Big ones", "query": "sort=amount"})
    assert list(SavedView.objects.values_list("query", flat=True)) == ["sort=amount"]
    client.post("/lists/views/", {"path": DECISIONS, "name": "  ", "query": ""})
    assert SavedView.objects.count() == 1
    # Another user neither sees nor deletes it.
    other = web(manager2)
    assert "Big ones" not in other.get(DECISIONS).content.decode()
    assert other.post(f"/lists/views/{view.pk}/delete/").status_code == 404
    # A path on another host is not saved as one.
    client.post("/lists/views/", {"path": "https://evil.example/x", "name": "Away"})
    assert SavedView.objects.filter(name="Away").get().path == "/"
    response = client.post(f"/lists/views/{view.pk}/delete/")
    assert response.status_code == 302 and not SavedView.objects.filter(pk=view.pk).exists()
    assert HistoryEntry.objects.filter(
        object_type="core.savedview", object_id=str(view.pk), action="delete"
    ).exists()


# --- Bulk actions -----------------------------------------------------------------------------


def test_export_selection_exports_only_ticked_visible_rows_inert(web, manager, decisions, units):
    formula = DecisionFactory(
        title="=HYPERLINK(1)", unit=units["dmspc"], decided_by=manager, amount=Decimal(1)
    )
    hidden = Decision.objects.get(title="Hidden")
    picked = [decisions[0].pk, formula.pk, hidden.pk]
    response = web(manager).post(DECISIONS, {"export": "csv", "selected": [str(p) for p in picked]})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    titles = sorted(r[1] for r in rows[1:])
    assert titles == ["'=HYPERLINK(1)", "Alpha"]
    assert rows[1][0] in ("2026-01-01", str(formula.decided_on))  # ISO in the file
    nothing = web(manager).post(DECISIONS, {"export": "csv"})
    assert nothing.status_code == 302


def test_bulk_assign_owner_all_or_nothing(web, manager, manager2, units):
    mine = [CommitmentFactory(unit=units["dmspc"], owner=manager) for _ in range(2)]
    theirs = CommitmentFactory(unit=units["pd"], owner=manager2, title="Their secret")
    deputy = UserFactory(username="deputy")
    client = web(manager)
    url = "/accountability/commitments/bulk/owner/"
    # One selected commitment the manager cannot see: nothing changes, and it is not named.
    response = client.post(
        url,
        {"selected": [c.pk for c in [*mine, theirs]], "bulk-owner": "deputy", "next": COMMITMENTS},
        follow=True,
    )
    text = response.content.decode()
    assert "Nothing was changed" in text and "Their secret" not in text
    assert set(Commitment.objects.values_list("owner__username", flat=True)) == {
        "manager",
        "manager2",
    }
    before = HistoryEntry.objects.filter(object_type="accountability.commitment").count()
    response = client.post(
        url, {"selected": [c.pk for c in mine], "bulk-owner": "deputy", "next": COMMITMENTS}
    )
    assert response.status_code == 302 and response["Location"] == COMMITMENTS
    assert all(c.owner == deputy for c in Commitment.objects.filter(pk__in=[c.pk for c in mine]))
    after = HistoryEntry.objects.filter(object_type="accountability.commitment").count()
    assert after - before == 2  # one entry per row
    # An unknown username is a message, not a 500.
    response = client.post(url, {"selected": [mine[0].pk], "bulk-owner": "nobody"}, follow=True)
    assert response.status_code == 200 and "no active account" in response.content.decode()
    # GA staff and other units are never offered the action.
    assert "bulk/owner" in client.get(COMMITMENTS).content.decode()


def test_bulk_status_only_where_the_workflow_allows_every_row(web, oios, boa, units):
    report = ReportFactory(body=body("OIOS"))
    pending = [
        RecommendationFactory(report=report, unit=units["ohr"], status="pending_verification")
        for _ in range(2)
    ]
    done = RecommendationFactory(report=report, unit=units["ohr"], status="implemented")
    url = "/oversight/recommendations/bulk/status/"
    client = web(oios)
    data = {"bulk-status": "implemented", "bulk-note": "Verified on site", "next": "/oversight/"}
    response = client.post(url, {**data, "selected": [r.pk for r in [*pending, done]]}, follow=True)
    text = response.content.decode()
    assert "Nothing was changed" in text and str(done) in text
    assert Recommendation.objects.filter(status="implemented").count() == 1
    # A body may not verify another body's recommendations: BOA is refused for every row.
    response = web(boa).post(url, {**data, "selected": [r.pk for r in pending]}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert Recommendation.objects.filter(status="implemented").count() == 1
    response = client.post(url, {**data, "selected": [r.pk for r in pending]})
    assert response.status_code == 302
    assert Recommendation.objects.filter(status="implemented").count() == 3
    for rec in pending:
        assert HistoryEntry.objects.for_object(rec).filter(action="update").exists()
    # A note is required.
    response = client.post(
        url, {"bulk-status": "in_progress", "selected": [done.pk], "next": "/"}, follow=True
    )
    assert "This field is required" in response.content.decode()
    assert Recommendation.objects.get(pk=done.pk).status == "implemented"
    assert timezone.localdate()  # the moves took effect today (the service's default)


def test_files_keep_iso_8601():
    from core.exports import _csv_value

    at = datetime.datetime(2026, 11, 20, 14, 24, tzinfo=datetime.UTC)
    assert _csv_value(at) == "2026-11-20T14:24:00+00:00"
    assert _csv_value(datetime.date(2026, 11, 20)) == "2026-11-20"
    assert _csv_value(Decimal("1234567.50")) == "1234567.50"


def test_model_forms_read_choose_and_pick_several_with_chips(web, manager, units):
    html = web(manager).get("/risk/controls/new/").content.decode()
    assert "---------" not in html
    assert "Choose…</option>" in html and ">None</option>" in html
    assert 'name="risks"' in html and 'data-combobox="multiple"' in html
    assert "press Enter to add" in html
