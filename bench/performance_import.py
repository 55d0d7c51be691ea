"""Time the appraisal import of one whole cycle (~37,000 rows at factor 1), then the same file
again (all unchanged), inside a transaction that is rolled back: the database is left as found.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_performance \
        .venv/bin/python bench/performance_import.py
"""

import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402

from org.choices import RoleKind  # noqa: E402
from org.models import Person, Role  # noqa: E402
from performance.imports import import_appraisals  # noqa: E402
from performance.models import Appraisal  # noqa: E402


class Rollback(Exception):
    pass


def main() -> None:
    admin, _ = get_user_model().objects.get_or_create(username="bench-admin")
    Role.objects.update_or_create(user=admin, defaults={"kind": RoleKind.ADMINISTRATOR})
    cycle = (
        Appraisal.objects.order_by("-cycle").values_list("cycle", flat=True).first() or 2024
    ) + 1
    indexes = list(
        Person.objects.filter(index_number__startswith="7").values_list("index_number", flat=True)
    )
    buffer = io.StringIO()
    buffer.write("staff,cycle,due_on,completed_on,rating\n")
    for index in indexes:
        buffer.write(f"{index},{cycle},,,\n")
    data = buffer.getvalue().encode()
    print(f"{len(indexes):,} rows, {len(data) / 1e6:.1f} MB, cycle {cycle}")
    try:
        with transaction.atomic():
            for label in ("first import (creates)", "same file again (unchanged)"):
                started = time.perf_counter()
                result = import_appraisals(SimpleUploadedFile("cycle.csv", data), acting_user=admin)
                print(f"{label:<30} {time.perf_counter() - started:6.1f} s  {result.as_dict()}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
