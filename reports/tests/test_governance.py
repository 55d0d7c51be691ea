"""Issue 15 in the paragraph 33 report: each paragraph's verdict is the accountable office's
accepted assessment (governance) as at the period end, with the count of measures beside it as a
fact; governance's figures sit in the sections their subjects belong to, each documented in the
annex, with the previous period's; every figure is labelled in English and Chinese. The world and
its hand counts: reports/tests/world.py (its docstring, "Governance")."""

import datetime
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from core.actions import SYSTEM
from governance import services as governance
from governance.models import FollowUpAction, ParagraphAssessment
from reports import render
from reports.gadoc import DocumentMeta
from reports.methodology import kpi_key
from reports.snapshot import build_snapshot
from reports.tests import world as test_world
from reports.tests.world import PERIOD

pytestmark = pytest.mark.django_db
D = datetime.date
META = DocumentMeta(symbol="A/80/700", agenda_item="Item 136")


@pytest.fixture
def world(resolution, units, admin_user, manager, manager2, gastaff):
    people = {"admin_user": admin_user, "manager": manager, "manager2": manager2}
    return test_world.build(units, {**people, "gastaff": gastaff})


def paragraph(snapshot, number):
    every = list(snapshot["preliminary_paragraphs"])
    for section in snapshot["sections"]:
        every.extend(section["paragraphs"])
    return next(p for p in every if p["number"] == number)


def metrics(snapshot, code):
    return next(s for s in snapshot["sections"] if s["code"] == code)["metrics"]


def test_the_verdict_is_the_assessment_accepted_by_the_period_end(world):
    snap = build_snapshot(language="en", **PERIOD)
    p12 = paragraph(snap, 12)
    # 2025's assessment (accepted 20 Dec 2025) replaces 2024's (accepted in February).
    assert (p12["verdict"], p12["verdict_label"]) == ("in_progress", "In progress")
    assessment = p12["assessment"]
    assert (assessment["unit"], assessment["accepted_on"], assessment["evidence"]) == (
        "DMSPC",
        "2025-12-20",
        1,
    )
    assert assessment["period_start"] == "2025-01-01"
    assert assessment["justification"] == "Meetings held; follow-up of one decision overdue."
    # Paragraph 21: accepted in June; its measures (two delegation instruments, world._delegations
    # and the decisions citing them) stay beside it as a fact, not the verdict.
    p21 = paragraph(snap, 21)
    assert (p21["verdict"], p21["verdict_label"]) == ("implemented", "Implemented")
    assert p21["status"] == "measures_recorded" and p21["measure_count"] > 0
    # 28: accepted on 20 January 2026, after the period end; 20: returned to the office.
    for number in (28, 20):
        unassessed = paragraph(snap, number)
        assert unassessed["verdict"] == "no_assessment", number
        assert unassessed["verdict_label"] == "No assessment accepted"
        assert unassessed["assessment"] is None
    # Paragraph 8 has decisions against it but no assessment: measures are no verdict.
    p8 = paragraph(snap, 8)
    assert p8["status"] == "measures_recorded" and p8["verdict"] == "no_assessment"
    # The year after, the January 2026 acceptance is in force for paragraph 28.
    next_year = build_snapshot(language="en", period_start=D(2026, 1, 1), period_end=D(2026, 6, 30))
    assert paragraph(next_year, 28)["verdict"] == "implemented"
    assert "paragraph_assessments" in snap["methodology"]


def test_governance_figures_sit_in_their_sections_with_annex_entries(world):
    snap = build_snapshot(language="en", **PERIOD)
    c, h = metrics(snap, "C"), metrics(snap, "H")
    assert {k: c[k] for k in c if k.startswith("committee_")} == {
        "committee_meetings": 1,  # February 2025 (February 2026 is after the period)
        "committee_meetings_published": 1,
        "committee_decisions": 2,
        "committee_follow_up_actions": 2,
        "committee_follow_up_open": 1,
        "committee_follow_up_done": 1,
        "committee_follow_up_dropped": 0,
        "committee_follow_up_overdue": 1,  # DOS-PD's, due 31 July
    }
    assert c["follow_up_completion_rate"] == 50.0
    assert c["consultations_with_oversight_bodies"] == 2
    assert c["consultations_by_body"] == {"BOA": 1, "OIOS": 1}
    # Section C keeps the oversight app's figures beside them.
    assert {"OIOS", "BOA"} <= set(c["by_body"])
    assert (h["mandates_adopted"], h["mandates_with_results"], h["mandates_with_results_rate"]) == (
        2,
        1,
        50.0,
    )
    assert h["mandates_by_body"] == {"GA": 1, "SC": 1}
    umoja = {k: v for k, v in metrics(snap, "I").items() if k.startswith("umoja_")}
    assert umoja == {
        "umoja_milestones_planned": 2,
        "umoja_milestones_achieved": 1,
        "umoja_milestones_on_time": 1,
        "umoja_milestones_late": 1,
        "umoja_milestones_on_time_rate": 50.0,
    }
    inspira = {k: v for k, v in metrics(snap, "F").items() if k.startswith("inspira_")}
    assert inspira == {
        "inspira_milestones_planned": 1,
        "inspira_milestones_achieved": 1,
        "inspira_milestones_on_time": 0,  # achieved 15 Oct, planned 30 Sep
        "inspira_milestones_late": 0,
        "inspira_milestones_on_time_rate": 0.0,
    }
    # Lessons are paragraph 9's: the 2024 one is another period's.
    lessons = next(m for m in paragraph(snap, 9)["measures"] if m["kind"] == "lessons_learned")
    assert lessons["count"] == 2
    assert [item["title"] for item in lessons["items"]] == ["UNDP: 1", "UNICEF: 1"]
    # Every governance figure has its annex entry; governance's own definitions are used.
    governance_keys = [
        k for code in "CFHI" for k in metrics(snap, code) if k.split("_")[0] in GOVERNANCE_PREFIXES
    ] + ["follow_up_completion_rate", "lessons_learned", "paragraph_assessments"]
    for key in governance_keys:
        entry = snap["methodology"][key]
        assert entry["definition"] and entry["source"] == "governance", key
    assert snap["methodology"]["umoja_milestones_on_time_rate"]["definition"].startswith(
        "Milestones planned by the period's end achieved"
    )
    # The previous period (2024): one consultation (BOA, July 2024), one mandate with results.
    previous = snap["previous_period"]["governance"]
    assert previous["C"]["consultations_with_oversight_bodies"] == 1
    assert previous["C"]["committee_meetings"] == 0
    assert (previous["H"]["mandates_adopted"], previous["H"]["mandates_with_results_rate"]) == (
        1,
        100.0,
    )
    assert "consultations_by_body" not in previous["C"]  # breakdowns stay in the period's own


