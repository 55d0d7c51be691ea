"""The KPI framework on delegated authority: figures per entity against hand counts, status
against target, the two-period table and the entity page, scoped to what the reader may see."""

import datetime
from decimal import Decimal

import pytest

from accountability import kpis
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    DecisionFactory,
    DelegationFactory,
)

YEAR = datetime.date.today().year
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


def day(month, d):
    return datetime.date(YEAR, month, d)


@pytest.fixture
def data(units, manager, manager2, admin_user):
    # DMSPC: a root accepted 4 days after its start, sub-delegated (accepted on its first day).
    root = AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        valid_from=day(1, 1),
        valid_to=END,
        accepted_on=day(1, 5),
    )
    AcceptedDelegationFactory(
        delegator=manager,
        delegatee=manager2,
        unit=units["ohr"],
        parent=root,
        valid_from=day(1, 10),
        valid_to=END,
        limit_amount=Decimal("100.00"),
    )
    # DOS: a root accepted a month late, not sub-delegated.
    DelegationFactory(
        delegator=admin_user,
        delegatee=manager2,
        unit=units["dos"],
        valid_from=day(1, 1),
        valid_to=END,
        accepted_on=day(2, 1),
    )
    # DMSPC decisions: three needing no delegation, one outside authority reviewed in 10 days.
    for n in range(3):
        DecisionFactory(unit=units["ohr"], decided_by=manager, decided_on=day(1, 20 + n))
    DecisionFactory(
        unit=units["dmspc"],
        decided_by=manager,
        decided_on=day(1, 2),
        area="finance",
        amount=Decimal("10.00"),
        review_outcome="justified",
        reviewed_on=day(1, 12),
    )
    # DOS: two within authority; one of last year, outside and never reviewed.
    for n in range(2):
        DecisionFactory(unit=units["pd"], decided_by=manager2, decided_on=day(1, 3 + n))
    DecisionFactory(
        unit=units["dos"],
        decided_by=manager2,
        decided_on=datetime.date(YEAR - 1, 6, 1),
        area="procurement",
    )


def test_kpis_per_entity_match_hand_counts(data):
    table = {row["entity"]: row["kpis"] for row in kpis.kpi_table(START, END)}
    assert set(table) == {"DMSPC", "DOS"}
    dmspc, dos = table["DMSPC"], table["DOS"]
    assert dmspc["decisions_within_authority"] == {
        "value": 75.0,
        "numerator": 3,
        "denominator": 4,
        "target": 95.0,
        "status": "not_met",
    }
    assert dos["decisions_within_authority"]["value"] == 100.0
    assert dos["decisions_within_authority"]["status"] == "met"
    assert dmspc["exceptions_reviewed_on_time"]["value"] == 100.0
    assert dos["exceptions_reviewed_on_time"]["status"] == "no_data"
    assert (
        dmspc["instruments_accepted_on_time"]["numerator"],
        dmspc["instruments_accepted_on_time"]["denominator"],
    ) == (2, 2)
    assert dos["instruments_accepted_on_time"]["value"] == 0.0
    assert dos["instruments_accepted_on_time"]["status"] == "not_met"
    assert dmspc["sub_delegations_recorded"]["value"] == 100.0
    assert dos["sub_delegations_recorded"]["value"] == 0.0
    # Last year: DOS's one decision was outside authority and never reviewed.
    last = {
        r["entity"]: r["kpis"]
        for r in kpis.kpi_table(datetime.date(YEAR - 1, 1, 1), datetime.date(YEAR - 1, 12, 31))
    }
    assert last["DOS"]["decisions_within_authority"]["value"] == 0.0
    assert last["DOS"]["exceptions_reviewed_on_time"]["value"] == 0.0
    section = kpis.report_section_g(START, END)
    assert len(section["kpi_by_entity"]) == 2
    assert set(section["kpi_definitions"]) == {k.code for k in kpis.ALL_KPIS}


def test_kpi_pages_show_two_years_scoped(web, data, manager, gastaff):
    page = web(gastaff).get(f"/accountability/kpis/?year={YEAR}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "DMSPC" in text and "DOS" in text and str(YEAR - 1) in text and "75.0" in text
    own = web(manager).get(f"/accountability/kpis/?year={YEAR}").content.decode()
    assert "/accountability/kpis/DMSPC/" in own and "/accountability/kpis/DOS/" not in own
    entity = web(manager).get(f"/accountability/kpis/DMSPC/?year={YEAR}").content.decode()
    assert "Not met" in entity and "3/4" in entity and "Decision log" in entity
    assert web(manager).get("/accountability/kpis/DOS/").status_code == 404
    assert web(manager).get("/accountability/kpis/?year=abc").status_code == 200


def test_entered_kpi_with_evidence_on_the_page(web, data, manager, manager2, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accountability.models import KpiEntry

    settings.MEDIA_ROOT = tmp_path
    url = "/accountability/kpis/DMSPC/enter/"
    assert web(manager2).get(url).status_code == 404

    def post(client, value, content=b"%PDF-1.4\n%%EOF\n", name="training.pdf"):
        return client.post(
            url,
            {
                "kpi": "appraisal_compliance_delegatees",
                "year": YEAR,
                "value": value,
                "evidence": SimpleUploadedFile(name, content),
                "note": "LMS extract",
            },
        )

    client = web(manager)
    too_high = post(client, "100.1")
    assert too_high.status_code == 200 and "value" in too_high.context["form"].errors
    exe = post(
        client, "80", content=b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", name="x.exe"
    )
    assert exe.status_code == 200 and "evidence" in exe.context["form"].errors
    assert KpiEntry.objects.count() == 0
    ok = post(client, "80")
    assert ok.status_code == 302, ok.context["form"].errors if ok.context else ok
    entry = KpiEntry.objects.get()
    assert entry.unit.code == "DMSPC" and entry.entered_by == manager
    cell = {r["entity"]: r for r in kpis.kpi_table(START, END)}["DMSPC"]["kpis"][
        "appraisal_compliance_delegatees"
    ]
    assert cell["value"] == 80.0 and cell["status"] == "not_met" and cell["entered"]
    page = client.get(f"/accountability/kpis/DMSPC/?year={YEAR}").content.decode()
    assert "entered with evidence" in page
    again = post(client, "90")
    assert again.status_code == 200 and KpiEntry.objects.count() == 1


def test_section_g_compares_with_the_previous_period_by_the_reports_rule(data, units, manager):
    """2025-2026 (730 days, no leap day) is compared with 2023-2024 (731 days, 29 February 2024),
    whole years for whole years, as every other figure of the report (core.figures)."""
    from core.figures import previous_period

    start, end = datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)
    assert previous_period(start, end) == (datetime.date(2023, 1, 1), datetime.date(2024, 12, 31))
    # A decision on the first day of the previous period counts in it (by day count, the
    # previous period began on 2 January 2023 and left it out).
    DecisionFactory(unit=units["ohr"], decided_by=manager, decided_on=datetime.date(2023, 1, 1))
    section = kpis.report_section_g(start, end)
    assert section["kpi_by_entity_previous_period"] != kpis.kpi_table(
        datetime.date(2023, 1, 2), datetime.date(2024, 12, 31)
    )
    assert section["kpi_by_entity_previous_period"] == kpis.kpi_table(
        datetime.date(2023, 1, 1), datetime.date(2024, 12, 31)
    )
