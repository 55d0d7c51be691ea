"""The permission table over the HTML pages of the main models: a list shows (links to) exactly
the world records the persona may see; a detail page answers 200 or 404; an edit page 200, 403
(visible, not theirs to change) or 404. The rules are the API rows' (table.py): pages and API go
through the same permission engine."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.permissions.table import ROW_BY_NAME, Row
from tests.permissions.world import PERSONAS, Ref, World, world  # noqa: F401

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class PageRow:
    resource: str  # the API row whose rules apply
    list_name: str
    detail_name: str
    edit_name: str | None = None

    @property
    def row(self) -> Row:
        return ROW_BY_NAME[self.resource]

    def args(self, w: World, key: str) -> list:
        obj = w.records[self.resource][key]
        return [getattr(obj, self.row.lookup)]


PAGES = [
    PageRow("people", "accountability:person_list", "accountability:person_detail"),
    PageRow(
        "delegations",
        "accountability:delegation_list",
        "accountability:delegation_detail",
        "accountability:delegation_update",
    ),
    PageRow(
        "decisions",
        "accountability:decision_list",
        "accountability:decision_detail",
        "accountability:decision_update",
    ),
    PageRow(
        "commitments",
        "accountability:commitment_list",
        "accountability:commitment_detail",
        "accountability:commitment_update",
    ),
    PageRow(
        "oversight-reports",
        "oversight:report_list",
        "oversight:report_detail",
        "oversight:report_update",
    ),
    PageRow(
        "recommendations",
        "oversight:recommendation_list",
        "oversight:recommendation_detail",
        "oversight:recommendation_update",
    ),
    PageRow(
        "compacts",
        "performance:compact_list",
        "performance:compact_detail",
        "performance:compact_edit",
    ),
    PageRow(
        "appraisals",
        "performance:appraisal_list",
        "performance:appraisal_detail",
        "performance:appraisal_edit",
    ),
    PageRow(
        "indicators",
        "performance:indicator_list",
        "performance:indicator_detail",
        "performance:indicator_edit",
    ),
    PageRow("risks", "risk:risk_list", "risk:risk_detail", "risk:risk_update"),
    PageRow("controls", "risk:control_list", "risk:control_detail", "risk:control_update"),
    PageRow("procurement-cases", "risk:case_list", "risk:case_detail", "risk:case_update"),
    PageRow("recovery-cases", "risk:recovery_list", "risk:recovery_detail", "risk:recovery_update"),
    PageRow(
        "course-completions",
        "performance:completion_list",
        "performance:completion_detail",
        "performance:completion_edit",
    ),
    PageRow(
        "disciplinary-cases",
        "performance:discipline_list",
        "performance:discipline_detail",
        "performance:discipline_edit",
    ),
    PageRow(
        "recognitions",
        "performance:recognition_list",
        "performance:recognition_detail",
        "performance:recognition_edit",
    ),
    PageRow(
        "budget-performance",
        "performance:budget_list",
        "performance:budget_detail",
        "performance:budget_edit",
    ),
    PageRow(
        "control-statements",
        "risk:statement_list",
        "risk:statement_detail",
        "risk:statement_update",
    ),
    PageRow(
        "critical-risks",
        "risk:critical_risk_list",
        "risk:critical_risk_detail",
        "risk:critical_risk_update",
    ),
    PageRow(
        "vendor-sanctions", "risk:sanction_list", "risk:sanction_detail", "risk:sanction_update"
    ),
    PageRow(
        "paragraph-assessments",
        "governance:assessment_list",
        "governance:assessment_detail",
        "governance:assessment_update",
    ),
    PageRow(
        "follow-ups",
        "governance:followup_list",
        "governance:followup_detail",
        "governance:followup_update",
    ),
    PageRow(
        "consultations",
        "governance:consultation_list",
        "governance:consultation_detail",
        "governance:consultation_update",
    ),
    PageRow(
        "lessons", "governance:lesson_list", "governance:lesson_detail", "governance:lesson_update"
    ),
    PageRow("reports", "reports:index", "reports:run_detail"),
]
PAGE_BY_NAME = {page.resource: page for page in PAGES}


def _web(w: World, persona: str) -> Client:
    client = Client()
    user = w.user(persona)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _params(with_edit: bool = False):
    return [
        pytest.param(page.resource, key, persona, id=f"{page.resource}-{key}-{persona}")
        for page in PAGES
        if page.edit_name or not with_edit
        for key in page.row.keys
        for persona in PERSONAS
    ]


@pytest.mark.parametrize(
    ("resource", "persona"),
    [
        pytest.param(page.resource, persona, id=f"{page.resource}-{persona}")
        for page in PAGES
        for persona in PERSONAS
    ],
)
def test_list_page_shows_only_visible_records(world, resource, persona):  # noqa: F811
    page = PAGE_BY_NAME[resource]
    response = _web(world, persona).get(reverse(page.list_name))
    if persona == "anon":
        assert _is_login_redirect(response), response.status_code
        return
    visible = {key for key in world.all(resource) if page.row.view(persona, Ref.of(key))}
    if not visible and response.status_code == 403:
        return  # a page the persona may not open at all shows nothing either
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    missing, leaked = [], []
    for key in world.all(resource):
        href = f'href="{reverse(page.detail_name, args=page.args(world, key))}"'
        if key in visible and href not in html:
            missing.append(key)
        if key not in visible and href in html:
            leaked.append(key)
    assert not missing and not leaked, f"as {persona}: missing {missing}, leaked {leaked}"


@pytest.mark.parametrize(("resource", "key", "persona"), _params())
def test_detail_page(world, resource, key, persona):  # noqa: F811
    page = PAGE_BY_NAME[resource]
    response = _web(world, persona).get(reverse(page.detail_name, args=page.args(world, key)))
    if persona == "anon":
        assert _is_login_redirect(response), response.status_code
        return
    expected = 200 if page.row.view(persona, Ref.of(key)) else 404
    assert response.status_code == expected, f"expected {expected}, got {response.status_code}"


@pytest.mark.parametrize(("resource", "key", "persona"), _params(with_edit=True))
def test_edit_page(world, resource, key, persona):  # noqa: F811
    page = PAGE_BY_NAME[resource]
    response = _web(world, persona).get(reverse(page.edit_name, args=page.args(world, key)))
    if persona == "anon":
        assert _is_login_redirect(response), response.status_code
        return
    ref = Ref.of(key)
    if page.row.change(persona, ref):
        expected = 200
    else:
        expected = 403 if page.row.view(persona, ref) else 404
    assert response.status_code == expected, f"expected {expected}, got {response.status_code}"
