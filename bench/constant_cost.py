"""The constant cost of an API request (issue 13), on a database `make bench` seeded.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \
        python bench/constant_cost.py 2>/dev/null   # stderr: the request log lines
    BENCH_PAGES="/api/accountability/decisions/" BENCH_PERSONAS="admin;GA staff" python ...
    BENCH_LEAN_LISTS=0 python ...   # lists serialised by DRF, not by core.api.lean's plan

For the recommendation and disciplinary-case lists, as the administrator and as the small-scope
manager, first page and page 21: the bench's own figures (`timed`, `raw_sql_time`: wall p50, the
raw SQL, the query count) and the request's CPU time in this process, split by where it goes
(authentication, scope, filterset, the page's query and rows, serialisation, rendering, the
log line and metrics), with the time the garbage collector took. Wall time on a shared machine
moves with its load; CPU time much less, so the split is read in CPU time.
"""

import collections
import functools
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402 - sets the environment the bench measures in

# BENCH_PAGES, BENCH_PERSONAS: other lists and personas, separated by ";".
PAGES = tuple(
    os.environ.get(
        "BENCH_PAGES", "/api/oversight/recommendations/;/api/performance/disciplinary-cases/"
    ).split(";")
)
PERSONAS = tuple(os.environ.get("BENCH_PERSONAS", "admin;manager (small unit, DMSPC)").split(";"))
RUNS = int(os.environ.get("BENCH_RUNS", "9"))


def _instrument(spent: dict):
    """Adds each wrapped function's CPU time to `spent[label]` (nested ones count in both)."""
    import django.contrib.auth as auth
    from rest_framework import generics, renderers, serializers
    from rest_framework.filters import OrderingFilter, SearchFilter

    from core.api.filters import FilterBackend
    from core.api.lean import LeanListSerializer
    from core.api.viewsets import ActionModelViewSet, ActionReadOnlyViewSet
    from operations import access, metrics, middleware

    def wrap(owner, name, label):
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started

        setattr(owner, name, timed)

    wrap(auth, "get_user", "session and user")
    wrap(ActionModelViewSet, "get_queryset", "scope (restrict)")
    wrap(ActionReadOnlyViewSet, "get_queryset", "scope (restrict)")
    wrap(FilterBackend, "filter_queryset", "filterset")
    wrap(SearchFilter, "filter_queryset", "search and ordering")
    wrap(OrderingFilter, "filter_queryset", "search and ordering")
    wrap(generics.GenericAPIView, "paginate_queryset", "page query and rows")
    wrap(serializers.ListSerializer, "to_representation", "serialisation")
    wrap(LeanListSerializer, "to_representation", "serialisation")
    wrap(renderers.JSONRenderer, "render", "JSON rendering")
    wrap(middleware.log, "log", "log line")
    wrap(metrics, "observe_request", "metrics")
    wrap(access, "record_read", "read log")


def main() -> None:
    import logging

    import django

    django.setup()
    if os.environ.get("BENCH_LEAN_LISTS") == "0":
        # DRF's own list serialisation instead of core.api.lean's plan (before/after runs).
        from django.conf import settings

        settings.API_LEAN_LISTS = False
    # As bench/run.py: the request log lines are written (to stderr), the sign-in noise is not.
    logging.getLogger("axes").setLevel(logging.WARNING)
    spent: dict = collections.defaultdict(float)
    _instrument(spent)
    collecting = {"since": 0.0, "total": 0.0}

    def on_gc(phase, info):
        if phase == "start":
            collecting["since"] = time.process_time()
        else:
            collecting["total"] += time.process_time() - collecting["since"]

    gc.callbacks.append(on_gc)
    users = run.personas()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {RUNS} runs each")
    for persona in PERSONAS:
        client = run.client_for(users[persona])
        for url in PAGES:
            for page in (1, 21):
                page_url = url if page == 1 else run.api_page(client, url, page)
                if page_url is None:
                    continue
                p50, _p95, queries, response = run.timed(client, page_url)
                raw = run.raw_sql_time(queries)
                spent.clear()
                collecting["total"] = 0.0
                cpu = []
                for _ in range(RUNS):
                    started = time.process_time()
                    client.get(page_url)
                    cpu.append(time.process_time() - started)
                split = ", ".join(
                    f"{label} {seconds / RUNS * 1000:.2f}"
                    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1])
                )
                print(
                    f"{persona}: {url} page {page}: p50 {run.ms(p50)} ms, SQL {run.ms(raw)} ms "
                    f"({p50 / raw if raw else 0:.1f}x), {len(queries)} queries; CPU p50 "
                    f"{statistics.median(cpu) * 1000:.2f} ms (gc "
                    f"{collecting['total'] / RUNS * 1000:.2f}): {split}"
                )


if __name__ == "__main__":
    main()
