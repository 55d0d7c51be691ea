"""Issue 17: every form opens with an error summary that links to each field with an error, and
aria-describedby names ids that exist on the page (help text and errors)."""

import re

import pytest


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def _described(html: str) -> list[tuple[str, list[str]]]:
    return [
        (tag, ids.split())
        for tag, ids in re.findall(
            r'<(input|select|textarea|fieldset)[^>]*aria-describedby="([^"]+)"', html
        )
    ]


FORMS = [
    "/accountability/decisions/new/",
    "/accountability/commitments/new/",
    "/accountability/delegations/new/",
    "/risk/risks/new/",
]


@pytest.mark.parametrize("url", FORMS)
def test_every_aria_describedby_points_to_an_element_on_the_page(web, admin_user, resolution, url):
    html = web(admin_user).get(url).content.decode()
    described = _described(html)
    assert described, "some field has help text"
    ids = _ids(html)
    for _tag, targets in described:
        for target in targets:
            assert target in ids, target


@pytest.mark.parametrize("url", FORMS)
def test_a_refused_form_opens_with_a_summary_linking_each_field(web, admin_user, resolution, url):
    client = web(admin_user)
    answer = client.post(url, {})
    html = answer.content.decode()
    summary = re.search(
        r"<div class=\"error-summary\"[^>]*data-error-summary>(.*?)</div>", html, re.S
    )
    assert summary, "an error summary"
    opening = re.search(r'<div class="error-summary"([^>]*)>', html).group(1)
    assert 'tabindex="-1"' in opening and 'role="alert"' in opening
    # The summary comes before the first field.
    assert html.index("data-error-summary") < html.index('class="field')
    links = re.findall(r'<a href="#([^"]+)" data-field="\1">', summary.group(1))
    invalid = re.findall(r'aria-invalid="true"[^>]*id="([^"]+)"', html)
    assert links and set(links) == set(invalid)
    ids = _ids(html)
    for target in links:
        assert target in ids
    # Each invalid field is described by its error message.
    for _tag, targets in _described(html):
        for target in targets:
            assert target in ids


def test_the_summary_lists_non_field_errors_too(web, manager, units, resolution):
    from accountability.models import Decision

    client = web(manager)
    decision = Decision.objects.create(
        title="Edited twice",
        unit=units["dmspc"],
        decided_by=manager,
        decided_on=__import__("datetime").date.today(),
    )
    stale = decision.version
    decision.title = "Someone else's edit"
    decision.save()
    answer = client.post(
        f"/accountability/decisions/{decision.pk}/edit/",
        {
            "title": "Mine",
            "decided_on": decision.decided_on.isoformat(),
            "unit": units["dmspc"].pk,
            "version": stale,
        },
    )
    html = answer.content.decode()
    summary = re.search(r"data-error-summary>(.*?)</div>", html, re.S).group(1)
    assert "Someone else changed this record" in summary
