"""Issue 12, items 3-5: files behind permissions and checked by content; no 500 from input; the
lock-out reply and the schema. Every test here failed on the code before issue 12."""

import importlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from core.uploads import check_evidence
from org.models import Person
from org.tests.factories import PersonFactory


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


DOCX = _zip(
    {
        "[Content_Types].xml": '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "word/document.xml": "<w:document/>",
    }
)


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("memo.pdf", b"%PDF-1.7\n...", "pdf"),
        ("scan.PNG", b"\x89PNG\r\n\x1a\n0000", "png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0JFIF", "jpeg"),
        ("memo.docx", DOCX, "docx"),
        ("figures.csv", "unit,amount\nDOS,12\nÉtat,3\n".encode(), "text"),
    ],
)
def test_evidence_is_judged_by_content(name, content, kind):
    assert check_evidence(SimpleUploadedFile(name, content)) == kind


@pytest.mark.parametrize(
    "name, content",
    [
        ("memo.pdf", b"<html><script>alert(1)</script></html>"),  # markup named .pdf
        ("notes.txt", b"MZ\x90\x00\x03\x00"),  # a program named .txt
        ("run.exe", b"MZ"),  # text content, but named as a program
        ("scan.txt", b"\x89PNG\r\n\x1a\n0000"),  # an image named as text
        ("memo.docx", _zip({"a.txt": "x"})),  # a zip that is no document
        ("data.csv", "caf\xe9".encode("latin-1")),  # not UTF-8
    ],
)
def test_evidence_with_the_wrong_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError):
        check_evidence(SimpleUploadedFile(name, content))


def test_stored_names_cannot_be_guessed(tmp_path):
    from core.uploads import UnguessableFileSystemStorage

    storage = UnguessableFileSystemStorage(location=tmp_path)
    first = storage.generate_filename("oversight/evidence/2026/11/report.pdf")
    second = storage.generate_filename("oversight/evidence/2026/11/report.pdf")
    assert first.startswith("oversight/evidence/2026/11/") and first.endswith(".pdf")
    assert "report" not in first and first != second


def test_media_is_not_served_even_with_debug(settings):
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        with pytest.raises(Resolver404):
            resolve("/media/oversight/evidence/2026/11/report.pdf", urlconf=config.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)


def test_nul_bytes_are_400_in_the_api_and_on_pages(api, web, manager, units):
    person = PersonFactory(index_number="53000003", name="Nul Target", unit=units["dmspc"])
    response = api(manager).patch(
        f"/api/people/{person.index_number}/", {"name": "bad\x00name"}, format="json"
    )
    assert response.status_code == 400 and "name" in response.json()
    response = api(manager).get("/api/people/?search=a%00b")
    assert response.status_code == 400
    page = web(manager).post("/accountability/decisions/new/", {"title": "x\x00y"})
    assert page.status_code == 400
    assert Person.objects.get(pk=person.pk).name == "Nul Target"


@pytest.mark.parametrize(
    "url",
    ["/accountability/delegations/false/revoke/", "/api/reports/null,null/files/a/"],
)
def test_malformed_ids_are_404(web, api, admin_user, url):
    if url.startswith("/api/"):
        assert api(admin_user).get(url).status_code == 404
    else:
        client = web(admin_user)
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_api_lockout_is_json(rf):
    from core.middleware import lockout_response

    request = rf.post("/api/auth/token/")
    response = lockout_response(request, None, {"username": "admin"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json() if hasattr(response, "json") else True
    page = lockout_response(rf.post("/accounts/login/"), None, {})
    assert page.status_code == 429 and b"<html" in page.content.lower()


def test_schema_and_docs_need_a_login(api, outsider):
    assert api(None).get("/api/schema/").status_code in (401, 403)
    assert api(None).get("/api/docs/").status_code in (401, 403)
    assert api(outsider).get("/api/schema/").status_code == 200


@pytest.mark.parametrize("fmt", ["html", "pdf", "json"])
def test_report_files_are_always_attachments(web, api, gastaff, manager, fmt, settings, tmp_path):
    # An issued report's HTML opened inline would run in the tracker's origin: every format of
    # every run downloads, on the page and through the API, with nosniff.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.choices import RunStatus
    from reports.models import ReportFile, ReportRun

    settings.MEDIA_ROOT = tmp_path
    run = ReportRun.objects.create(
        period_start="2025-01-01", period_end="2025-12-31", language="en", status=RunStatus.DONE
    )
    content = b"<html><body>report</body></html>" if fmt == "html" else b"%PDF-1.7 stub"
    name = default_storage.save(f"reports/r{run.pk}.{fmt}", ContentFile(content))
    ReportFile.objects.create(run=run, format=fmt, name=name, sha256="0" * 64, size=len(content))
    for response in (
        web(gastaff).get(f"/reports/{run.pk}/files/{fmt}/"),
        web(manager).get(f"/reports/{run.pk}/files/{fmt}/?download=0"),
        api(gastaff).get(f"/api/reports/{run.pk}/files/{fmt}/"),
    ):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
