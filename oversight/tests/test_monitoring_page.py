"""Issue 13: the monitoring page keeps its cards, charts and tables beside its figures (one cache
entry per scope, filters and language) and renders only the page around them on a warm visit.
What a reader sees stays the page rendered afresh: the same HTML, in their language, for their
scope, with the links of their filters, and the next visit after a change shows the change."""

import datetime
import html as html_lib
import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook

from core import dashboard
from org.tests.factories import OrgUnitFactory
from oversight import services
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db
URL = "/oversight/monitoring/"
TODAY = datetime.date.today()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def recs(units):
    """OIOS: 2 in DMSPC-OHR, 1 in DOS-PD; BOA: 1 in DMSPC-OHR, 2 in DOS-PD (issued last year)."""
    oios_report = ReportFactory(body=body("OIOS"), issued_on=TODAY - datetime.timedelta(days=30))
    boa_report = ReportFactory(body=body("BOA"), issued_on=TODAY - datetime.timedelta(days=400))
    made = {}
    for name, report, unit in (
        ("oios-ohr-1", oios_report, units["ohr"]),
        ("oios-ohr-2", oios_report, units["ohr"]),
        ("oios-pd", oios_report, units["pd"]),
        ("boa-ohr", boa_report, units["ohr"]),
        ("boa-pd-1", boa_report, units["pd"]),
        ("boa-pd-2", boa_report, units["pd"]),
    ):
        made[name] = RecommendationFactory(report=report, unit=unit)
    return made


def page(client, url=URL, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    # The sign-out form's token changes with every response.
    return CSRF.sub('name="csrfmiddlewaretoken" value="-"', response.content.decode())


def table(text: str, table_id: str) -> dict[str, list[str]]:
    """The rows of a table of the page: {row heading: [cell texts]}."""
    found = re.search(rf'<table class="data" id="{table_id}">(.*?)</table>', text, re.S)
    assert found, table_id
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S):
        cells = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def links(text: str, key: str) -> list[str]:
    figure = re.search(
        rf'<figure class="chart-figure bar-chart" id="chart-{key}">(.*?)</figure>', text, re.S
    )
    assert figure, key
    return [html_lib.unescape(href) for href in re.findall(r'<a href="([^"]+)"', figure.group(1))]


@pytest.mark.parametrize("persona", ["admin_user", "manager", "oios", "gastaff"])
def test_a_warm_visit_shows_the_page_rendered_afresh(web, recs, request, persona):
    client = web(request.getfixturevalue(persona))
    for url in (URL, f"{URL}?body=BOA&issued_from=2000-01-01", f"{URL}?as_at={TODAY}"):
        dashboard.invalidate()
        cold = page(client, url)
        assert page(client, url) == cold, url
    # A refused filter is shown with its error and no figures, whatever was kept.
    refused = page(client, f"{URL}?as_at=not-a-date")
    assert 'id="id_as_at-error"' in refused
    shown = table(refused, "table-by-body")
    assert all(cells[0] == "0" for heading, cells in shown.items() if heading != "Body")
    assert 'id="total">0<' in refused


def test_the_next_visit_after_a_status_change_shows_it(web, recs, manager, oios):
    client = web(oios)
    before = table(page(client), "table-by-body")
    header = table(page(client), "table-by-body")["Body"]
    implemented = header.index("Implemented")
    assert before["OIOS"][0] == "3" and before["OIOS"][implemented] == "0"
    rec = recs["oios-ohr-1"]
    services.change_status(rec, acting_user=manager, status="pending_verification", note="Done.")
    rec.refresh_from_db()
    services.change_status(rec, acting_user=oios, status="implemented", note="Verified.")
    after = table(page(client), "table-by-body")
    assert after["OIOS"][implemented] == "1"
    assert after["BOA"] == before["BOA"]


