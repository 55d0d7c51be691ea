"""Seed a PostgreSQL database with the base data and performance's scale data only (the other
apps' scale seeds take long and are not needed to measure performance's pages).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_performance \
        .venv/bin/python bench/performance_seed.py [factor]
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from accountability.seeding import ProgressBar  # noqa: E402
from core.context import acting_as  # noqa: E402
from org.seed_base import seed_demo_base, seed_scale_base  # noqa: E402
from performance import seed  # noqa: E402


def main(factor: float) -> None:
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_resolution")
    progress = ProgressBar()
    with acting_as("command:bench_performance_seed"):
        seed_demo_base()
        seed.seed_demo()
        counts = seed_scale_base(factor, progress)
        counts.update(seed.seed_scale(factor, progress))
    print(f"Done in {time.monotonic() - started:.1f}s", counts)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
