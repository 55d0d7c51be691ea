"""Issue 13: the table's header cells are written in Python ({% table_headers %}, core_tags),
where includes/table.html looped over them with a {% query_replace %} (a copy of the query
string) and a translation per header. The HTML is the loop's, byte for byte: pinned here against
it (kept below as it was) on the decision and recommendation lists, sorted either way or not,
filtered and paged, in English and Arabic, and for a view that gives no headers."""

import pytest
from django.template import Context, Template
from django.utils import translation

from accountability.tests.factories import DecisionFactory

pytestmark = pytest.mark.django_db

LOOP = """{% load i18n core_tags %}    {% for header in headers %}
    <th scope="col"{% if header.aria_sort %} aria-sort="{{ header.aria_sort }}"{% endif %}{% if header.numeric %} class="num"{% endif %}>{% if header.sort_key %}<a class="sort" href="?{% query_replace sort=header.next_sort %}">{{ header.label }}<span class="sort-icon sort-{{ header.aria_sort|default:'none' }}" aria-hidden="true"></span><span class="visually-hidden">{% if header.aria_sort == "ascending" %}{% translate "(sorted ascending; select to sort descending)" %}{% elif header.aria_sort == "descending" %}{% translate "(sorted descending; select to sort ascending)" %}{% else %}{% translate "(select to sort)" %}{% endif %}</span></a>{% else %}{{ header.label }}{% endif %}</th>
    {% empty %}{% for column in columns %}<th scope="col">{{ column.label }}</th>{% endfor %}
    {% endfor %}
"""  # noqa: E501
WRITTEN = "{% load core_tags %}    {% table_headers headers columns %}\n"


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    "url",
    [
        "/accountability/decisions/",
        "/accountability/decisions/?sort=decided_on",
        "/accountability/decisions/?sort=-decided_on&q=a%26b%3C&page=2&cursor=x&export=",
        "/accountability/decisions/?ordering=-title&area=procurement",
        "/oversight/recommendations/?sort=-target_date",
    ],
)
def test_the_headers_read_as_the_loop_wrote_them(web, admin_user, units, url, language):
    DecisionFactory(unit=units["dmspc"], title="A <b> & c")
    client = web(admin_user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(url)
    assert response.status_code == 200
    context = {k: response.context[k] for k in ("headers", "columns", "request")}
    with translation.override(language):
        reference = Template(LOOP).render(Context(context))
        written = Template(WRITTEN).render(Context(context))
    assert written == reference
    assert reference in response.content.decode()
    assert 'class="sort"' in written


@pytest.mark.parametrize("headers", [[], None])
def test_without_headers_the_column_labels_are_written(rf, headers):
    from core.generic import Column

    context = {
        "headers": headers,
        "columns": [Column("Title <1>", "title"), Column("Unit", "unit.code")],
        "request": rf.get("/"),
    }
    assert Template(WRITTEN).render(Context(context)) == Template(LOOP).render(Context(context))
