"""History storage compaction (issue 13): the layouts of positional entries (core.models,
keyed_changes), the entry's hash as its 32 bytes (bytea) instead of 64
hex characters, the previous entry's hash no longer stored (it is the sha256 of entry seq - 1;
the hash still covers it), and no index on the user (nothing looks entries up by it). Existing
hashes are converted, not recomputed: every entry keeps its hash and the chain and its
checkpoints stay valid."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.models


def to_bytes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN sha256 DROP NOT NULL, "
            "ALTER COLUMN sha256 TYPE bytea USING "
            "CASE WHEN sha256 = '' THEN NULL ELSE decode(sha256, 'hex') END"
        )
        return
    # SQLite keeps any value in any column: rewrite the hex text as bytes, row by row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, sha256 FROM core_historyentry")
        rows = cursor.fetchall()
        for pk, value in rows:
            if isinstance(value, str):
                cursor.execute(
                    "UPDATE core_historyentry SET sha256 = %s WHERE id = %s",
                    [bytes.fromhex(value) if value else None, pk],
                )


def to_text(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN sha256 TYPE varchar(64) USING "
            "coalesce(encode(sha256, 'hex'), ''), ALTER COLUMN sha256 SET NOT NULL"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_saved_view"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoryLayout",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("fields", models.JSONField()),
            ],
            options={"verbose_name": "history layout"},
        ),
        migrations.RemoveField(model_name="historyentry", name="prev_sha256"),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(to_bytes, to_text)],
            state_operations=[
                migrations.AlterField(
                    model_name="historyentry",
                    name="sha256",
                    field=core.models.HashField(editable=False, null=True, verbose_name="hash"),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="historyentry",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
    ]
