"""Upgrading a database made by release 0.1.0 (tag v0.1.0).

Release 0.1.0's migrations were later squashed into each app's 0001 (without `replaces`) and
its units, people, roles, sections and paragraphs moved from `accountability` to the new `org`
app. Django cannot migrate such a database: it stops with InconsistentMigrationHistory before
any migration runs, so no later migration can repair it. `bridge_release_0_1` brings the
database to the state of today's 0001 migrations, with its rows, in one transaction; a plain
`migrate` then applies everything written since.

How: the 0.1.0 tables move aside into a schema of their own, today's 0001 migrations create
their tables, each row is copied by column name (the five moved tables under their new
names; a column added in the squash gets the value below), and the old tables are dropped.
Ids are kept, so the history's entries and the hash chain are copied unchanged.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

APPS = ("core", "accountability", "oversight", "performance", "reports", "risk")
# Today's 0001 migrations in dependency order (org is new, below the domain apps).
INITIAL = ("core", "org", "accountability", "oversight", "performance", "reports", "risk")
MOVED = {
    f"accountability_{name}": f"org_{name}"
    for name in ("orgunit", "person", "role", "section", "paragraph")
}
HOLD = "release_0_1"


def _filled() -> dict[tuple[str, str], str]:
    """SQL for the columns the squash added as NOT NULL without a value to copy."""
    zone = settings.TIME_ZONE.replace("'", "")
    return {
        ("accountability_decision", "review_revision_reason"): "''",
        # A timeline entry of 0.1.0 took effect the day it was recorded.
        (
            "oversight_recommendationupdate",
            "effective_on",
        ): f"(created_at AT TIME ZONE '{zone}')::date",
        ("risk_deficiency", "status"): "CASE WHEN closed_on IS NULL THEN 'open' ELSE 'closed' END",
    }


def needs_bridge() -> bool:
    """A 0.1.0 database: its core history has 0002_chain_head and there is no org app yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
    return ("core", "0002_chain_head") in applied and ("org", "0001_initial") not in applied


def _tables(cursor, schema: str) -> list[str]:
    pattern = "^(" + "|".join(APPS) + ")_"
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename ~ %s ORDER BY 1",
        [schema, pattern],
    )
    return [row[0] for row in cursor.fetchall()]


def _columns(cursor, schema: str, table: str) -> dict[str, bool]:
    """Column name -> whether it needs a value (NOT NULL without a default)."""
    cursor.execute(
        "SELECT column_name, is_nullable = 'NO' AND column_default IS NULL "
        "AND is_identity = 'NO' FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s",
        [schema, table],
    )
    return dict(cursor.fetchall())


def bridge_release_0_1(write=print) -> int:
    """Bring a 0.1.0 database to today's 0001 state; returns the number of rows copied."""
    if connection.vendor != "postgresql":
        raise RuntimeError("Release 0.1.0 databases are upgraded on PostgreSQL only.")
    filled = _filled()
    copied = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            old_tables = _tables(cursor, "public")
            cursor.execute(f"CREATE SCHEMA {HOLD}")
            for table in old_tables:
                cursor.execute(f'ALTER TABLE public."{table}" SET SCHEMA {HOLD}')
            cursor.execute("DELETE FROM django_migrations WHERE app = ANY(%s)", [list(APPS)])
        for app in INITIAL:
            call_command("migrate", app, "0001", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            # Rows go in table by table: references are checked once all are in.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for old in old_tables:
                new = MOVED.get(old, old)
                old_columns = _columns(cursor, HOLD, old)
                new_columns = _columns(cursor, "public", new)
                if not new_columns:
                    raise RuntimeError(f"{old}: no table {new} in this release")
                names, values = [], []
                for column, required in sorted(new_columns.items()):
                    if column in old_columns:
                        names.append(f'"{column}"')
                        values.append(f'"{column}"')
                    elif (new, column) in filled:
                        names.append(f'"{column}"')
                        values.append(filled[(new, column)])
                    elif required:
                        raise RuntimeError(f"{new}.{column}: no value for a 0.1.0 row")
                # Rows a 0001 migration seeded (the chain head, the oversight bodies) are
                # replaced by the release's own.
                cursor.execute(f'DELETE FROM public."{new}"')
                cursor.execute(
                    f'INSERT INTO public."{new}" ({", ".join(names)}) OVERRIDING SYSTEM VALUE '
                    f'SELECT {", ".join(values)} FROM {HOLD}."{old}"'
                )
                rows = cursor.rowcount
                copied += rows
                if "id" in new_columns:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('public.\"{new}\"', 'id'), "
                        f'coalesce(max(id), 0) + 1, false) FROM public."{new}"'
                    )
                write(f"{old} -> {new}: {rows} rows")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP SCHEMA {HOLD} CASCADE")
    return copied
