"""Paragraphs 10, 11 and 13-15: budget performance by unit and period (utilisation in SQL,
imported all or nothing), cost per output of efficiency measures, and the chain from a compact
objective to the indicators and results behind it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.tests.factories import CommitmentFactory
from core.actions import SYSTEM
from core.figures import rate
from performance import metrics
from performance.models import BudgetPerformance, IndicatorResult
from performance.querysets import cost_per_output_q
from performance.services import save_objective
from performance.tests.factories import (
    CompactFactory,
    IndicatorFactory,
    ObjectiveFactory,
    ResultFactory,
    SeniorManagerFactory,
)

pytestmark = pytest.mark.django_db
BUDGET = "/api/performance/budget-performance/"
RESULTS = "/api/performance/indicator-results/"
OBJECTIVES = "/api/performance/compact-objectives/"


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("budget.csv", text.encode(), content_type="text/csv")


def budget(unit, period, appropriation, expenditure, currency="USD"):
    return BudgetPerformance.objects.create(
        unit=unit,
        period=period,
        appropriation=Decimal(appropriation),
        expenditure=Decimal(expenditure),
        currency=currency,
    )


@pytest.fixture
def budgets(units):
    """2024: DMSPC-OHR 1,000,000 / 873,450 (87.3 %), DOS-PD 1,200,000 / 1,000,000 (83.3 %);
    together 2,200,000 / 1,873,450 = 85.2 %. 2025: DMSPC-OHR 1,000,000 / 1,050,000 (105.0 %,
    overspent). A CHF row of DOS-PD in 2025 is listed but never added to US dollars."""
    return [
        budget(units["ohr"], "2024", "1000000", "873450"),
        budget(units["pd"], "2024", "1200000", "1000000"),
        budget(units["ohr"], "2025", "1000000", "1050000"),
        budget(units["pd"], "2025", "500000", "100000", currency="CHF"),
    ]


def test_utilisation_in_sql_says_what_the_record_says(budgets):
    annotated = {
        (b.unit.code, b.period): b.utilisation
        for b in BudgetPerformance.objects.with_utilisation().select_related("unit")
    }
    assert annotated[("DMSPC-OHR", "2024")] == Decimal("87.3")
    assert annotated[("DOS-PD", "2024")] == Decimal("83.3")
    assert annotated[("DMSPC-OHR", "2025")] == Decimal("105.0")
    for b in budgets:
        assert float(annotated[(b.unit.code, b.period)]) == b.utilisation_rate
    # 2/3 = 66.666...: half-up to one decimal, as core.figures.rate rounds.
    odd = budget(budgets[0].unit, "2026", "3", "2")
    assert BudgetPerformance.objects.with_utilisation().get(pk=odd.pk).utilisation == Decimal(
        "66.7"
    )


def test_totals_by_period_add_us_dollars_only(budgets, gastaff):
    rows = {r["period"]: r for r in metrics.budget_by_period(gastaff)}
    assert rows["2024"]["total_appropriation"] == Decimal("2200000.00")
    assert rows["2024"]["total_expenditure"] == Decimal("1873450.00")
    assert rows["2024"]["utilisation"] == Decimal("85.2")
    assert rows["2025"]["units"] == 1 and rows["2025"]["utilisation"] == Decimal("105.0")
    report = metrics.people_metrics(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))["B"]
    assert report["budget_utilisation_rate_in_period"] == rate(1873450, 2200000) == 85.2
    assert [p["period"] for p in report["budget_utilisation_by_period"]] == ["2024"]


def test_budget_api_rights_and_bad_input(api, budgets, manager, manager2, gastaff):
    listed = api(gastaff).get(BUDGET, {"period": "2024"}).json()["results"]
    assert [(r["unit"], r["utilisation"]) for r in listed] == [
        ("DMSPC-OHR", 87.3),
        ("DOS-PD", 83.3),
    ]
    mine = api(manager).get(BUDGET).json()["results"]
    assert {r["unit"] for r in mine} == {"DMSPC-OHR"}
    created = api(manager).post(
        BUDGET,
        {"unit": "DMSPC-OHR", "period": "2026", "appropriation": "800000.00", "expenditure": "0"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["utilisation"] == 0.0
    for payload, field in [
        ({"period": "2024"}, "period"),  # already recorded
        ({"period": "2024-2026"}, "period"),
        ({"period": "2027", "appropriation": "0"}, "appropriation"),
        ({"period": "2027", "expenditure": "-1"}, "expenditure"),
        ({"period": "2027", "currency": "dollars"}, "currency"),
    ]:
        body = {
            "unit": "DMSPC-OHR",
            "appropriation": "100.00",
            "expenditure": "50.00",
            **payload,
        }
        response = api(manager).post(BUDGET, body, format="json")
        assert response.status_code == 400 and field in response.json(), (payload, response.json())
    other = api(manager).post(
        BUDGET,
        {"unit": "DOS-PD", "period": "2026", "appropriation": "1", "expenditure": "1"},
        format="json",
    )
    assert other.status_code == 403
    assert api(manager2).get(f"{BUDGET}{budgets[0].pk}/").status_code == 404


def test_budget_import_preview_all_or_nothing_and_update(api, units, manager):
    good = (
        "unit,period,appropriation,expenditure,currency\n"
        "DMSPC-OHR,2024,1000000,873450,USD\n"
        "DMSPC,2024-2025,5000000.50,4100000,\n"
    )
    preview = api(manager).post(
        BUDGET + "import/?dry_run=1", {"file": csv_file(good)}, format="multipart"
    )
    assert preview.json() == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": True}
    assert not BudgetPerformance.objects.exists()
    done = api(manager).post(BUDGET + "import/", {"file": csv_file(good)}, format="multipart")
    assert done.json()["created"] == 2
    assert BudgetPerformance.objects.get(period="2024-2025").currency == "USD"
    edited = good.replace("873450", "900000")
    again = api(manager).post(BUDGET + "import/", {"file": csv_file(edited)}, format="multipart")
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 1, "dry_run": False}
    row = BudgetPerformance.objects.get(period="2024", unit__code="DMSPC-OHR")
    assert row.expenditure == Decimal("900000.00") and row.version == 2
    bad = (
        "unit,period,appropriation,expenditure\n"
        "DMSPC-OHR,2030,10,5\n"
        "DOS-PD,2030,10,5\n"
        "NOPE,2030,10,5\n"
        "DMSPC-OHR,30,10,5\n"
        "DMSPC-OHR,2031,ten,5\n"
        "DMSPC-OHR,2030,10,6\n"
    )
    rejected = api(manager).post(BUDGET + "import/", {"file": csv_file(bad)}, format="multipart")
    assert rejected.status_code == 400
    assert {(e["row"], e["column"]) for e in rejected.json()["errors"]} == {
        (3, "unit"),
        (4, "unit"),
        (5, "period"),
        (6, "appropriation"),
        (7, "period"),
    }
    assert BudgetPerformance.objects.count() == 2


def test_budget_import_pages(web, units, manager, gastaff):
    client = web(manager)
    upload = csv_file("unit,period,appropriation,expenditure\nDMSPC-OHR,2024,100,50\n")
    preview = client.post("/performance/budget/import/", {"file": upload})
    assert 'id="to-create">1<' in preview.content.decode()
    assert client.post("/performance/budget/import/", {"confirm": "1"}).status_code == 302
    assert BudgetPerformance.objects.get().utilisation_rate == 50.0
    page = web(gastaff).get("/performance/budget/")
    assert page.status_code == 200 and "50.0" in page.content.decode()
    assert web(gastaff).get("/performance/budget/import/").status_code == 403


# --- Cost per output (paragraph 11) ----------------------------------------------------------


@pytest.fixture
def efficiency(units):
    return IndicatorFactory(
        unit=units["ohr"],
        kind="efficiency",
        title="Average days to complete a recruitment",
        direction="decrease",
        target=Decimal("120"),
    )


def test_cost_per_output_in_sql_and_its_rules(api, units, manager, efficiency):
    budget(units["ohr"], "2025", "1000000", "600000")
    created = api(manager).post(
        RESULTS,
        {
            "indicator": efficiency.pk,
            "period": "2025",
            "value": "118",
            "cost": "250000",
            "outputs": 3,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["cost_per_output"] == "83333.33"
    stored = IndicatorResult.objects.annotate(per=cost_per_output_q()).get()
    assert stored.per == stored.cost_per_output == Decimal("83333.33")
    accomplishment = IndicatorFactory(unit=units["ohr"])
    for payload, field in [
        ({"period": "2024", "cost": "100"}, "outputs"),
        ({"period": "2024", "outputs": 2}, "cost"),
        ({"period": "2024", "cost": "100", "outputs": 0}, "outputs"),
        ({"period": "2026", "cost": "700000", "outputs": 2}, None),
        ({"period": "2025", "cost": "10", "outputs": 1, "indicator": accomplishment.pk}, "cost"),
    ]:
        body = {"indicator": efficiency.pk, "value": "100", **payload}
        response = api(manager).post(RESULTS, body, format="json")
        if field is None:
            # No budget recorded for 2026: nothing to check the cost against.
            assert response.status_code == 201, response.json()
        else:
            assert response.status_code == 400 and field in response.json(), response.json()
    over = api(manager).post(
        RESULTS,
        {
            "indicator": efficiency.pk,
            "period": "2025-2026",
            "value": "1",
            "cost": "1",
            "outputs": 1,
        },
        format="json",
    )
    assert over.status_code == 201  # a biennium has no budget row here
    more = api(manager).patch(
        f"{RESULTS}{created.json()['id']}/", {"cost": "600000.01", "version": 1}, format="json"
    )
    assert more.status_code == 400 and "expenditure for 2025" in more.json()["cost"][0]


# --- Paragraphs 13-15: objective -> indicators -> results; the unit's chain -------------------


@pytest.fixture
def chain(units, manager, efficiency):
    senior = SeniorManagerFactory(unit=units["ohr"], name="Olga Head")
    compact = CompactFactory(senior_manager=senior, unit=units["ohr"], year=2025)
    objective = ObjectiveFactory(compact=compact, title="Faster recruitment")
    commitment = CommitmentFactory(unit=units["ohr"], title="Cut recruitment time to 120 days")
    objective.commitment = commitment
    objective.save()
    ResultFactory(indicator=efficiency, period="2024", value=Decimal("130"))
    ResultFactory(indicator=efficiency, period="2025", value=Decimal("115"))
    save_objective(objective, acting_user=SYSTEM, indicators=[efficiency])
    other = IndicatorFactory(unit=units["ohr"], title="Unlinked share of women")
    return {"objective": objective, "compact": compact, "other": other}


def test_an_objective_is_measured_only_by_its_units_indicators(api, chain, units, manager):
    foreign = IndicatorFactory(unit=units["pd"])
    objective = chain["objective"]
    url = f"{OBJECTIVES}{objective.pk}/"
    assert api(manager).get(url).json()["indicators"] == [chain["objective"].indicators.get().pk]
    refused = api(manager).patch(url, {"indicators": [foreign.pk]}, format="json")
    # The other department's indicator is not even visible to this manager.
    assert refused.status_code == 400 and "indicators" in refused.json()
    # The service says why to whoever may see both.
    with pytest.raises(ValidationError) as error:
        save_objective(objective, acting_user=SYSTEM, indicators=[foreign])
    assert "(DMSPC-OHR)" in error.value.message_dict["indicators"][0]
    ok = api(manager).patch(
        url, {"indicators": [chain["other"].pk], "version": objective.version}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["indicators"] == [chain["other"].pk]


def test_the_objective_page_shows_what_stands_behind_it(web, chain, gastaff, manager2):
    page = web(gastaff).get(f"/performance/objectives/{chain['objective'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Cut recruitment time to 120 days" in text
    assert "Average days to complete a recruitment" in text
    assert "130" in text and "115" in text
    # 2024 misses the target (130 > 120, lower is better), 2025 meets it.
    assert text.count(">No<") == 1 and text.count(">Yes<") == 1
    assert web(manager2).get(f"/performance/objectives/{chain['objective'].pk}/").status_code == 404


def test_the_unit_chain_page_in_a_fixed_number_of_queries(
    web, chain, units, gastaff, manager, django_assert_max_num_queries
):
    client = web(manager)
    first = client.get("/performance/units/DMSPC-OHR/")
    text = first.content.decode()
    assert first.status_code == 200
    assert "Olga Head" in text and "Faster recruitment" in text
    assert "2025 = 115" in text and "Unlinked share of women" in text
    for n in range(4):
        extra = IndicatorFactory(unit=units["ohr"], title=f"Extra {n}")
        ResultFactory(indicator=extra, period="2025")
        ObjectiveFactory(compact=chain["compact"]).indicators.add(extra)
    with django_assert_max_num_queries(25) as captured:
        client.get("/performance/units/DMSPC-OHR/")
    before = len(captured.captured_queries)
    for n in range(4):
        ObjectiveFactory(compact=chain["compact"]).indicators.add(
            IndicatorFactory(unit=units["ohr"], title=f"More {n}")
        )
    with django_assert_max_num_queries(before) as again:
        client.get("/performance/units/DMSPC-OHR/")
    assert len(again.captured_queries) == before
    assert web(gastaff).get("/performance/units/NOPE/").status_code == 404


def test_budget_import_from_xlsx_and_a_damaged_file(api, units, manager):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["unit", "period", "appropriation", "expenditure", "currency"])
    sheet.append(["DMSPC-OHR", "2024-2025", 2000000, 1500000.5, "usd"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("budget.xlsx", data.getvalue())
    done = api(manager).post(BUDGET + "import/", {"file": upload}, format="multipart")
    assert done.status_code == 200 and done.json()["created"] == 1, done.json()
    row = BudgetPerformance.objects.get()
    assert (row.currency, row.expenditure, row.utilisation_rate) == (
        "USD",
        Decimal("1500000.50"),
        75.0,
    )
    damaged = SimpleUploadedFile("budget.xlsx", b"PK\x03\x04 not really a workbook")
    refused = api(manager).post(BUDGET + "import/", {"file": damaged}, format="multipart")
    assert refused.status_code == 400 and refused.json()["errors"]
    assert BudgetPerformance.objects.count() == 1


def test_the_objective_form_links_indicators_of_the_unit_only(web, chain, units, manager):
    objective = chain["objective"]
    foreign = IndicatorFactory(unit=units["pd"], title="Another department's indicator")
    client = web(manager)
    form = client.get(f"/performance/objectives/{objective.pk}/edit/")
    assert "Unlinked share of women" in form.content.decode()
    assert "Another department" not in form.content.decode()
    data = {
        "version": objective.version,
        "kind": objective.kind,
        "title": objective.title,
        "indicator": objective.indicator,
        "target": objective.target,
        "indicators": [chain["other"].pk, foreign.pk],
    }
    refused = client.post(f"/performance/objectives/{objective.pk}/edit/", data)
    assert refused.status_code == 200 and "indicators" in refused.context["form"].errors
    data["indicators"] = [chain["other"].pk]
    saved = client.post(f"/performance/objectives/{objective.pk}/edit/", data)
    assert (
        saved.status_code == 302 and saved["Location"] == f"/performance/objectives/{objective.pk}/"
    )
    assert list(objective.indicators.values_list("title", flat=True)) == ["Unlinked share of women"]