GOVERNANCE_PREFIXES = {"committee", "consultations", "mandates", "umoja", "inspira"}


def test_a_closed_period_compiles_the_same_after_later_governance_changes(world, admin_user):
    first = build_snapshot(language="en", **PERIOD)
    # Today (after the period): the overdue follow-up is done, a returned assessment is
    # resubmitted and accepted, a 2025 assessment of paragraph 9 is accepted.
    follow_up = FollowUpAction.objects.get(pk=world["governance"]["open_follow_up"].pk)
    governance.change_follow_up_status(follow_up, acting_user=admin_user, status="done")
    returned = ParagraphAssessment.objects.get(paragraph__number=20)
    governance.submit_assessment(returned, acting_user=SYSTEM)
    governance.review_assessment(returned, acting_user=SYSTEM, outcome="accept")
    second = build_snapshot(language="en", **PERIOD)
    for snap in (first, second):
        snap.pop("generated_at"), snap.pop("audit_trail")
    assert second == first
    assert paragraph(second, 20)["verdict"] == "no_assessment"


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def _xlsx_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


@pytest.mark.parametrize(
    "language, verdict, none, fact, committee",
    [
        (
            "en",
            "In progress",
            "No assessment accepted",
            "Measures recorded",
            "Management Committee",
        ),
        ("zh-hans", "正在执行", "没有已接受的评估", "已记录的措施", "管理委员会"),
    ],
)
def test_the_verdict_and_the_figures_in_every_format_and_language(
    world, language, verdict, none, fact, committee
):
    snap = build_snapshot(language=language, **PERIOD)
    html = render.html(snap, META)
    texts = {
        "html": re.sub(r"<style.*?</style>|<[^>]+>", " ", html.decode(), flags=re.S),
        "pdf": "".join(_pdf_text(render.pdf(html)).split()),
        "docx": _docx_text(render.docx(snap, None, META)),
        "xlsx": "\n".join(_xlsx_cells(render.xlsx(snap, META))),
    }
    for fmt, text in texts.items():
        for expected in (verdict, none, committee, "DMSPC"):
            assert "".join(expected.split()) in "".join(text.split()), (fmt, expected)
    assert fact in texts["html"] and fact in texts["docx"]
    accepted = "2025年12月20日" if language == "zh-hans" else "20 December 2025"
    assert accepted in texts["html"] and accepted in texts["docx"]
    assert "Meetings held; follow-up of one decision overdue." in texts["docx"]


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_no_figure_reads_as_humanised_english_in_chinese(world):
    """Every figure and breakdown label, and every annex entry, of the Chinese report is Chinese:
    none is English left untranslated or a key with its underscores turned to spaces (codes like
    `OIOS` keep their own name; a proper name such as Inspira sits inside Chinese text)."""
    snap = build_snapshot(language="zh-hans", **PERIOD)
    untranslated = {
        (section["code"], key, label)
        for section in snap["sections"]
        for key, label in section["labels"].items()
        if not CHINESE.search(label)
        and label != key  # a code that is its own name: OIOS, a heat map cell 4x5
        # the delegation KPIs are titled from their own definitions (section G's table)
        and kpi_key(key) not in snap["methodology"]
    }
    assert untranslated == set()
    english = {
        (key, field)
        for key, entry in snap["methodology"].items()
        for field in ("label", "definition", "numerator", "denominator", "date_rule")
        if re.search(r"[A-Za-z]{4,}", str(entry[field])) and not CHINESE.search(str(entry[field]))
    }
    assert english == set()
