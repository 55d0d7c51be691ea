"""Django's PostgreSQL backend, with timestamps read by psycopg's C loader where that is exact.

Django loads every `timestamptz` through a Python subclass of psycopg's loader, to give the
values the connection's time zone: about 9 us a value, against about 0.35 us for psycopg's C
loader (a 50-row recommendation page reads about 400 of them). The C loader cannot be
subclassed, and it answers in the session's own time zone; when that zone is UTC it answers
aware datetimes in `datetime.timezone.utc`, the same object Django's loader gives with USE_TZ
and UTC. So, with USE_TZ and the database's zone UTC (Django then sets `TimeZone` to 'UTC' on
every connection), the connections load `timestamptz` through `UTCTimestamptzLoader`, which
hands out the C loader, or Django's own loader on a session whose `TimeZone` is not 'UTC'.
Anything else (USE_TZ off, another zone, psycopg without its C module) is Django's backend
unchanged. `timestamp` and `date` already load through the C loaders (Django registers none of
its own for them)."""

import datetime
from functools import lru_cache

from django.conf import settings
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from django.db.backends.postgresql.psycopg_any import BaseTzLoader, get_adapters_template
from psycopg import adapt
from psycopg._cmodule import _psycopg
from psycopg.pq import Format

__all__ = ["DatabaseWrapper", "UTCTimestamptzLoader"]


class DjangoUTCLoader(BaseTzLoader):
    """Django's loader for USE_TZ with UTC: the fallback on a session not in UTC."""

    timezone = datetime.UTC


class UTCTimestamptzLoader(adapt.Loader):
    """Stands in the adapters map for the C loader, which Python cannot subclass.

    Django's cursor set-up compares `timezone` with its own and, when they differ (a test that
    changes TIME_ZONE or USE_TZ), registers its own loader on that cursor. A loader is made per
    result; this one is made for a session whose `TimeZone` is 'UTC', else Django's."""

    format = Format.TEXT
    timezone = datetime.UTC

    def __new__(cls, oid: int, context=None):
        connection = getattr(context, "connection", None)
        if connection is not None and connection.pgconn.parameter_status(b"TimeZone") == b"UTC":
            return _psycopg.TimestamptzLoader(oid, context)
        return DjangoUTCLoader(oid, context)


@lru_cache
def utc_adapters_template(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters map for USE_TZ and UTC, with timestamptz through the C loader."""
    adapters = adapt.AdaptersMap(template)
    adapters.register_loader(TIMESTAMPTZ_OID, UTCTimestamptzLoader)
    return adapters


class DatabaseWrapper(PostgresDatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if _psycopg is not None and settings.USE_TZ and self.timezone is datetime.UTC:
            params["context"] = utc_adapters_template(
                get_adapters_template(settings.USE_TZ, self.timezone)
            )
        return params
