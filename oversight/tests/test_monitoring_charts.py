"""Issue 17: the monitoring page's charts are sized to their card, every bar links to the filtered
list it counts (checked against that list's own rows), each chart keeps its table, and the
sections sit behind an anchor/tab bar."""

import csv
import datetime
import html as html_lib
import io
import re

import pytest

from oversight import services
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def recs(units, manager, manager2, oios, boa):
    """OIOS: 3 in DMSPC-OHR (one implemented, one pending, one open); BOA: 2 in DOS-PD (one in
    progress, one open) and one of 2019 in DMSPC-OHR, open."""
    oios_report = ReportFactory(body=body("OIOS"), issued_on=TODAY - datetime.timedelta(days=40))
    boa_report = ReportFactory(body=body("BOA"), issued_on=TODAY - datetime.timedelta(days=400))
    old_boa = ReportFactory(body=body("BOA"), issued_on=datetime.date(2019, 5, 1))
    a, b, _c = (RecommendationFactory(report=oios_report, unit=units["ohr"]) for _ in range(3))
    d, _e = (RecommendationFactory(report=boa_report, unit=units["pd"]) for _ in range(2))
    RecommendationFactory(report=old_boa, unit=units["ohr"])
    for rec, user, status in (
        (a, manager, "pending_verification"),
        (a, oios, "implemented"),
        (b, manager, "pending_verification"),
        (d, manager2, "in_progress"),
    ):
        rec.refresh_from_db()
        services.change_status(rec, acting_user=user, status=status, note="Step.")


def _csv_rows(client, url: str) -> int:
    joiner = "&" if "?" in url else "?"
    answer = client.get(f"{url}{joiner}export=csv")
    assert answer.status_code == 200
    text = (
        b"".join(answer.streaming_content).decode("utf-8-sig")
        if answer.streaming
        else (answer.content.decode("utf-8-sig"))
    )
    return len(list(csv.reader(io.StringIO(text)))) - 1


def _links(page: str, key: str) -> list[tuple[str, int]]:
    """(url, count) of every linked bar or segment of the chart `key`."""
    figure = re.search(
        rf'<figure class="chart-figure bar-chart" id="chart-{key}">(.*?)</figure>', page, re.S
    )
    assert figure, key
    found = []
    for href, label in re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', figure.group(1)):
        number = re.search(r"(\d[\d,]*(?:\.\d+)?)%?$", html_lib.unescape(label))
        found.append((html_lib.unescape(href), float(number.group(1).replace(",", ""))))
    return found


@pytest.mark.parametrize("user", ["admin_user", "oios", "manager"])
def test_every_segment_links_to_the_list_it_counts(web, recs, request, user):
    client = web(request.getfixturevalue(user))
    page = client.get("/oversight/monitoring/").content.decode()
    for key in ("status", "trend"):
        links = _links(page, key)
        assert links, key
        for url, count in links:
            assert url.startswith("/oversight/recommendations/?")
            assert _csv_rows(client, url) == count, (key, url)


def test_the_figures_of_the_links_match_hand_counts(web, admin_user, recs):
    client = web(admin_user)
    page = client.get("/oversight/monitoring/").content.decode()
    status = {url: n for url, n in _links(page, "status")}
    assert sum(status.values()) == 6
    assert status["/oversight/recommendations/?body=OIOS&status=implemented"] == 1
    assert status["/oversight/recommendations/?body=OIOS&status=pending_verification"] == 1
    assert status["/oversight/recommendations/?body=BOA&status=open"] == 2
    ageing = _links(page, "ageing")
    # Open: OIOS's two (40 days), BOA's two (400 days), BOA's one of 2019.
    assert [n for _url, n in ageing] == [2, 2, 1]  # under 1 year, 1-2 years, over 2 years
    for url, n in ageing:
        assert _csv_rows(client, url) == n
    rate = dict(_links(page, "rate"))
    assert rate["/oversight/recommendations/?body=OIOS&status=implemented"] == 33.3  # 1 of 3


def test_links_keep_the_page_filters(web, admin_user, recs, units):
    client = web(admin_user)
    page = client.get("/oversight/monitoring/?within=DMSPC").content.decode()
    links = _links(page, "status")
    assert links and all("within=DMSPC" in url for url, _n in links)
    assert {url.split("body=")[1].split("&")[0] for url, _n in links} == {"OIOS", "BOA"}
    for url, count in links:
        assert _csv_rows(client, url) == count
    # The year of issue narrows within the page's own period.
    page = client.get("/oversight/monitoring/?issued_from=2019-03-01").content.decode()
    for url, _n in _links(page, "trend"):
        if "2019-01-01" in url or "issued_from=2019" in url:
            assert "issued_from=2019-03-01" in url


def test_charts_fill_their_card_and_keep_a_table_and_a_tab_bar(web, oios, recs):
    page = web(oios).get("/oversight/monitoring/").content.decode()
    svgs = re.findall(r'<svg class="bar-track"[^>]*>', page)
    assert svgs
    for svg in svgs:
        assert 'width="100%"' in svg and "viewBox=" in svg
    # Labels and values are page text (body size), not SVG text scaled with the drawing.
    assert "<text" not in page
    assert re.search(r'<span class="bar-label">OIOS</span>', page)
    for table in ("table-by-body", "table-ageing", "table-by-year"):
        assert f'id="{table}"' in page
    nav = re.search(r"<ul class=\"chart-nav\" data-tab-list>(.*?)</ul>", page, re.S).group(1)
    for anchor in re.findall(r'href="#([^"]+)"', nav):
        assert f'id="{anchor}"' in page


def test_performance_compliance_bars_link_to_the_cycle_s_appraisals(web, manager, units):
    from performance.tests.factories import AppraisalFactory

    for i in range(6):
        AppraisalFactory(unit=units["dmspc"], on_time=i < 4)
    client = web(manager)
    page = client.get("/performance/appraisals/compliance/?unit=DMSPC").content.decode()
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', page)
    cycle_links = [html_lib.unescape(h) for h, _l in links if "cycle=2024" in html_lib.unescape(h)]
    assert cycle_links
    assert all("within=DMSPC" in h for h in cycle_links)
    assert 'id="chart-compliance"' in page
    # The cycle's bar counts what its list shows: the six appraisals of cycle 2024.
    url = next(h for h in cycle_links if "rating" not in h)
    assert _csv_rows(client, url) == 6
