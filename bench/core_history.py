"""How fast the change history grows, links, verifies, and what it costs readers and writers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_core python bench/core_history.py [N]

Uses its own database (it adds rows). Prints, in one run:
- the history's size per entry (on disk with its indexes; a row; a create's changes);
- record_bulk of N entries in autocommit (the seed path) and of N/10 inside one transaction
  (the import path: appended, then linked at commit), entries/s;
- the time to load 10,000 tracked rows as model instances, against the same rows as tuples
  (what instantiation, and any history bookkeeping done per loaded row, adds);
- verify_chain over the whole chain, entries/s;
- 8 threads x 25 creates, each in its own transaction (like a named action): writes/s, and
  whether the chain is one contiguous valid chain afterwards;
- a short writer's wall time while another transaction that has already written history stays
  open for 2 s (the import case): the old single-head design made it wait for that commit;
- an import-sized transaction (16,694 rows) while another writer keeps writing: that writer's
  longest write.

    python bench/core_history.py [N] [section ...]    sections: see SECTIONS (all by default)
"""

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402

from core import history  # noqa: E402
from core.models import HistoryEntry  # noqa: E402
from org.models import OrgUnit  # noqa: E402

LOADED = 10_000


def _units(root, prefix: str, n: int) -> list[OrgUnit]:
    start = OrgUnit.objects.filter(code__startswith=f"{prefix}-").count()
    units = [
        OrgUnit(code=f"{prefix}-{start + i}", name=f"Bench {start + i}", parent=root)
        for i in range(n)
    ]
    for unit in units:
        unit.path = unit.compute_path()
    OrgUnit.objects.bulk_create(units, batch_size=5000)
    return units


def _link_if_needed() -> None:
    link = getattr(history, "link_pending", None)
    if link is not None:
        link()


