"""API fields every app's serializers reuse (a unit by code, a person by index number, an account
by username, paragraphs by number) and the serializers of org units, people and paragraphs."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import ActionModelSerializer
from org.models import OrgUnit, Paragraph, Person


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
    """A staff member given by index number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "index_number")
        kwargs.setdefault("queryset", Person.objects.all())
        super().__init__(**kwargs)


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


class PersonSerializer(ActionModelSerializer):
    unit = UnitCodeField()
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
            "version",
        ]


class ParagraphSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Paragraph
        fields = ["number", "section", "text_en", "text_zh", "requests", "tracked_in"]
