"""How an assessment's evidence reads to one reader: a linked record is named (and linked) only
for a reader who may see it; anyone else reads its typed reference alone, so the evidence never
names a record or a person the reader cannot see."""

from collections import defaultdict

from django.apps import apps
from django.utils.text import capfirst

from governance.services import REFERENCE


def describe(items, user) -> list:
    """Sets `label` and `url` on each evidence item for `user`: one query per kind of record
    cited, whatever the number of items."""
    items = list(items)
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for item in items:
        match = REFERENCE.match(item.reference or "")
        if match:
            app_label, model_name, pk = match.groups()
            wanted[app_label, model_name].add(int(pk))
    readable: dict[str, object] = {}
    kinds: dict[tuple[str, str], str] = {}
    for (app_label, model_name), pks in wanted.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        kinds[app_label, model_name] = capfirst(model._meta.verbose_name)
        # select_related(): a record's name often reads a required relation (a paragraph's number,
        # a unit's code); joined here rather than fetched per item.
        rows = model._default_manager.restrict(user, "view").filter(pk__in=pks).select_related()
        for obj in rows:
            readable[f"{app_label}.{model_name}:{obj.pk}"] = obj
    for item in items:
        item.url = ""
        # What kind of record it is, in the reader's language, rather than the stored
        # "app.model:id" code (kept for the API and the export).
        match = REFERENCE.match(item.reference or "")
        item.kind = kinds.get(match.groups()[:2], "") if match else ""
        if item.is_document:
            item.label = item.name
            continue
        found = readable.get(item.reference)
        item.label = str(found) if found is not None else ""
        item.url = found.get_absolute_url() if hasattr(found, "get_absolute_url") else ""
    return items
