"""Compile time of the paragraph 33 report, per step, and the compiling process's peak memory.

Against a PostgreSQL database seeded with `seed_scale --factor 1`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \\
        .venv/bin/python bench/reports_compile.py --repeat 3 [--worker]

Each repetition requests a new run (a fresh title, so no identical run is reused), compiles it in
this process exactly as a worker does (reports.services.compile_report_run) and prints the
seconds of each step; the medians follow. --worker also runs one compilation in a real Celery
worker (solo pool, Redis DB 7) and reads its peak resident memory (VmHWM) from /proc.
"""

import argparse
import datetime
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from core.actions import SYSTEM  # noqa: E402
from reports import services  # noqa: E402
from reports.models import ReportRun  # noqa: E402
from reports.tasks import last_biennium  # noqa: E402

STEPS = ("snapshot", "html", "pdf", "docx", "xlsx", "store")


def compile_once(language: str, start, end) -> dict[str, float]:
    run, _ = services.request_report_run(
        ReportRun(
            period_start=start,
            period_end=end,
            language=language,
            title=f"Benchmark {uuid.uuid4().hex[:6]}",
        ),
        acting_user=SYSTEM,
        queue=False,
    )
    started = time.perf_counter()
    issued = services.compile_report_run(run.pk)
    total = time.perf_counter() - started
    if issued is None:
        run.refresh_from_db()
        raise SystemExit(f"run {run.pk} did not complete: {run.status} {run.error}")
    return {**issued.timings, "total": round(total, 3)}


def worker_peak(language: str, start, end) -> tuple[float, int]:
    from kombu import Connection

    from config.celery import app
    from reports.tasks import compile_report

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    queue = f"reports-bench-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}
    log = open("/tmp/reports-bench-worker.log", "wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        run, _ = services.request_report_run(
            ReportRun(
                period_start=start,
                period_end=end,
                language=language,
                title=f"Worker benchmark {uuid.uuid4().hex[:6]}",
            ),
            acting_user=SYSTEM,
            queue=False,
        )
        app.conf.task_always_eager = False
        started = time.perf_counter()
        with Connection(redis_url) as broker:
            compile_report.apply_async((run.pk,), queue=queue, connection=broker)
        while True:
            run.refresh_from_db()
            if run.status in ("done", "failed"):
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        status = Path(f"/proc/{worker.pid}/status").read_text()
        peak_kb = int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        )
        if run.status != "done":
            raise SystemExit(f"worker run failed: {run.error}")
        return elapsed, peak_kb
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--languages", default="en,zh-hans")
    parser.add_argument("--period-start", type=datetime.date.fromisoformat)
    parser.add_argument("--period-end", type=datetime.date.fromisoformat)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    start, end = last_biennium(datetime.date.today())
    start, end = args.period_start or start, args.period_end or end
    print(f"period {start} – {end}; {ReportRun.objects.count()} runs before")
    for language in args.languages.split(","):
        samples = []
        for i in range(args.repeat):
            timings = compile_once(language, start, end)
            samples.append(timings)
            print(f"{language} #{i + 1}: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
        medians = {k: statistics.median(s[k] for s in samples) for k in (*STEPS, "total")}
        print(f"{language} median: " + ", ".join(f"{k} {v:.2f}s" for k, v in medians.items()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS of this process (compiling as a solo worker does): {peak / 1024:.0f} MiB")
    if args.worker:
        elapsed, peak_kb = worker_peak(args.languages.split(",")[-1], start, end)
        print(
            f"real Celery worker: {elapsed:.2f}s from send to done, peak RSS (VmHWM) {peak_kb / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
