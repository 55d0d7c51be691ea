import datetime
import decimal

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from django.template import defaulttags
from django.template.base import Variable
from django.template.defaulttags import CsrfTokenNode, URLNode
from django.templatetags.i18n import TranslateNode, do_translate
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, trans_real
from django.utils.translation import gettext as _

from core import actions

register = template.Library()


@register.filter
def un_date(value):
    """A date or datetime as every page writes it, in the reader's language (UN style):
    "20 November 2026" / "2026年11月20日"; "20 November 2026, 14:24" / "2026年11月20日 14:24"
    (in the site's time zone). The API, CSV, XLSX and JSON keep ISO 8601 (core.exports).
    Python code (messages, notices) calls it too: one helper for every place."""
    if value is None or value == "":
        return ""
    # A datetime is a date too: checked first.
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return value


def amount(value) -> str:
    """A number with thousands separators as the reader's language writes it (core.formats):
    1,234,567.50 in English and Chinese, 1 234 567,50 in French and Russian, 1.234.567,50 in
    Spanish, 1 234 567.50 in Arabic (Western digits, as UN Arabic documents have them)."""
    if isinstance(value, decimal.Decimal | int | float) and not isinstance(value, bool):
        return formats.number_format(value, force_grouping=True)
    return value


register.filter("amount", amount)


@register.filter
def money(value) -> str:
    """An amount of money with two decimals and thousands separators, as the reader's language
    writes numbers (4,130,000.00; 4 130 000,00 in French); a dash for none."""
    if value is None or value == "" or isinstance(value, bool):
        return "—"
    try:
        amount = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return value
    return formats.number_format(amount, decimal_pos=2, force_grouping=True)


@register.filter
def cell(value):
    """How a value reads in a table cell: yes/no, dashes for nothing, UN style dates and
    grouped numbers."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return un_date(value)
    if isinstance(value, decimal.Decimal | int):
        return amount(value)
    return value


@register.filter
def is_number(value) -> bool:
    """Whether a cell holds a number (right-aligned, tabular figures)."""
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


@register.simple_tag(takes_context=True)
def filter_state(context, filterset):
    """What the filter panel shows: the form prepared for the page (core.widgets), the active
    filters as chips, whether the panel opens (a filter is active, or one was refused) and the
    sort to keep when the filters change."""
    from core.tables import fast_widgets
    from core.widgets import active_filters, prepare_filter_form

    if filterset is None:
        return {"chips": [], "open": False, "sort": ""}
    prepare_filter_form(filterset.form)
    # The selects' options in Python, not a template include each (the same HTML).
    fast_widgets(filterset.form)
    chips = active_filters(filterset)
    request = context.get("request")
    sort = ""
    if request is not None:
        sort = request.GET.get("sort") or request.GET.get("ordering") or ""
    errors = filterset.is_bound and bool(filterset.form.errors)
    return {"chips": chips, "open": bool(chips) or errors, "sort": sort}


@register.simple_tag
def row_class(obj):
    return getattr(obj, "row_class", "")


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for sort links and pages); a
    value of None drops the parameter. Paging is always dropped: a new sort or filter starts
    at the first page."""
    query = context["request"].GET.copy()
    for key in ("cursor", "page", "export"):
        query.pop(key, None)
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag
def query_without(querystring: str, name: str, value: str = "") -> str:
    """`querystring` less one parameter (or one of its values, for a multiple choice): the link
    of an active filter's chip."""
    query = QueryDict(querystring, mutable=True)
    if value and len(query.getlist(name)) > 1:
        query.setlist(name, [v for v in query.getlist(name) if v != value])
    else:
        query.pop(name, None)
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


@register.simple_tag
def table_rows(rows, selectable):
    """A list table's rows, written in Python (core.tables: the same HTML as a loop of cells
    in the template, without a template tag per cell)."""
    from core.tables import render_rows

    return render_rows(rows, bool(selectable))


