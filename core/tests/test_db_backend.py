"""The PostgreSQL backend (core.db.postgresql): timestamps read by psycopg's C loader give the
values Django's own backend gives, with the same time zone objects, or Django's loader is used.

Each value is compared with what Django's backend (django.db.backends.postgresql, on a
connection of its own to the same database) reads for the same statement: equal, the same
`tzinfo` object, the same `isoformat()` (DRF's JSON and the history's hashes) and the same
pickle (the cache)."""

import datetime
import pickle
import zoneinfo
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoDatabaseWrapper
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg import postgres
from psycopg._cmodule import _psycopg
from psycopg.pq import Format

from core import history
from core.db.postgresql.base import DatabaseWrapper, UTCTimestamptzLoader
from core.models import HistoryEntry
from oversight.models import Recommendation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.DATABASE_URL.startswith(("postgres", "pgsql")),
        reason="the backend for PostgreSQL",
    ),
]

OID = {name: postgres.types[name].oid for name in ("timestamptz", "timestamp", "date")}

# Values at the edges: microseconds, another offset, before 1901 (no zone database rules), a
# leap day, NULL, arrays; timestamps and dates with no zone. (The first and last instants
# Python holds, in EXTREMES, only in UTC: in another zone they are out of range, for Django too.)
VALUES = """SELECT
    '2024-02-29 23:59:59.999999+00'::timestamptz,
    '2024-07-01 12:00:00+05:30'::timestamptz,
    '1850-06-15 08:00:00-04:56:02'::timestamptz,
    '2000-01-01 00:00:00+00'::timestamptz,
    '2038-01-19 03:14:08+00'::timestamptz,
    NULL::timestamptz,
    ARRAY['2024-01-01 00:00+00', '2024-06-01 00:00+02', NULL]::timestamptz[],
    '2024-07-01 12:34:56.5'::timestamp,
    NULL::timestamp,
    '2024-07-01'::date,
    NULL::date,
    '0001-01-01'::date"""
EXTREMES = """SELECT '0001-01-01 00:00:00+00'::timestamptz, '9999-12-31 23:59:59.999999+00'::timestamptz,
    '0001-01-01 00:00:00'::timestamp, '9999-12-31'::date"""


def fetch(wrapper, sql=VALUES, setup=None):
    with wrapper.cursor() as cursor:
        if setup:
            cursor.execute(setup)
        cursor.execute(sql)
        return cursor.fetchone()


@contextmanager
def djangos(settings_dict=None, cls=DjangoDatabaseWrapper):
    """A connection of Django's own backend (or `cls`) to the test database, made now, so with
    the settings of the moment."""
    wrapper = cls(
        {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.postgresql",
            **(settings_dict or {}),
        },
        alias=f"compare_{cls.__module__}",
    )
    try:
        yield wrapper
    finally:
        wrapper.close()


def flat(row):
    for value in row:
        yield from (value if isinstance(value, list) else [value])


def assert_same(ours, theirs):
    assert ours == theirs
    for a, b in zip(flat(ours), flat(theirs), strict=True):
        assert type(a) is type(b), (a, b)
        if isinstance(a, datetime.datetime):
            assert a.tzinfo is b.tzinfo, (a, b)
            assert a.isoformat() == b.isoformat()
    assert pickle.dumps(ours) == pickle.dumps(theirs)


def test_postgresql_urls_use_this_backend():
    assert settings.DATABASES["default"]["ENGINE"] == "core.db.postgresql"
    assert isinstance(connections["default"], DatabaseWrapper)
    assert settings.IS_POSTGRES


def test_timestamptz_is_read_by_psycopgs_c_loader():
    connection.ensure_connection()
    adapters = connection.connection.adapters
    assert adapters.get_loader(OID["timestamptz"], Format.TEXT) is UTCTimestamptzLoader
    # Django registers no loader of its own for timestamp and date: the C ones already.
    assert adapters.get_loader(OID["timestamp"], Format.TEXT) is _psycopg.TimestampLoader
    assert adapters.get_loader(OID["date"], Format.TEXT) is _psycopg.DateLoader
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        assert cursor.fetchone()[0].tzinfo is datetime.UTC
        # Django's cursor set-up registered no loader of its own on the cursor...
        assert cursor.cursor.adapters.get_loader(OID["timestamptz"], Format.TEXT) is (
            UTCTimestamptzLoader
        )
        # ...and the loader that read the value is psycopg's C one (the cursor's transformer).
        assert type(cursor.cursor._tx.get_loader(OID["timestamptz"], Format.TEXT)) is (
            _psycopg.TimestamptzLoader
        )


