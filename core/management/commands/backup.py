import datetime
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import history
from core.management.commands._backup import (
    CHECKPOINTS,
    DUMP,
    MANIFEST,
    MEDIA,
    SQLITE,
    media_files,
    pg_arguments,
    sha256_file,
)
from core.models import HistoryEntry


class Command(BaseCommand):
    help = (
        "Back up the tracker into a new folder: the database (pg_dump, custom format; on "
        "SQLite a copy of the file), the uploaded and issued files (MEDIA_ROOT), this "
        "database's history checkpoints, and a manifest with the history head and checksums. "
        "Restore with `manage.py restore <folder>` (README, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", type=Path, help="A folder that does not exist yet, or is empty."
        )

    def handle(self, *args, folder: Path, **options):
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"{folder} is not empty: back up into a new folder.")
        folder.mkdir(parents=True, exist_ok=True)
        # Anchor the head first: the backup carries a checkpoint of exactly what it holds (or
        # older), and a later restore of it is measured against every newer checkpoint.
        checkpoint = history.write_checkpoint()
        seq, sha = history.head()
        manifest = {
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "vendor": connection.vendor,
            "database": connection.settings_dict["NAME"] if connection.vendor != "sqlite" else "",
            "history": {"entries": seq, "head_sha256": sha},
            "history_rows": HistoryEntry.objects.count(),
        }
        if connection.vendor == "postgresql":
            args, env = pg_arguments()
            dump = folder / DUMP
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            manifest["files"] = {DUMP: sha256_file(dump)}
        elif connection.vendor == "sqlite":
            copy = folder / SQLITE
            source = sqlite3.connect(str(connection.settings_dict["NAME"]))
            target = sqlite3.connect(str(copy))
            with target:
                source.backup(target)  # a consistent copy while the tracker runs
            source.close()
            target.close()
            manifest["files"] = {SQLITE: sha256_file(copy)}
        else:
            raise CommandError(f"No backup procedure for a {connection.vendor} database.")
        if isinstance(default_storage, FileSystemStorage):
            media_root = Path(settings.MEDIA_ROOT)
            if media_root.exists():
                shutil.copytree(media_root, folder / MEDIA)
            manifest["media"] = media_files(folder / MEDIA)
        else:
            manifest["media"] = None  # object storage: backed up by the bucket's versioning
            self.stdout.write(
                "Files are in object storage: back them up with the bucket's own versioning "
                "or replication (README, Backups)."
            )
        checkpoints = history.checkpoint_path()
        if checkpoints.exists():
            shutil.copyfile(checkpoints, folder / CHECKPOINTS)
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        media = len(manifest["media"] or {})
        self.stdout.write(
            f"Backup written to {folder}: history head #{seq} ({sha}), {media} files"
            + (f", checkpoint #{checkpoint.seq}" if checkpoint else "")
            + "."
        )
