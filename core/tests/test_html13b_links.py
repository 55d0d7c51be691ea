"""Issue 13: a list's row links are written from one reverse() a page when the model's
get_absolute_url is exactly `return reverse(<name>, args=[self.<attr>])` (core.tables._links),
not one reverse() a row. Every other link is asked of get_absolute_url as before; the link
written must be the one get_absolute_url gives, whatever the attribute."""

import pytest
from django.apps import apps
from django.urls import reverse

from core.tables import _link_form, _link_template, _links, _url


class Plain:
    def __init__(self, pk, case_id=None):
        self.pk, self.case_id = pk, case_id

    def get_absolute_url(self):
        return reverse("accountability:decision_detail", args=[self.pk])


class ByCase(Plain):
    def get_absolute_url(self) -> str:
        return reverse("risk:case_detail", args=[self.case_id])


class ByKeyword(Plain):
    def get_absolute_url(self):
        return reverse("accountability:decision_detail", kwargs={"pk": self.pk})


class WithDocstring(Plain):
    def get_absolute_url(self):
        """A docstring is a constant of its own: not the plain form."""
        return reverse("accountability:decision_detail", args=[self.pk])


class WithQuery(Plain):
    def get_absolute_url(self):
        return reverse("accountability:decision_detail", args=[self.pk]) + "?tab=history"


def other_reverse(name, args):
    return f"/elsewhere/{args[0]}/"


class OtherReverse(Plain):
    def get_absolute_url(self):
        return other_reverse("accountability:decision_detail", args=[self.pk])


def test_the_plain_form_is_recognised_and_nothing_else():
    assert _link_form(Plain.get_absolute_url) == ("accountability:decision_detail", "pk")
    assert _link_form(ByCase.get_absolute_url) == ("risk:case_detail", "case_id")
    for kind in (ByKeyword, WithDocstring, WithQuery, OtherReverse):
        assert _link_form(kind.get_absolute_url) is None, kind
        assert _links(kind) is _url


@pytest.mark.parametrize("kind", [Plain, ByCase, ByKeyword, WithDocstring, WithQuery])
def test_a_link_is_what_get_absolute_url_gives(kind):
    link = _links(kind)
    for pk, case_id in ((1, 918_273_645), (918_273_645, 3), (0, 0), (123456789012, 7)):
        row = kind(pk, case_id)
        assert link(row) == row.get_absolute_url()


def test_a_row_of_another_class_or_value_is_asked_as_before():
    link = _links(ByCase)
    assert link(Plain(5, 9)) == "/accountability/decisions/5/"  # its own method
    for odd in (True, "12", -3):
        row = ByCase(1, odd)
        try:
            expected = row.get_absolute_url()
        except Exception as exc:  # noqa: BLE001 - the link must fail alike
            with pytest.raises(type(exc)):
                link(row)
        else:
            assert link(row) == expected


@pytest.mark.django_db
def test_every_model_link_in_the_plain_form_reverses_as_written(settings):
    """Each model whose link takes the fast path: the link written for a number is reverse()'s."""
    checked = 0
    for model in apps.get_models():
        method = getattr(model, "get_absolute_url", None)
        form = _link_form(method) if method else None
        if form is None:
            continue
        name, attribute = form
        link = _links(model)
        assert link is not _url, (model, _link_template(name), method.__globals__.get("reverse"))
        row = model()
        for value in (1, 4321):
            setattr(row, attribute if attribute != "pk" else model._meta.pk.attname, value)
            assert link(row) == reverse(name, args=[value]) == row.get_absolute_url()
        checked += 1
    assert checked >= 30
