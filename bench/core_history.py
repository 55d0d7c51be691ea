"""How fast the change history grows and verifies.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_core python bench/core_history.py [N]

Writes N synthetic org-unit history entries with record_bulk (the path imports and seeds take),
then times verify_chain over the whole chain. Uses its own database: it adds rows.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from core import history  # noqa: E402
from org.models import OrgUnit  # noqa: E402


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    root, _ = OrgUnit.objects.get_or_create(code="BENCH", defaults={"name": "Bench root"})
    start = OrgUnit.objects.filter(code__startswith="BENCH-").count()
    units = [
        OrgUnit(code=f"BENCH-{start + i}", name=f"Bench {start + i}", parent=root) for i in range(n)
    ]
    for unit in units:
        unit.path = unit.compute_path()
    t0 = time.perf_counter()
    OrgUnit.objects.bulk_create(units, batch_size=5000)
    t1 = time.perf_counter()
    history.record_bulk(units)
    t2 = time.perf_counter()
    result = history.verify_chain()
    t3 = time.perf_counter()
    print(f"bulk_create {n:,} rows: {t1 - t0:.2f}s")
    print(f"record_bulk {n:,} entries: {t2 - t1:.2f}s ({n / (t2 - t1):,.0f} entries/s)")
    print(
        f"verify_chain over {result.entries:,} entries: {t3 - t2:.2f}s ({result.entries / (t3 - t2):,.0f}/s), ok={result.ok}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
