import datetime
import decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats
from django.utils.translation import gettext as _

from core import actions

register = template.Library()


@register.filter
def cell(value):
    """How a value reads in a table cell: yes/no, dashes for nothing, localised dates and numbers."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime | datetime.date):
        return formats.date_format(
            value,
            "SHORT_DATE_FORMAT" if isinstance(value, datetime.date) else "SHORT_DATETIME_FORMAT",
        )
    if isinstance(value, decimal.Decimal | int) and not isinstance(value, bool):
        return intcomma(value)
    return value


@register.simple_tag
def row_class(obj):
    return getattr(obj, "row_class", "")


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for sort links and pages)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def may(context, action_name, obj):
    """`{% may "review" object as can_review %}`: whether the signed-in user may do the named
    action to this record, by the model's policy (so a page offers only what will be accepted)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or obj is None:
        return False
    return actions.allowed(user, action_name, obj)
