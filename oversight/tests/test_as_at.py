"""Section C as at the period's end (issue 11): a hand-counted world built through the actions
(two bodies, two units, statuses changed before and after the period's end, backdated changes,
amounts), its figures asserted one by one, then recomputed after later changes."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import DateField, F

from oversight import metrics, services
from oversight.importer import ALL_COLUMNS, ImportRejected, import_recommendations
from oversight.models import OversightReport, Recommendation
from oversight.querysets import NO_DATE, _in_force, status_as_at
from oversight.tests.factories import body

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
TODAY = datetime.date.today()


def report(user, code, symbol, issued_on):
    return services.save_report(
        OversightReport(
            body=body(code), symbol=symbol, title=f"Audit {symbol}", issued_on=issued_on
        ),
        acting_user=user,
    )


def rec(user, rpt, number, unit, target, priority="", accepted=True, comment="", **amounts):
    return services.save_recommendation(
        Recommendation(
            report=rpt,
            number=number,
            text=f"Recommendation {number}.",
            unit=unit,
            target_date=target,
            priority=priority,
            accepted=accepted,
            acceptance_comment=comment,
            **amounts,
        ),
        acting_user=user,
    )


def move(recommendation, user, status, note="Done.", **kwargs):
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    return services.change_status(fresh, acting_user=user, status=status, note=note, **kwargs)


def edit(recommendation, user, **fields):
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    for name, value in fields.items():
        setattr(fresh, name, value)
    return services.save_recommendation(fresh, acting_user=user)


def csv_upload(rows, name="boa.csv"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ALL_COLUMNS)
    writer.writeheader()
    for r in rows:
        writer.writerow({c: r.get(c, "") for c in ALL_COLUMNS})
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def boa_row(number, unit, target, status, **extra):
    return {
        "body": "BOA",
        "report_symbol": "A/79/5",
        "report_title": "Financial report and audited financial statements",
        "issued_on": "2024-07-25",
        "number": number,
        "text": f"Board recommendation {number}.",
        "priority": "",
        "unit": unit,
        "accepted": "yes",
        "target_date": target,
        "status": status,
        **extra,
    }


@pytest.fixture
def world(units, admin_user, oios, boa, manager, manager2):
    """OIOS: 2024/010 (issued before the period) o1-o6, 2025/020 (in it) o7-o9, 2026/001 (after
    it) o10. BOA: A/79/5 (before) b1-b5 by import with dated statuses, A/80/5 (in it) b6-b7."""
    ohr, pd = units["ohr"], units["pd"]
    r1 = report(oios, "OIOS", "2024/010", D(2024, 3, 1))
    r2 = report(oios, "OIOS", "2025/020", D(2025, 6, 1))
    r3 = report(oios, "OIOS", "2026/001", D(2026, 2, 1))
    w = {}
    w["o1"] = rec(oios, r1, "1", ohr, D(2025, 6, 30), "critical")
    # A change made elsewhere, recorded with its date by an administrator.
    move(w["o1"], admin_user, "in_progress", "Work started in 2024.", effective_on=D(2024, 9, 1))
    w["o2"] = rec(
        oios,
        r1,
        "2",
        pd,
        D(2025, 3, 31),
        "critical",
        amount_identified=Decimal("500000"),
        amount_realised=Decimal("200000"),
    )
    move(w["o2"], oios, "implemented", "Verified.", implemented_on=D(2024, 12, 15))
    w["o3"] = rec(oios, r1, "3", ohr, D(2025, 9, 30), "important")
    w["o4"] = rec(
        oios, r1, "4", pd, D(2026, 6, 30), "important", amount_identified=Decimal("300000")
    )
    move(w["o4"], oios, "implemented", "Verified.", effective_on=D(2025, 5, 10))
    w["o5"] = rec(oios, r1, "5", pd, D(2025, 12, 31), "critical")
    w["o6"] = rec(oios, r1, "6", ohr, D(2025, 12, 31), accepted=False, comment="Too costly.")
    w["o7"] = rec(
        oios, r2, "1", ohr, D(2025, 11, 30), "critical", amount_identified=Decimal("100000")
    )
    move(w["o7"], admin_user, "in_progress", "Project launched.", effective_on=D(2025, 8, 1))
    w["o8"] = rec(oios, r2, "2", pd, D(2026, 3, 31), "important")
    w["o9"] = rec(oios, r2, "3", pd, D(2025, 10, 31), "critical")
    move(w["o9"], oios, "overtaken", "New system.", effective_on=D(2025, 9, 15))
    w["o10"] = rec(oios, r3, "1", ohr, D(2025, 12, 1), "critical")  # issued after the period

    rows = [
        boa_row(
            "1",
            "DOS-PD",
            "2025-06-30",
            "Implemented",
            implemented_on="2025-03-01",
            amount_identified="1,000,000.00",
            amount_realised="250000",
        ),
        boa_row(
            "2",
            "DMSPC-OHR",
            "2025-12-31",
            "UNDER IMPLEMENTATION",
            status_on="2024-10-01",
            amount_identified="50000",
        ),
        boa_row("3", "DMSPC-OHR", "2024-12-31", "pending_verification", status_on="2025-02-01"),
        boa_row("4", "DOS-PD", "2025-03-31", "Not implemented"),  # the Board's "no action yet"
        boa_row("5", "DOS-PD", "2025-09-30", "not_implemented", status_on="2025-11-01"),
    ]
    result = import_recommendations(csv_upload(rows), acting_user=boa)
    assert result.created == 5
    for number in "12345":
        w[f"b{number}"] = Recommendation.objects.get(report__symbol="A/79/5", number=number)
    b2 = report(boa, "BOA", "A/80/5", D(2025, 7, 25))
    w["b6"] = rec(boa, b2, "1", ohr, D(2026, 12, 31))
    w["b7"] = rec(boa, b2, "2", pd, D(2026, 12, 31), accepted=False, comment="Not feasible.")
    return w


def later_changes(w, admin_user, oios, boa, manager, manager2):
    """Everything done after the period's end (dated today): none of it may move its figures."""
    move(w["o1"], manager, "pending_verification", "All done.")
    move(w["o3"], oios, "overtaken", "Replaced by a new policy.")
    move(w["o8"], manager2, "in_progress", "Started.")
    edit(w["o4"], oios, amount_realised=Decimal("120000"))
    edit(w["o7"], oios, target_date=D(2026, 6, 30))
    move(w["b4"], boa, "implemented", "Verified.")
    move(w["b3"], boa, "implemented", "Verified.")
    edit(w["o6"], oios, accepted=True, acceptance_comment="")


