import datetime

import pytest

from reports.compare import compare
from reports.gadoc import (
    DocumentMeta,
    date_label,
    front_matter,
    number_zh,
    ordinal_en,
    resolution_citation,
    session_label,
    session_number,
)


@pytest.mark.parametrize(
    "day, session",
    [
        (datetime.date(2026, 11, 27), 81),
        (datetime.date(2026, 8, 31), 80),
        (datetime.date(2010, 3, 29), 64),
    ],
)
def test_the_session_open_on_a_date(day, session):
    assert session_number(day) == session


def test_session_and_date_read_like_an_assembly_document():
    assert (
        ordinal_en(81) == "eighty-first"
        and ordinal_en(66) == "sixty-sixth"
        and ordinal_en(12) == "twelfth"
    )
    assert session_label(81, "en") == "Eighty-first session"
    assert number_zh(81) == "八十一" and number_zh(10) == "十" and number_zh(66) == "六十六"
    assert session_label(66, "zh-hans") == "第六十六届会议"
    assert date_label(datetime.date(2026, 1, 5), "en") == "5 January 2026"
    assert date_label(datetime.date(2026, 1, 5), "zh-hans") == "2026年1月5日"


def test_a_run_never_prints_a_symbol_and_an_edition_prints_its_own():
    from types import SimpleNamespace

    snapshot = {
        "language": "en",
        "generated_at": "2026-11-20T10:00:00+00:00",
        "period": {"start": "2024-01-01", "end": "2025-12-31"},
        "resolution": {"symbol": "A/RES/64/259"},
    }
    run = SimpleNamespace(title="", agenda_item="Item 136", symbol="A/81/R.7")
    front = front_matter(snapshot, DocumentMeta.of(run))
    assert front["symbol"] == "" and front["agenda_item"] == "Item 136"
    assert front["session"] == "Eighty-first session"
    edition = DocumentMeta(symbol="A/81/300", session="81", agenda_item="136")
    front = front_matter(snapshot, edition)
    assert (front["symbol"], front["agenda_item"]) == ("A/81/300", "Agenda item 136")
    zh = front_matter({**snapshot, "language": "zh-hans"}, edition)
    assert zh["date"] == "2026年11月20日" and zh["session"] == "第八十一届会议"
    assert zh["resolution_citation"] == "大会第64/259号决议"


def test_the_title_prints_once():
    assert DocumentMeta().title_in("en") == (
        "Progress towards an accountability system in the United Nations Secretariat"
    )
    assert DocumentMeta(title="Accountability: report of the Secretary-General").title_in("en") == (
        "Accountability"
    )
    assert DocumentMeta(title="问责制：秘书长的报告").title_in("zh-hans") == "问责制"
    assert resolution_citation("A/RES/64/259", "en") == "General Assembly resolution 64/259"


def test_compare_gives_each_figure_with_its_change():
    def snap(rate, lost, extra=None):
        metrics = {
            "by_body": {"BOA": {"implementation_rate": rate}},
            "amount_lost": lost,
            **(extra or {}),
        }
        return {
            "headline": [],
            "sections": [
                {
                    "code": "C",
                    "metrics": metrics,
                    "key_order": ["by_body", "BOA", "implementation_rate", "amount_lost", "new"],
                    "labels": {
                        "by_body": "By body",
                        "implementation_rate": "Rate",
                        "amount_lost": "Lost",
                    },
                }
            ],
        }

    rows = {r.key: r for r in compare(snap(25.0, "100.00"), snap(40.5, "90.50", {"new": 3}))}
    assert rows["C.by_body.BOA.implementation_rate"].display_change() == "+15.5"
    assert rows["C.by_body.BOA.implementation_rate"].label == "By body – BOA – Rate"
    assert rows["C.amount_lost"].display_change() == "-9.50"
    assert rows["C.new"].before is None and rows["C.new"].change is None


def test_the_beat_schedule_holds_the_report_jobs():
    from reports.schedule import BEAT_SCHEDULE

    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert tasks == {
        "reports.tasks.compile_biennial_report",
        "reports.tasks.fail_stuck_reports",
        "reports.tasks.refresh_live_figures",
    }
