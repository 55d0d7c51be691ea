"""Amounts of money read with two decimals and thousands separators in every language (the
monitoring cards printed 4130000.00)."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def test_money_groups_thousands_in_english_and_chinese():
    template = Template("{% load core_tags %}{{ a|money }} {{ b|money }} {{ c|money }}")
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text = template.render(Context({"a": Decimal("4130000"), "b": "1270000.5", "c": None}))
        assert text == "4,130,000.00 1,270,000.50 —"