def rates(impl, acc, impl_acc):
    return {
        "implementation_rate": impl,
        "acceptance_rate": acc,
        "implementation_rate_of_accepted": impl_acc,
    }


def counts(total=0, overdue=0, **by_status):
    block = {key: 0 for key in metrics.STATUS_KEYS}
    block.update(by_status)
    assert sum(block.values()) == total  # the hand count adds up
    return {"total": total, **block, "overdue": overdue}


OIOS = {
    **counts(9, 3, implemented=2, in_progress=2, overtaken=1, not_accepted=1, open=3),
    **rates(22.2, 88.9, 25.0),
    "prior_period": {
        **counts(4, 2, implemented=1, in_progress=1, open=2),
        **rates(25.0, 100.0, 25.0),
        "under_implementation": 1,
    },
    "issued_in_period": {
        **counts(3, 1, in_progress=1, overtaken=1, open=1),
        **rates(0.0, 100.0, 0.0),
        "under_implementation": 1,
    },
    "amount_identified": "900000.00",
    "amount_realised": "200000.00",
    "amount_identified_in_period": "100000.00",
    "amount_realised_in_period": "0.00",
    "critical": {
        **counts(5, 2, implemented=1, in_progress=2, open=1, overtaken=1),
        **rates(20.0, 100.0, 20.0),
    },
    "important": {**counts(3, 1, implemented=1, open=2), **rates(33.3, 100.0, 33.3)},
}
BOA = {
    **counts(
        7,
        2,
        implemented=1,
        in_progress=1,
        pending_verification=1,
        not_implemented=1,
        not_accepted=1,
        open=2,
    ),
    **rates(14.3, 85.7, 16.7),
    "prior_period": {
        **counts(
            5, 2, implemented=1, in_progress=1, pending_verification=1, not_implemented=1, open=1
        ),
        **rates(20.0, 100.0, 20.0),
        "under_implementation": 2,
    },
    "issued_in_period": {
        **counts(2, 0, not_accepted=1, open=1),
        **rates(0.0, 50.0, 0.0),
        "under_implementation": 0,
    },
    "amount_identified": "1050000.00",
    "amount_realised": "250000.00",
    "amount_identified_in_period": "0.00",
    "amount_realised_in_period": "250000.00",
}
CRITICAL_PAST_DUE = [
    ("2024/010", "1", "DMSPC-OHR", "2025-06-30", 184, "in_progress", "Work started in 2024."),
    ("2025/020", "1", "DMSPC-OHR", "2025-11-30", 31, "in_progress", "Project launched."),
]


