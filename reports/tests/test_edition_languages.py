"""An edition issued in Arabic and French (issue 18, item 4; issue 16: the XLSX narrative): every
format is stored in both languages; the figures its text cites are written in each language's
style; each workbook carries a "Narrative" sheet with the text as issued (figures filled), the
Arabic one right to left; the timings of the issue name each snapshot and each format.
PostgreSQL, the apps' stand-in figures (standard_metrics: BOA 1 implemented of 4, 25.0 per
cent; OIOS 2 of 2)."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports import editions, structure
from reports.gadoc import language_name
from reports.models import EditionSection, EditionState, ReportAuthor, ReportEdition

pytestmark = pytest.mark.django_db
PERIOD = {"period_start": datetime.date(2024, 1, 1), "period_end": datetime.date(2025, 12, 31)}


def _edition(manager, admin_user, capture, symbol: str, languages: list[str]) -> ReportEdition:
    """A draft edition for 2024-2025 by `manager`, designated author, in `languages`."""
    editions.designate_author(ReportAuthor(user=manager), acting_user=admin_user)
    with capture(execute=True):
        return editions.create_edition(
            ReportEdition(
                session=80,
                agenda_item="136",
                agenda_item_title_en="Review of the efficiency of the administrative and "
                "financial functioning of the United Nations",
                symbol=symbol,
                languages=languages,
                **PERIOD,
            ),
            acting_user=manager,
        )


@pytest.fixture
def issued(
    resolution, standard_metrics, admin_user, manager, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_HEARTBEAT_SECONDS = 3600
    edition = _edition(
        manager, admin_user, django_capture_on_commit_callbacks, "A/80/643", ["fr", "ar"]
    )
    edition.refresh_from_db()
    texts = {
        ("C", "fr"): "Le Comité a appliqué {{ C.by_body.BOA.implementation_rate }} de ses "
        "recommandations.",
        ("C", "ar"): "نفّذ المجلس {{ C.by_body.BOA.implementation_rate }} من توصياته.",
        ("summary", "fr"): "Le BSCI : {{ C.by_body.OIOS.implemented }} recommandations appliquées.",
    }
    for (key, language), text in texts.items():
        section = EditionSection.objects.get(edition=edition, key=key, language=language)
        editions.save_section(section, acting_user=manager, text=text)
    edition = editions.submit_edition(edition, acting_user=manager)
    edition = editions.approve_edition(edition, acting_user=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        editions.issue_edition(edition, acting_user=admin_user)
    edition.refresh_from_db()
    assert edition.state == EditionState.ISSUED, edition.job_error
    return edition


def _read(file) -> bytes:
    with default_storage.open(file.name, "rb") as handle:
        return handle.read()


def test_an_edition_in_arabic_and_french_issues_every_format_with_its_narrative(issued):
    files = {(f.language, f.format): f for f in issued.files.all()}
    assert set(files) == {
        (language, fmt)
        for language in ("ar", "fr")
        for fmt in ("json", "html", "pdf", "docx", "xlsx")
    }
    french = _read(files[("fr", "html")]).decode()
    assert "Le Comité a appliqué 25,0 pour cent de ses recommandations." in french
    assert "Quatre-vingtième session" in french and 'lang="fr"' in french
    arabic = _read(files[("ar", "html")]).decode()
    assert "نفّذ المجلس 25.0 في المائة من توصياته." in arabic
    assert 'lang="ar" dir="rtl"' in arabic and "الدورة الثمانون" in arabic

    workbook = load_workbook(io.BytesIO(_read(files[("fr", "xlsx")])))
    sheet = workbook.worksheets[1]  # after the report's front matter
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # (part, language, text): the summary, then part C under its title; empty parts left out
    title_c = dict(structure.sections("resolution", "fr"))["C"]
    with translation.override("fr"):
        french_name = language_name("fr")
    assert rows[1] == [rows[1][0], french_name, "Le BSCI : 2 recommandations appliquées."]
    assert rows[2] == [
        title_c,
        french_name,
        "Le Comité a appliqué 25,0 pour cent de ses recommandations.",
    ]
    assert len(rows) == 3

    arabic_book = load_workbook(io.BytesIO(_read(files[("ar", "xlsx")])))
    assert all(s.sheet_view.rightToLeft for s in arabic_book.worksheets)
    narrative = [[c.value for c in row] for row in arabic_book.worksheets[1].iter_rows()]
    assert narrative[1][2] == "نفّذ المجلس 25.0 في المائة من توصياته."

    # Each stage of the issue is timed: a snapshot and each format in each language.
    for language in ("ar", "fr"):
        assert f"snapshot_{language}" in issued.timings
        for fmt in ("html", "pdf", "docx", "xlsx"):
            assert issued.timings[f"{fmt}_{language}"] >= 0


def test_the_arabic_text_is_written_right_to_left(
    web, resolution, standard_metrics, admin_user, manager, django_capture_on_commit_callbacks
):
    edition = _edition(
        manager, admin_user, django_capture_on_commit_callbacks, "A/80/644", ["ar", "en"]
    )
    client = web(manager)
    arabic = client.get(reverse("reports:edition_section", args=[edition.pk, "C", "ar"]))
    assert arabic.status_code == 200
    page = arabic.content.decode()
    assert 'lang="ar" dir="rtl"' in page.split("<textarea", 1)[1].split(">", 1)[0]
    assert '<div id="preview" aria-live="polite" lang="ar" dir="rtl">' in page
    english = client.get(reverse("reports:edition_section", args=[edition.pk, "C", "en"]))
    assert 'lang="en" dir="ltr"' in english.content.decode().split("<textarea", 1)[1]
