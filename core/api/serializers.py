import copy

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from core import actions
from core.api.lean import LeanListSerializer
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


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record given by id, among those the caller may see: what they may not see does
    not exist for them (a 400 that names nothing, never a leak). Scoped when the field reads
    input, not when the serializer is built, so a list page reads no ids for it."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.restrict(request.user, "view") if request else queryset.none()


class LeanModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields are built once per class and whose lists are rendered by
    the compiled plan (core.api.lean)."""

    def get_fields(self):
        # ModelSerializer builds every field again from the model's metadata for each serializer
        # (0.4-0.7 ms of each list request). They depend on the class alone: built once per
        # class, then copied for each serializer, as DRF copies the declared fields.
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)

    @classmethod
    def many_init(cls, *args, **kwargs):
        # A list of these rows is rendered by the compiled plan (core.api.lean), unless the
        # serializer names its own list serializer.
        serializer = super().many_init(*args, **kwargs)
        if type(serializer) is serializers.ListSerializer:
            serializer.__class__ = LeanListSerializer
        return serializer


class VersionedModelSerializer(LeanModelSerializer):
    """A serializer for TrackedModel: exposes the read-only `version` and refuses edits based on a
    stale one (the model raises StaleVersion, answered 409)."""

    version = serializers.IntegerField(read_only=True)

    def update(self, instance, validated_data):
        expected = expected_version(self.context.get("request"), self.initial_data)
        if expected is not None:
            instance.version = expected
        return super().update(instance, validated_data)


def _plain(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    return str(value)


class ActionModelSerializer(VersionedModelSerializer):
    """The one serializer adapter: creates and updates go through the model's named `save`
    action (core.actions), never Model.objects.create or instance.save.

    Many-to-many fields, and the names in `Meta.action_inputs`, are handed to the action as
    keyword arguments instead of being set on the instance. The model's `state_actions`
    ({field: action name, or {value: action name}}) name the fields only a transition may change:
    sending one with a new value answers 400 naming `POST /api/.../<id>/<action>/`.
    """

    def get_save_action(self):
        view = self.context.get("view")
        explicit = getattr(view, "save_action", None)
        if explicit is not None:
            return explicit
        found = actions.get(self.Meta.model, "save")
        if found is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("These records cannot be changed through the API.")]}
            )
        return found

    @property
    def acting_user(self):
        return self.context["request"].user

    # --- state fields -------------------------------------------------------------------------

    def _action_url(self, action_name: str) -> str:
        view = self.context.get("view")
        pk = self.instance.pk if self.instance is not None else "<id>"
        try:
            base = reverse(f"api:{view.basename}-list")
        except Exception:
            base = "/api/.../"
        return f"POST {base}{pk}/{action_name}/"

    def _current_state(self, name: str):
        if self.instance is not None:
            value = getattr(self.instance, name)
        else:
            field = self.Meta.model._meta.get_field(name)
            value = field.get_default()
        serializer_field = self.fields.get(name)
        if serializer_field is not None and value not in (None, ""):
            try:
                return serializer_field.to_representation(value)
            except Exception:
                return value
        return value

    def state_field_errors(self, data) -> dict:
        state_actions = getattr(self.Meta.model, "state_actions", {})
        if not hasattr(data, "get"):
            return {}
        errors = {}
        for name, target in state_actions.items():
            if name not in data:
                continue
            sent = data.get(name)
            if _plain(sent) == _plain(self._current_state(name)):
                continue  # a state field sent unchanged is ignored
            action_name = (
                target.get(str(sent), next(iter(target.values())))
                if isinstance(target, dict)
                else target
            )
            errors[name] = [
                _("This field changes only through its action: %(endpoint)s")
                % {"endpoint": self._action_url(action_name)}
            ]
        return errors

    def to_internal_value(self, data):
        errors = self.state_field_errors(data)
        if hasattr(data, "items"):
            # NUL bytes and control characters never reach the database (the middleware
            # refuses them before the view; this holds wherever a serializer is fed).
            from core.middleware import has_control_characters

            for name, value in data.items():
                if has_control_characters(value):
                    errors.setdefault(name, []).append(
                        _("Text may not contain NUL bytes or control characters.")
                    )
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    # --- saving -------------------------------------------------------------------------------

    def _split_inputs(self, validated_data: dict) -> dict:
        names = {f.name for f in self.Meta.model._meta.many_to_many}
        names |= set(getattr(self.Meta, "action_inputs", ()))
        names -= set(getattr(self.Meta, "state_inputs", ()))
        return {name: validated_data.pop(name) for name in list(validated_data) if name in names}

    def create(self, validated_data):
        inputs = self._split_inputs(validated_data)
        for name in getattr(self.Meta.model, "state_actions", {}):
            validated_data.pop(name, None)
        instance = self.Meta.model(**validated_data)
        return self.get_save_action()(instance, acting_user=self.acting_user, **inputs)

    def update(self, instance, validated_data):
        expected = expected_version(self.context.get("request"), self.initial_data)
        if expected is not None:
            instance.version = expected
        inputs = self._split_inputs(validated_data)
        for name in getattr(self.Meta.model, "state_actions", {}):
            validated_data.pop(name, None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.get_save_action()(instance, acting_user=self.acting_user, **inputs)


class HistoryEntrySerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()
    # Hex digits, as always: stored as bytes, the previous one read with the entry
    # (HistoryEntry.objects), "" while an entry is not linked.
    prev_sha256 = serializers.CharField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    # Stored as bytes (core.models.RequestIdField), read as its text: the same string as before.
    request_id = serializers.CharField(read_only=True)

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
        hidden = self.context.get("hidden_fields") or ()
        if hidden and isinstance(data.get("changes"), dict):
            # Redacted: the field changed, but its values are not the reader's to see.
            data["changes"] = {
                name: (None if name in hidden else value) for name, value in data["changes"].items()
            }
        return data
