"""The paragraph coverage table cannot drift: the registry (governance.coverage) names exactly
the measures the report gives each paragraph on the demo data, only figures the report's
methodology defines, every paragraph of the resolution; the demo holds an accepted assessment
with evidence for every paragraph that asks something; docs/paragraph-coverage.md is the
registry's rendering."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from governance.coverage import COVERAGE, render_markdown
from governance.resolution_views import assessments_in_force
from org.models import Paragraph
from reports import governance_figures, methodology
from reports.snapshot import collect

pytestmark = pytest.mark.django_db
d = datetime.date


def test_the_document_is_the_registry_rendered():
    path = Path(settings.BASE_DIR) / "docs" / "paragraph-coverage.md"
    assert path.read_text(encoding="utf-8") == render_markdown(), (
        "Run `manage.py paragraph_coverage` after changing governance/coverage.py"
    )
    assert render_markdown().count("\n| ") == 2 + 33  # header, separator, a row a paragraph


def test_every_listed_figure_is_a_report_figure():
    known = methodology.registry()
    unknown = {
        number: [key for key in row.figures if key not in known]
        for number, row in COVERAGE.items()
        if any(key not in known for key in row.figures)
    }
    assert unknown == {}
    # Every paragraph that asks something is answered by at least one report figure.
    assert [n for n, row in COVERAGE.items() if row.asks and not row.figures] == []


def test_the_registry_matches_the_report_and_the_demo(resolution, admin_user, settings):
    settings.REPORT_METRIC_MODULES = None  # every app, as deployed
    call_command("seed_demo")
    assert set(COVERAGE) == set(Paragraph.objects.values_list("number", flat=True))
    start, end = d(2025, 1, 1), d(2025, 12, 31)
    _metrics, measures, _sources, _fed = collect(start, end)
    _sections, lessons = governance_figures.section_figures(start, end)
    for number, items in governance_figures.paragraph_measures(start, end, lessons).items():
        measures.setdefault(number, []).extend(items)
    given = {n: sorted({m["kind"] for m in measures.get(n, [])}) for n in COVERAGE}
    listed = {n: sorted(row.measures) for n, row in COVERAGE.items()}
    assert given == listed

    # The paragraph page: every paragraph that asks something shows an accepted assessment in
    # force, with evidence resolving to a record; the three that ask nothing have none.
    found = assessments_in_force(admin_user)
    assert set(found) == {n for n, row in COVERAGE.items() if row.asks}
    empty = [n for n, a in found.items() if not a.evidence_items]
    assert empty == []
    unresolved = [
        (n, item.reference)
        for n, a in found.items()
        for item in a.evidence_items
        if not item.is_document and not item.label
    ]
    assert unresolved == []
