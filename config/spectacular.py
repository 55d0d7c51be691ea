"""Stable OpenAPI enum names. Without them drf-spectacular names colliding choice sets (every app
has a `status`) with hashes like `Status719Enum`, which change whenever choices change."""

import hashlib
import json
from collections.abc import Mapping


def _key(choices) -> str:
    values = sorted((str(v), str(label)) for v, label in choices if v not in ("", None))
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


class ModelFieldEnumNames(Mapping):
    """`<Model><Field>Enum` for every model field with choices in the project's apps, computed on
    first use (after the app registry is ready); identical choice sets share the first name."""

    apps = ("core", "accountability", "oversight", "performance", "risk", "governance", "reports")

    def __init__(self):
        self._names: dict | None = None

    def _load(self) -> dict:
        if self._names is None:
            from django.apps import apps

            names, seen = {}, set()
            for label in self.apps:
                for model in apps.get_app_config(label).get_models():
                    for field in model._meta.get_fields():
                        choices = getattr(field, "choices", None)
                        if not choices or not getattr(field, "concrete", False):
                            continue
                        key = _key(choices)
                        if key in seen:
                            continue
                        seen.add(key)
                        field_name = "".join(part.capitalize() for part in field.name.split("_"))
                        names[f"{model.__name__}{field_name}Enum"] = list(choices)
            self._names = names
        return self._names

    def __getitem__(self, key):
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())
