"""The two ways a report is organised: by the resolution's sections (A to K and the report
section R, after its general provisions) or by the six components of the accountability system
that the Secretary-General's reports present (A/64/640, then A/66/692 onwards). Each paragraph
of resolution 64/259 serves one component (reports/data/components.json)."""

import json
from functools import cache
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from reports.un_style import localized

RESOLUTION = "resolution"
COMPONENTS = "components"
STRUCTURES = (RESOLUTION, COMPONENTS)

INTRODUCTION = "introduction"
PRELIMINARY = "preliminary"
DATA_FILE = Path(__file__).resolve().parent / "data" / "components.json"


class UnknownStructure(ValueError):
    """A structure other than "resolution" or "components"."""


@cache
def _components() -> tuple[dict, ...]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        return tuple(json.load(handle)["components"])


@cache
def _resolution_sections() -> tuple[dict, ...]:
    from org.resolution import load_document

    return tuple(load_document()["sections"])


def structure_label(structure: str, language: str = "en") -> str:
    with translation.override(language):
        return {
            RESOLUTION: _("By the sections of the resolution"),
            COMPONENTS: _("By the components of the accountability system"),
        }.get(structure, structure)


def sections(structure: str, language: str) -> list[tuple[str, str]]:
    """(section key, title in `language`) in the order the report prints them. Each key is where
    an edition's narrative for that part of the report is kept; the introduction comes first in
    both structures."""
    with translation.override(language):
        introduction = (INTRODUCTION, _("Introduction"))
        if structure == RESOLUTION:
            return [
                introduction,
                (PRELIMINARY, _("General provisions (paragraphs 1 to 7)")),
                *((s["code"], localized(s, "heading", language)) for s in _resolution_sections()),
            ]
        if structure == COMPONENTS:
            return [
                introduction,
                *((c["key"], localized(c, "title", language)) for c in _components()),
            ]
    raise UnknownStructure(structure)


def component_of(paragraph: int) -> str:
    """The key of the component paragraph `paragraph` of resolution 64/259 serves."""
    for component in _components():
        if paragraph in component["paragraphs"]:
            return component["key"]
    raise KeyError(paragraph)


def component_paragraphs() -> dict[str, list[int]]:
    """component key -> the numbers of the resolution's paragraphs it serves, in order."""
    return {c["key"]: sorted(c["paragraphs"]) for c in _components()}
