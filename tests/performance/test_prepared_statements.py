"""Prepared statements on PostgreSQL (config.settings, DB_PREPARE_THRESHOLD): parameters are bound
by the server and a statement a connection has run five times is prepared, so PostgreSQL stops
planning it on every request (the decision list's join took longer to plan than to run)."""

import datetime
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from accountability.models import Decision

pytestmark = pytest.mark.django_db


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL's own prepared statements")
def test_a_list_statement_run_five_times_is_prepared_and_answers_the_same(units, manager):
    decision = Decision.objects.create(
        title="D1", unit=units["dmspc"], decided_by=manager, decided_on=datetime.date.today()
    )
    query = Decision.objects.filter(unit_id=units["dmspc"].pk, pk__any_of=[decision.pk]).order_by(
        "-id"
    )
    first = list(query.values_list("title", flat=True))
    for _ in range(6):
        assert list(query.all().values_list("title", flat=True)) == first == ["D1"]
    assert any('FROM "accountability_decision"' in s and "$1" in s for s in _prepared())


def test_preparing_can_be_turned_off_for_a_transaction_pool():
    """DB_PREPARE_THRESHOLD=-1 (PgBouncer in transaction mode) gives psycopg None: never."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold', 'absent'))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/d",
    }
    found = {}
    for value in ("-1", "0", "5"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "DB_PREPARE_THRESHOLD": value},
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            check=True,
        )
        found[value] = result.stdout.strip()
    assert found == {"-1": "None", "0": "0", "5": "5"}
