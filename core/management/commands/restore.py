import json
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import history
from core.management.commands._backup import (
    CHECKPOINTS,
    DUMP,
    MANIFEST,
    MEDIA,
    media_files,
    pg_arguments,
    sha256_file,
)


class Command(BaseCommand):
    help = (
        "Restore a folder written by `manage.py backup` into an EMPTY PostgreSQL database "
        "(pg_restore) and MEDIA_ROOT, keep the backup's history checkpoints beside this "
        "database's own, then verify the history: restoring a backup older than the newest "
        "checkpoint is reported as a rewind (README, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        manifest_path = folder / MANIFEST
        if not manifest_path.exists():
            raise CommandError(f"{folder} holds no backup ({MANIFEST} is missing).")
        manifest = json.loads(manifest_path.read_text())
        if connection.vendor != "postgresql" or manifest.get("vendor") != "postgresql":
            raise CommandError(
                "restore works on PostgreSQL only. For a SQLite backup, stop the tracker and "
                f"copy {folder / 'database.sqlite3'} over {connection.settings_dict['NAME']}."
            )
        dump = folder / DUMP
        if sha256_file(dump) != manifest["files"][DUMP]:
            raise CommandError(f"{dump} does not match the checksum in the manifest.")
        tables = connection.introspection.table_names()
        if tables:
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
                "tables): restore into a new, empty database (createdb), then point "
                "DATABASE_URL at it."
            )
        connection.close()
        args, env = pg_arguments()
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        restored_files = 0
        if manifest.get("media") is not None and (folder / MEDIA).exists():
            media_root = Path(settings.MEDIA_ROOT)
            shutil.copytree(folder / MEDIA, media_root, dirs_exist_ok=True)
            restored = media_files(media_root)
            missing = [n for n, sha in manifest["media"].items() if restored.get(n) != sha]
            if missing:
                raise CommandError(f"{len(missing)} files differ after the copy: {missing[:5]}")
            restored_files = len(manifest["media"])
        if (folder / CHECKPOINTS).exists():
            history.merge_checkpoints(folder / CHECKPOINTS)
        seq, sha = history.head()
        expected = manifest["history"]
        if (seq, sha) != (expected["entries"], expected["head_sha256"]):
            raise CommandError(
                f"The restored history head #{seq} is not the backup's #{expected['entries']}."
            )
        self.stdout.write(
            f"Restored {folder} (taken {manifest['created_at']}): history head #{seq} ({sha}), "
            f"{restored_files} files."
        )
        chain = history.verify_chain()
        anchors = history.verify_checkpoints(chain) if chain.ok else None
        if not chain.ok:
            self.stderr.write(f"BROKEN at entry #{chain.broken_seq}: {chain.reason}.")
            sys.exit(1)
        if not anchors.ok:
            self.stderr.write(f"BROKEN: {anchors.message}.")
            sys.exit(1)
        self.stdout.write(f"OK {chain.entries} entries; {anchors.message}.")
