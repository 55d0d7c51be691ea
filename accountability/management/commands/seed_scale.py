import multiprocessing
import queue
import sys
import threading
import time
import traceback
from collections.abc import Iterable

from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection, transaction

from accountability.seeding import ProgressBar, app_seed_modules
from core import history
from core.management import AuditedCommand
from org.seed_base import seed_scale_base


def analyze_all(stdout, done: Iterable[str] = ()) -> float:
    """Fresh planner statistics (and, outside a transaction, the visibility map that lets counts
    read only the indexes) for every table of the project but those `done` (by a process that
    finished writing them): with the statistics of an empty table PostgreSQL plans nested loops
    over a million rows. Returns the seconds it took."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.monotonic()
    command = _analyze_command()
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
        - set(done)
    )
    _analyze(tables)
    seconds = time.monotonic() - started
    earlier = f" ({len(set(done))} more done earlier)" if done else ""
    stdout.write(f"{command} of {len(tables)} tables{earlier}: {seconds:.1f}s")
    return seconds


def _analyze_command() -> str:
    return "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"


def _analyze(tables: Iterable[str]) -> None:
    command = _analyze_command()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


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
            # The sequence number's unique index (the key): entries linked below the provisional
            # numbers of pending ones split its pages in the middle (half full: 40 bytes an
            # entry at factor 1 instead of 22); rebuilt packed.
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = "
                "'core_historyentry'::regclass AND indisunique"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"REINDEX INDEX {name}")


# The tables the seed fills by the hundred thousand at factor 1 (app label, model). While it
# writes them, their secondary indexes and foreign keys are set aside: each row written cost an
# insertion into every index (random keys: at factor 1 the indexes outgrow shared memory) and a
# deferred foreign-key lookup per key at commit, several times the cost of the row itself. They
# are put back at the end: each index built in one sorted pass, each foreign key checked over the
# whole table by one join (the same guarantee, set-based). Unique indexes and checks stay.
BULK_MODELS = [
    ("accountability", "Decision"),
    ("accountability", "Commitment"),
    ("accountability", "CommitmentTransition"),
    ("oversight", "Recommendation"),
    ("oversight", "RecommendationUpdate"),
    ("performance", "Appraisal"),
    ("performance", "CourseCompletion"),
]
# What was set aside, written (in the transaction that sets it aside) to a table of its own, so
# that a run stopped on the way (killed, power cut) is put right by the next one.
SET_ASIDE = "seed_scale_set_aside"


def _bulk_tables(app_labels=None) -> list[str]:
    tables = []
    for label, name in BULK_MODELS:
        if app_labels is not None and label not in app_labels:
            continue
        model = apps.get_model(label, name)
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            tables.append(field.remote_field.through._meta.db_table)
    return tables


def _set_aside() -> int:
    """Drop the bulk tables' secondary indexes and foreign keys, keeping the statements that
    restore them. Returns how many. Only outside a transaction: inside a caller's (a test's),
    the foreign-key checks it has deferred forbid altering the tables they concern."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0
    restore = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SET_ASIDE} (position serial PRIMARY KEY, "
            "statement text NOT NULL)"
        )
        # The table each statement restores (a table left by an earlier version has none:
        # its statements are restored by the final put-back, which takes every table).
        cursor.execute(f"ALTER TABLE {SET_ASIDE} ADD COLUMN IF NOT EXISTS target text")
        for table in _bulk_tables():
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique "
                # Partial and expression indexes stay: rebuilt from their text, PostgreSQL
                # would write their expressions in another (equivalent) form.
                "AND i.indpred IS NULL AND i.indexprs IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                restore.append((table, definition))
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            quoted = connection.ops.quote_name(table)
            for name, definition in cursor.fetchall():
                name = connection.ops.quote_name(name)
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {name}")
                restore.append((table, f"ALTER TABLE {quoted} ADD CONSTRAINT {name} {definition}"))
        for table, statement in restore:
            cursor.execute(
                f"INSERT INTO {SET_ASIDE} (target, statement) VALUES (%s, %s)", [table, statement]
            )
    return len(restore)


