"""The shared import machinery (core.imports): reading with a content check, the kept upload
(its user's only, expiring, never a path from outside), the preview and the all-or-nothing
confirmation run in the request or on a real Celery worker while the page shows progress, and
the landing on the imported rows."""

import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import imports
from oversight.models import Recommendation
from oversight.tests.factories import body
from oversight.tests.test_import import csv_file, row
from tests.celery_worker import (
    redis_answers,
    start_worker,
    stop_worker,
    wait_for,
    worker_environment,
)

ROOT = Path(__file__).resolve().parents[2]


def _csv(text: str, name="rows.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"))


def test_read_table_checks_content_and_reads_both_formats():
    table = imports.read_table(_csv("Symbol,Title\nA/1,One\n,\nA/2,Two\n"), required=["symbol"])
    assert table.header == ["symbol", "title"]
    assert table.rows == [
        (2, {"symbol": "A/1", "title": "One"}),
        (4, {"symbol": "A/2", "title": "Two"}),
    ]
    with pytest.raises(imports.ImportRejected) as missing:
        imports.read_table(_csv("title\nOne\n"), required=["symbol"])
    assert missing.value.errors == [
        {"row": 1, "column": "symbol", "error": "The column symbol is missing from the header row."}
    ]
    with pytest.raises(imports.ImportRejected):
        imports.read_table(SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad"))
    with pytest.raises(imports.ImportRejected):
        imports.read_table(SimpleUploadedFile("x.pdf", b"%PDF-1.4 not a sheet"))
    with pytest.raises(imports.ImportRejected):
        imports.read_table(_csv(""))
    with pytest.raises(imports.ImportRejected):
        imports.read_table(_csv("a\n1\n2\n3\n"), max_rows=2)

    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Symbol", "Adopted_on"])
    import datetime

    book.active.append(["A/3", datetime.datetime(2010, 3, 29)])
    data = io.BytesIO()
    book.save(data)
    table = imports.read_table(SimpleUploadedFile("m.xlsx", data.getvalue()))
    assert table.rows == [(2, {"symbol": "A/3", "adopted_on": "2010-03-29"})]


@pytest.mark.django_db
def test_a_kept_upload_is_its_users_and_expires(settings, tmp_path, oios, boa):
    settings.VAR_DIR = tmp_path
    token = imports.keep(_csv("a\n1\n"), user=oios, spec="x:y")
    assert imports.load(token, oios).read() == b"a\n1\n"
    for user, candidate in ((boa, token), (oios, "../../etc/passwd"), (oios, "x" * 30)):
        with pytest.raises(imports.UploadGone):
            imports.load(candidate, user)
    settings.IMPORT_UPLOAD_TTL_SECONDS = 0
    time.sleep(0.01)
    with pytest.raises(imports.UploadGone):
        imports.load(token, oios)
    imports.purge_expired()
    assert not (tmp_path / "imports" / token).exists()


@pytest.mark.django_db
def test_a_failing_confirmation_saves_nothing(settings, tmp_path, web, oios, units):
    """All or nothing: a row that passed the preview but fails on confirmation (its unit was
    deactivated in between) leaves nothing saved, and the page lists why."""
    settings.VAR_DIR = tmp_path
    client = web(oios)
    preview = client.post("/oversight/import/", {"file": csv_file([row(), row(number="2")])})
    token = preview.context["token"]
    units["ohr"].code = "GONE"
    units["ohr"].save()
    done = client.post("/oversight/import/", {"token": token, "confirm": "1"})
    assert done.status_code == 400 and "nothing was saved" in done.content.decode()
    assert not Recommendation.objects.exists()
    # The page's polling region (htmx swaps 2xx answers only) gets the errors with a 200.
    polled = client.get(f"/oversight/import/?token={token}", headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "nothing was saved" in polled.content.decode()


# --- A real worker ---------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_import_runs_on_a_worker_and_the_page_follows_it(
    settings, tmp_path, web, oios, units
):
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if not settings.IS_POSTGRES or not broker.startswith("redis") or not redis_answers(broker):
        pytest.skip("the worker test needs PostgreSQL and Redis")
    from config.celery import app

    # The bodies come from a data migration, which an earlier transactional test's flush removed.
    body("OIOS")
    queue = f"imports-test-{uuid.uuid4().hex[:8]}"
    settings.VAR_DIR = tmp_path
    settings.IMPORT_IN_REQUEST_MAX_BYTES = 0  # every file is "large"
    settings.IMPORT_QUEUE = queue
    env = worker_environment(broker, tmp_path)
    log = tmp_path / "worker.log"
    worker = start_worker(env, queue, log)
    app.conf.task_always_eager = False
    try:
        client = web(oios)
        rows = [row(number=str(n)) for n in range(1, 41)]
        queued = client.post("/oversight/import/", {"file": csv_file(rows)})
        assert queued.status_code == 200
        assert 'id="import-progress"' in queued.content.decode()  # the page shows progress
        token = queued.context["token"]
        url = f"/oversight/import/?token={token}"

        def previewed():
            page = client.get(url)
            return page if not page.context["running"] else None

        page = wait_for(previewed, 120)
        assert page is not None, log.read_text()
        # On failure, say what the worker answered (its errors, its log), not only that it failed.
        assert page.context["result"], (page.context["job"], log.read_text()[-4000:])
        assert page.context["result"]["created"] == 40 and not Recommendation.objects.exists()

        started = client.post("/oversight/import/", {"token": token, "confirm": "1"})
        assert started.status_code == 302 and started["Location"] == url

        def landed():
            answer = client.get(url)
            return answer if answer.status_code == 302 else None

        # The page's polling region (htmx) is sent on to the imported rows as a whole page.
        landing = wait_for(landed, 120)
        polled = client.get(url, headers={"HX-Request": "true"})
        assert polled["HX-Redirect"] == f"/oversight/recommendations/?import={token}"
        assert landing is not None, log.read_text()
        assert landing["Location"] == f"/oversight/recommendations/?import={token}"
        assert Recommendation.objects.count() == 40
        listed = client.get(landing["Location"])
        assert len(listed.context["object_list"]) == 40
    finally:
        app.conf.task_always_eager = True
        stop_worker(worker)
