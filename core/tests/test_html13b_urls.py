"""Issue 13: {% url %} in templates that load core_tags (the header, the tabs, the list page)
reverses a URL of no arguments once per name, current application, URL configuration, script
prefix and language (core_tags.NamedURLNode). It must write what Django's tag writes, whatever
the case: arguments, `as`, a name in a variable, a name that does not reverse, autoescape off, a
script prefix, another URL configuration."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix
from django.utils import translation

DJANGO = "{% load i18n %}"
OURS = "{% load i18n core_tags %}"
BODY = (
    "{% url 'home' %}|{% url 'accountability:decision_list' %}|{% url name %}|"
    "{% url 'accountability:decision_detail' 7 %}|{% url 'api:docs' as docs %}{{ docs }}|"
    "{% url 'governance:index' %}|{% autoescape off %}{% url 'signon:profile' %}{% endautoescape %}"
)


def both(context):
    return [Template(load + BODY).render(Context(context)) for load in (DJANGO, OURS)]


@pytest.mark.parametrize("language", ["en", "ar", "zh-hans"])
def test_our_url_writes_what_djangos_writes(language):
    request = RequestFactory().get("/accountability/decisions/")
    with translation.override(language):
        for _ in range(2):  # the second time from what was kept
            django, ours = both({"name": "risk:risk_list", "request": request})
            assert ours == django
    assert "/accountability/decisions/7/" in ours and "/risk/risks/" in ours


def test_a_script_prefix_is_part_of_what_is_kept():
    try:
        set_script_prefix("/tracker/")
        django, ours = both({"name": "risk:risk_list"})
        assert ours == django and ours.startswith("/tracker/")
    finally:
        clear_script_prefix()
    django, ours = both({"name": "risk:risk_list"})
    assert ours == django and ours.startswith("/|")


def test_a_name_that_does_not_reverse_fails_as_djangos():
    for load in (DJANGO, OURS):
        with pytest.raises(NoReverseMatch):
            Template(load + "{% url 'no-such-page' %}").render(Context({}))
        assert Template(load + "{% url 'no-such-page' as x %}[{{ x }}]").render(Context()) == "[]"


@override_settings(ROOT_URLCONF="core.tests.test_html13b_urls")
def test_another_url_configuration_is_read_anew():
    template = Template(OURS + "{% url 'home' %}")
    assert template.render(Context({})) == "/elsewhere/"


def _page(request):  # pragma: no cover - never called
    raise AssertionError


def _patterns():
    from django.urls import path

    return [path("elsewhere/", _page, name="home")]


urlpatterns = _patterns()
