import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    RBMResponsibility,
    UnderperformanceCase,
)
from performance.tests.factories import (
    AppraisalFactory,
    CompactFactory,
    IndicatorFactory,
    ObjectiveFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db


def test_the_unit_dashboard_shows_compliance_compacts_and_indicators_off_target(
    web, manager, units, compliance_fixture
):
    indicator = IndicatorFactory(unit=units["ohr"], title="Vacancy days", target=Decimal("80"))
    ResultFactory(indicator=indicator, value=Decimal("70"))
    page = web(manager).get("/performance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="unit-compliance">50.0%' in html
    assert "Vacancy days" in html
    assert "<svg" in html


@pytest.mark.parametrize("rows", [10, 200])
def test_the_dashboard_and_lists_cost_a_fixed_number_of_queries(
    web, manager, units, rows, django_assert_max_num_queries
):
    for n in range(rows):
        AppraisalFactory(
            unit=units["ohr"],
            on_time=True,
            cycle=2020 + n % 5,
            due_on=datetime.date(2021 + n % 5, 5, 31),
            completed_on=datetime.date(2021 + n % 5, 5, 1),
        )
    for n in range(min(rows, 30)):
        compact = CompactFactory(senior_manager__unit=units["ohr"], year=2000 + n)
        ObjectiveFactory(compact=compact)
        ResultFactory(indicator=IndicatorFactory(unit=units["ohr"]))
    client = web(manager)
    for url in (
        "/performance/",
        "/performance/appraisals/",
        "/performance/compacts/",
        "/performance/indicators/",
        "/performance/appraisals/compliance/",
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url


def test_ga_staff_see_no_names_only_the_aggregates(web, gastaff, compliance_fixture):
    client = web(gastaff)
    listing = client.get("/performance/appraisals/").content.decode()
    assert "personal data" in listing
    assert compliance_fixture["ohr"][0].staff.name not in listing
    assert (
        client.get(f"/performance/appraisals/{compliance_fixture['ohr'][0].pk}/").status_code == 404
    )
    figures = client.get("/performance/appraisals/compliance/?cycle=2024").content.decode()
    assert 'id="compliance-rate">55.6%' in figures
    assert "Suppressed: fewer than 5 people." in figures  # DOS-PD has three
    assert client.get("/performance/appraisals/new/").status_code == 403
    assert client.get("/performance/appraisals/import/").status_code == 403


def test_compliance_export_holds_the_suppressed_figures(web, manager2, compliance_fixture):
    response = web(manager2).get("/performance/appraisals/compliance/?unit=&cycle=2024&export=csv")
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().splitlines()
    # Another department's unit: its small rating counts are blank; manager2's own unit is whole.
    assert lines[1] == "DMSPC-OHR,2024-25,6,6,4,3,50.0,,,,0"
    assert lines[2] == "DOS-PD,2024-25,3,3,3,2,66.7,0,2,0,1"
    own = web(manager2).get("/performance/appraisals/compliance/?cycle=2024&export=csv")
    assert b"".join(own.streaming_content).decode().count("\n") == 2  # their department by default


def test_a_manager_records_an_appraisal_in_the_browser_form(web, manager, units):
    staff = PersonFactory(unit=units["ohr"], index_number="10001111")
    client = web(manager)
    response = client.post(
        "/performance/appraisals/new/",
        {
            "staff": "10001111",
            "cycle": "2024",
            "due_on": "",
            "completed_on": "2025-05-20",
            "rating": "meets",
        },
    )
    appraisal = Appraisal.objects.get(staff=staff)
    assert response.status_code == 302 and response["Location"] == appraisal.get_absolute_url()
    assert appraisal.on_time and appraisal.due_on == datetime.date(2025, 5, 31)
    again = client.post("/performance/appraisals/new/", {"staff": "10001111", "cycle": "2024"})
    assert again.status_code == 200
    assert "already has an appraisal for the 2024-25 cycle" in again.content.decode()
    PersonFactory(unit=units["pd"], index_number="10002222")
    other = client.post("/performance/appraisals/new/", {"staff": "10002222", "cycle": "2024"})
    assert "No staff member in your units has index number 10002222." in other.content.decode()
    assert Appraisal.objects.count() == 1


def test_a_stale_appraisal_edit_is_a_form_error(web, manager, units):
    appraisal = AppraisalFactory(unit=units["ohr"])
    client = web(manager)
    data = {
        "cycle": "2024",
        "due_on": "2025-05-31",
        "completed_on": "2025-05-01",
        "rating": "meets",
        "version": "1",
    }
    assert client.post(f"/performance/appraisals/{appraisal.pk}/edit/", data).status_code == 302
    stale = client.post(
        f"/performance/appraisals/{appraisal.pk}/edit/", {**data, "rating": "exceeds"}
    )
    assert stale.status_code == 200 and "Someone else changed this record" in stale.content.decode()
    appraisal.refresh_from_db()
    assert appraisal.rating == "meets"


def test_underperformance_case_from_the_appraisal_page(web, manager, units):
    appraisal = AppraisalFactory(
        unit=units["ohr"], completed_on=datetime.date(2025, 5, 1), rating="does_not_meet"
    )
    client = web(manager)
    assert (
        "Open an underperformance case" in client.get(appraisal.get_absolute_url()).content.decode()
    )
    response = client.post(
        f"/performance/appraisals/{appraisal.pk}/case/new/",
        {
            "improvement_plan": "Monthly check-ins for six months",
            "plan_start": "2025-06-01",
            "plan_end": "2025-12-01",
            "rebuttal": "pending",
            "outcome": "",
            "closed_on": "",
        },
    )
    assert response.status_code == 302
    assert appraisal.underperformance_case.rebuttal == "pending"
    fine = AppraisalFactory(unit=units["ohr"], on_time=True)
    refused = client.post(
        f"/performance/appraisals/{fine.pk}/case/new/",
        {"improvement_plan": "x", "plan_start": "2025-06-01"},
    )
    assert "follows a rating of" in refused.content.decode()


def test_compact_signature_assessment_and_finding_in_the_browser(
    web, manager, admin_user, oios, units
):
    compact = CompactFactory(senior_manager__unit=units["dmspc"], year=2025)
    client = web(manager)
    refused = client.post(f"/performance/compacts/{compact.pk}/sign/", {"signed_on": "2025-02-01"})
    assert "Add the compact&#x27;s objectives before it is signed." in refused.content.decode()
    ObjectiveFactory(compact=compact)
    assert (
        client.post(
            f"/performance/compacts/{compact.pk}/sign/", {"signed_on": "2025-02-01"}
        ).status_code
        == 302
    )
    assessment = {
        "assessed_on": "2026-04-30",
        "mpb_rating": "needs_improvement",
        "mpb_assessment": "Two targets missed.",
    }
    own = client.post(f"/performance/compacts/{compact.pk}/assess/", assessment)
    assert own.status_code == 403  # the Board assesses, through an administrator
    assert (
        web(admin_user)
        .post(
            f"/performance/compacts/{compact.pk}/assess/",
            {
                "assessed_on": "2026-04-30",
                "mpb_rating": "needs_improvement",
                "mpb_assessment": "Two targets missed.",
            },
        )
        .status_code
        == 302
    )
    compact.refresh_from_db()
    assert compact.status == "assessed" and compact.mpb_rating == "needs_improvement"
    assert (
        client.post(
            f"/performance/compacts/{compact.pk}/findings/new/",
            {
                "finding": "Appraisal compliance below target",
                "action_plan": "",
                "due_on": "2026-12-31",
                "status": "open",
                "closed_on": "",
            },
        ).status_code
        == 302
    )
    finding = BoardFinding.objects.get()
    assert finding.status == "open"
    planned = client.post(
        f"/performance/findings/{finding.pk}/edit/",
        {
            "finding": finding.finding,
            "action_plan": "Quarterly reviews",
            "due_on": "2026-12-31",
            "version": finding.version,
        },
    )
    assert planned.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "in_progress"
    # Closing is its own action: the edit form has no status, the close page does it.
    closing_page = client.get(f"/performance/findings/{finding.pk}/close/").content.decode()
    assert 'name="closed_on"' in closing_page and 'name="status"' not in closing_page
    closed = client.post(
        f"/performance/findings/{finding.pk}/close/",
        {"closed_on": "2026-10-01", "action_plan": "", "version": finding.version},
    )
    assert closed.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.closed_on == datetime.date(2026, 10, 1)
    assert web(oios).get(f"/performance/findings/{finding.pk}/close/").status_code == 403
    actions = [e.changes.get("status") for e in HistoryEntry.objects.for_object(compact)]
    assert ["signed", "assessed"] in actions
    page = web(oios).get(compact.get_absolute_url()).content.decode()
    assert "Quarterly reviews" in page and "Record signature" not in page
    assert web(oios).post(f"/performance/compacts/{compact.pk}/assess/", {}).status_code == 403


def test_the_compact_form_offers_senior_managers_and_saves_paragraphs(
    web, manager, units, resolution
):
    usg = PersonFactory(unit=units["ohr"], grade="USG", name="Una Secretary")
    PersonFactory(unit=units["ohr"], grade="P-3", name="Pat Three")
    client = web(manager)
    form = client.get("/performance/compacts/new/").content.decode()
    assert "Una Secretary" in form and "Pat Three" not in form
    from org.models import Paragraph

    p16 = Paragraph.objects.get(number=16)
    response = client.post(
        "/performance/compacts/new/",
        {"senior_manager": usg.pk, "unit": "", "year": "2026", "paragraphs": [p16.pk]},
    )
    assert response.status_code == 302
    compact = Compact.objects.get()
    assert compact.unit == units["ohr"] and list(
        compact.paragraphs.values_list("number", flat=True)
    ) == [16]


def test_import_page_shows_every_error_and_saves_nothing(web, manager, units, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    PersonFactory(unit=units["ohr"], index_number="20000000")
    client = web(manager)
    bad = SimpleUploadedFile("a.csv", b"staff,cycle,rating\n20000000,2024,great\n77777777,2024,\n")
    response = client.post("/performance/appraisals/import/", {"file": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The file has 2 errors; nothing was saved." in page
    assert "No staff member has index number 77777777." in page
    assert not Appraisal.objects.exists()
    good = SimpleUploadedFile("a.csv", b"staff,cycle\n20000000,2024\n")
    preview = client.post("/performance/appraisals/import/", {"file": good})
    assert preview.status_code == 200 and not Appraisal.objects.exists()
    token = preview.context["token"]
    response = client.post(
        "/performance/appraisals/import/", {"token": token, "confirm": "1"}, follow=True
    )
    assert "Imported: 1 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Appraisal.objects.count() == 1


def test_indicator_page_has_chart_and_table(web, gastaff, manager, units):
    indicator = IndicatorFactory(unit=units["ohr"], title="Share on time", target=Decimal("90"))
    ResultFactory(indicator=indicator, period="2022-2023", value=Decimal("75"))
    ResultFactory(indicator=indicator, period="2024", value=Decimal("92"))
    html = web(gastaff).get(indicator.get_absolute_url()).content.decode()
    assert (
        "<svg" in html
        and "<polyline" in html
        and "2022-2023" in html
        and "Record a result" not in html
    )
    client = web(manager)
    response = client.post(
        f"/performance/indicators/{indicator.pk}/results/new/", {"period": "2025", "value": "95"}
    )
    assert response.status_code == 302
    refused = client.post(
        f"/performance/indicators/{indicator.pk}/results/new/", {"period": "25", "value": "1"}
    )
    assert "A budget period is a year (2024) or a biennium (2024-2025)." in refused.content.decode()


def test_only_administrators_record_the_rbm_responsibility(web, admin_user, manager, units):
    usg = PersonFactory(unit=units["dmspc"], grade="USG", name="Rita Results")
    assert web(manager).get("/performance/rbm-responsibility/new/").status_code == 403
    response = web(admin_user).post(
        "/performance/rbm-responsibility/new/",
        {"senior_manager": usg.pk, "assigned_on": "2024-01-01", "remit": "Secretariat-wide"},
    )
    assert response.status_code == 302
    assert RBMResponsibility.objects.get().senior_manager == usg
    assert "Rita Results" in web(manager).get("/performance/indicators/").content.decode()


def test_home_cards_and_resolution_evidence(web, manager, units, resolution, compliance_fixture):
    CompactFactory(senior_manager__unit=units["dmspc"], year=datetime.date.today().year)
    client = web(manager)
    home = client.get("/").content.decode()
    assert "Compacts signed this year" in home
    resolution_page = client.get("/resolution/").content.decode()
    assert "Senior managers&#x27; compacts: 1" in resolution_page


def test_the_pages_speak_chinese(web, manager, units):
    client = web(manager)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/performance/"})
    html = client.get("/performance/").content.decode()
    assert "考绩" in html


def test_readers_get_no_add_buttons(web, gastaff, manager, units):
    for url in ("/performance/compacts/", "/performance/indicators/", "/performance/appraisals/"):
        assert '/new/"' not in web(gastaff).get(url).content.decode(), url
        assert '/new/"' in web(manager).get(url).content.decode(), url


def test_an_expected_accomplishment_then_its_indicator_in_the_browser(web, manager, units):
    client = web(manager)
    response = client.post(
        "/performance/accomplishments/new/", {"unit": units["ohr"].pk, "title": "Faster hiring"}
    )
    assert response.status_code == 302 and "?accomplishment=" in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert "Faster hiring" in form


def test_a_second_underperformance_case_is_refused_on_the_page(web, manager, units):
    appraisal = AppraisalFactory(
        unit=units["ohr"], completed_on=datetime.date(2025, 5, 1), rating="does_not_meet"
    )
    UnderperformanceCase.objects.create(
        appraisal=appraisal, improvement_plan="First plan", plan_start=datetime.date(2025, 6, 1)
    )
    response = web(manager).post(
        f"/performance/appraisals/{appraisal.pk}/case/new/",
        {"improvement_plan": "Second plan", "plan_start": "2025-07-01", "rebuttal": ""},
    )
    assert response.status_code == 200
    assert "This appraisal already has an underperformance case." in response.content.decode()
    assert not UnderperformanceCase.objects.filter(improvement_plan="Second plan").exists()


def _trend_rows(html: str) -> dict:
    """The indicators page's results-by-period table: period -> (results, targets met)."""
    import re

    table = html.split("Results across budget periods", 1)[1].split("</table>", 1)[0]
    return {
        period: (int(results), int(met))
        for period, results, met in re.findall(
            r'<th scope="row">([0-9-]+)</th><td>(\d+)</td><td>(\d+)</td>', table
        )
    }


def test_the_results_trend_counts_the_readers_scope_and_moves_with_the_next_result(
    web, admin_user, manager, units
):
    """The trend is kept between views (the dashboard's cache) and says when it was computed;
    each reader counts their own scope, and a result recorded through the page is counted on the
    next view."""
    ohr = IndicatorFactory(unit=units["ohr"], title="Share on time", target=Decimal("90"))
    ohr_late = IndicatorFactory(unit=units["ohr"], title="Share filled", target=Decimal("90"))
    pd = IndicatorFactory(unit=units["pd"], title="Days to award", target=Decimal("90"))
    ResultFactory(indicator=ohr, period="2024", value=Decimal("95"))
    ResultFactory(indicator=ohr_late, period="2024", value=Decimal("75"))
    ResultFactory(indicator=pd, period="2024", value=Decimal("99"))
    client = web(manager)
    page = client.get("/performance/indicators/").content.decode()
    assert _trend_rows(page) == {"2024": (2, 1)}  # DMSPC's two results, not DOS-PD's
    assert "Figures as at" in page
    assert _trend_rows(web(admin_user).get("/performance/indicators/").content.decode()) == {
        "2024": (3, 2)
    }
    assert _trend_rows(client.get("/performance/indicators/").content.decode()) == {
        "2024": (2, 1)
    }  # kept, and still the manager's own
    response = client.post(
        f"/performance/indicators/{ohr.pk}/results/new/", {"period": "2025", "value": "91"}
    )
    assert response.status_code == 302
    assert _trend_rows(client.get("/performance/indicators/").content.decode()) == {
        "2024": (2, 1),
        "2025": (1, 1),
    }
