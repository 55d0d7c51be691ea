"""Upgrade from release v0.1.0 (README, "Upgrades").

The starting point is release-0.1.0.sql.gz: a PostgreSQL database made by the tagged release
(its migrate, load_resolution and seed_demo; `make upgrade-fixture` makes it again from the
tag). It is restored into a scratch database of its own, upgraded by the documented commands in
subprocesses (as an operator runs them), verified, read through today's pages and API, and
dropped."""

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DUMP = Path(__file__).with_name("release-0.1.0.sql.gz")

pytestmark = pytest.mark.skipif(
    not settings.IS_POSTGRES,
    reason="the release's dump is a PostgreSQL dump",
)

# Read in the upgraded database with today's code: the release's records on today's pages.
READ_BACK = r"""
import json
from django.contrib.auth import get_user_model
from django.test import Client
client = Client(HTTP_HOST="localhost")
client.force_login(
    get_user_model().objects.get(username="admin"),
    backend="django.contrib.auth.backends.ModelBackend",
)
out = {}
api = client.get("/api/oversight/recommendations/", {"page_size": 100})
out["api_status"] = api.status_code
body = api.json()
out["api_count"] = body.get("count", len(body.get("results", [])))
out["api_numbers"] = sorted({row["number"] for row in body["results"]})
risks = client.get("/api/risk/risks/", {"page_size": 100}).json()
out["risk_titles"] = sorted(row["title"] for row in risks["results"])
page = client.get("/oversight/recommendations/")
out["page_status"] = page.status_code
out["page_has_text"] = "Strengthen the monitoring of recruitment timelines" in page.content.decode()
from org.models import Person
person = Person.objects.get(name="Maria Manager")
out["person_unit"] = person.unit.code
print("RESULT " + json.dumps(out))
"""


def _server(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
        "dbname": dbname,
    }


def _admin(sql: str) -> None:
    with psycopg.connect(**_server("postgres"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def release_database(tmp_path):
    """The release's dump restored into a scratch database; its DATABASE_URL."""
    if not shutil.which("psql"):
        pytest.skip("psql (the PostgreSQL client) is needed to restore the dump")
    name = f"{settings.DATABASES['default']['NAME']}_upgrade_0_1"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    server = _server(name)
    env = {**os.environ, "PGPASSWORD": server["password"]}
    restore = subprocess.run(
        ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", server["host"], "-p", server["port"],
         "-U", server["user"], "-d", name],
        input=gzip.decompress(DUMP.read_bytes()),
        env=env,
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert restore.returncode == 0, restore.stderr.decode()[-2000:]
    auth = f"{server['user']}:{server['password']}@" if server["password"] else f"{server['user']}@"
    yield f"postgres://{auth}{server['host']}:{server['port']}/{name}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "AUDIT_CHECKPOINT_KEY": "upgrade-test-checkpoint-key-" + "x" * 40,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _counts(database_url: str) -> dict[str, int]:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(**_server(name)) as conn:
        tables = {
            "recommendations": "oversight_recommendation",
            "appraisals": "performance_appraisal",
            "history": "core_historyentry",
        }
        people = "org_person" if _has(conn, "org_person") else "accountability_person"
        counts = {
            key: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for key, t in tables.items()
        }
        counts["people"] = conn.execute(f"SELECT count(*) FROM {people}").fetchone()[0]
        return counts


def _has(conn, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]


def test_upgrade_from_release_0_1_keeps_records_and_verifies(release_database, tmp_path):
    before = _counts(release_database)
    assert before["recommendations"] == 14 and before["people"] > 0 and before["history"] > 0

    # Why the bridge exists: the release's migration history is not today's (squashed), and a
    # plain migrate stops before changing anything.
    plain = _manage(release_database, tmp_path, "migrate", "--noinput")
    assert plain.returncode != 0
    assert "InconsistentMigrationHistory" in plain.stderr
    assert _counts(release_database) == before

    bridge = _manage(release_database, tmp_path, "upgrade_from_0_1")
    assert bridge.returncode == 0, bridge.stderr[-3000:]
    assert "Release 0.1.0 database bridged" in bridge.stdout
    migrate = _manage(release_database, tmp_path, "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    audit = _manage(release_database, tmp_path, "verify_audit_trail")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert audit.stdout.startswith(f"OK {before['history']} entries")
    access = _manage(release_database, tmp_path, "verify_access_log")
    assert access.returncode == 0, access.stdout + access.stderr
    assert "Access log intact" in access.stdout

    assert _counts(release_database) == before

    read = _manage(release_database, tmp_path, "shell", "-c", READ_BACK)
    assert read.returncode == 0, read.stderr[-3000:]
    result = json.loads(read.stdout.split("RESULT ", 1)[1])
    assert result["api_status"] == 200
    assert result["api_count"] == 14
    assert "1" in result["api_numbers"]
    assert "Delegated authority exercised beyond its limits" in result["risk_titles"]
    assert result["page_status"] == 200 and result["page_has_text"]
    assert result["person_unit"] == "DMSPC"

    # A second run of the bridge on the upgraded database changes nothing.
    again = _manage(release_database, tmp_path, "upgrade_from_0_1")
    assert again.returncode == 0 and "nothing to do" in again.stdout
