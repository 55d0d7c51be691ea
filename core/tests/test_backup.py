"""`manage.py backup` and `manage.py restore` on PostgreSQL: a backup restored into another
database holds the same rows (counts and content hashes of every table), the same files and the
same history head; restoring an older backup after more writes is named a rewind by
verify_audit_trail, against the newest checkpoint."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core import history
from core.context import acting_as
from core.models import HistoryEntry
from org.models import OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _conninfo(name: str) -> dict:
    db = connection.settings_dict
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "dbname": name,
    }


def _url(name: str) -> str:
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'] or 'postgres')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


def _admin(statement: str) -> None:
    with psycopg.connect(**_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(statement)


def fingerprint(name: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows."""
    with psycopg.connect(**_conninfo(name)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        result = {}
        for table in tables:
            count, digest = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: E501
            ).fetchone()
            result[table] = (count, digest)
        return result


def head_of(name: str) -> tuple[int, str]:
    with psycopg.connect(**_conninfo(name)) as db:
        return db.execute("SELECT seq, sha256 FROM core_historychainhead WHERE id = 1").fetchone()


@pytest.fixture
def target(tmp_path, checkpoint_dir):
    """Another, empty database, and how to run a command against it (as a restore on another
    machine would: its own settings, media folder and checkpoint file, the same key)."""
    if not settings.IS_POSTGRES:
        pytest.skip("backup and restore are tested on PostgreSQL")
    name = f"{connection.settings_dict['NAME']}_restored"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    media = tmp_path / "restored-media"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _url(name),
        "MEDIA_ROOT": str(media),
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "restored-checkpoints"),
        "AUDIT_CHECKPOINT_KEY": settings.AUDIT_CHECKPOINT_KEY,
    }
    env.pop("TEST_DATABASE_NAME", None)

    def manage(*args) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def recreate() -> None:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')

    yield {"name": name, "media": media, "manage": manage, "recreate": recreate}
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def data(units, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("evidence/dmspc/finding.pdf", ContentFile(b"%PDF-1.4 DMSPC finding"))
    default_storage.save("evidence/dos/finding.pdf", ContentFile(b"%PDF-1.4 DOS finding"))
    rename(2)


def rename(times: int) -> None:
    with acting_as("command:test"):
        for i in range(times):
            for code in ("DMSPC", "DOS"):
                unit = OrgUnit.objects.get(code=code)
                unit.name = f"{unit.name.split(' #')[0]} #{i}"
                unit.save()


def test_a_backup_restored_into_another_database_is_the_same(data, target, tmp_path, capsys):
    backup = tmp_path / "backup-1"
    call_command("backup", str(backup))
    assert "Backup written" in capsys.readouterr().out
    manifest = json.loads((backup / "manifest.json").read_text())
    seq, sha = history.head()
    assert manifest["history"] == {"entries": seq, "head_sha256": sha}
    assert sorted(manifest["media"]) == ["evidence/dmspc/finding.pdf", "evidence/dos/finding.pdf"]
    # The backup carries the checkpoint of its own head, never the key.
    assert [json.loads(line)["seq"] for line in (backup / "checkpoints.jsonl").open()] == [seq]
    assert not list(backup.rglob("*key*"))

    restored = target["manage"]("restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert f"history head #{seq}" in restored.stdout and "2 files" in restored.stdout
    assert f"OK {seq} entries" in restored.stdout

    source = fingerprint(connection.settings_dict["NAME"])
    assert source["core_historyentry"][0] == seq and source["org_orgunit"][0] >= 2
    assert fingerprint(target["name"]) == source
    assert head_of(target["name"]) == (seq, sha)
    assert HistoryEntry.objects.count() == seq
    assert (target["media"] / "evidence/dos/finding.pdf").read_bytes() == b"%PDF-1.4 DOS finding"
    verified = target["manage"]("verify_audit_trail")
    assert verified.returncode == 0, verified.stderr
    assert (
        verified.stdout.startswith(f"OK {seq} entries") and "1 checkpoints match" in verified.stdout
    )


def test_restoring_an_older_backup_after_more_writes_is_a_rewind(data, target, tmp_path):
    older = tmp_path / "backup-old"
    call_command("backup", str(older))
    old_seq, _sha = history.head()
    rename(3)  # six more entries
    newer = tmp_path / "backup-new"
    call_command("backup", str(newer))
    new_seq, _sha = history.head()
    assert new_seq == old_seq + 6

    # The live system is restored from the newest backup (its checkpoints come along)...
    assert target["manage"]("restore", str(newer)).returncode == 0
    # ...then, by mistake or on purpose, from the older one into a fresh database.
    target["recreate"]()
    rewound = target["manage"]("restore", str(older))
    assert rewound.returncode == 1
    assert f"REWOUND: the history ends at entry #{old_seq}, but entry #{new_seq}" in rewound.stderr
    verified = target["manage"]("verify_audit_trail")
    assert verified.returncode == 1
    assert f"REWOUND: the history ends at entry #{old_seq}, but entry #{new_seq}" in (
        verified.stderr
    )
    # The source database still verifies against its own checkpoints.
    call_command("verify_audit_trail")


def test_restore_refuses_a_database_that_is_not_empty(data, target, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    assert target["manage"]("restore", str(backup)).returncode == 0
    again = target["manage"]("restore", str(backup))
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "restore into a new, empty database" in again.stderr


def test_backup_refuses_a_folder_that_is_not_empty_and_restore_a_folder_without_backup(
    data, tmp_path
):
    folder = tmp_path / "used"
    folder.mkdir()
    (folder / "something").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(folder))
    with pytest.raises(CommandError, match="holds no backup"):
        call_command("restore", str(tmp_path / "nothing-here"))


def test_a_tampered_dump_is_refused(data, target, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    with (backup / "database.dump").open("ab") as handle:
        handle.write(b"\0")
    refused = target["manage"]("restore", str(backup))
    assert refused.returncode != 0
    assert "does not match the checksum" in refused.stderr
    assert fingerprint(target["name"]) == {}  # nothing was restored
