from django import template

from oversight.bodies import short_name

register = template.Library()


@register.filter
def body_name(code) -> str:
    """`{{ code|body_name }}`: an oversight body's code as its short name in the page's
    language (monitoring tables keyed by code)."""
    return short_name(getattr(code, "code", code))
