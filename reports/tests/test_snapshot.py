import datetime
import json

import pytest

from core import history
from reports.snapshot import SECTION_CODES, ReportDataError, build_snapshot, canonical_json
from reports.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


def snap(language="en"):
    return build_snapshot(language=language, **PERIOD)


def section(snapshot, code):
    return next(s for s in snapshot["sections"] if s["code"] == code)


def test_all_twelve_sections_with_their_paragraphs_even_without_any_metrics(resolution, metrics):
    metrics()  # every app's metrics module missing
    snapshot = snap()
    assert [s["code"] for s in snapshot["sections"]] == list(SECTION_CODES)
    assert [p["number"] for p in section(snapshot, "C")["paragraphs"]] == [12]
    assert [p["number"] for p in section(snapshot, "D")["paragraphs"]] == [13, 14, 15, 16, 17, 18]
    assert [p["number"] for p in section(snapshot, "R")["paragraphs"]] == [33]
    assert [p["number"] for p in snapshot["preliminary_paragraphs"]] == [1, 2, 3, 4, 5, 6, 7]
    assert all(not s["has_data"] and s["metrics"] == {} for s in snapshot["sections"])
    assert snapshot["sources"]["oversight"] == {
        "report_metrics": "missing",
        "paragraph_measures": "missing",
    }
    assert section(snapshot, "A")["paragraphs"][1]["status"] == "no_measures"  # 9 requests the SG


def test_figures_of_every_app_are_merged_per_section(resolution, standard_metrics):
    snapshot = snap()
    c = section(snapshot, "C")["metrics"]
    assert c["by_body"]["BOA"]["implementation_rate"] == 25.0
    assert c["by_body"]["OIOS"]["total"] == 2
    d = section(snapshot, "D")["metrics"]
    # performance and risk both feed D, under distinct keys
    assert d["appraisal_compliance_rate"] == 75.0 and d["compacts_signed"] == 2
    assert d["misconduct_findings"] == {"fraud": 1, "mismanagement": 1, "other": 0}
    assert section(snapshot, "D")["sources"] == ["performance", "risk"]
    k = section(snapshot, "K")["metrics"]
    assert (k["procurement_cases_flagged"], k["amount_lost"], k["amount_recovered"]) == (
        1,
        "1250.00",
        "500.50",
    )
    assert section(snapshot, "A")["metrics"]["decisions_logged"] == 10
    assert section(snapshot, "E")["has_data"] is False


def test_headline_figures_are_computed_from_the_sections(resolution, standard_metrics):
    headline = {h["key"]: h["value"] for h in snap()["headline"]}
    # (1 + 2) implemented of (4 + 2) recommendations
    assert headline["recommendations_implementation_rate"] == 50.0
    assert headline["recommendations_overdue"] == 1
    assert headline["appraisal_compliance_rate"] == 75.0
    assert headline["amount_recovered"] == "500.50"


def test_paragraph_measures_and_status(resolution, standard_metrics):
    g = section(snap(), "G")
    p21 = g["paragraphs"][0]
    assert (
        p21["number"] == 21 and p21["measure_count"] == 5 and p21["status"] == "measures_recorded"
    )
    assert p21["measures"][0]["items"][0]["date"] == "2024-02-01"
    p22 = section(snap(), "H")["paragraphs"][0]
    assert p22["status"] == "noted"  # "Reaffirms": it asks no one to act


def test_the_key_order_of_the_apps_is_kept_in_the_snapshot(resolution, standard_metrics):
    c = section(snap(), "C")
    order = c["key_order"]
    assert order.index("total") < order.index("implemented") < order.index("implementation_rate")
    assert c["labels"]["implementation_rate"] == "Implementation rate (%)"


def test_chinese_snapshot_uses_the_chinese_text_of_the_resolution(resolution, standard_metrics):
    snapshot = snap("zh-hans")
    a = section(snapshot, "A")
    assert a["heading"] == "问责制定义以及作用和责任"
    assert "问责" in a["paragraphs"][0]["text"]
    # (another app may translate the same label first: Django merges the catalogues)
    assert a["labels"]["decisions_logged"] in ("记录的决定", "已记录的决定")


def test_clashing_keys_between_apps_are_refused(resolution, metrics, make_module):
    metrics(
        oversight=make_module("oversight.metrics", lambda s, e: {"D": {"compacts_signed": 1}}),
        performance=make_module("performance.metrics", lambda s, e: {"D": {"compacts_signed": 2}}),
    )
    with pytest.raises(ReportDataError, match="compacts_signed"):
        snap()


def test_an_app_failing_is_not_silently_skipped(resolution, metrics, make_module):
    def broken(start, end):
        raise ZeroDivisionError("division by zero")

    metrics(risk=make_module("risk.metrics", broken))
    with pytest.raises(ZeroDivisionError):
        snap()


def test_metrics_receive_the_period(resolution, metrics, make_module):
    seen = []
    metrics(risk=make_module("risk.metrics", lambda s, e: seen.append((s, e)) or {}))
    snap()
    # The period, then the previous period of the same length (whole months: 2022-2023).
    assert seen == [
        (datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2022, 1, 1), datetime.date(2023, 12, 31)),
    ]


def test_snapshot_anchors_the_change_history(resolution, metrics):
    metrics()
    entries, head_sha = history.head()
    assert entries > 0  # loading the resolution wrote history
    assert snap()["audit_trail"] == {"entries": entries, "head_sha256": head_sha}


def test_canonical_json_is_stable_whatever_the_key_order(resolution, standard_metrics):
    snapshot = snap()
    shuffled = json.loads(json.dumps(snapshot, sort_keys=True))
    assert canonical_json(snapshot) == canonical_json(shuffled)