def past_due(section):
    return [
        (
            i["report"],
            i["number"],
            i["unit"],
            i["target_date"],
            i["days_past_due"],
            i["status"],
            i["latest_comment"],
        )
        for i in section["critical_past_due"]
    ]


def test_section_c_as_at_the_period_end_matches_the_hand_count(world):
    section = metrics.report_metrics(START, END)["C"]
    assert section["by_body"]["OIOS"] == OIOS
    assert section["by_body"]["BOA"] == BOA
    assert section["by_body"]["JIU"]["total"] == 0
    assert section["by_body"]["JIU"]["implementation_rate"] is None
    assert past_due(section) == CRITICAL_PAST_DUE
    assert section["recommendations_total"] == 16 and section["recommendations_overdue"] == 5
    assert section["recommendations_critical_overdue"] == 2


def test_a_closed_period_gives_the_same_figures_after_later_changes(
    world, admin_user, oios, boa, manager, manager2
):
    before = metrics.report_metrics(START, END)
    later_changes(world, admin_user, oios, boa, manager, manager2)
    assert metrics.report_metrics(START, END) == before
    # ... while today's figures do move.
    now = metrics.by_body(None, TODAY)
    assert (now["OIOS"]["overtaken"], now["OIOS"]["pending_verification"]) == (2, 1)
    assert now["OIOS"]["not_accepted"] == 0 and now["BOA"]["implemented"] == 3
    assert now["OIOS"]["amount_realised"] == "320000.00"
    # Read from the timeline, every record stands today as stored (as_at(today) reads the
    # stored fields on that ground).
    timeline = Recommendation.objects.annotate(
        s=status_as_at(TODAY),
        t=_in_force(
            TODAY, "target_date", "from_target_date", DateField(), NO_DATE, F("target_date")
        ),
    )
    assert [(r.s, r.t) for r in timeline.order_by("pk")] == [
        (r.status, r.target_date) for r in Recommendation.objects.order_by("pk")
    ]
    o7 = Recommendation.objects.as_at(END).get(pk=world["o7"].pk)
    assert (o7.target_date_at, o7.status_at) == (D(2025, 11, 30), "in_progress")
    assert Recommendation.objects.as_at(TODAY).get(pk=world["o7"].pk).target_date_at == D(
        2026, 6, 30
    )


def test_as_at_annotations_and_overdue_twin(world):
    rows = {
        r.pk: (r.status_at, r.accepted_at) for r in Recommendation.objects.as_at(D(2024, 12, 31))
    }
    assert rows[world["o1"].pk] == ("in_progress", True)
    assert rows[world["o2"].pk] == ("implemented", True)
    assert rows[world["o6"].pk] == ("not_accepted", False)
    assert rows[world["b3"].pk] == ("open", True)  # pending only from 2 February 2025
    # As at today, the SQL rule over the timeline is the same set as the current rule.
    assert set(Recommendation.objects.overdue_at(TODAY).values_list("pk", flat=True)) == set(
        Recommendation.objects.overdue(TODAY).values_list("pk", flat=True)
    )
    for r in Recommendation.objects.all():
        assert r.is_overdue == Recommendation.objects.overdue_at(TODAY).filter(pk=r.pk).exists()


