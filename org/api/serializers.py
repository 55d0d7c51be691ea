"""API fields every app's serializers reuse (a unit by code, a person by index number, an account
by username, paragraphs by number) and the serializers of org units, people and paragraphs."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import ActionModelSerializer, LeanModelSerializer
from org.choices import Grade
from org.models import OrgUnit, Paragraph, Person
from org.policies import hidden_fields


def blanked(value):
    """What a hidden field shows: an empty list, an empty string, or null."""
    if isinstance(value, list):
        return []
    return "" if isinstance(value, str) else None


class PolicyFieldsMixin:
    """Blanks the fields the model's policy hides from the reader (org.policies.hidden_fields):
    the same rule the change history applies (org.api.history)."""

    def to_representation(self, instance):
        return self.finish_representation(super().to_representation(instance))

    def finish_representation(self, data):
        # Also applied by the lean list plan (core.api.lean) to each row it builds.
        request = self.context.get("request")
        if request is not None:
            for name in hidden_fields(self.Meta.model, request.user):
                if name in data:
                    data[name] = blanked(data[name])
        return data


class UnitCodeField(serializers.SlugRelatedField):
    """An org unit given by its code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", OrgUnit.objects.all())
        super().__init__(**kwargs)


class ParagraphNumbersField(serializers.SlugRelatedField):
    """Paragraphs of the resolution given by number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "number")
        kwargs.setdefault("queryset", Paragraph.objects.all())
        kwargs.setdefault("many", False)
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        kwargs.setdefault("required", False)
        return super().many_init(*args, **kwargs)


class PersonIndexField(serializers.SlugRelatedField):
    """A staff member given by index number. With `action` ("assign": the people the caller
    manages), only the people the caller may name are accepted: anyone else is "Object does
    not exist", never a name."""

    def __init__(self, action: str | None = None, **kwargs):
        self.person_action = action
        kwargs.setdefault("slug_field", "index_number")
        kwargs.setdefault("queryset", Person.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request") if self.person_action else None
        if request is not None:
            queryset = queryset.restrict(request.user, self.person_action) | self._current()
        return queryset

    def _current(self):
        """Whoever the record already names stays acceptable (an unchanged edit)."""
        instance = getattr(self.root, "instance", None)
        field = self.parent if isinstance(self.parent, serializers.ManyRelatedField) else self
        if instance is None or isinstance(instance, list) or not field.source:
            return Person.objects.none()
        current = getattr(instance, field.source, None)
        if current is None:
            return Person.objects.none()
        if hasattr(current, "values"):
            return Person.objects.filter(pk__in=current.values("pk"))
        return Person.objects.filter(pk=current.pk)


class UsernameField(serializers.SlugRelatedField):
    """A user account given by username."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("queryset", get_user_model().objects.filter(is_active=True))
        super().__init__(**kwargs)


class OrgUnitSerializer(ActionModelSerializer):
    parent = UnitCodeField(required=False, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "name_zh", "kind", "parent", "path", "is_active", "version"]
        read_only_fields = ["path"]

    def validate(self, attrs):
        parent = attrs.get("parent")
        if (
            parent is not None
            and self.instance is not None
            and parent.path.startswith(self.instance.path)
        ):
            raise serializers.ValidationError(
                {"parent": [_("A unit cannot be placed below itself.")]}
            )
        return attrs


class PersonSerializer(PolicyFieldsMixin, ActionModelSerializer):
    """Oversight users read names and units, not e-mails or grades (org.policies)."""

    unit = UnitCodeField()
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True)
    username = serializers.SlugRelatedField(
        source="user",
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "index_number",
            "name",
            "unit",
            "grade",
            "email",
            "is_head_of_entity",
            "username",
            "is_active",
            "separated_on",
            "version",
        ]


class ParagraphSerializer(LeanModelSerializer):
    # Null for a paragraph outside the sections (the schema says so: schemathesis, issue 12).
    section = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # The languages whose text is the official wording of A/RES/64/259 (the others are working
    # translations): "ar", "zh", "en", "fr", "ru", "es".
    official_languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Paragraph
        fields = [
            "number",
            "section",
            "text_en",
            "text_zh",
            "text_ar",
            "text_fr",
            "text_ru",
            "text_es",
            "official_languages",
            "requests",
            "tracked_in",
        ]
