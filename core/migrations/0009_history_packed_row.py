"""History storage (issue 13): an entry's actor stored as the number of its label (as the record
type is, core_historylabel), its action as one character ("char" on PostgreSQL: 1 byte), its
changes as JSON without the spaces after separators, and positional entries citing their layout
by a small number (core_historylayout.number) instead of its 15-digit key. Entries read and hash
exactly as before: every chain and checkpoint stays valid.

On PostgreSQL the table is written anew, in one pass, its fixed-width columns first (no alignment
padding between them) and without the columns earlier migrations dropped (which still took a
null bitmap in every row), then its keys and indexes are rebuilt from their definitions."""

from django.db import migrations, models

import core.models

ACTION_SQL = (
    "(CASE {column} WHEN 'create' THEN 'c' WHEN 'update' THEN 'u' WHEN 'delete' THEN 'd' "
    'ELSE {column} END)::"char"'
)

# `changes` rewritten compactly: arrays element by element, objects key by key in their order
# (json keeps the text and order it was given), joined without spaces; a positional entry's
# layout key replaced by the layout's number ($2, looked up by the caller).
COMPACT_FUNCTION = """
CREATE FUNCTION pg_temp.history_compact(j json, layout bigint) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE json_typeof(j)
    WHEN 'array' THEN (
      SELECT coalesce('[' || string_agg(
        CASE WHEN n = 1 AND layout IS NOT NULL
          THEN (CASE WHEN left(e::text, 1) = '-' THEN '-' ELSE '' END) || layout::text
          ELSE e::text END, ',' ORDER BY n) || ']', '[]')
      FROM json_array_elements(j) WITH ORDINALITY AS t(e, n))::json
    WHEN 'object' THEN (
      SELECT coalesce('{' || string_agg(to_json(k)::text || ':' || v::text, ',' ORDER BY n)
        || '}', '{}')
      FROM json_each(j) WITH ORDINALITY AS t(k, v, n))::json
    ELSE j END
$$
"""

COLUMNS = (
    "seq bigint NOT NULL, at timestamp with time zone NOT NULL, object_type bigint NOT NULL, "
    'actor bigint NOT NULL, user_id integer NULL, action "char" NOT NULL, '
    "object_id varchar(64) NOT NULL, object_repr varchar(200) NOT NULL, changes json NOT NULL, "
    "request_id bytea NOT NULL, sha256 bytea NULL"
)


