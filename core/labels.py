"""One label registry for codes: every status, priority, area and kind a user may read is shown
through `label(kind, code)` (or the model's get_FOO_display, which reads the same choices), so
pages, exports and the report never show a raw code or two words for one thing.

Apps register their TextChoices in AppConfig.ready(): `register("recommendation_status",
RecommendationStatus)`. The report stores codes in its snapshot and labels them at render time
in the reader's language.
"""

from django.db.models import Choices

_kinds: dict[str, type[Choices]] = {}


def register(kind: str, choices: type[Choices]) -> None:
    existing = _kinds.get(kind)
    if existing is not None and existing is not choices:
        raise ValueError(f"label kind {kind!r} is registered twice")
    _kinds[kind] = choices


def choices(kind: str) -> type[Choices]:
    return _kinds[kind]


def label(kind: str, code) -> str:
    """The translated label of `code`; an unknown or empty code reads as an en dash, never as
    itself."""
    if code in (None, ""):
        return "–"
    found = _kinds.get(kind)
    if found is None:
        raise KeyError(f"no label kind {kind!r}")
    try:
        return str(found(code).label)
    except ValueError:
        return "–"


def kinds() -> dict[str, type[Choices]]:
    return dict(_kinds)