def _put_back(tables: list[str] | None = None) -> int:
    """Restore whatever a run set aside (this one's, or one stopped on the way), or only what
    it set aside on `tables` (those a process has finished writing, while the other still
    writes its own). Returns how many indexes and foreign keys it restored."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [SET_ASIDE])
        if not cursor.fetchone()[0]:
            return 0
        if tables is None:
            cursor.execute(f"SELECT position, statement FROM {SET_ASIDE} ORDER BY position")
        else:
            cursor.execute(
                f"SELECT position, statement FROM {SET_ASIDE} WHERE target = ANY(%s) "
                "ORDER BY position",
                [tables],
            )
        pending = cursor.fetchall()
        # Sorting a million keys in memory rather than in batches on disk.
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for position, statement in pending:
            with transaction.atomic():
                cursor.execute(statement)
                cursor.execute(f"DELETE FROM {SET_ASIDE} WHERE position = %s", [position])
        cursor.execute("RESET maintenance_work_mem")
        if tables is None:
            cursor.execute(f"DROP TABLE {SET_ASIDE}")
    return len(pending)


def _synchronous_commit(on: bool) -> None:
    """Off while the seed writes: a batch's commit no longer waits for its WAL to reach the
    disk (the server flushes it meanwhile, on the other core). A crash loses at most the last
    batches, never consistency; a rerun adds what is missing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit" if on else "SET synchronous_commit = off")


def _lanes_possible() -> bool:
    """A second process needs its own connection to see what this one committed: PostgreSQL,
    outside a transaction (inside a test's, the rows it wrote are not committed), and fork."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and "fork" in multiprocessing.get_all_start_methods()
    )


class Lane:
    """A seed's bulk writer (an app's `seed_scale_split`) run in a forked process beside the other
    apps' seeds: the seed is Python-bound, and the machine has a second core. Nothing the other
    seeds write or read is among its tables, and it draws from its own random stream, so the rows
    are those a single process writes; only the history's order interleaves (both append under
    the chain's lock, each batch whole). Its counts and step rates come back through a pipe."""

    def __init__(self, work, stream, tables: list[str]):
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        # Nothing buffered written twice, and no socket used by two processes: each opens its
        # own connection (and sets its session's settings again).
        stream.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        connection.close()
        self.process = context.Process(target=_run_lane, args=(work, writer, stream, tables))
        self.process.start()
        writer.close()
        _synchronous_commit(False)

    def result(self) -> tuple[dict, dict, str]:
        """The lane's counts, its steps' rates, and what it says of its tables' indexes."""
        try:
            status, payload, rates, restored = self.reader.recv()
        except EOFError:
            status, payload, rates, restored = "error", "it ended without a result", {}, ""
        self.process.join()
        self.reader.close()
        if status != "ok":
            raise CommandError(f"The seed's second process failed: {payload}")
        return payload, rates, restored

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.reader.close()


class _Finisher(threading.Thread):
    """Finishes (_finish_tables) the tables it is given, in order, on a connection of its own,
    while the thread that gave them writes others: the index builds are PostgreSQL's work, so
    they use the second core whenever the other process is not using it."""

    def __init__(self):
        super().__init__(name="seed-scale-finisher", daemon=True)
        self.queue: queue.Queue = queue.Queue()
        self.messages: list[str] = []
        self.error = ""
        self.given: list[str] = []

    def add(self, tables: list[str]) -> None:
        tables = [t for t in tables if t not in self.given]
        if tables:
            self.given += tables
            self.queue.put(tables)

    def run(self) -> None:
        try:
            while (tables := self.queue.get()) is not None:
                if not self.error:
                    self.messages.append(_finish_tables(tables))
        except BaseException:
            self.error = traceback.format_exc()
        finally:
            connection.close()  # this thread's own

    def finish(self) -> str:
        self.queue.put(None)
        self.join()
        if self.error:
            raise CommandError(f"Putting the indexes back failed: {self.error}")
        return "\n".join(self.messages)


def _model_tables(models, among: list[str]) -> list[str]:
    """The tables of `models` (their many-to-many links included) that are among `among`."""
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many]
    return [t for t in tables if t in among]


_INHERITED = []  # a parent's connection the child must neither use nor close (kept referenced)


def _run_lane(work, writer, stream, tables: list[str]) -> None:
    finisher = None
    if connection.connection is not None:
        # The parent's socket, had its close been skipped: talking on it, or closing it (libpq's
        # goodbye on collection), would cut the parent's session. The child opens its own.
        _INHERITED.append(connection.connection)
        connection.connection = None
    try:
        _synchronous_commit(False)
        progress = ProgressBar(stream, live=False)
        finisher = _Finisher()
        finisher.start()
        # The tables of each part written finished while the next is written, and the rest
        # once all are: their indexes and keys rebuilt while the other process may still write.
        counts = work(progress, lambda models: finisher.add(_model_tables(models, tables)))
        finisher.add(tables)
        restored = finisher.finish()
        writer.send(("ok", counts, progress.rates, restored))
    except BaseException:
        if finisher is not None and finisher.is_alive():
            finisher.queue.put(None)
            finisher.join()
        writer.send(("error", traceback.format_exc(), {}, ""))
    finally:
        connection.close()
        writer.close()