def test_each_language_reads_its_own_page(web, recs, oios):
    client = web(oios)
    with translation.override("zh-hans"):
        chinese = translation.gettext("By addressed unit")
    assert chinese != "By addressed unit"
    for _round in ("cold", "warm"):
        english = page(client, HTTP_ACCEPT_LANGUAGE="en")
        assert '<h2 id="by-unit">By addressed unit</h2>' in english
        zh = page(client, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert f'<h2 id="by-unit">{chinese}</h2>' in zh
        assert "By addressed unit" not in zh


def test_each_manager_reads_the_page_of_their_own_units(web, recs, manager, manager2):
    for _round in ("cold", "warm"):
        mine = table(page(web(manager)), "table-by-unit")
        theirs = table(page(web(manager2)), "table-by-unit")
        assert "DMSPC-OHR" in mine and "DOS-PD" not in mine
        assert "DOS-PD" in theirs and "DMSPC-OHR" not in theirs
        assert mine["DMSPC-OHR"][0] == "3" and theirs["DOS-PD"][0] == "3"


def test_the_bars_and_the_export_link_follow_each_requests_filters(web, recs, gastaff):
    client = web(gastaff)
    everything = page(client)
    boa_only = page(client, f"{URL}?body=BOA")
    assert all("body=BOA" in url for url in links(boa_only, "status"))
    assert any("body=OIOS" in url for url in links(everything, "status"))
    assert not any("body=BOA" in url for url in links(everything, "trend"))
    # The same filters in another order: the same figures, each page's export link its own.
    one = page(client, f"{URL}?issued_from=2000-01-01&body=BOA")
    other = page(client, f"{URL}?body=BOA&issued_from=2000-01-01")
    assert 'href="?issued_from=2000-01-01&amp;body=BOA&amp;export=xlsx"' in one
    assert 'href="?body=BOA&amp;issued_from=2000-01-01&amp;export=xlsx"' in other
    assert table(one, "table-by-unit") == table(other, "table-by-unit")
    assert links(one, "trend") == links(other, "trend")


@pytest.mark.parametrize("first", ["page", "export"])
def test_the_export_has_the_figures_of_the_page(web, recs, gastaff, first):
    client = web(gastaff)
    dashboard.invalidate()
    if first == "page":
        shown = table(page(client), "table-by-body")
    export = client.get(f"{URL}?export=xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]}
    assert rows == {"OIOS": 3, "BOA": 3}
    if first == "export":
        shown = table(page(client), "table-by-body")
    assert shown["OIOS"][0] == "3" and shown["BOA"][0] == "3"
    assert client.get(URL).context["data"]["by_body"]["BOA"]["total"] == 3


def test_the_filter_panel_follows_each_request_and_its_options_each_write(
    web, recs, gastaff, units
):
    client = web(gastaff)
    one = f"{URL}?issued_from=2000-01-01&body=BOA&issued_to=2030-12-31"
    other = f"{URL}?issued_to=2030-12-31&body=BOA&issued_from=2000-01-01"
    cold = {url: page(client, url) for url in (one, other)}
    assert {url: page(client, url) for url in (one, other)} == cold
    # Removing the body keeps the other filters in the order the reader gave them.
    assert 'href="?issued_from=2000-01-01&amp;issued_to=2030-12-31"' in cold[one]
    assert 'href="?issued_to=2030-12-31&amp;issued_from=2000-01-01"' in cold[other]
    assert "selected>BOA</option>" in cold[one]
    # A unit added since is offered on the next visit.
    assert "DOS-NEW" not in page(client)
    OrgUnitFactory(code="DOS-NEW", name="New Division", parent=units["dos"])
    assert "DOS-NEW – New Division</option>" in page(client)


def test_the_page_says_when_its_figures_were_computed(web, recs, oios):
    client = web(oios)
    dashboard.invalidate()
    cold = page(client)
    shown = re.search(r'<p class="figures-as-at">Figures as at (\d\d:\d\d)</p>', cold)
    assert shown, cold[:2000]
    # A warm visit shows the figures kept, and the time they were computed, not the visit's.
    assert (
        re.search(r'<p class="figures-as-at">Figures as at (\d\d:\d\d)</p>', page(client))[1]
        == shown[1]
    )
    assert "figures-as-at" not in page(client, f"{URL}?as_at=not-a-date")
