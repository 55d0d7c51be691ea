import time

from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection

from accountability.seeding import ProgressBar, app_seed_modules
from core import history
from core.management import AuditedCommand
from org.seed_base import seed_scale_base


def analyze_all(stdout) -> float:
    """Fresh planner statistics (and, outside a transaction, the visibility map that lets counts
    read only the indexes) for every table of the project: with the statistics of an empty table
    PostgreSQL plans nested loops over a million rows. Returns the seconds it took."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.monotonic()
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    seconds = time.monotonic() - started
    stdout.write(f"{command} of {len(tables)} tables: {seconds:.1f}s")
    return seconds


# The history's per-record index, dropped while a seed writes millions of entries and built
# once at the end: written in one sorted pass it is about half the size of one grown by random
# inserts, and every entry the seed writes costs one index insertion less.
OBJECT_INDEX = "history_object_idx"


def _object_index(drop: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if drop:
            cursor.execute(f"DROP INDEX IF EXISTS {OBJECT_INDEX}")
        else:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {OBJECT_INDEX} ON core_historyentry "
                "(object_type, object_id, seq DESC)"
            )
            # The sequence number's unique index: entries linked below the provisional numbers
            # of pending ones split its pages in the middle (half full); rebuilt packed.
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = "
                "'core_historyentry'::regclass AND indisunique AND NOT indisprimary"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"REINDEX INDEX {name}")


def _synchronous_commit(on: bool) -> None:
    """Off while the seed writes: a batch's commit no longer waits for its WAL to reach the
    disk (the server flushes it meanwhile, on the other core). A crash loses at most the last
    batches, never consistency; a rerun adds what is missing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit" if on else "SET synchronous_commit = off")


class Command(AuditedCommand):
    help = "Synthetic data at UN scale (factor 1: ~100 units, ~37,000 staff, 1,000,000 decisions, ...)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor",
            type=float,
            default=0.01,
            help="1 = Secretariat scale; 0.01 for a quick run. Every count scales linearly.",
        )

    def run(self, *args, factor: float, **options):
        if not 0 < factor <= 10:
            raise CommandError("--factor must be above 0 and at most 10")
        started = time.monotonic()
        progress = ProgressBar(self.stdout)
        _object_index(drop=True)
        _synchronous_commit(False)
        try:
            # The seed is the database's only writer: its entries are linked as they are
            # written, even inside a batch's transaction (core.history.linking_at_once).
            with history.linking_at_once():
                counts = seed_scale_base(factor, progress)
                for _app, module in app_seed_modules():
                    if hasattr(module, "seed_scale"):
                        counts.update(module.seed_scale(factor, progress) or {})
        finally:
            _synchronous_commit(True)
            # Rebuilt even when a step failed: the history pages need it.
            index_started = time.monotonic()
            _object_index(drop=False)
            self.stdout.write(
                f"History index {OBJECT_INDEX} built in {time.monotonic() - index_started:.1f}s"
            )
        # Every batch's entries are linked when it commits; this links any a failed link left.
        # (verify_audit_trail checks the whole chain; at factor 1 that is a step of its own.)
        history.link_pending()
        self.stdout.write(f"History chain: {history.head()[0]:,} entries linked")
        analyze_all(self.stdout)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f}s:")
        for name, value in counts.items():
            self.stdout.write(f"  {name:<28} {value:>12,}")
        if progress.rates:
            self.stdout.write("Rows per second (each step, history entries included):")
            for label, (rows, seconds) in progress.rates.items():
                rate = f"{rows / seconds:>12,.0f}" if seconds > 0 else f"{'-':>12}"
                self.stdout.write(f"  {label:<28} {rows:>12,} rows {seconds:>8.1f}s {rate}/s")