# The official languages each named in itself, as the United Nations writes them (Django's own
# spellings differ: 'العربيّة', '简体中文', 'français', 'español').
LANGUAGE_NAMES = {
    "ar": "العربية",
    "zh-hans": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}


@register.simple_tag(takes_context=True)
def language_menu(context):
    """The header's language menu: a button naming the current language and one POST form per
    language (to Django's set_language, back to this page). Written in Python, once a page,
    where a template wrote it with a loop, an include per name and a URL per form."""
    current = get_language()
    language_label = _("Language")  # the template's literal: a trusted translation, unescaped
    action = conditional_escape(reverse("set_language"))
    csrf = CsrfTokenNode().render(context)
    request = context.get("request")
    full_path = conditional_escape(request.get_full_path()) if request is not None else ""
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(str(code))
        code = conditional_escape(info["code"])
        name = LANGUAGE_NAMES.get(info["code"]) or conditional_escape(info["name_local"])
        rtl = ' dir="rtl"' if info["bidi"] else ""
        languages.append((info["code"], code, name, rtl))
    out = ['\n\n<div class="lang-menu" data-disclosure>\n  ']
    for raw, code, name, rtl in languages:
        if raw == current:
            out.append(
                '\n  <button type="button" class="lang-toggle button small secondary" '
                'aria-expanded="false" aria-controls="language-menu" hidden>\n    '
                f'<span class="visually-hidden">{language_label}: </span>'
                f'<span lang="{code}"{rtl}>{name}</span>'
                '<span class="caret" aria-hidden="true"></span>\n  </button>\n  '
            )
    out.append(f'\n  <ul class="lang-list" id="language-menu" aria-label="{language_label}">\n    ')
    for raw, code, name, rtl in languages:
        chosen = ' aria-current="true"' if raw == current else ""
        out.append(
            f'\n    <li>\n      <form action="{action}" method="post">{csrf}\n'
            f'        <input type="hidden" name="next" value="{full_path}">\n'
            f'        <input type="hidden" name="language" value="{code}">\n'
            f'        <button type="submit" lang="{code}"{rtl}{chosen}>{name}</button>\n'
            "      </form>\n    </li>\n    "
        )
    out.append("\n  </ul>\n</div>\n")
    return mark_safe("".join(out))


@register.simple_tag
def filter_fields(form):
    """The filter panel's fields, as includes/filters.html's loop wrote them: each field's label,
    widget and errors in a div (marked when refused). Written in Python, the same HTML."""
    from core.tables import text  # each value as `{{ value }}` writes it

    out = []
    for field in form:
        errors = field.errors
        label_for = text(field.id_for_label)
        out.append(
            f'\n    <div class="field{" has-error" if errors else ""}">\n'
            f'      <label for="{label_for}">{text(field.label)}</label>\n'
            f"      {text(field)}\n      "
        )
        for error in errors:
            out.append(f'<p class="error" id="{label_for}-error">{text(error)}</p>')
        out.append("\n    </div>\n    ")
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def table_headers(context, headers, columns):
    """The table's header cells, as includes/table.html's loop wrote them: each column's label,
    its sort link (the query string with `sort` replaced, paging dropped) and state for screen
    readers; the plain labels when the view gives no headers. The same HTML, in Python."""
    from core.tables import text  # each value as `{{ value }}` writes it

    if not headers:
        return mark_safe(
            "".join(f'<th scope="col">{text(column.label)}</th>' for column in columns) + "\n    "
        )
    request = context["request"]
    query = None
    out = []
    for header in headers:
        direction = header["aria_sort"]
        sort_state = f' aria-sort="{text(direction)}"' if direction else ""
        cell = f'\n    <th scope="col"{sort_state}'
        cell += ' class="num">' if header["numeric"] else ">"
        label = text(header["label"])
        if header["sort_key"]:
            if query is None:
                query = request.GET.copy()
                for key in ("cursor", "page", "export"):
                    query.pop(key, None)
            query["sort"] = header["next_sort"]
            if direction == "ascending":
                state = _("(sorted ascending; select to sort descending)")
            elif direction == "descending":
                state = _("(sorted descending; select to sort ascending)")
            else:
                state = _("(select to sort)")
            cell += (
                f'<a class="sort" href="?{conditional_escape(query.urlencode())}">{label}'
                f'<span class="sort-icon sort-{text(direction or "none")}" aria-hidden="true">'
                f'</span><span class="visually-hidden">{state}</span></a>'
            )
        else:
            cell += label
        out.append(cell + "</th>\n    ")
    return mark_safe("".join(out))