def test_values_are_djangos_with_time_zone_support():
    ours = fetch(connection)
    with djangos() as theirs:
        assert_same(ours, fetch(theirs))
        assert_same(fetch(connection, EXTREMES), fetch(theirs, EXTREMES))
    assert ours[0] == datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    assert ours[1].isoformat() == "2024-07-01T06:30:00+00:00"
    assert ours[7] == datetime.datetime(2024, 7, 1, 12, 34, 56, 500000)
    assert ours[5] is ours[8] is ours[10] is None


def test_values_are_djangos_without_time_zone_support(settings):
    """USE_TZ off (naive datetimes in TIME_ZONE): Django's loader, on this connection (Django's
    cursor set-up registers it) and on a new one (no C loader registered)."""
    settings.USE_TZ = False
    settings.TIME_ZONE = "America/New_York"
    ours = fetch(connection)
    assert ours[0] == datetime.datetime(2024, 2, 29, 18, 59, 59, 999999)  # naive, New York
    with djangos() as theirs, djangos(cls=DatabaseWrapper) as new:
        assert_same(ours, fetch(theirs))
        assert_same(fetch(new), fetch(theirs))
        loader = new.connection.adapters.get_loader(OID["timestamptz"], Format.TEXT)
        assert loader is not UTCTimestamptzLoader


def test_a_database_in_another_time_zone_keeps_djangos_loader():
    zone = {"TIME_ZONE": "Asia/Kolkata"}
    with djangos(zone) as theirs, djangos(zone, cls=DatabaseWrapper) as ours:
        values = fetch(ours)
        assert_same(values, fetch(theirs))
        assert values[0].tzinfo is zoneinfo.ZoneInfo("Asia/Kolkata")
        loader = ours.connection.adapters.get_loader(OID["timestamptz"], Format.TEXT)
        assert loader is not UTCTimestamptzLoader


def test_a_session_set_to_another_zone_reads_as_djangos_does():
    """Django assumes the session's zone is its own; code that changes it gets what Django's
    loader gives (the C loader would convert, Django's relabels)."""
    setup = "SET LOCAL TIME ZONE 'Asia/Tokyo'"
    with transaction.atomic():
        ours = fetch(connection, setup=setup)
    with djangos() as theirs:
        theirs.set_autocommit(False)
        assert_same(ours, fetch(theirs, setup=setup))
        theirs.rollback()
    assert fetch(connection)[0].tzinfo is datetime.UTC


def test_records_written_and_read_back_are_the_same(recs):
    """Recommendations of two bodies in two departments: their dates, times and history read
    back as written, as Django's loader reads them, and the history's chain still verifies."""
    tokyo = datetime.datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    Recommendation.objects.filter(pk=recs["pd"].pk).update(updated_at=tokyo)
    rows = list(
        Recommendation.objects.order_by("pk").values_list(
            "pk", "created_at", "updated_at", "target_date", "implemented_on"
        )
    )
    assert len(rows) == 3
    read_back = {pk: rest for pk, *rest in rows}
    assert read_back[recs["pd"].pk][1] == tokyo
    assert read_back[recs["pd"].pk][1].tzinfo is datetime.UTC
    assert read_back[recs["ohr"].pk][2] == datetime.date(2020, 1, 1)
    assert read_back[recs["ohr"].pk][3] is None
    # The same rows read through Django's loader (what Django's cursor set-up registers).
    query = Recommendation.objects.order_by("pk").values_list(
        "pk", "created_at", "updated_at", "target_date", "implemented_on"
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)
        cursor.execute(sql, params)
        theirs = cursor.fetchall()
    assert len(theirs) == len(rows)
    for mine, django_row in zip(rows, theirs, strict=True):
        assert_same(mine, django_row)
    # A server-side cursor (QuerySet.iterator) reads them through the same loader.
    chunked = list(
        Recommendation.objects.order_by("pk")
        .values_list("pk", "created_at", "updated_at", "target_date", "implemented_on")
        .iterator(chunk_size=1)
    )
    for mine, streamed in zip(rows, chunked, strict=True):
        assert_same(mine, streamed)
    entries = list(HistoryEntry.objects.all())
    assert entries and all(e.at.tzinfo is datetime.UTC for e in entries)
    assert history.verify_chain().ok
