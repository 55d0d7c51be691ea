"""What `backup` and `restore` share: the PostgreSQL client's connection options, the manifest
and the file checksums."""

import hashlib
import os
from pathlib import Path

from django.db import connection

MANIFEST = "manifest.json"
DUMP = "database.dump"
SQLITE = "database.sqlite3"
MEDIA = "media"
CHECKPOINTS = "checkpoints.jsonl"


def pg_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, and the environment that carries the
    password (never on the command line)."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> dict[str, str]:
    """Every file under `root`, by relative path, with its SHA-256."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
