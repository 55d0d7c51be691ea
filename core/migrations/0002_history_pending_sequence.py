"""Pending history entries (core.history): the sequence that numbers them in the order they are
appended, before the link step gives them their place in the chain (PostgreSQL only: on SQLite
entries are linked as they are written), and the small index the linker finds them by."""

from django.db import migrations, models


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS core_history_pending_seq")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS core_history_pending_seq")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_sequence, drop_sequence),
        migrations.AddIndex(
            model_name="historyentry",
            index=models.Index(
                condition=models.Q(("seq__gte", 4611686018427387904)),
                fields=["seq"],
                name="history_pending_idx",
            ),
        ),
    ]
