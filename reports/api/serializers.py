from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.lean import prefetched
from core.api.serializers import ActionModelSerializer
from reports.models import ReportRun


class RetrySerializer(serializers.Serializer):
    """`POST /api/reports/{id}/retry/`: nothing but, optionally, the version it is based on."""

    version = serializers.IntegerField(required=False)


class ReportRunSerializer(ActionModelSerializer):
    """A report run as CONTRACT.md gives it: status, progress, error, file URLs and checksums."""

    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    # Free text here: services.validate_request decides (and words the message), as for the form.
    language = serializers.CharField(help_text="ar, zh-hans, en, fr, ru or es")
    files = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()
    audit_trail = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "title",
            "symbol",
            "period_start",
            "period_end",
            "language",
            "agenda_item",
            "status",
            "progress",
            "step",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "files",
            "sha256",
            "audit_trail",
            "version",
        ]
        read_only_fields = [
            "symbol",
            "status",
            "progress",
            "step",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        extra_kwargs = {"title": {"required": False}, "agenda_item": {"required": False}}
        # An identical active request is answered with the active run (services), not a 400.
        validators: list = []

    def _files(self, run):
        return list(prefetched(run, "files")) if run.is_done else []

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    )
    def get_files(self, run) -> dict:
        request = self.context.get("request")
        files = {}
        for file in self._files(run):
            url = reverse("api:report-files", args=[run.pk, file.format])
            files[file.format] = request.build_absolute_uri(url) if request else url
        return files

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_sha256(self, run) -> dict:
        return {file.format: file.sha256 for file in self._files(run)}

    @extend_schema_field({"type": "object", "nullable": True})
    def get_audit_trail(self, run) -> dict | None:
        if not run.is_done:
            return None
        if hasattr(run, "audit_anchor"):
            return run.audit_anchor
        return (run.snapshot or {}).get("audit_trail")
