"""Issue 13: list pages write their rows and their filter selects in Python (core.tables), and
read a choice's label once a language. The page must read exactly as it did when templates
wrote it: each is pinned here against the plain template path, on records of two units, for
an administrator and a manager who sees one of them, in English and in Arabic."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.renderers import get_default_renderer
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accountability.choices import AuthorityArea
from accountability.filtersets import DecisionFilterSet
from accountability.models import Decision
from accountability.tests.factories import DecisionFactory
from core.generic import display_field, display_label
from core.tables import FastWidgetRenderer, fast_widgets
from core.widgets import prepare_filter_form
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db

# includes/table.html's row loop as it was: the reference the Python rows must match.
TEMPLATE_ROWS = """{% load i18n core_tags %}{% for obj, cells in rows %}
    <tr class="{% row_class obj %}">
      {% if selectable %}<td class="select"><input type="checkbox" name="selected" value="{{ obj.pk }}" aria-label="{% blocktranslate with row=cells.0.1|cell %}Select {{ row }}{% endblocktranslate %}"></td>{% endif %}
      {% for column, value in cells %}
      <td data-label="{{ column.label }}"{% if value|is_number %} class="num"{% endif %}>{% if column.link and obj.get_absolute_url %}<a href="{{ obj.get_absolute_url }}">{{ value|cell }}</a>{% else %}{{ value|cell }}{% endif %}</td>
      {% endfor %}
    </tr>
  {% endfor %}"""  # noqa: E501


@pytest.fixture
def two_units(units, manager, manager2):
    """Decisions and recommendations in DMSPC (the manager's) and DOS-PD (not theirs): dates,
    amounts with and without decimals, none, choices, text that needs escaping."""
    DecisionFactory(
        title="Fleet <renewal> & “spares”",
        unit=units["dmspc"],
        decided_by=manager,
        decided_on=datetime.date(2026, 3, 5),
        amount=Decimal("1234567.50"),
        area=AuthorityArea.PROCUREMENT,
    )
    DecisionFactory(
        title="Second, same day",
        unit=units["dmspc"],
        decided_by=manager,
        decided_on=datetime.date(2026, 3, 5),
        amount=None,
    )
    DecisionFactory(
        title="Outside the manager's units",
        unit=units["pd"],
        decided_by=manager2,
        decided_on=datetime.date(2025, 12, 31),
        amount=Decimal("20"),
    )
    report = ReportFactory(body=body("OIOS"), symbol="2024/087")
    RecommendationFactory(report=report, number="1", unit=units["ohr"])
    RecommendationFactory(
        report=report, number="2", unit=units["pd"], target_date=datetime.date(2020, 1, 1)
    )


def _page(client, url, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("who", ["admin_user", "manager"])
@pytest.mark.parametrize("url", ["/accountability/decisions/", "/oversight/recommendations/"])
def test_rows_read_as_the_template_wrote_them(web, request, two_units, who, language, url):
    response = _page(web(request.getfixturevalue(who)), url, language)
    html = response.content.decode()
    rows = response.context["rows"]
    # The manager sees their units' records only; the administrator both units'.
    assert len(rows) == {"admin_user": 3, "manager": 2}[who] if "decisions" in url else rows
    with translation.override(language):
        expected = Template(TEMPLATE_ROWS).render(
            Context({"rows": rows, "selectable": response.context["selectable"]})
        )
    assert f"<tbody>\n  {expected}\n  </tbody>" in html
    if url.endswith("decisions/"):
        assert "Fleet &lt;renewal&gt; &amp; “spares”" in html
        grouped = {"en": "1,234,567.50", "ar": "1\u00a0234\u00a0567.50"}[language]
        assert f'class="num">{grouped}</td>' in html
        assert ("the manager&#x27;s units" in html) == (who == "admin_user")


def test_an_empty_list_says_so(web, manager, units):
    html = web(manager).get("/accountability/decisions/").content.decode()
    assert (
        '<tbody>\n  \n    <tr><td colspan="9">No records match.</td></tr>\n  \n  </tbody>' in html
    )


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"unit": "", "area": AuthorityArea.PROCUREMENT, "decided_after": "2026-01-01"},
        {"within": "999999", "decided_on": "not a date", "awaiting_review": "true"},
    ],
)
def test_filter_widgets_read_as_their_templates_wrote_them(units, manager, data, language):
    """Each filter of the decision list (selects of units and choices, date pickers, text and
    yes/no boxes), unbound, bound and refused: the same HTML from both renderers."""
    request = RequestFactory().get("/accountability/decisions/", data)
    request.user = manager
    with translation.override(language):
        shown = []
        for fast in (False, True):
            filterset = DecisionFilterSet(
                request.GET or None, queryset=Decision.objects.all(), request=request
            )
            filterset.is_valid()
            prepare_filter_form(filterset.form)
            if fast:
                fast_widgets(filterset.form)
                assert isinstance(filterset.form.renderer, FastWidgetRenderer)
            else:
                assert filterset.form.renderer is get_default_renderer()
            shown.append([str(field) for field in filterset.form])
    assert shown[0] == shown[1]
    assert any("DMSPC" in html for html in shown[1])  # the units were offered


def test_filters_read_the_units_once(web, manager, two_units):
    """The decision list offers the units in two filters (unit, within): one plain query."""
    client = web(manager)
    client.get("/accountability/decisions/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/accountability/decisions/").content.decode()
    unit_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "org_orgunit"."id"')]
    assert len(unit_reads) == 1, unit_reads
    assert not any(q["sql"].startswith("DECLARE") for q in queries)
    assert html.count(">DMSPC") >= 2  # both selects list the unit


def test_choice_labels_match_get_display_in_each_language(units, manager):
    decision = DecisionFactory(unit=units["dmspc"], decided_by=manager)
    field = display_field(Decision, "get_area_display")
    assert field is Decision._meta.get_field("area")
    for language in ("en", "fr", "ar", "zh-hans"):
        with translation.override(language):
            for value, _label in AuthorityArea.choices:
                decision.area = value
                assert display_label(field, value) == decision.get_area_display()
            decision.area = "not-a-choice"
            assert display_label(field, "not-a-choice") == decision.get_area_display()
    # Only Django's own method is read this way; anything else is called as it is.
    assert display_field(Decision, "get_absolute_url") is None
    assert display_field(Decision, "review_label") is None


def test_templates_are_compiled_once_a_process():
    """Production renders from the cached template loader (Django adds it when no loaders are
    named): a list page's templates are read and compiled once, not on every request."""
    from django.template import engines

    loaders = engines["django"].engine.template_loaders
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


def test_a_person_picker_reads_no_accounts(web, admin_user, manager, manager2, units):
    """The commitments' bulk form offers a new owner by a person picker (a text box that asks
    core.pickers): the page lists no account, and reads none, however many there are."""
    from accountability.tests.factories import CommitmentFactory

    CommitmentFactory(unit=units["dmspc"], owner=manager, title="Ours")
    CommitmentFactory(unit=units["pd"], owner=manager2, title="Theirs")
    client = web(admin_user)
    client.get("/accountability/commitments/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/accountability/commitments/").content.decode()
    assert "Ours" in html and "Theirs" in html
    assert 'name="bulk-owner"' in html  # the picker is there
    account_lists = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "auth_user"')
        and "WHERE" in q["sql"]
        and '"auth_user"."id" =' not in q["sql"]
    ]
    assert account_lists == []
