"""Every catalogue complete, and every model, field and choice label of the project's apps read
in Chinese. (When org's models moved out of accountability, their strings became obsolete there
and were in no catalogue: the pages showed them in English. This test would have said so.)"""

import pathlib
import re

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

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
# Labels that read the same in Chinese: codes, acronyms and proper names.
SAME_IN_CHINESE = re.compile(r"^(ID|SHA-256|URL|USD|[A-Z0-9/ .()-]+|[a-z]+\.[a-z_]+)$")


def _entries(path: pathlib.Path):
    """(flags, msgid, msgstr values) of each live entry of a .po file (obsolete ones skipped)."""
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        msgid, msgstrs, current = "", [], None
        for line in lines:
            if line.startswith("msgid "):
                current = "id"
                msgid = line[7:-1]
            elif line.startswith("msgstr"):
                current = "str"
                msgstrs.append(line.split(" ", 1)[1][1:-1])
            elif line.startswith('"') and current == "id":
                msgid += line[1:-1]
            elif line.startswith('"') and current == "str":
                msgstrs[-1] += line[1:-1]
        yield flags, msgid, msgstrs


CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + [
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_has_no_fuzzy_or_empty_entry(path):
    bad = [
        msgid
        for flags, msgid, msgstrs in _entries(path)
        if msgid and ("fuzzy" in flags or not all(msgstrs))
    ]
    assert bad == []


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


def test_every_translatable_model_field_and_choice_label_reads_in_chinese():
    untranslated = []
    for where, label in _labels():
        if not isinstance(label, Promise):
            continue  # a label Django derived from an internal field's name, shown on no page
        english = str(label)
        with translation.override("zh-hans"):
            chinese = str(label)
        if chinese == english and not SAME_IN_CHINESE.match(english):
            untranslated.append(f"{where}: {english}")
    assert untranslated == []
