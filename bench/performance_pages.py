"""Median time and query count of performance's pages, API lists and report metrics on a
PostgreSQL database seeded with bench/performance_seed.py (or seed_scale --factor 1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_performance \
        .venv/bin/python bench/performance_pages.py [repeats]
"""

import datetime
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The test settings: production settings without the TLS redirect and the static manifest.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from org.choices import RoleKind  # noqa: E402
from org.models import OrgUnit, Role  # noqa: E402
from performance import metrics  # noqa: E402
from performance.models import Appraisal  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
VERBOSE = os.environ.get("VERBOSE") == "1"


def bench_user(username: str, kind: str, unit=None):
    user, _ = get_user_model().objects.get_or_create(username=username)
    Role.objects.update_or_create(user=user, defaults={"kind": kind, "unit": unit, "body_code": ""})
    return user


class QueryLog:
    """Counts and times the queries of one call (a request resets connection.queries)."""

    def __init__(self):
        self.calls: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append(((time.perf_counter() - started) * 1000, sql))

    def __len__(self) -> int:
        return len(self.calls)


def measure(label: str, fn, repeats: int) -> None:
    fn()  # warm up
    timings = []
    queries = QueryLog()
    with connection.execute_wrapper(queries):
        fn()
    if VERBOSE:
        for ms, sql in sorted(queries.calls, reverse=True)[:3]:
            print(f"      {ms:8.1f} ms  {sql[:160]}")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    print(f"{label:<58} median {statistics.median(timings):8.1f} ms   {len(queries):3d} queries")


def main(repeats: int) -> None:
    department = OrgUnit.objects.filter(code__startswith="S-D").order_by("code").first()
    users = {
        "admin": bench_user("bench-admin", RoleKind.ADMINISTRATOR),
        "manager": bench_user("bench-manager", RoleKind.MANAGER, department),
        "gastaff": bench_user("bench-ga", RoleKind.GA_STAFF),
    }
    print(f"{Appraisal.objects.count():,} appraisals; department {department.code}")
    for name, user in users.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

        def get(url, client=client):
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            return response

        for url in (
            "/",
            "/resolution/",
            "/performance/",
            f"/performance/?unit={department.code}",
            "/performance/appraisals/compliance/",
            "/performance/appraisals/",
            "/performance/compacts/",
            "/performance/indicators/",
            "/api/performance/appraisals/",
            "/api/performance/indicators/",
            "/api/performance/appraisal-compliance/?cycle=2024",
        ):
            measure(f"{name:<8} {url}", lambda url=url: get(url), repeats)
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    measure("report_metrics(2025)", lambda: metrics.report_metrics(start, end), repeats)
    measure("paragraph_measures(2025)", lambda: metrics.paragraph_measures(start, end), repeats)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
