from django import template

from org import history_display

register = template.Library()


@register.simple_tag(takes_context=True)
def readable_history(context, entries):
    """`{% readable_history history_entries as timeline %}`: the entries as people read them
    (org.history_display), resolved for the signed-in reader in one query per related model."""
    request = context.get("request")
    reader = getattr(request, "user", None)
    return history_display.readable(entries or [], reader)