def bulk(root, n: int) -> None:
    units = _units(root, "BENCH", n)
    t0 = time.perf_counter()
    history.record_bulk(units)
    t1 = time.perf_counter()
    print(f"record_bulk {n:,} entries, autocommit: {t1 - t0:.2f}s ({n / (t1 - t0):,.0f}/s)")
    m = max(n // 10, 1)
    units = _units(root, "BENCH", m)
    t0 = time.perf_counter()
    with transaction.atomic():
        history.record_bulk(units)
    _link_if_needed()  # the old design had linked already; the new one linked at commit
    t1 = time.perf_counter()
    print(
        f"record_bulk {m:,} entries in one transaction, linked: {t1 - t0:.2f}s "
        f"({m / (t1 - t0):,.0f}/s)"
    )


def loading() -> None:
    rows = OrgUnit.objects.order_by("pk")[:LOADED]
    columns = [f.attname for f in OrgUnit._meta.concrete_fields]
    as_models, as_tuples = [], []
    for _ in range(7):
        t0 = time.perf_counter()
        list(rows.all())
        t1 = time.perf_counter()
        list(rows.values_list(*columns))
        t2 = time.perf_counter()
        as_models.append(t1 - t0)
        as_tuples.append(t2 - t1)
    models_ms = statistics.median(as_models) * 1000
    tuples_ms = statistics.median(as_tuples) * 1000
    print(
        f"load {LOADED:,} org units: {models_ms:.0f} ms as instances, {tuples_ms:.0f} ms as "
        f"tuples (instances add {models_ms - tuples_ms:.0f} ms, "
        f"{(models_ms - tuples_ms) * 1000 / LOADED:.1f} us a row)"
    )


def verify() -> None:
    t0 = time.perf_counter()
    result = history.verify_chain()
    t1 = time.perf_counter()
    print(
        f"verify_chain over {result.entries:,} entries: {t1 - t0:.2f}s "
        f"({result.entries / (t1 - t0):,.0f}/s), ok={result.ok}"
    )


def concurrent_writers(root, threads: int = 8, writes: int = 25) -> None:
    before = HistoryEntry.objects.count()
    tag = f"C{int(time.time() * 1000) % 10_000_000}"
    errors = []
    barrier = threading.Barrier(threads)

    def writer(n):
        try:
            barrier.wait()
            for i in range(writes):
                with transaction.atomic():
                    OrgUnit.objects.create(code=f"{tag}-{n}-{i}", name=f"W {n} {i}", parent=root)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    t1 = time.perf_counter()
    close_old_connections()
    total = threads * writes
    result = history.verify_chain()
    added = HistoryEntry.objects.count() - before
    print(
        f"{threads} writers x {writes} creates: {t1 - t0:.2f}s ({total / (t1 - t0):,.0f} writes/s); "
        f"{added} entries added, chain ok={result.ok}, errors={len(errors)}"
    )


def long_transaction_vs_short_writer(root, hold: float = 2.0) -> None:
    tag = f"L{int(time.time() * 1000) % 10_000_000}"
    written = threading.Event()
    timing = {}

    def long_writer():
        try:
            with transaction.atomic():
                OrgUnit.objects.create(code=f"{tag}-long", name="Long", parent=root)
                written.set()
                time.sleep(hold)
        finally:
            connection.close()

    def short_writer():
        try:
            written.wait()
            t0 = time.perf_counter()
            with transaction.atomic():
                OrgUnit.objects.create(code=f"{tag}-short", name="Short", parent=root)
            timing["short"] = time.perf_counter() - t0
        finally:
            connection.close()

    pool = [threading.Thread(target=long_writer), threading.Thread(target=short_writer)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    close_old_connections()
    print(
        f"short write while a {hold:.0f} s transaction holds written history: "
        f"{timing['short'] * 1000:.0f} ms; chain ok={history.verify_chain().ok}"
    )


def import_vs_writers(root, rows: int = 16_694) -> None:
    """An import-sized transaction (rows and their history written chunk by chunk, committed
    and linked) while another writer keeps writing: that writer's longest write, and how many
    it made meanwhile."""
    tag = f"I{int(time.time() * 1000) % 10_000_000}"
    importing = threading.Event()
    done = threading.Event()
    timing = {"waits": []}

    def importer():
        try:
            units = [
                OrgUnit(code=f"{tag}-{i}", name=f"Imported {i}", parent=root) for i in range(rows)
            ]
            for unit in units:
                unit.path = unit.compute_path()
            t0 = time.perf_counter()
            with transaction.atomic():
                # As the importers do: each chunk written, then its history recorded.
                for start in range(0, rows, 2000):
                    chunk = units[start : start + 2000]
                    OrgUnit.objects.bulk_create(chunk)
                    history.record_bulk(chunk)
                    importing.set()
            _link_if_needed()
            timing["import"] = time.perf_counter() - t0
        finally:
            done.set()
            connection.close()

    def writer():
        try:
            importing.wait()
            i = 0
            while not done.is_set():
                t0 = time.perf_counter()
                with transaction.atomic():
                    OrgUnit.objects.create(code=f"{tag}-w{i}", name="Writer", parent=root)
                timing["waits"].append(time.perf_counter() - t0)
                i += 1
        finally:
            connection.close()

    pool = [threading.Thread(target=importer), threading.Thread(target=writer)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    close_old_connections()
    waits = timing["waits"] or [0.0]
    print(
        f"import of {rows:,} rows in one transaction: {timing['import']:.2f}s; another writer "
        f"meanwhile: {len(timing['waits'])} writes, longest {max(waits) * 1000:.0f} ms; "
        f"chain ok={history.verify_chain().ok}"
    )


def size() -> None:
    table = HistoryEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), pg_total_relation_size('{table}'), "
            "avg(pg_column_size(h.*)), avg(pg_column_size(changes)) "
            f"FILTER (WHERE action = 'create') FROM {table} h"
        )
        count, total, row, created = cursor.fetchone()
    print(
        f"history: {count:,} entries, {total / count:,.0f} bytes each on disk (table and "
        f"indexes), rows {row:,.0f} bytes, a create's changes {created:,.0f} bytes"
    )


SECTIONS = ("bulk", "size", "loading", "verify", "concurrent", "long", "import")


def main(n: int, sections=SECTIONS) -> None:
    call_command("migrate", verbosity=0)
    root, _ = OrgUnit.objects.get_or_create(code="BENCH", defaults={"name": "Bench root"})
    print(f"database {connection.settings_dict['NAME']} ({connection.vendor})")
    if "bulk" in sections:
        bulk(root, n)
    if "size" in sections:
        size()
    if "loading" in sections:
        loading()
    if "verify" in sections:
        verify()
    if "concurrent" in sections:
        concurrent_writers(root)
    if "long" in sections:
        long_transaction_vs_short_writer(root)
    if "import" in sections:
        import_vs_writers(root)


if __name__ == "__main__":
    # bench/core_history.py [N] [section ...]: sections from SECTIONS, all by default.
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2:] or SECTIONS)
