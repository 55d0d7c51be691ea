"""The embedded default (`make run` with no DATABASE_URL and no Redis: SQLite and a broker on the
file system) migrates from scratch, records history and verifies its chain, in a process of its
own. The rest of the suite runs on PostgreSQL, so a storage change that only PostgreSQL handles
(a column whose type SQLite keeps as text) would otherwise pass unseen."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from core.models import HistoryEntry, label_id


def _manage(tmp_path: Path, *args: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "TRACKER_XDIST_OWN")
    }
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_sqlite_migrates_records_and_verifies_its_history(tmp_path):
    _manage(tmp_path, "migrate", "-v0")
    _manage(tmp_path, "load_resolution")
    _manage(
        tmp_path,
        "shell",
        "-c",
        "from org.tests.factories import OrgUnitFactory; "
        "root = OrgUnitFactory(code='UN', parent=None); "
        "OrgUnitFactory(code='DMSPC', parent=root); OrgUnitFactory(code='DOS', parent=root)",
    )
    types = _manage(
        tmp_path,
        "shell",
        "-c",
        "from core.models import HistoryEntry; "
        "print(sorted(set(HistoryEntry.objects.values_list('object_type', flat=True)))); "
        "print(HistoryEntry.objects.filter(object_type='org.orgunit').count())",
    )
    assert types.splitlines()[-2] == "['org.orgunit', 'org.paragraph', 'org.section']"
    assert types.splitlines()[-1] == "3"
    assert _manage(tmp_path, "verify_audit_trail").startswith("OK ")


def test_a_record_type_read_back_as_digits_reads_as_its_label():
    """SQLite returns the stored number as its digits (the column keeps its text affinity)."""
    field = HistoryEntry._meta.get_field("object_type")
    digits = str(label_id("org.orgunit"))
    assert field.from_db_value(digits, None, None) == "org.orgunit"
    assert field.from_db_value("org.orgunit", None, None) == "org.orgunit"
