"""Every catalogue of the six languages complete, one translation per (context, msgid) in each
language, and every model, field and choice label of the project's apps read in Chinese.

(When org's models moved out of accountability, their strings became obsolete there and were in
no catalogue: the pages showed them in English. And when two apps' catalogues translate the same
msgid differently, Django silently takes the one of the app listed first in INSTALLED_APPS: a
string that means two things gets a msgctxt instead.)"""

import datetime
import pathlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from core.templatetags.core_tags import money, un_date

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = (
    "core",
    "org",
    "accountability",
    "oversight",
    "performance",
    "risk",
    "governance",
    "reports",
    "signon",
    "operations",
)
# The catalogues' language directories (English is the source language: it has none).
LANGUAGES = ("ar", "zh_Hans", "fr", "ru", "es")
# Labels that read the same in Chinese: codes, acronyms and proper names.
SAME_IN_CHINESE = re.compile(r"^(ID|SHA-256|URL|USD|[A-Z0-9/ .()-]+|[a-z]+\.[a-z_]+)$")


@dataclass
class Entry:
    flags: str
    msgctxt: str | None
    msgid: str
    msgstrs: list[str]  # one, or one per plural form
    occurrences: tuple[str, ...] = ()  # the source files that use it (its "#:" lines)


def _unquote(text: str) -> str:
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def entries(path: pathlib.Path):
    """Each live entry of a .po file (obsolete ones skipped), its header skipped too."""
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        occurrences = tuple(
            reference.rsplit(":", 1)[0]
            for line in lines
            if line.startswith("#: ")
            for reference in line[3:].split()
        )
        fields: dict[str, str] = {}
        msgstrs: list[str] = []
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                value = _unquote(line[1:-1])
                if current == "msgstr":
                    msgstrs[-1] += value
                elif current:
                    fields[current] += value
                continue
            keyword, _space, rest = line.partition(" ")
            if keyword.startswith("msgstr"):
                current = "msgstr"
                msgstrs.append(_unquote(rest[1:-1]))
            else:
                current = keyword
                fields[keyword] = _unquote(rest[1:-1])
        if fields.get("msgid"):
            yield Entry(flags, fields.get("msgctxt"), fields["msgid"], msgstrs, occurrences)


def catalogues(language: str) -> list[pathlib.Path]:
    return sorted(ROOT.glob(f"*/locale/{language}/LC_MESSAGES/django.po")) + [
        ROOT / f"locale/{language}/LC_MESSAGES/django.po"
    ]


CATALOGUES = [path for language in LANGUAGES for path in catalogues(language)]


def test_each_app_has_a_catalogue_in_each_language():
    apps_with_catalogues = {
        p.parts[-5] for p in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")
    }
    missing = [
        f"{app}/locale/{language}"
        for app in sorted(apps_with_catalogues)
        for language in LANGUAGES
        if not (ROOT / app / "locale" / language / "LC_MESSAGES/django.po").exists()
    ]
    assert missing == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_has_no_fuzzy_or_empty_entry(path):
    bad = [
        entry.msgid[:80]
        for entry in entries(path)
        if "fuzzy" in entry.flags or not all(entry.msgstrs)
    ]
    assert bad == [], f"{len(bad)} untranslated or fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_context_and_msgid_has_one_translation_in_a_language(language):
    """Django merges the catalogues and keeps, for a msgid, the app listed first: two different
    translations of the same (msgctxt, msgid) mean one of them is never shown."""
    seen: dict[tuple, dict[tuple, list[str]]] = defaultdict(dict)
    for path in catalogues(language):
        for entry in entries(path):
            if "fuzzy" in entry.flags or not all(entry.msgstrs):
                continue  # the completeness test reports these
            where = path.relative_to(ROOT).parts[0]
            seen[(entry.msgctxt, entry.msgid)].setdefault(tuple(entry.msgstrs), []).append(where)
    different = {
        f"{context or ''}|{msgid}": {" / ".join(s): apps for s, apps in translations.items()}
        for (context, msgid), translations in seen.items()
        if len(translations) > 1
    }
    assert different == {}


def test_the_parser_reads_contexts_plurals_and_continuation_lines(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#, python-format\nmsgctxt "contract"\nmsgid "awarded on"\nmsgstr ""\n"date "\n"d\'attribution"\n\n'
        'msgid "%(n)s row"\nmsgid_plural "%(n)s rows"\nmsgstr[0] "%(n)s ligne"\nmsgstr[1] ""\n\n'
        '#~ msgid "old"\n#~ msgstr "ancien"\n',
        encoding="utf-8",
    )
    found = list(entries(path))
    assert [(e.msgctxt, e.msgid, e.msgstrs) for e in found] == [
        ("contract", "awarded on", ["date d'attribution"]),
        (None, "%(n)s row", ["%(n)s ligne", ""]),
    ]


def _labels():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            yield f"{meta.label}", meta.verbose_name
            if isinstance(meta.verbose_name, Promise):  # else Django derived both from the name
                yield f"{meta.label} (plural)", meta.verbose_name_plural
            for field in meta.get_fields():
                if getattr(field, "auto_created", False) and not field.concrete:
                    continue
                if field.name in ("id",) or not hasattr(field, "verbose_name"):
                    continue
                yield f"{meta.label}.{field.name}", field.verbose_name
                for value, text in getattr(field, "flatchoices", None) or ():
                    if value not in ("", None):
                        yield f"{meta.label}.{field.name}={value}", text


@pytest.mark.parametrize("language", ["zh-hans", "ar", "fr", "ru", "es"])
def test_every_translatable_model_field_and_choice_label_is_translated(language):
    # A word a catalogue translates by itself ('version' in French, 'control' in Spanish).
    same_word = {
        entry.msgid
        for path in catalogues(translation.to_locale(language))
        for entry in entries(path)
        if entry.msgstrs == [entry.msgid]
    }
    untranslated = []
    for where, label in _labels():
        if not isinstance(label, Promise):
            continue  # a label Django derived from an internal field's name, shown on no page
        english = str(label)
        with translation.override(language):
            translated = str(label)
        if translated == english and not (SAME_IN_CHINESE.match(english) or english in same_word):
            untranslated.append(f"{where}: {english}")
    assert untranslated == []


@pytest.mark.parametrize(
    "language, date, amount",
    [
        ("en", "20 November 2026", "4,130,000.50"),
        ("zh-hans", "2026年11月20日", "4,130,000.50"),
        ("fr", "20 novembre 2026", "4\xa0130\xa0000,50"),
        ("es", "20 de noviembre de 2026", "4.130.000,50"),
        ("ru", "20 ноября 2026 года", "4\xa0130\xa0000,50"),
        # Western digits, as UN Arabic documents have them; a no-break space keeps the digits of
        # one number together, left to right, inside right-to-left text.
        ("ar", "20 تشرين الثاني/نوفمبر 2026", "4\xa0130\xa0000.50"),
    ],
)
def test_dates_and_amounts_read_in_each_languages_un_style(language, date, amount):
    with translation.override(language):
        assert un_date(datetime.date(2026, 11, 20)) == date
        assert money(Decimal("4130000.50")) == amount


@pytest.mark.django_db
def test_an_arabic_page_is_right_to_left_and_a_french_one_left_to_right(client):
    client.cookies["django_language"] = "ar"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    client.cookies["django_language"] = "fr"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
