"""History storage (issue 13): an entry's request id stored compactly (core.models.RequestIdField:
the 32 hex digits of a request's or task's id as its 16 bytes, anything else as 0xFF and its
UTF-8 text). Entries read and hash exactly as before: every chain and checkpoint stays valid.

On PostgreSQL the column's type change rewrites the table once and rebuilds its indexes."""

from django.db import migrations

import core.models

TO_BYTES = (
    "CASE WHEN request_id = '' THEN ''::bytea "
    "WHEN request_id ~ '^[0-9a-f]{32}$' THEN decode(request_id, 'hex') "
    "WHEN octet_length(request_id) = 15 THEN '\\xffff'::bytea || convert_to(request_id, 'UTF8') "
    "ELSE '\\xff'::bytea || convert_to(request_id, 'UTF8') END"
)


def to_bytes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'core_historyentry' AND column_name = 'request_id'"
            )
            (data_type,) = cursor.fetchone()
            if data_type == "bytea":
                return
            # The SQL form must be Python's, for every kind of id.
            for sample in ("", "0" * 31 + "a", "x" * 15, "cli-run-7", "Ünïcode id"):
                cursor.execute(
                    f"SELECT {TO_BYTES.replace('request_id', '%s::text')}",
                    [sample] * TO_BYTES.count("request_id"),
                )
                got = bytes(cursor.fetchone()[0])
                assert got == core.models.RequestIdField.encode(sample), sample
        schema_editor.execute(
            f"ALTER TABLE core_historyentry ALTER COLUMN request_id TYPE bytea USING {TO_BYTES}"
        )
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, request_id FROM core_historyentry")
        for seq, value in cursor.fetchall():
            if isinstance(value, str):
                cursor.execute(
                    "UPDATE core_historyentry SET request_id = %s WHERE seq = %s",
                    [core.models.RequestIdField.encode(value), seq],
                )


def to_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN request_id TYPE varchar(64) USING "
            + core.models.REQUEST_ID_TEXT_SQL.format(column="request_id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_history_record_type_numbers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(to_bytes, to_text)],
            state_operations=[
                migrations.AlterField(
                    model_name="historyentry",
                    name="request_id",
                    field=core.models.RequestIdField(blank=True, verbose_name="request id"),
                ),
            ],
        ),
    ]