# --- {% url %} of a name without arguments, reversed once ------------------------------------


class NamedURLNode(URLNode):
    """Django's {% url %} (this library's `url` replaces the built-in tag in templates that load
    it): a URL of no arguments -- a tab, the header's links -- is reversed once per name, current
    application, URL configuration, script prefix and language, which are all its value depends
    on, instead of on every page (about 12 us each). Anything else is Django's own."""

    def render(self, context):
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str):
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        key = (
            view_name,
            current_app,
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            get_language(),
        )
        url = _NAMED_URLS.get(key)
        if url is None:
            url = reverse(view_name, current_app=current_app)  # NoReverseMatch as Django's
            if len(_NAMED_URLS) > 5000:
                _NAMED_URLS.clear()
            _NAMED_URLS[key] = url
        return conditional_escape(url) if context.autoescape else url


_NAMED_URLS: dict = {}


@receiver(setting_changed)
def _urls_changed(**kwargs) -> None:
    _NAMED_URLS.clear()
    _STATIC_URLS.clear()


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    node.__class__ = NamedURLNode
    return node


# --- {% translate "literal" %} and {% static "literal" %}, written once -----------------------


class KeptTranslateNode(TranslateNode):
    """Django's {% translate %} (this library's `translate` and `trans` replace i18n's in
    templates that load it after i18n): a literal message, without filters, context or `as`,
    is translated once per language and escaping and kept on the node while the translation
    catalogues are the same ones (Django replaces them when a .mo file or the languages
    change), not on every page (a list page has about 40). Anything else is Django's own."""

    def render(self, context):
        var = self.filter_expression.var
        if (
            self.asvar
            or self.noop
            or self.message_context
            or self.filter_expression.filters
            or not isinstance(var, Variable)
            or not isinstance(var.literal, str)
        ):
            return super().render(context)
        catalogues = trans_real._translations
        kept = self.__dict__.get("_kept")
        if kept is None or kept[0] is not catalogues:
            kept = self._kept = (catalogues, {})
        key = (get_language(), context.autoescape)
        value = kept[1].get(key)
        if value is None:
            value = kept[1][key] = super().render(context)
        return value


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = do_translate(parser, token)
    if type(node) is TranslateNode:
        node.__class__ = KeptTranslateNode
    return node


class KeptStaticNode(StaticNode):
    """Django's {% static %} (this library's `static` replaces the built-in one in templates
    that load it after `static`): a file's URL without `as` is worked out once per path,
    script prefix and escaping (the storage, STATIC_URL and DEBUG are settings: a change of
    settings forgets them), not on every page."""

    def render(self, context):
        if self.varname is not None:
            return super().render(context)
        path = self.path.resolve(context)
        if not isinstance(path, str):
            return super().render(context)
        return static_url(path, context.autoescape)


def static_url(path: str, autoescape: bool = True) -> str:
    """{% static path %} as the template writes it (escaped when `autoescape`), kept."""
    key = (path, autoescape, get_script_prefix())
    url = _STATIC_URLS.get(key)
    if url is None:
        url = StaticNode.handle_simple(path)
        if autoescape:
            url = conditional_escape(url)
        if len(_STATIC_URLS) > 2000:
            _STATIC_URLS.clear()
        _STATIC_URLS[key] = url
    return url


_STATIC_URLS: dict = {}


@register.tag("static")
def static(parser, token):
    node = StaticNode.handle_token(parser, token)
    if type(node) is StaticNode:
        node.__class__ = KeptStaticNode
    return node