def _postgresql(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS core_historylayout_number")
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'core_historyentry' AND column_name = 'actor'"
        )
        (data_type,) = cursor.fetchone()
        if data_type == "bigint":
            return
        # Layout numbers: 1, 2, ... in key order; new layouts draw theirs from the sequence.
        cursor.execute(
            "UPDATE core_historylayout AS l SET number = n.number FROM (SELECT id, "
            "row_number() OVER (ORDER BY id) AS number FROM core_historylayout) AS n "
            "WHERE l.id = n.id"
        )
        cursor.execute(
            "SELECT setval('core_historylayout_number', "
            "(SELECT coalesce(max(number), 0) + 1 FROM core_historylayout), false)"
        )
        # The actors become labels: the SQL number must be Python's, label for label.
        cursor.execute("SELECT DISTINCT actor FROM core_historyentry")
        actors = [text for (text,) in cursor.fetchall()]
        for text in actors:
            cursor.execute("SELECT " + core.models.LABEL_ID_SQL.format(column="%s::text"), [text])
            assert cursor.fetchone()[0] == core.models.label_id(text), text
        for start in range(0, len(actors), 1000):
            part = actors[start : start + 1000]
            cursor.execute(
                "INSERT INTO core_historylabel (id, text) VALUES "
                + ", ".join(["(%s, %s)"] * len(part))
                + " ON CONFLICT (id) DO NOTHING",
                [value for text in part for value in (core.models.label_id(text), text)],
            )
        # The keys and indexes as they are now, rebuilt on the new table.
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'core_historyentry'::regclass ORDER BY contype DESC"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = "
            "'core_historyentry'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = i.indexrelid)"
        )
        indexes = [definition for (definition,) in cursor.fetchall()]
        cursor.execute(COMPACT_FUNCTION)
        cursor.execute(f"CREATE TABLE core_historyentry_packed ({COLUMNS})")
        cursor.execute(
            "INSERT INTO core_historyentry_packed SELECT h.seq, h.at, h.object_type, "
            + core.models.LABEL_ID_SQL.format(column="h.actor")
            + ", h.user_id, "
            + ACTION_SQL.format(column="h.action::text")
            + ", h.object_id, h.object_repr, pg_temp.history_compact(h.changes, l.number), "
            "h.request_id, h.sha256 FROM core_historyentry AS h "
            "LEFT JOIN core_historylayout AS l ON json_typeof(h.changes) = 'array' "
            "AND (h.changes ->> 0) ~ '^-?[0-9]{1,18}$' AND l.id = abs((h.changes ->> 0)::bigint) "
            "ORDER BY h.seq"
        )
        cursor.execute("DROP FUNCTION pg_temp.history_compact(json, bigint)")
        cursor.execute("DROP TABLE core_historyentry")
        cursor.execute("ALTER TABLE core_historyentry_packed RENAME TO core_historyentry")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, definition in constraints:
            cursor.execute(
                f"ALTER TABLE core_historyentry ADD CONSTRAINT {connection.ops.quote_name(name)} "
                f"{definition}"
            )
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE core_historyentry")


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        _postgresql(schema_editor)
        return
    # SQLite keeps any value in any column: labels, letters and numbers replace the values in
    # place (the entries' changes are read and hashed the same either way).
    label_model = apps.get_model("core", "HistoryLabel")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_historylayout SET number = id")
        cursor.execute("SELECT DISTINCT actor FROM core_historyentry")
        actors = [text for (text,) in cursor.fetchall() if isinstance(text, str)]
        label_model.objects.bulk_create(
            [label_model(pk=core.models.label_id(t), text=t) for t in actors],
            ignore_conflicts=True,
        )
        for text in actors:
            cursor.execute(
                "UPDATE core_historyentry SET actor = %s WHERE actor = %s",
                [core.models.label_id(text), text],
            )
        for word, code in core.models.ActionField.CODES.items():
            cursor.execute(
                "UPDATE core_historyentry SET action = %s WHERE action = %s", [code, word]
            )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE core_historyentry ALTER COLUMN actor TYPE varchar(150) USING "
            "(SELECT text FROM core_historylabel WHERE id = actor), "
            "ALTER COLUMN action TYPE varchar(10) USING (CASE action WHEN 'c' THEN 'create' "
            "WHEN 'u' THEN 'update' WHEN 'd' THEN 'delete' ELSE action::text END)"
        )
        # Positional entries cite the layout's key again.
        schema_editor.execute(
            "UPDATE core_historyentry AS h SET changes = json_build_array(sign((h.changes ->> 0)"
            "::bigint) * l.id) :: jsonb || (h.changes::jsonb - 0) FROM core_historylayout AS l "
            "WHERE json_typeof(h.changes) = 'array' AND (h.changes ->> 0) ~ '^-?[0-9]{1,18}$' "
            "AND l.number = abs((h.changes ->> 0)::bigint)"
        )
        schema_editor.execute("DROP SEQUENCE IF EXISTS core_historylayout_number")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, text FROM core_historylabel")
        for number, text in cursor.fetchall():
            cursor.execute(
                "UPDATE core_historyentry SET actor = %s WHERE actor = %s", [text, number]
            )
        for word, code in core.models.ActionField.CODES.items():
            cursor.execute(
                "UPDATE core_historyentry SET action = %s WHERE action = %s", [word, code]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_history_request_id_bytes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historylayout",
            name="number",
            field=models.BigIntegerField(null=True, unique=True),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="historyentry",
                    name="actor",
                    field=core.models.LabelField(verbose_name="actor"),
                ),
                migrations.AlterField(
                    model_name="historyentry",
                    name="action",
                    field=core.models.ActionField(
                        choices=[
                            ("create", "created"),
                            ("update", "changed"),
                            ("delete", "deleted"),
                        ],
                        max_length=10,
                        verbose_name="action",
                    ),
                ),
            ],
        ),
    ]