def _finish_tables(tables: list[str]) -> str:
    """Once a process has written its bulk tables (nothing writes them after it): their indexes
    and foreign keys put back, and their statistics, while the other process may still write."""
    started = time.monotonic()
    restored = _put_back(tables)
    _analyze(tables)
    return (
        f"{restored} indexes and foreign keys of {', '.join(tables)} restored and checked, "
        f"and {_analyze_command()}, in {time.monotonic() - started:.1f}s"
    )


class Command(AuditedCommand):
    help = "Synthetic data at UN scale (factor 1: ~100 units, ~37,000 staff, 1,000,000 decisions, ...)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor",
            type=float,
            default=0.01,
            help="1 = Secretariat scale; 0.01 for a quick run. Every count scales linearly.",
        )
        parser.add_argument(
            "--processes",
            type=int,
            choices=[1, 2],
            default=2,
            help="2: the decisions and commitments written by a second process beside the other "
            "apps' seeds (PostgreSQL, outside a transaction); 1: everything in this one.",
        )

    def run(self, *args, factor: float, processes: int = 2, **options):
        if not 0 < factor <= 10:
            raise CommandError("--factor must be above 0 and at most 10")
        started = time.monotonic()
        progress = ProgressBar(self.stdout)
        _put_back()  # what a run stopped on the way left aside
        _object_index(drop=True)
        _set_aside()
        _synchronous_commit(False)
        lane = finisher = None
        finished: list[str] = []  # the tables whose statistics a process has already taken
        try:
            # The seed is the database's only writer: its entries are linked as they are
            # written, even inside a batch's transaction (core.history.linking_at_once).
            with history.linking_at_once():
                counts = seed_scale_base(factor, progress)
                # Each app's counts in the order of the apps, whichever process wrote them.
                parts: list[dict] = []
                lane_at = None
                for app, module in app_seed_modules():
                    split = getattr(module, "seed_scale_split", None)
                    if split and lane is None and processes > 1 and _lanes_possible():
                        work = split(factor, progress)
                        progress.live = False
                        lane_at, rates_at, lane_app = len(parts), len(progress.rates), app
                        parts.append({})
                        lane = Lane(work, self.stdout, _bulk_tables([app]))
                        finisher = _Finisher()
                        finisher.start()
                    elif hasattr(module, "seed_scale"):
                        parts.append(module.seed_scale(factor, progress) or {})
                        if finisher is not None:  # this app's bulk tables, while the next runs
                            finisher.add(_bulk_tables([app]))
                if lane is not None:
                    others = {label for label, _name in BULK_MODELS} - {lane_app}
                    finished = _bulk_tables()
                    finisher.add(_bulk_tables(others))
                    self.stdout.write(finisher.finish())
                    finisher = None
                    parts[lane_at], lane_rates, restored = lane.result()
                    self.stdout.write(restored)
                    lane = None
                    # The second process's steps where a single process would have run them.
                    rates = list(progress.rates.items())
                    progress.rates = dict(rates[:rates_at] + list(lane_rates.items()))
                    progress.rates.update(rates[rates_at:])
                for part in parts:
                    counts.update(part)
        finally:
            if finisher is not None:  # a step failed: what the thread is doing it completes
                finisher.queue.put(None)
                finisher.join()
            if lane is not None:  # this process failed: the other one stops before the rebuild
                lane.stop()
            _synchronous_commit(True)
            # Rebuilt even when a step failed: the history pages need it.
            index_started = time.monotonic()
            _object_index(drop=False)
            self.stdout.write(
                f"History index {OBJECT_INDEX} built in {time.monotonic() - index_started:.1f}s"
            )
            index_started = time.monotonic()
            restored = _put_back()
            self.stdout.write(
                f"{restored} indexes and foreign keys of the bulk tables restored and checked in "
                f"{time.monotonic() - index_started:.1f}s"
            )
        # Every batch's entries are linked when it commits; this links any a failed link left.
        # (verify_audit_trail checks the whole chain; at factor 1 that is a step of its own.)
        history.link_pending()
        self.stdout.write(f"History chain: {history.head()[0]:,} entries linked")
        analyze_all(self.stdout, finished)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f}s:")
        for name, value in counts.items():
            self.stdout.write(f"  {name:<28} {value:>12,}")
        if progress.rates:
            self.stdout.write("Rows per second (each step, history entries included):")
            for label, (rows, seconds) in progress.rates.items():
                rate = f"{rows / seconds:>12,.0f}" if seconds > 0 else f"{'-':>12}"
                self.stdout.write(f"  {label:<28} {rows:>12,} rows {seconds:>8.1f}s {rate}/s")
