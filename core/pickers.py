"""The JSON behind the combobox pickers (static/js/combobox.js): `/lists/pick/<kind>/?q=`
answers up to 20 `{"value", "label"}` matches among what the caller may see (the model's own
`.restrict(user, "view")`), so a picker never suggests a person, a unit or an instrument the
user could not open. The value is what the field sends (a username, a code, a number, an id)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.utils.text import Truncator

LIMIT = 20


@dataclass(frozen=True)
class PickerKind:
    model: str  # app_label.Model
    search: Callable[[str], Q]
    value: Callable
    label: Callable
    related: tuple = ()
    order: tuple = ("pk",)


def _person_value(person):
    return person.user.username if person.user_id else person.index_number


def _person_label(person):
    account = f" · {person.user.username}" if person.user_id else ""
    return f"{person.name} ({person.index_number}{account})"


def _person_search(text: str) -> Q:
    return (
        Q(name__icontains=text)
        | Q(index_number__istartswith=text)
        | Q(user__username__istartswith=text)
    )


def _paragraph_search(text: str) -> Q:
    match = Q(
        *[(f"text_{k}__icontains", text) for k in "en zh fr es ru ar".split()], _connector=Q.OR
    )
    return Q(number=int(text)) | match if text.isdigit() and len(text) < 5 else match


def _delegation_label(delegation):
    return " · ".join(
        part
        for part in (
            delegation.reference or f"#{delegation.pk}",
            delegation.get_area_display(),
            delegation.delegatee.get_full_name() or delegation.delegatee.username,
        )
        if part
    )


KINDS = {
    "people": PickerKind(
        "org.Person",
        _person_search,
        _person_value,
        _person_label,
        related=("user",),
        order=("name", "pk"),
    ),
    "units": PickerKind(
        "org.OrgUnit",
        lambda t: Q(code__istartswith=t) | Q(name__icontains=t) | Q(name_zh__icontains=t),
        lambda u: u.code,
        lambda u: f"{u.code} – {u.display_name}",
        order=("path",),
    ),
    "paragraphs": PickerKind(
        "org.Paragraph",
        _paragraph_search,
        lambda p: p.number,
        lambda p: f"{p.number}. {Truncator(p.text).chars(80)}",
        order=("number",),
    ),
    "delegations": PickerKind(
        "accountability.Delegation",
        lambda t: Q(reference__icontains=t) | Q(scope__icontains=t),
        lambda d: d.pk,
        _delegation_label,
        related=("delegatee",),
        order=("-valid_from", "-pk"),
    ),
}


@login_required
def picker(request, kind: str):
    found = KINDS.get(kind)
    if found is None:
        raise Http404
    model = apps.get_model(found.model)
    text = request.GET.get("q", "").strip()[:100]
    rows = model.objects.restrict(request.user, "view")
    if text:
        rows = rows.filter(found.search(text))
    if found.related:
        rows = rows.select_related(*found.related)
    rows = rows.order_by(*found.order)[:LIMIT]
    return JsonResponse(
        {"results": [{"value": found.value(r), "label": str(found.label(r))} for r in rows]}
    )
