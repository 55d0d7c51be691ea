"""Seed the risk area alone at a factor (default 1) into the database of DATABASE_URL: the base
(org units, people) and risk/seed.py, without the other apps' million decisions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_risk .venv/bin/python bench/risk_seed.py 1
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
from org.seed_base import seed_scale_base  # noqa: E402
from risk import seed  # noqa: E402

if __name__ == "__main__":
    factor = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    progress = ProgressBar()
    with acting_as("command:bench_risk_seed"):
        seed_scale_base(factor, progress)
        counts = seed.seed_scale(factor, progress)
    print(counts, f"{time.perf_counter() - started:.0f}s")
