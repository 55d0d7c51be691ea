"""Time the decision list (page and API) against a database seeded with `seed_scale --factor 1`.

    createdb -h 127.0.0.1 -U postgres bench_accountability
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_accountability python manage.py migrate
    DATABASE_URL=... python manage.py load_resolution && DATABASE_URL=... python manage.py seed_scale --factor 1
    DATABASE_URL=... python bench/accountability_lists.py

Prints the median of several requests per URL and the number of queries each took.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accountability.models import Decision  # noqa: E402
from org.choices import RoleKind  # noqa: E402
from org.models import OrgUnit, Role  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def persona(username: str, kind: str, unit=None):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    Role.objects.update_or_create(user=user, defaults={"kind": kind, "unit": unit})
    return user


def measure(client: Client, url: str) -> tuple[float, int, int]:
    client.get(url)  # warm caches and the connection
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return statistics.median(timings) * 1000, len(ctx.captured_queries), response.status_code


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    total = Decision.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, decisions: {total:,}")
    department = OrgUnit.objects.filter(code="S-D000").first()
    people = [("bench-admin", persona("bench-admin", RoleKind.ADMINISTRATOR))]
    if department is not None:
        people.append(
            ("bench-manager (S-D000)", persona("bench-manager", RoleKind.MANAGER, department))
        )
    urls = [
        "/accountability/decisions/",
        "/accountability/decisions/?page=20",
        "/accountability/decisions/?within_authority=false",
        "/accountability/decisions/?review=pending&area=finance",
        "/accountability/decisions/?paragraph=21",
        "/api/accountability/decisions/",
        "/api/accountability/decisions/?within_authority=false",
        "/api/accountability/decisions/?ordering=decided_on",
        "/accountability/commitments/?overdue=true",
        "/accountability/delegations/?state=expiring",
        "/",
    ]
    import datetime

    from accountability import metrics

    year = datetime.date.today().year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    admin = people[0][1]
    figures = [
        ("report_metrics (one year)", lambda: metrics.report_metrics(start, end)),
        ("paragraph_measures (one year)", lambda: metrics.paragraph_measures(start, end)),
        ("dashboard_figures (admin)", lambda: metrics.dashboard_figures(admin)),
        ("paragraph_counts (admin)", lambda: metrics.paragraph_counts(admin)),
    ]
    print("\nmetrics")
    for label, fn in figures:
        fn()
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            fn()
            timings.append(time.perf_counter() - started)
        print(f"  {statistics.median(timings) * 1000:8.1f} ms  {label}")
    for label, user in people:
        client = Client(HTTP_HOST="127.0.0.1", secure=True)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        print(f"\n{label}")
        for url in urls:
            ms, queries, status = measure(client, url)
            print(f"  {ms:8.1f} ms  {queries:3d} queries  {status}  {url}")


if __name__ == "__main__":
    main()
