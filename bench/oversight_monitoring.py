"""The Management Committee page, the recommendation list and the API list at factor 1
(~30,000 recommendations, ~150,000 updates): median of several requests and the query count.

    createdb -h 127.0.0.1 -U postgres bench_oversight
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_oversight .venv/bin/python bench/oversight_monitoring.py

(DEBUG=1 only so static files need no collectstatic manifest.)

Seeds the base (units, staff) and the oversight scale data first when the database has none.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accountability.seeding import ProgressBar  # noqa: E402
from core.context import acting_as  # noqa: E402
from org.choices import RoleKind  # noqa: E402
from org.models import Role  # noqa: E402
from org.seed_base import seed_scale_base  # noqa: E402
from oversight.models import Recommendation  # noqa: E402
from oversight.seed import seed_scale  # noqa: E402

RUNS = 7


def measure(client, url):
    client.get(url, secure=True)  # warm caches and connections
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    print(
        f"{url:<58} median {statistics.median(times) * 1000:7.0f} ms  {len(queries.captured_queries):3d} queries"
    )


def main():
    call_command("migrate", "oversight", verbosity=0)
    if Recommendation.objects.filter(report__symbol__startswith="SYN/").count() < 25_000:
        with acting_as("command:bench_seed"):
            progress = ProgressBar()
            seed_scale_base(1.0, progress)
            print(seed_scale(1.0, progress))
    if connection.vendor == "postgresql":
        # Bulk loads leave the planner's statistics behind until autovacuum catches up.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE oversight_recommendation, oversight_oversightreport, oversight_recommendationupdate"
            )
    print(f"{Recommendation.objects.count():,} recommendations")
    users = {}
    for name, kind, body in [
        ("bench-oios", RoleKind.OVERSIGHT, "OIOS"),
        ("bench-ga", RoleKind.GA_STAFF, ""),
    ]:
        users[name], _ = get_user_model().objects.get_or_create(username=name)
        Role.objects.update_or_create(user=users[name], defaults={"kind": kind, "body_code": body})
    for name in users:
        client = Client()
        client.force_login(users[name])
        print(f"-- as {name}")
        for url in [
            "/oversight/monitoring/",
            "/oversight/monitoring/?issued_from=2022-01-01&issued_to=2024-12-31&body=OIOS",
            "/oversight/",
            "/oversight/?state=overdue&priority=critical",
            "/api/oversight/recommendations/",
            "/api/oversight/recommendations/?is_overdue=true&search=procurement",
        ]:
            measure(client, url)
    client = Client()
    client.force_login(users["bench-ga"])
    started = time.perf_counter()
    response = client.get("/oversight/monitoring/?export=xlsx", secure=True)
    print(
        f"{'/oversight/monitoring/?export=xlsx':<58} {(time.perf_counter() - started) * 1000:7.0f} ms "
        f"({len(response.content):,} bytes)"
    )
    from oversight.metrics import report_metrics

    started = time.perf_counter()
    import datetime

    report_metrics(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    print(f"{'metrics.report_metrics':<58} {(time.perf_counter() - started) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
