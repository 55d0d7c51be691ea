"""Time the risk area's heavy pages and API lists against a database seeded at scale
(bench/risk_seed.py 1): median of several requests, and the number of queries each makes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_risk .venv/bin/python bench/risk_pages.py
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from org.choices import RoleKind  # noqa: E402
from org.models import OrgUnit, Role  # noqa: E402
from risk import metrics  # noqa: E402
from risk.models import ProcurementCase, Risk  # noqa: E402

RUNS = 7


def bench_user(username, kind, unit=None):
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_superuser": kind == RoleKind.ADMINISTRATOR}
    )
    Role.objects.update_or_create(user=user, defaults={"kind": kind, "unit": unit})
    return user


def measure(client, url):
    times, queries, status = [], 0, None
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            times.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    return statistics.median(times), queries, status


def main():
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    print(f"risks {Risk.objects.count():,}, procurement cases {ProcurementCase.objects.count():,}")
    department = OrgUnit.objects.filter(code="S-D000").first()
    users = {
        "admin (Secretariat-wide)": bench_user("bench-risk-admin", RoleKind.ADMINISTRATOR),
        "manager of S-D000": bench_user("bench-risk-manager", RoleKind.MANAGER, department),
    }
    urls = [
        "/risk/",
        "/risk/heat-map/",
        "/risk/heat-map/?unit=S-D000&basis=residual",
        "/risk/risks/",
        "/risk/risks/?band=critical",
        "/risk/procurement/flagged/",
        "/risk/control-tests/",
        "/risk/recovery/",
        "/api/risk/risks/",
        "/api/risk/procurement-cases/",
        "/api/risk/procurement-cases/?flagged=true",
        "/api/risk/control-tests/",
        "/",
    ]
    for label, user in users.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        print(f"\n{label}")
        for url in urls:
            ms, queries, status = measure(client, url)
            print(f"  {url:<48} {status}  median {ms:8.1f} ms  {queries:3d} queries")
    started = time.perf_counter()
    metrics.report_metrics(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    metrics.paragraph_measures(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    print(f"\nreport_metrics + paragraph_measures: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
