"""The API's shapes of report editions (README, API section)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.lean import prefetched
from core.api.serializers import LeanModelSerializer
from reports.models import EditionSection, ReportEdition, SectionComment


class EditionSerializer(LeanModelSerializer):
    """An edition: its document data, state, job, and (issued) its files with their SHA-256."""

    languages = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    files = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()

    class Meta:
        model = ReportEdition
        fields = [
            "id",
            "session",
            "symbol",
            "agenda_item",
            "agenda_item_title_en",
            "agenda_item_title_zh",
            "period_start",
            "period_end",
            "languages",
            "structure",
            "state",
            "job",
            "job_status",
            "job_error",
            "figures_at",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "issued_by",
            "issued_at",
            "previous",
            "files",
            "sha256",
            "version",
        ]
        read_only_fields = [
            "state",
            "job",
            "job_status",
            "job_error",
            "figures_at",
            "created_at",
            "submitted_at",
            "approved_at",
            "issued_at",
            "previous",
            "version",
        ]
        # reports.editions.validate_edition decides (one message per field, as on the page).
        validators: list = []
        extra_kwargs = {
            "symbol": {"validators": []},
            "structure": {"required": False},
            "agenda_item_title_zh": {"required": False},
        }

    def _files(self, edition):
        return list(prefetched(edition, "files")) if edition.is_issued else []

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "string", "format": "uri"},
            },
        }
    )
    def get_files(self, edition) -> dict:
        request = self.context.get("request")
        files: dict[str, dict[str, str]] = {}
        for file in self._files(edition):
            url = reverse("api:report-edition-files", args=[edition.pk, file.language, file.format])
            files.setdefault(file.language, {})[file.format] = (
                request.build_absolute_uri(url) if request else url
            )
        return files

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        }
    )
    def get_sha256(self, edition) -> dict:
        sums: dict[str, dict[str, str]] = {}
        for file in self._files(edition):
            sums.setdefault(file.language, {})[file.format] = file.sha256
        return sums


class EditionSectionSerializer(serializers.ModelSerializer):
    """One part of an edition in one language: its Markdown and the problems of its figure
    references against the edition's snapshot in that language."""

    problems = serializers.SerializerMethodField()

    class Meta:
        model = EditionSection
        fields = ["key", "language", "text", "problems", "version", "updated_at"]
        read_only_fields = ["key", "language", "version", "updated_at"]

    def get_problems(self, section) -> list[str]:
        from reports import figure_refs

        snapshot = (self.context.get("snapshots") or {}).get(section.language)
        return figure_refs.problems(section.text, snapshot) if snapshot else []


class SectionTextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=100_000, trim_whitespace=False)
    version = serializers.IntegerField(required=False)


class SectionCommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    resolved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    language = serializers.CharField(required=False, allow_blank=True, max_length=10)

    class Meta:
        model = SectionComment
        fields = [
            "id",
            "section_key",
            "language",
            "text",
            "author",
            "created_at",
            "resolved",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = ["resolved", "resolved_at", "created_at"]


class EmptySerializer(serializers.Serializer):
    """A workflow step: nothing but, optionally, the version it is based on."""

    version = serializers.IntegerField(required=False)
