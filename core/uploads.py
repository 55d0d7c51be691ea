"""Checks every uploaded file passes before anything reads it: size and type."""

import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

SPREADSHEET_TYPES = {".csv": "csv", ".xlsx": "xlsx"}


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


# What an evidence file may be, judged by its content (magic bytes), never by its name.
EVIDENCE_KINDS = "PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, CSV, TXT"
_OOXML_MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def _zip_kind(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _ODF_MIMETYPES.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" not in names:
                return None
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            for kind, (part, content_type) in _OOXML_MAIN.items():
                if part in names and content_type in types:
                    return kind
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None


def _text_kind(upload) -> str | None:
    """UTF-8 text (CSV or plain) without NUL or other control characters, and not markup a
    browser would run."""
    data = upload.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return None
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        return None
    return "text"


def evidence_kind(upload) -> str | None:
    """'pdf', 'png', 'jpeg', 'docx', 'xlsx', 'odt', 'ods' or 'text' by content; None otherwise."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.startswith(b"%PDF"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(upload)
        return _text_kind(upload)
    finally:
        upload.seek(0)


# The names each kind of content may carry: the content decides, the name must not contradict it
# (a text file named run.exe, or markup named memo.pdf, is refused).
EVIDENCE_SUFFIXES = {
    "pdf": {".pdf"},
    "png": {".png"},
    "jpeg": {".jpg", ".jpeg"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "odt": {".odt"},
    "ods": {".ods"},
    "text": {".txt", ".csv"},
}


def check_evidence(upload) -> str:
    """Refuses a file whose content is not on the allow-list, or whose name claims another
    type than its content. Returns the kind judged from the content."""
    check_size(upload)
    kind = evidence_kind(upload)
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if kind is None or suffix not in EVIDENCE_SUFFIXES[kind]:
        raise ValidationError(
            _("This file's content is not an accepted type. Accepted: %(accepted)s.")
            % {"accepted": EVIDENCE_KINDS},
            code="file_type",
        )
    return kind


class UnguessableNamesMixin:
    """Stores every uploaded file under a random name (its folder and extension kept): stored
    paths cannot be guessed from a record's id, a date or the uploader's file name."""

    def generate_filename(self, filename):
        folder, _sep, name = str(filename).replace("\\", "/").rpartition("/")
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if not suffix[1:].isalnum() or len(suffix) > 6:
            suffix = ""
        random_name = f"{uuid.uuid4().hex}{suffix}"
        return super().generate_filename(f"{folder}/{random_name}" if folder else random_name)


class UnguessableFileSystemStorage(UnguessableNamesMixin, FileSystemStorage):
    """The default storage: MEDIA_ROOT, with random names for uploads."""
