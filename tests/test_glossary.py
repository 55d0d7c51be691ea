"""The interface says each key term the way the glossary (docs/glossary.json) does, in each of the
six languages: the resolution's own wording first, UNTERM's where the resolution is silent.

A catalogue entry whose English contains a glossary term (its `en_match`) must use the term, or
one of its listed forms, in its translation. (The Chinese interface said 授权 where the resolution
says 权力下放, and 高级管理人员契约 for its 高级主管契约: this is the test that would have said so.)"""

import json
import re

import pytest

from tests.test_translations import ROOT, catalogues, entries

GLOSSARY = json.loads((ROOT / "docs/glossary.json").read_text(encoding="utf-8"))
LANGUAGES = ("ar", "zh_Hans", "fr", "ru", "es")


def test_the_glossary_gives_every_term_in_six_languages_with_its_source():
    incomplete = [
        f"{term['key']}: {language}"
        for term in GLOSSARY["terms"]
        for language in ("en", *LANGUAGES)
        if not (term.get(language, {}).get("term") and term[language].get("source"))
    ]
    assert incomplete == []
    assert len(GLOSSARY["terms"]) >= 30


def _mismatches(language: str) -> list[str]:
    found = []
    for term in GLOSSARY["terms"]:
        english = re.compile(term["en_match"], re.IGNORECASE)
        wanted = [term[language]["term"], *term[language].get("forms", [])]
        wanted = [w.casefold() for w in wanted if w]
        for path in catalogues(language):
            for entry in entries(path):
                if not english.search(entry.msgid) or not all(entry.msgstrs):
                    continue
                for translation in entry.msgstrs:
                    if not any(w in translation.casefold() for w in wanted):
                        where = path.relative_to(ROOT).parts[0]
                        found.append(
                            f"{term['key']} [{where}] {entry.msgid[:60]!r} -> {translation[:60]!r}"
                        )
                        break
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_entry_uses_the_glossary_term(language):
    assert _mismatches(language) == []


def test_a_departure_from_the_glossary_is_caught(tmp_path, monkeypatch):
    """The check itself: an entry saying 授权 for 'delegation of authority' fails it."""
    po = tmp_path / "app/locale/zh_Hans/LC_MESSAGES/django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid "Revoke this delegation of authority?"\nmsgstr "确定撤销此授权吗？"\n\n'
        'msgid "Record a delegation of authority"\nmsgstr "记录权力下放"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("tests.test_glossary.ROOT", tmp_path)
    monkeypatch.setattr("tests.test_glossary.catalogues", lambda language: [po])
    found = _mismatches("zh_Hans")
    assert found == [
        "delegation_of_authority [app] 'Revoke this delegation of authority?' -> '确定撤销此授权吗？'"
    ]
