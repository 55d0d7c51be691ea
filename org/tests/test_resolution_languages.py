"""Issue 18, item 3: resolution 64/259 in the six official languages. Each paragraph is loaded in
Arabic, Chinese, English, French, Russian and Spanish with the languages in which its text is the
official one; the pages, the API, the report and the search read the reader's language and say
where a text is only a working translation."""

import datetime
import html
import json

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from core.models import HistoryEntry
from org.models import Paragraph
from org.resolution import DATA_FILE, load_resolution

LANGUAGES = {"ar": "ar", "zh-hans": "zh", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}
WORKING = "Working translation: not the official text"


def _data() -> dict:
    with open(DATA_FILE, encoding="utf-8") as handle:
        return {p["number"]: p for p in json.load(handle)["paragraphs"]}


def _page(client, language: str, path: str) -> str:
    client.post("/i18n/setlang/", {"language": language, "next": path})
    return html.unescape(client.get(path).content.decode())


@pytest.mark.django_db
def test_loading_is_idempotent_and_keeps_the_six_languages_and_their_status(capsys):
    first = load_resolution()
    assert first["created"] == 45
    entries = HistoryEntry.objects.count()
    with translation.override("en"):  # the command's message, whatever an earlier test left
        call_command("load_resolution")
    assert "0 created, 0 updated, 45 unchanged" in capsys.readouterr().out
    assert HistoryEntry.objects.count() == entries
    # A text corrected in the database is put back by the next load (and nothing else moves).
    Paragraph.objects.filter(number=17).update(text_fr="altéré")
    assert load_resolution() == {"created": 0, "updated": 1, "unchanged": 44}
    assert Paragraph.objects.get(number=17).text_fr == _data()[17]["text_fr"]
    for paragraph in Paragraph.objects.all():
        for field in Paragraph.TEXT_FIELDS.values():
            assert getattr(paragraph, field), (paragraph.number, field)
    assert Paragraph.objects.get(number=8).official_languages == ["en", "zh"]
    assert Paragraph.objects.get(number=1).official_languages == ["zh"]


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 8])
def test_each_language_reads_its_own_text_of_the_paragraph(resolution, number):
    data = _data()[number]
    paragraph = Paragraph.objects.get(number=number)
    seen = set()
    for language, key in LANGUAGES.items():
        with translation.override(language):
            assert paragraph.text == data[f"text_{key}"]
            assert paragraph.text_dir == ("rtl" if key == "ar" else "ltr")
            assert paragraph.text_is_official == (key in data["official"])
        seen.add(paragraph.text_in(language))
    assert len(seen) == 6  # six different texts, none falling back to another language
    assert paragraph.text_in("de") == data["text_en"]  # a language outside the six reads English
    assert paragraph.text_in("zh-hant") == data["text_zh"]


@pytest.mark.django_db
def test_paragraph_page_in_arabic_is_right_to_left_with_the_working_mark(web, manager, resolution):
    data = _data()[8]
    page = _page(web(manager), "ar", "/resolution/8/")
    assert f'<p lang="ar" dir="rtl">{data["text_ar"]}</p>' in page
    with translation.override("ar"):
        assert gettext(WORKING) in page
    assert 'href="https://undocs.org/ar/A/RES/64/259"' in page
    # The official texts are one click away, each marked and in its own direction.
    assert f'<p lang="en" dir="ltr">{data["text_en"]}</p>' in page
    assert f'<p lang="zh-Hans" dir="ltr">{data["text_zh"]}</p>' in page


@pytest.mark.django_db
def test_paragraph_page_in_english_marks_paragraph_8_official_and_9_working(
    web, manager2, resolution
):
    client = web(manager2)
    page_8 = _page(client, "en", "/resolution/8/")
    assert "answerable for all decisions made and actions taken by them" in page_8
    assert "working-mark" not in page_8 and "Official text" in page_8
    page_9 = _page(client, "en", "/resolution/9/")
    assert WORKING in page_9 and 'href="https://undocs.org/en/A/RES/64/259"' in page_9


@pytest.mark.django_db
def test_resolution_page_in_french_reads_french_with_the_working_mark(web, manager, resolution):
    data = _data()
    page = _page(web(manager), "fr", "/resolution/")
    # The official French title, found in the French text of A/RES/64/259.
    assert "Élaboration d’un système d’application du principe de responsabilité" in page
    for number in (1, 8, 17, 33):
        assert data[number]["text_fr"] in page
    assert data[17]["text_en"] not in page
    with translation.override("fr"):
        assert page.count(gettext(WORKING)) == 1  # one notice: every French paragraph is working
    assert "G. " in page and "Délégation de pouvoir" in page


@pytest.mark.django_db
def test_resolution_page_in_english_marks_each_paragraph(web, manager2, resolution):
    page = _page(web(manager2), "en", "/resolution/")
    assert "Some paragraphs are a working translation" in page
    # Paragraphs 8 and 13-15 were found in the official English wording; the others were not.
    assert page.count(">Official text<") == 4 and page.count(">Working translation<") == 29


@pytest.mark.django_db
def test_api_keeps_en_and_zh_and_adds_the_other_languages_and_the_official_flag(
    api, gastaff, boa, resolution
):
    data = _data()[8]
    for user in (gastaff, boa):
        body = api(user).get("/api/resolution/paragraphs/8/").json()
        for key in ("ar", "zh", "en", "fr", "ru", "es"):
            assert body[f"text_{key}"] == data[f"text_{key}"]
        assert body["official_languages"] == ["en", "zh"]
    assert api(boa).get("/api/resolution/paragraphs/9/").json()["official_languages"] == ["zh"]
    found = api(gastaff).get("/api/resolution/paragraphs/?search=recouvrement").json()
    assert [p["number"] for p in found["results"]] == [17, 32]


@pytest.mark.django_db
def test_paragraph_picker_finds_a_paragraph_by_a_french_word(web, manager, manager2, resolution):
    for user in (manager, manager2):
        client = web(user)
        client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
        found = client.get("/lists/pick/paragraphs/?q=recouvrement").json()["results"]
        assert [r["value"] for r in found] == [17, 32]
        assert found[0]["label"].startswith("17. Prie en outre le Secrétaire général")
    russian = web(manager).get("/lists/pick/paragraphs/?q=Инспира").json()["results"]
    assert [r["value"] for r in russian] == [20]


@pytest.mark.django_db
def test_report_snapshot_cites_the_paragraph_in_the_report_language(resolution):
    from reports.snapshot import build_snapshot

    data = _data()
    start, end = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    for language, key in (("fr", "fr"), ("ar", "ar"), ("zh-hans", "zh")):
        snapshot = build_snapshot(period_start=start, period_end=end, language=language)
        section_a = next(s for s in snapshot["sections"] if s["code"] == "A")
        entry = next(p for p in section_a["paragraphs"] if p["number"] == 8)
        assert entry["text"] == data[8][f"text_{key}"]
