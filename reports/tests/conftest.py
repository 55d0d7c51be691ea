"""Fixtures of the reports tests: files in a temporary media root; snapshots of a small real
world built through the apps' actions (reports/tests/world.py), for the tests of the renderings;
and stand-in metrics modules, for the tests of the report's machinery (merging the apps'
figures, a failing app, the run's life) where what matters is the shape, not a real figure."""

import datetime
import json
import sys
import types

import pytest

METRIC_MODULES = (
    "accountability.metrics",
    "oversight.metrics",
    "performance.metrics",
    "risk.metrics",
)

PERIOD = {"period_start": datetime.date(2024, 1, 1), "period_end": datetime.date(2025, 12, 31)}


def _module(name: str, report_metrics=None, paragraph_measures=None):
    module = types.ModuleType(name)
    if report_metrics is not None:
        module.report_metrics = report_metrics
    if paragraph_measures is not None:
        module.paragraph_measures = paragraph_measures
    return module


@pytest.fixture(scope="module")
def real_snapshots(django_db_setup, django_db_blocker):
    """{language: snapshot} of the real world for 2025, in English and Chinese, as the JSON file
    holds it. Built once per module inside a transaction that is rolled back, so each test
    module pays for one world and leaves the database as it found it."""
    from django.db import transaction

    from reports.snapshot import build_snapshot, canonical_json
    from reports.tests import world

    with django_db_blocker.unblock(), transaction.atomic():
        units, people = world.make_units_and_people()
        world.build(units, people)
        snapshots = {
            language: json.loads(canonical_json(build_snapshot(language=language, **world.PERIOD)))
            for language in ("en", "zh-hans")
        }
        transaction.set_rollback(True)
    return snapshots


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def metrics(monkeypatch, settings):
    """Point the report at stand-in metrics modules: metrics(app=module, ...); an app not given
    has no metrics module at all."""

    def install(**apps):
        modules = {}
        for name in METRIC_MODULES:
            app = name.split(".")[0]
            fake = f"reports.tests.stand_in_{app}_metrics"
            if app in apps:
                monkeypatch.setitem(sys.modules, fake, apps[app])
            else:
                monkeypatch.delitem(sys.modules, fake, raising=False)
            modules[app] = fake
        settings.REPORT_METRIC_MODULES = modules

    return install


@pytest.fixture
def standard_metrics(metrics):
    """A small hand-computed set of figures from every app."""

    def accountability_metrics(start, end):
        return {
            "A": {
                "decisions_logged": 10,
                "decisions_within_authority_rate": 90.0,
                "commitments_due": 4,
                "commitments_honoured_on_time": 3,
                "commitments_missed": 1,
            },
            "G": {
                "delegations_issued": 5,
                "delegations_active": 4,
                "delegations_revoked": 1,
                "decisions_outside_authority": 1,
                "outside_authority_reviews": {"justified": 1, "mismanagement": 0, "abuse": 0},
            },
        }

    def accountability_measures(start, end):
        return {
            21: [
                {
                    "kind": "delegation",
                    "label": "Delegations of authority",
                    "count": 5,
                    "items": [
                        {
                            "id": 1,
                            "title": '=HYPERLINK("http://evil")',
                            "status": "active",
                            "date": "2024-02-01",
                        }
                    ],
                }
            ],
            8: [{"kind": "decision", "label": "Decisions", "count": 10, "items": []}],
        }

    def oversight_metrics(start, end):
        # The shape of section C (CONTRACT.md) is what the machinery tests need; the figures
        # themselves are tested on the real world (world.py).
        boa = {"total": 4, "implemented": 1, "overdue": 1, "implementation_rate": 25.0}
        oios = {"total": 2, "implemented": 2, "overdue": 0, "implementation_rate": 100.0}
        return {"C": {"by_body": {"BOA": boa, "OIOS": oios}}}

    def performance_metrics(start, end):
        return {
            "B": {"indicators": 3, "targets_met": 2},
            "D": {"appraisal_compliance_rate": 75.0, "compacts_signed": 2, "compacts_assessed": 1},
            "F": {
                "rating_distribution": {
                    "exceeds": 1,
                    "meets": 2,
                    "partially_meets": 1,
                    "does_not_meet": 0,
                }
            },
        }

    def risk_metrics(start, end):
        return {
            "J": {
                "units_with_current_register": 2,
                "risks_by_band": {"high": 1, "medium": 2},
                "heat_map": {"4": {"5": 1}, "2": {"3": 2}},
                "controls_tested": 3,
                "controls_effective": 2,
            },
            "K": {
                "procurement_cases_flagged": 1,
                "amount_lost": "1250.00",
                "amount_recovered": "500.50",
            },
            "D": {"misconduct_findings": {"fraud": 1, "mismanagement": 1, "other": 0}},
        }

    metrics(
        accountability=_module(
            "accountability.metrics", accountability_metrics, accountability_measures
        ),
        oversight=_module("oversight.metrics", oversight_metrics),
        performance=_module("performance.metrics", performance_metrics),
        risk=_module("risk.metrics", risk_metrics),
    )


@pytest.fixture
def make_module():
    return _module


@pytest.fixture
def issue(resolution, django_capture_on_commit_callbacks, settings):
    """issue(user, **fields) -> a run requested through the service and compiled (eagerly)."""
    # The heartbeat thread has its own connection: inside a test's transaction it cannot see the
    # running run and would call the compile superseded after one beat.
    settings.REPORT_HEARTBEAT_SECONDS = 3600
    from core.actions import SYSTEM
    from reports import services
    from reports.models import ReportRun

    def make(user=None, **fields):
        values = {**PERIOD, "language": "en", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            run, _created = services.request_report_run(
                ReportRun(**values), acting_user=user or SYSTEM
            )
        run.refresh_from_db()
        return run

    return make
