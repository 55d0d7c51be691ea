from django.utils.translation import gettext as _
from rest_framework import serializers

from core.models import HistoryEntry


def expected_version(request, data) -> int | None:
    """The version an edit is based on: the If-Match header (`"3"`, `W/"3"`) or `version` in the body."""
    raw = request.headers.get("If-Match") if request is not None else None
    source = "If-Match"
    if raw is None and isinstance(data, dict) and data.get("version") not in (None, ""):
        raw, source = data.get("version"), "version"
    if raw is None:
        return None
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        return int(text)
    except ValueError:
        raise serializers.ValidationError(
            {"version": [_("%(source)s must be a version number.") % {"source": source}]}
        ) from None


class VersionedModelSerializer(serializers.ModelSerializer):
    """A serializer for TrackedModel: exposes the read-only `version` and refuses edits based on a
    stale one (the model raises StaleVersion, answered 409)."""

    version = serializers.IntegerField(read_only=True)

    def update(self, instance, validated_data):
        expected = expected_version(self.context.get("request"), self.initial_data)
        if expected is not None:
            instance.version = expected
        return super().update(instance, validated_data)


class HistoryEntrySerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()

    class Meta:
        model = HistoryEntry
        fields = [
            "seq",
            "at",
            "user",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
            "prev_sha256",
            "sha256",
        ]

    def get_user(self, entry) -> str | None:
        return entry.actor.split(":", 1)[1] if entry.actor.startswith("user:") else None

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if self.context.get("hide_people"):
            # General Assembly staff read aggregates, never who did what.
            data["user"] = None
            data["actor"] = None
        return data
