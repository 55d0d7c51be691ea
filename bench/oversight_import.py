"""Import 16,000 recommendations from CSV and from XLSX, then re-import (all unchanged).

    createdb -h 127.0.0.1 -U postgres bench_oversight
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_oversight .venv/bin/python bench/oversight_import.py

Runs against whatever DATABASE_URL names (migrates it first); writes under report symbols
"BENCH/..." so repeated runs measure the create path only on the first run.
"""

import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from core.context import acting_as  # noqa: E402
from org.choices import RoleKind  # noqa: E402
from org.models import OrgUnit, Role  # noqa: E402
from oversight.importer import COLUMNS, ImportRejected, import_recommendations  # noqa: E402
from oversight.models import Recommendation  # noqa: E402

ROWS = 16_000


def rows(tag: str, units: list[str], shift: int = 0, count: int = ROWS):
    for n in range(count):
        yield {
            "body": "OIOS",
            "report_symbol": f"BENCH-{tag}/{n // 10:05d}",
            "report_title": f"Bench report {n // 10}",
            "issued_on": f"20{16 + n // 10 % 10}-0{1 + n // 10 % 9}-15",
            "number": str(n % 10 + 1),
            "text": f"Strengthen controls over area {n}.",
            "priority": ("critical", "important")[n % 2],
            "unit": units[n % len(units)],
            "accepted": "yes",
            "target_date": "2027-06-30",
            "status": ("open", "in_progress", "pending_verification", "implemented")[
                (n + shift) % 4
            ],
            "implemented_on": "2026-01-15" if (n + shift) % 4 == 3 else "",
        }


def csv_upload(tag, units, shift=0):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows(tag, units, shift))
    return SimpleUploadedFile("bench.csv", buffer.getvalue().encode())


def xlsx_upload(tag, units):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(COLUMNS)
    for r in rows(tag, units):
        sheet.append([r[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("bench.xlsx", buffer.getvalue())


def timed(label, upload, user):
    started = time.perf_counter()
    with acting_as("command:bench", user=user):
        try:
            result = import_recommendations(upload, acting_user=user)
        except ImportRejected as exc:
            sys.exit(f"{label}: rejected: {exc.errors[:5]}")
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {elapsed:6.2f} s  {result.as_dict()}")
    return elapsed


def main():
    call_command("migrate", "oversight", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-oios")
    Role.objects.update_or_create(
        user=user, defaults={"kind": RoleKind.OVERSIGHT, "body_code": "OIOS"}
    )
    root = OrgUnit.objects.filter(parent=None).first() or OrgUnit.objects.create(
        code="UNSEC", name="Secretariat"
    )
    units = list(OrgUnit.objects.values_list("code", flat=True)[:100])
    if len(units) < 20:
        for i in range(20):
            OrgUnit.objects.get_or_create(
                code=f"B-U{i:02d}", defaults={"name": f"Bench unit {i}", "parent": root}
            )
        units = list(OrgUnit.objects.values_list("code", flat=True)[:100])
    tag = str(int(time.time()))
    print(f"{ROWS:,} rows, {Recommendation.objects.count():,} recommendations on record")
    timed("CSV, all new", csv_upload(tag + "c", units), user)
    unchanged = [
        timed("CSV, re-import (all unchanged)", csv_upload(tag + "c", units), user)
        for _ in range(3)
    ]
    print(f"{'median re-import':<34} {statistics.median(unchanged):6.2f} s")
    timed("CSV, every status edited", csv_upload(tag + "c", units, shift=1), user)
    timed("XLSX, all new", xlsx_upload(tag + "x", units), user)


if __name__ == "__main__":
    main()
