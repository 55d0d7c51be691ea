"""Issue 13: core_tags' {% translate %} and {% static %} keep what a literal writes (per language,
escaping, script prefix, settings) instead of working it out on every page. What they write must
be Django's own, in every language, after a switch of language, for every form of the tags they
hand back to Django (`as`, context, noop, filters, variables), and after the settings change."""

import pytest
from django.template import Context, Engine
from django.test import override_settings
from django.urls import set_script_prefix
from django.utils import translation

from core.templatetags import core_tags

BODY = (
    '{% translate "Filters" %}|{% trans "Clear all" %}|{% translate "Filter" as f %}{{ f }}|'
    '{% translate "May" context "month name" %}|{% translate "Save" noop %}|'
    '{% translate "Name"|upper %}|{% translate word %}|{% translate "100%% sure" %}|'
    "{% static 'js/combobox.js' %}|{% static path %}|{% static 'css/a b&c.css' as s %}{{ s }}|"
    '{% translate "Next" %}'
)
DJANGO = "{% load i18n static %}" + BODY
KEPT = "{% load i18n static core_tags %}" + BODY


def _render(source, autoescape=True, **values):
    engine = Engine.get_default()
    context = Context({"word": "Previous", "path": "x&y.js", **values}, autoescape=autoescape)
    return engine.from_string(source).render(context)


def test_the_tags_are_core_tags_own_where_loaded():
    template = Engine.get_default().from_string(KEPT)
    kinds = {type(node).__name__ for node in template.nodelist}
    assert {"KeptTranslateNode", "KeptStaticNode"} <= kinds
    plain = Engine.get_default().from_string(DJANGO)
    assert not {"KeptTranslateNode", "KeptStaticNode"} & {type(n).__name__ for n in plain.nodelist}


@pytest.mark.parametrize("autoescape", [True, False])
def test_literal_messages_read_as_djangos_in_each_language_and_after_a_switch(autoescape):
    kept = Engine.get_default().from_string(KEPT)
    shown = {}
    for language in ("en", "fr", "ar", "zh-hans", "en", "fr"):
        with translation.override(language):
            context = Context({"word": "Previous", "path": "x&y.js"}, autoescape=autoescape)
            ours = kept.render(context)
            assert ours == _render(DJANGO, autoescape=autoescape), language
            shown[language] = ours
    assert shown["fr"] != shown["en"]  # the messages were translated, per language
    assert "Filtres" in shown["fr"]


def test_static_urls_follow_the_settings_and_the_script_prefix():
    assert _render(KEPT) == _render(DJANGO)
    with override_settings(STATIC_URL="/assets/"):
        assert "/assets/js/combobox.js" in _render(KEPT)
        assert _render(KEPT) == _render(DJANGO)
    assert "/assets/" not in _render(KEPT)
    set_script_prefix("/tracker/")
    try:
        assert _render(KEPT) == _render(DJANGO)
    finally:
        set_script_prefix("/")
    assert core_tags.static_url("x&y.js") == _render("{% load static %}{% static 'x&y.js' %}")


def test_a_list_page_reads_in_the_chosen_language(web, manager, units):
    client = web(manager)
    pages = {}
    for language in ("fr", "en", "fr"):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        pages.setdefault(language, []).append(
            client.get("/accountability/decisions/").content.decode()
        )
    assert "Filtres" in pages["fr"][0] and "Filtres" in pages["fr"][1]
    assert "Filtres" not in pages["en"][0] and ">Filters<" in pages["en"][0]
