"""Stand-in oversight metrics for the killed-worker test: slow enough to be interrupted."""

import os
import time


def report_metrics(period_start, period_end):
    time.sleep(float(os.environ.get("REPORTS_TEST_METRICS_SECONDS", "4")))
    return {"C": {"by_body": {"OIOS": {"total": 2, "implemented": 1, "implementation_rate": 50.0}}}}