def test_monitoring_page_uses_the_same_figures(world, web, gastaff):
    response = web(gastaff).get("/oversight/monitoring/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data["by_body"]["OIOS"]["total"] == metrics.by_body(None, TODAY)["OIOS"]["total"] == 10
    # As at today: o1 (30 June 2025), o7 (30 November), o10 (1 December), o5 (31 December).
    assert [(r.report.symbol, r.number) for r in data["critical_overdue"]] == [
        ("2024/010", "1"),
        ("2025/020", "1"),
        ("2026/001", "1"),
        ("2024/010", "5"),
    ]


def test_monitoring_page_as_at_a_past_date(world, web, gastaff, manager):
    response = web(gastaff).get("/oversight/monitoring/", {"as_at": "2025-12-31"})
    assert response.status_code == 200
    data = response.context["data"]
    # The period defaults to the year the date ends (its prior-period block from 1 January).
    assert data["by_body"]["OIOS"] == metrics.by_body(START, END)["OIOS"]
    assert (data["by_body"]["OIOS"]["total"], data["by_body"]["OIOS"]["overdue"]) == (9, 3)
    assert data["totals"]["amount_realised"] == "450000.00"
    assert [(r.report.symbol, r.number) for r in data["critical_overdue"]] == [
        ("2024/010", "1"),
        ("2025/020", "1"),
    ]
    # A manager sees the figures of their own units only (DMSPC-OHR: o1, o3, o6, o7; b2, b3, b6).
    mine = web(manager).get("/oversight/monitoring/", {"as_at": "2025-12-31"}).context["data"]
    assert (mine["by_body"]["OIOS"]["total"], mine["by_body"]["BOA"]["total"]) == (4, 3)
    future = web(gastaff).get("/oversight/monitoring/", {"as_at": "2999-01-01"})
    assert future.status_code == 200 and "This date is in the future." in future.content.decode()
    assert future.context["data"]["totals"]["total"] == 0


def test_a_change_is_backdated_only_by_the_body_within_issue_and_today(world, manager2, oios):
    o5 = world["o5"]
    with pytest.raises(ValidationError) as err:
        move(o5, manager2, "in_progress", effective_on=D(2025, 3, 1))
    assert "effective_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        move(o5, oios, "overtaken", effective_on=D(2024, 1, 1))  # before the issue
    assert "effective_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        move(o5, oios, "overtaken", effective_on=TODAY + datetime.timedelta(days=1))
    assert "effective_on" in err.value.message_dict
    # Not before the latest dated change: o1 moved on 1 September 2024.
    with pytest.raises(ValidationError) as err:
        move(world["o1"], oios, "implemented", implemented_on=D(2024, 8, 1))
    assert "implemented_on" in err.value.message_dict
    assert Recommendation.objects.get(pk=o5.pk).status == "open"
    assert Recommendation.objects.get(pk=world["o1"].pk).updates.count() == 1


def test_api_status_with_effective_on_and_bad_date(world, api, oios, manager2):
    url = f"/api/oversight/recommendations/{world['o5'].pk}/status/"
    bad = api(manager2).post(
        url, {"status": "in_progress", "note": "x", "effective_on": "2025-02-01"}, format="json"
    )
    assert bad.status_code == 400 and "effective_on" in bad.json()
    garbage = api(oios).post(
        url, {"status": "overtaken", "note": "x", "effective_on": "31/12/2025"}, format="json"
    )
    assert garbage.status_code == 400 and "effective_on" in garbage.json()
    ok = api(oios).post(
        url, {"status": "overtaken", "note": "Merged.", "effective_on": "2025-10-01"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status_changed_on"] == "2025-10-01"
    timeline = api(oios).get(f"/api/oversight/recommendations/{world['o5'].pk}/updates/").json()
    assert timeline[0]["effective_on"] == "2025-10-01"


def test_amounts_in_the_api_and_realised_above_identified_refused(world, api, oios):
    url = f"/api/oversight/recommendations/{world['o4'].pk}/"
    data = api(oios).get(url).json()
    assert (data["amount_identified"], data["amount_realised"]) == ("300000.00", None)
    bad = api(oios).patch(url, {"amount_realised": "300000.01"}, format="json")
    assert bad.status_code == 400 and "amount_realised" in bad.json()
    negative = api(oios).patch(url, {"amount_identified": "-5"}, format="json")
    assert negative.status_code == 400
    ok = api(oios).patch(url, {"amount_realised": "150000.50"}, format="json")
    assert ok.status_code == 200 and ok.json()["amount_realised"] == "150000.50"
    assert Recommendation.objects.get(pk=world["o4"].pk).updates.first().amount_realised == (
        Decimal("150000.50")
    )


# --- Import: the new columns and the bodies' wording -----------------------------------------


def test_import_status_on_outside_issue_and_today_is_a_400_and_saves_nothing(boa, units, api):
    rows = [
        boa_row("1", "DOS-PD", "2025-06-30", "Implemented", status_on="2024-01-01"),
        boa_row("2", "DOS-PD", "2025-06-30", "open", status_on="2999-01-01"),
        boa_row("3", "DOS-PD", "2025-06-30", "Under implementation", status_on="yesterday"),
        boa_row("4", "DOS-PD", "2025-06-30", "finished"),
        boa_row("5", "DOS-PD", "2025-06-30", "open", amount_identified="ten"),
        boa_row("6", "DOS-PD", "2025-06-30", "open", amount_identified="10", amount_realised="11"),
        boa_row("7", "DOS-PD", "2025-06-30", "open", amount_identified="1.234"),
    ]
    response = api(boa).post(
        "/api/oversight/recommendations/import/", {"file": csv_upload(rows)}, format="multipart"
    )
    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {
        (2, "status_on"),
        (3, "status_on"),
        (4, "status_on"),
        (5, "status"),
        (6, "amount_identified"),
        (7, "amount_realised"),
        (8, "amount_identified"),
    }
    assert not Recommendation.objects.exists() and not OversightReport.objects.exists()


def test_import_wording_dates_and_idempotence(boa, units):
    rows = [
        boa_row("1", "DOS-PD", "2025-06-30", "implemented", implemented_on="2025-03-01"),
        boa_row("2", "DOS-PD", "2025-06-30", " Under  Implementation ", status_on="2024-10-01"),
        boa_row("3", "DOS-PD", "2025-06-30", "NOT IMPLEMENTED"),
        boa_row("4", "DOS-PD", "2025-06-30", "Overtaken by events", status_on="2025-05-05"),
        boa_row("5", "DOS-PD", "2025-06-30", "Not accepted", accepted="no"),
        boa_row("6", "DOS-PD", "2025-06-30", "Under implementation"),
    ]
    import_recommendations(csv_upload(rows), acting_user=boa)
    got = {
        r.number: (r.status, r.status_changed_on, [u.effective_on for u in r.updates.all()])
        for r in Recommendation.objects.prefetch_related("updates")
    }
    issued = D(2024, 7, 25)
    assert got == {
        "1": ("implemented", D(2025, 3, 1), [D(2025, 3, 1)]),
        "2": ("in_progress", D(2024, 10, 1), [D(2024, 10, 1)]),
        "3": ("open", issued, []),
        "4": ("overtaken", D(2025, 5, 5), [D(2025, 5, 5)]),
        "5": ("not_accepted", issued, []),
        "6": ("in_progress", TODAY, [TODAY]),
    }
    again = import_recommendations(csv_upload(rows), acting_user=boa)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    # A row whose status does not change gets no new dated status, whatever its status_on.
    rows[1]["status_on"] = "2025-01-01"
    assert import_recommendations(csv_upload(rows), acting_user=boa).unchanged == 6
    # A change dated before the latest dated change is refused, with its row and column.
    rows[0].update(status="Under implementation", implemented_on="", status_on="2025-02-01")
    with pytest.raises(ImportRejected) as err:
        import_recommendations(csv_upload(rows), acting_user=boa)
    assert [(e["row"], e["column"]) for e in err.value.errors] == [(2, "status_on")]
    rows[0]["status_on"] = "2025-04-01"
    result = import_recommendations(csv_upload(rows), acting_user=boa)
    assert result.updated == 1
    first = Recommendation.objects.get(number="1")
    assert (first.status, first.implemented_on) == ("in_progress", None)
    assert [u.effective_on for u in first.updates.all()] == [D(2025, 4, 1), D(2025, 3, 1)]


def test_boa_follow_up_file_of_200_reproduces_the_four_category_split(boa, units):
    """A/79/5's follow-up: 200 recommendations; 20 implemented before the period (not in the
    prior-period table); of the 180 others, by status as at 31 December 2025: 70 implemented,
    60 under implementation, 30 + 5 not implemented (5 were implemented only in 2026),
    15 overtaken by events. Hand-counted implementation rate: 70 / 180 = 38.9 per cent."""
    plan = (
        [("Implemented", "2024-11-30")] * 20
        + [("Implemented", "2025-06-30")] * 70
        + [("Under implementation", "2025-02-15")] * 60
        + [("Not implemented", "")] * 30
        + [("Overtaken by events", "2025-09-30")] * 15
        + [("Implemented", "2026-03-01")] * 5
    )
    assert len(plan) == 200
    rows = [
        boa_row(
            str(n),
            "DOS-PD" if n % 2 else "DMSPC-OHR",
            "2025-06-30",
            status,
            status_on=status_on,
            amount_identified="1000" if status == "Implemented" else "",
            amount_realised="400" if status == "Implemented" else "",
        )
        for n, (status, status_on) in enumerate(plan, start=1)
    ]
    assert import_recommendations(csv_upload(rows), acting_user=boa).created == 200
    figures = metrics.by_body(START, END)["BOA"]
    prior = figures["prior_period"]
    split = (
        prior["implemented"],
        prior["under_implementation"],
        prior["open"] + prior["not_implemented"],
        prior["overtaken"],
    )
    assert prior["total"] == 180 and split == (70, 60, 35, 15)
    assert prior["implementation_rate"] == 38.9
    assert figures["total"] == 200 and figures["implemented"] == 90
    # Amounts: 95 implemented rows identify 1,000 each; 400 realised is dated with the
    # implementation: 90 by the period's end, 70 of them in the period.
    assert figures["amount_identified"] == "95000.00"
    assert figures["amount_realised"] == "36000.00"
    assert figures["amount_realised_in_period"] == "28000.00"


def test_demo_timelines_are_coherent(units, admin_user, oios, boa, manager, manager2):
    from org.tests.factories import OrgUnitFactory
    from oversight.seed import seed_demo

    for code in ("MONUSCO", "DMSPC-OPPFB", "DPO", "DMSPC-BTAD", "EOSG"):
        OrgUnitFactory(code=code, name=code, parent=units["root"])
    seed_demo()
    recs = Recommendation.objects.select_related("report").prefetch_related("updates")
    assert recs.count() == 14
    for r in recs:
        steps = sorted(r.updates.all(), key=lambda u: (u.effective_on, u.created_at, u.pk))
        dates = [u.effective_on for u in steps]
        assert all(r.report.issued_on <= d <= TODAY for d in dates), r
        assert [u.from_status for u in steps[1:]] == [u.to_status for u in steps[:-1]], r
        if steps:
            assert (steps[-1].to_status, r.status_changed_on) == (r.status, dates[-1]), r
            assert steps[0].from_status in ("open", "not_accepted"), r
    # Read back from the timeline, every demo recommendation stands today as recorded.
    assert all(r.status_at == r.status for r in Recommendation.objects.as_at(TODAY))
    figures = metrics.by_body(None, TODAY)
    assert figures["OIOS"]["amount_identified"] == "4130000.00"
    assert figures["OIOS"]["amount_realised"] == "1270000.00"
