"""Loading the resolution's text into the database (idempotent)."""

import json
from pathlib import Path

from django.db import transaction

from org.models import Paragraph, Section

DATA_FILE = Path(__file__).resolve().parent / "data" / "64-259.json"
TEXT_FIELDS = list(Paragraph.TEXT_FIELDS.values())


def load_document(path: Path = DATA_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_resolution(path: Path = DATA_FILE) -> dict[str, int]:
    """Create or update the 12 sections and 33 paragraphs (each in the six languages, with the
    languages in which its text is official); returns counts of what changed."""
    document = load_document(path)
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def upsert(model, key: dict, values: dict):
        obj = model.objects.filter(**key).first()
        if obj is None:
            model.objects.create(**key, **values)
            counts["created"] += 1
            return
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if not changed:
            counts["unchanged"] += 1
            return
        for k, v in changed.items():
            setattr(obj, k, v)
        obj.save()
        counts["updated"] += 1

    for order, section in enumerate(document["sections"], start=1):
        upsert(
            Section,
            {"code": section["code"]},
            {
                "order": order,
                "heading_en": section["heading_en"],
                "heading_zh": section["heading_zh"],
            },
        )
    sections = {s.code: s for s in Section.objects.all()}
    for paragraph in document["paragraphs"]:
        upsert(
            Paragraph,
            {"number": paragraph["number"]},
            {
                "section": sections.get(paragraph["section"]) if paragraph["section"] else None,
                **{field: paragraph.get(field) or "" for field in TEXT_FIELDS},
                "official_languages": sorted(paragraph.get("official") or []),
                "requests": paragraph.get("requests") or "",
                "tracked_in": paragraph.get("tracked_in") or "",
            },
        )
    return counts
