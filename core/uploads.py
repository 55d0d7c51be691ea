"""Checks every uploaded file passes before anything reads it: size and type."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SPREADSHEET_TYPES = {".csv": "csv", ".xlsx": "xlsx"}
EVIDENCE_SUFFIXES = {
    ".pdf",
    ".docx",
    ".xlsx",
    ".csv",
    ".txt",
    ".png",
    ".jpg",
    ".jpeg",
    ".odt",
    ".ods",
}


def check_size(upload) -> None:
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size).1f MB; the largest accepted is %(limit)d MB.")
            % {
                "size": upload.size / 1024 / 1024,
                "limit": settings.MAX_UPLOAD_BYTES // 1024 // 1024,
            },
            code="too_large",
        )


def spreadsheet_kind(upload) -> str:
    """'csv' or 'xlsx', judged by name and content; anything else is refused."""
    check_size(upload)
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        if suffix not in ("", ".xlsx"):
            raise ValidationError(
                _("The file's content does not match its name (%(name)s).") % {"name": upload.name}
            )
        try:
            with zipfile.ZipFile(upload) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    raise ValidationError(_("The file is a ZIP archive but not an XLSX workbook."))
        except zipfile.BadZipFile:
            raise ValidationError(_("The XLSX file is damaged.")) from None
        finally:
            upload.seek(0)
        return "xlsx"
    if suffix in ("", ".csv", ".txt"):
        return "csv"
    raise ValidationError(_("Upload a CSV or XLSX file."))


def check_evidence(upload) -> None:
    check_size(upload)
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in EVIDENCE_SUFFIXES:
        raise ValidationError(
            _("Files of type %(suffix)s are not accepted. Accepted: %(accepted)s.")
            % {"suffix": suffix or "?", "accepted": ", ".join(sorted(EVIDENCE_SUFFIXES))}
        )
