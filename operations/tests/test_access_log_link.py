"""A read of named records is logged in one statement whatever the page size, without taking
the history chain's lock in the request: its entries are written pending and a real Celery worker
links them into the chain."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import history
from core.models import HistoryEntry
from operations.access import verify_access_log
from operations.models import AccessRecord
from operations.tests.test_access_log import _appraisals
from tests.celery_worker import (
    redis_answers,
    start_worker,
    stop_worker,
    wait_for,
    worker_environment,
)


def _logging_statements(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    return [s for s in statements if "operations_accessrecord" in s or "historyentry" in s]


@pytest.mark.django_db
def test_a_logged_page_writes_its_reads_in_one_statement_and_no_chain_lock(
    api, web, admin_user, manager, units
):
    _appraisals(units, 4)
    api(admin_user).get("/api/performance/appraisals/")  # the process's caches filled
    few = _logging_statements(api(admin_user), "/api/performance/appraisals/")
    _appraisals(units, 16)
    for client, url, rows in (
        (api(admin_user), "/api/performance/appraisals/", 20),
        (web(admin_user), "/performance/appraisals/", 20),
        (api(manager), "/api/performance/appraisals/", 10),  # DMSPC's half only
    ):
        before = AccessRecord.objects.count()
        statements = _logging_statements(client, url)
        assert len(statements) == len(few) == 1, statements
        assert not any("advisory" in s or "historychainhead" in s for s in statements)
        assert AccessRecord.objects.count() == before + rows
    # Every record has its entry, pending until a link; the log and the history agree.
    logged = HistoryEntry.chain.filter(object_type="operations.accessrecord")
    # two pages of 4, then 20, 20 and the manager's 10
    assert logged.count() == AccessRecord.objects.count() == 4 + 4 + 20 + 20 + 10
    assert all(e.seq >= history.PENDING for e in logged)
    assert verify_access_log() == []
    linked = history.link_pending()
    assert linked >= 58 and history.verify_chain().ok and history.pending_count() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_links_the_reads_a_page_logged(settings, tmp_path, api, admin_user, units):
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if not settings.IS_POSTGRES or not broker.startswith("redis") or not redis_answers(broker):
        pytest.skip("the worker test needs PostgreSQL and Redis")
    from config.celery import app

    _appraisals(units, 6)
    history.link_pending()  # the set-up's own writes
    queue = f"history-link-test-{uuid.uuid4().hex[:8]}"
    settings.HISTORY_LINK_QUEUE = queue
    cache.delete(history.LINK_QUEUED_KEY)
    env = worker_environment(broker, tmp_path)
    log = tmp_path / "worker.log"
    app.conf.task_always_eager = False
    worker = start_worker(env, queue, log)
    try:
        head_before = history.HistoryChainHead.objects.get(pk=1).seq
        rows = api(admin_user).get("/api/performance/appraisals/").json()["results"]
        assert len(rows) == 6
        assert AccessRecord.objects.count() == 6

        def linked():
            return history.pending_count() == 0

        assert wait_for(linked, 60), log.read_text()[-4000:]
        head = history.HistoryChainHead.objects.get(pk=1)
        assert head.seq == head_before + 6
        check = history.verify_chain()
        assert check.ok and check.entries == head.seq
        assert verify_access_log() == []
    finally:
        app.conf.task_always_eager = True
        stop_worker(worker)


@pytest.mark.django_db
def test_the_statements_are_one_text_whatever_the_count_and_keep_every_value_exactly(units):
    """The records and entries go as one parameter a column (history.rows_from_json): the
    statement's text does not grow with the page, and every value comes back as it was sent,
    awkward text and missing values included."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from core.context import acting_as
    from operations import access

    reader = get_user_model().objects.create_user(username="o'brien\"\\李 ✓", password="x" * 20)
    appraisals = _appraisals(units, 3)
    appraisals[1].staff_id = None  # a record whose person is not known: the subject is empty
    texts = []

    def keep_text(execute, sql, params, many, context):
        if "ROWS FROM" in sql:
            texts.append(sql)  # as sent, before the parameters are bound
        return execute(sql, params, many, context)

    def one_read(objs):
        request = RequestFactory().get("/api/performance/appraisals/")
        request.user, request.request_id = reader, "req-\\'\"-1"
        with connection.execute_wrapper(keep_text), acting_as("user:x", user=reader):
            return access.record_read(request, *objs, listed=True)

    assert one_read(appraisals[:1]) == 1
    assert one_read(appraisals) == 3
    # The same text for one read and for three, with one parameter a column.
    assert len(texts) == 2 and texts[0] == texts[1]
    assert AccessRecord.objects.filter(request_id="req-\\'\"-1").count() == 4
    read_at = AccessRecord.objects.order_by("id").last().at
    for appraisal in appraisals:
        record = AccessRecord.objects.filter(object_id=str(appraisal.pk)).order_by("id").last()
        assert record.reader == "o'brien\"\\李 ✓"
        assert record.request_id == "req-\\'\"-1"
        assert record.subject_id == appraisal.staff_id
        assert record.at == read_at  # one time for the read, microseconds kept
    assert verify_access_log() == []
    entries = HistoryEntry.chain.filter(object_type="operations.accessrecord").order_by("seq")
    assert [e.changes["reader"][1] for e in entries] == ["o'brien\"\\李 ✓"] * 4
    assert history.link_pending() >= 4 and history.verify_chain().ok
