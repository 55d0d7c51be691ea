"""The history timeline (templates/includes/history.html) as a reader meets it: a record's
creation lists its fields with their values (one column, no column of dashes for a "before"
that never was); a change shows each field before and after."""

import datetime
import re

import pytest

from accountability.models import Decision

YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


def entries(html: str) -> list[str]:
    section = re.search(r'<section class="history".*?</section>', html, re.S).group(0)
    return re.findall(r"<li>.*?</li>", section, re.S)


@pytest.mark.django_db
def test_a_creation_lists_values_and_a_change_reads_before_and_after(web, manager, units):
    client = web(manager)
    data = {
        "title": "Approve the travel plan",
        "decided_on": YESTERDAY.isoformat(),
        "unit": units["dmspc"].pk,
        "rationale": "",
    }
    assert client.post("/accountability/decisions/new/", data).status_code == 302
    decision = Decision.objects.get()
    edit = {**data, "title": "Approve the revised travel plan", "version": decision.version}
    answer = client.post(f"/accountability/decisions/{decision.pk}/edit/", edit)
    assert answer.status_code == 302

    changed, created = entries(
        client.get(f"/accountability/decisions/{decision.pk}/").content.decode()
    )
    # Newest first: the change, then the creation.
    assert re.findall(r'<th scope="col">([^<]+)</th>', changed) == ["Field", "Before", "After"]
    assert re.search(
        r'data-field="title"><th scope="row">Title</th><td>Approve the travel plan</td>'
        r"<td>Approve the revised travel plan</td>",
        changed,
    )
    assert re.findall(r'<th scope="col">([^<]+)</th>', created) == ["Field", "Value"]
    assert re.search(
        r'data-field="title"><th scope="row">Title</th><td>Approve the travel plan</td></tr>',
        created,
    )
    assert "<td>—</td>" not in created
