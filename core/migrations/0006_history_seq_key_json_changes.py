"""History storage (issue 13): the sequence number is the entry's key (the separate id column
and its index go: 8 bytes and ~22 bytes of index an entry), and `changes` is stored as `json`
text instead of jsonb (core.models.ChangesField; ~30% smaller for the short arrays and objects
entries hold). Values and hashes are unchanged: every chain and checkpoint stays valid.

On PostgreSQL the type change rewrites the table once (the dropped id's bytes go with it) and
rebuilds its indexes packed."""

from django.db import migrations, models


def changes_to_json(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'core_historyentry' AND column_name = 'changes'"
        )
        (data_type,) = cursor.fetchone()
    if data_type == "jsonb":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN changes TYPE json USING changes::json"
        )


def changes_to_jsonb(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN changes TYPE jsonb USING changes::jsonb"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_history_compact_hashes"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historyentry",
            name="id",
        ),
        migrations.AlterField(
            model_name="historyentry",
            name="seq",
            field=models.PositiveBigIntegerField(
                primary_key=True, serialize=False, verbose_name="sequence"
            ),
        ),
        migrations.RunPython(changes_to_json, changes_to_jsonb),
    ]
