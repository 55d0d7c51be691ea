"""History storage (issue 13): an entry's record type ("app_label.model") stored as an 8-byte
number derived from the label (core.models.label_id) instead of its text (~25 bytes, and as
much again in the per-record index); the labels kept in core_historylabel. Entries read and
hash exactly as before: every chain and checkpoint stays valid.

On PostgreSQL the column's type change rewrites the table once and rebuilds its indexes."""

from django.db import migrations, models

import core.models


def to_numbers(apps, schema_editor):
    connection = schema_editor.connection
    label_model = apps.get_model("core", "HistoryLabel")
    entry_model = apps.get_model("core", "HistoryEntry")
    texts = set(core.models.model_labels())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'core_historyentry' AND column_name = 'object_type'"
            )
            (data_type,) = cursor.fetchone()
            if data_type == "bigint":
                return
            cursor.execute("SELECT DISTINCT object_type FROM core_historyentry")
            texts |= {text for (text,) in cursor.fetchall()}
            # The SQL number must be Python's, label for label.
            for text in texts:
                cursor.execute(
                    "SELECT " + core.models.LABEL_ID_SQL.format(column="%s::text"), [text]
                )
                assert cursor.fetchone()[0] == core.models.label_id(text), text
        label_model.objects.bulk_create(
            [label_model(pk=core.models.label_id(t), text=t) for t in texts],
            ignore_conflicts=True,
        )
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN object_type TYPE bigint USING "
            + core.models.LABEL_ID_SQL.format(column="object_type")
        )
        return
    # SQLite keeps any value in any column: the numbers replace the labels in place.
    texts |= set(entry_model.objects.values_list("object_type", flat=True).distinct())
    label_model.objects.bulk_create(
        [label_model(pk=core.models.label_id(t), text=t) for t in texts], ignore_conflicts=True
    )
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute(
                "UPDATE core_historyentry SET object_type = %s WHERE object_type = %s",
                [core.models.label_id(text), text],
            )


def to_labels(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN object_type TYPE varchar(100) USING "
            "(SELECT text FROM core_historylabel WHERE id = object_type)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_history_seq_key_json_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoryLabel",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("text", models.CharField(max_length=200)),
            ],
            options={
                "verbose_name": "history label",
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(to_numbers, to_labels)],
            state_operations=[
                migrations.AlterField(
                    model_name="historyentry",
                    name="object_type",
                    field=core.models.LabelField(verbose_name="record type"),
                ),
            ],
        ),
    ]
