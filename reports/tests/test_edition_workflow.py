"""Editions of the Secretary-General's report (issue 16): figure references, the drafting
workflow and its rules, issue and immutability. PostgreSQL, the apps' stand-in figures
(standard_metrics: BOA 1 implemented of 4, 25.0 per cent; OIOS 2 of 2, 100.0 per cent) for the
workflow, the real world (world.py) for the references."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404

from reports import editions, figure_refs
from reports.models import (
    EditionImmutable,
    EditionSection,
    EditionState,
    ReportAuthor,
    ReportEdition,
    SectionComment,
)

pytestmark = pytest.mark.django_db
PERIOD = {"period_start": datetime.date(2024, 1, 1), "period_end": datetime.date(2025, 12, 31)}


# --- Figure references against the real world (hand counts in world.py) -----------------------


def test_references_fill_the_real_figures_in_each_language(real_snapshots):
    en, zh = real_snapshots["en"], real_snapshots["zh-hans"]
    text = (
        "OIOS: {{ C.by_body.OIOS.implemented }} of {{ C.by_body.OIOS.total }} implemented "
        "({{ C.by_body.OIOS.implementation_rate }}), BOA {{C.by_body.BOA.total}}; "
        "period ending {{ period.end }}."
    )
    # OIOS o1-o4, o2 implemented: 1 of 4, 25.0; BOA b1-b5.
    assert figure_refs.fill(text, en) == (
        "OIOS: 1 of 4 implemented (25.0 per cent), BOA 5; period ending 31 December 2025."
    )
    assert figure_refs.fill(text, zh) == (
        "OIOS: 1 of 4 implemented (25.0%), BOA 5; period ending 2025年12月31日."
    )
    assert figure_refs.problems(text, en) == []


def test_unknown_references_are_reported_and_left_as_written(real_snapshots):
    en = real_snapshots["en"]
    text = (
        "{{ C.by_body.XYZ.total }} {{ Z.total }} {{ C.by_body }} {{ C.by_body.OIOS.total; x }} "
        "{{ C.critical_past_due.0.days_past_due }} {{ C.critical_past_due.9.days_past_due }}"
    )
    problems = figure_refs.problems(text, en)
    assert len(problems) == 5
    assert "“XYZ”" in problems[0] and "C.by_body" in problems[0]
    assert "“Z”" in problems[1]
    assert "table" in problems[2]
    assert "not a figure reference" in problems[3]
    assert "“9”" in problems[4]
    filled = figure_refs.fill(text, en)
    assert "{{ C.by_body.XYZ.total }}" in filled and "{{ Z.total }}" in filled
    # o1 is 184 days past due, the first of the list (world.py).
    days = [i["days_past_due"] for i in en["sections"][2]["metrics"]["critical_past_due"]]
    assert str(days[0]) in filled


# --- The workflow -------------------------------------------------------------------------------


@pytest.fixture
def drafting(resolution, standard_metrics, admin_user, manager, django_capture_on_commit_callbacks):
    """An edition in English and Chinese created by `manager`, a designated report author, with
    its figures compiled (the job runs eagerly)."""
    editions.designate_author(ReportAuthor(user=manager), acting_user=admin_user)

    def make(user=manager, **fields):
        values = {
            "session": 80,
            "agenda_item": "136",
            "agenda_item_title_en": "Review of the efficiency of the administrative and "
            "financial functioning of the United Nations",
            "agenda_item_title_zh": "审查联合国行政和财务业务的效率",
            "symbol": "A/80/642",
            "languages": ["zh-hans", "en"],
            **PERIOD,
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            edition = editions.create_edition(ReportEdition(**values), acting_user=user)
        edition.refresh_from_db()
        return edition

    return make


def _write(edition, user, key, language, text):
    section = EditionSection.objects.get(edition=edition, key=key, language=language)
    return editions.save_section(section, acting_user=user, text=text)


def test_the_whole_workflow_issues_files_that_never_change(
    drafting, manager, admin_user, django_capture_on_commit_callbacks
):
    edition = drafting()
    assert edition.languages == ["zh-hans", "en"]  # the UN's order of its languages, each once
    assert set(edition.snapshots) == {"en", "zh-hans"} and edition.job_status == ""
    keys = {(s.key, s.language) for s in edition.sections.all()}
    # Summary, introduction, general provisions, A-K and R, action requested: 16 in each.
    assert len(keys) == 32 and ("C", "zh-hans") in keys and ("action_requested", "en") in keys
    _write(edition, manager, "C", "en", "BOA implemented {{ C.by_body.BOA.implementation_rate }}.")
    _write(
        edition,
        manager,
        "C",
        "zh-hans",
        "审计委员会建议执行率为{{ C.by_body.BOA.implementation_rate }}。",
    )
    _write(edition, manager, "summary", "en", "OIOS: {{ C.by_body.OIOS.implemented }} implemented.")
    edition = editions.submit_edition(edition, acting_user=manager)
    assert edition.state == EditionState.IN_REVIEW and edition.submitted_by == manager

    # The author reviews but does not approve; the reviewer's comment blocks approval until
    # resolved.
    with pytest.raises(PermissionDenied):
        editions.approve_edition(edition, acting_user=manager)
    comment = editions.add_comment(
        SectionComment(edition=edition, section_key="C", language="en", text="Cite A/64/640."),
        acting_user=admin_user,
    )
    with pytest.raises(ValidationError) as refused:
        editions.approve_edition(edition, acting_user=admin_user)
    assert "1 comments are not resolved." in refused.value.messages
    editions.resolve_comment(comment, acting_user=manager)
    edition = editions.approve_edition(edition, acting_user=admin_user)
    assert edition.state == EditionState.APPROVED

    with django_capture_on_commit_callbacks(execute=True):
        editions.issue_edition(edition, acting_user=admin_user)
    edition.refresh_from_db()
    assert edition.state == EditionState.ISSUED, edition.job_error
    files = {(f.language, f.format): f for f in edition.files.all()}
    assert set(files) == {
        (language, fmt)
        for language in ("en", "zh-hans")
        for fmt in ("json", "html", "pdf", "docx", "xlsx")
    }
    for file in files.values():
        with default_storage.open(file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == file.sha256
    with default_storage.open(files[("en", "html")].name, "rb") as handle:
        html = handle.read().decode()
    assert "BOA implemented 25.0 per cent." in html and "A/80/642" in html
    with default_storage.open(files[("zh-hans", "html")].name, "rb") as handle:
        assert "审计委员会建议执行率为25.0%" in handle.read().decode()

    # Issued: every change refused with the reason, and the model refuses too.
    with pytest.raises(ValidationError, match="issued"):
        _write(edition, manager, "C", "en", "Changed.")
    with pytest.raises(ValidationError, match="issued"):
        editions.reopen_edition(edition, acting_user=admin_user)
    with pytest.raises(ValidationError, match="issued"):
        editions.add_comment(
            SectionComment(edition=edition, section_key="C", text="Late."), acting_user=admin_user
        )
    section = EditionSection.objects.get(edition=edition, key="C", language="en")
    section.text = "Rewritten"
    with pytest.raises(EditionImmutable):
        section.save()
    with pytest.raises(EditionImmutable):
        edition.save()
    assert EditionSection.objects.get(pk=section.pk).text.startswith("BOA implemented")


def test_an_unknown_reference_blocks_approval(drafting, manager, admin_user):
    edition = drafting()
    _write(edition, manager, "D", "zh-hans", "{{ D.no_such_figure }}")
    edition = editions.submit_edition(edition, acting_user=manager)
    with pytest.raises(ValidationError) as refused:
        editions.approve_edition(edition, acting_user=admin_user)
    assert "1 figure references name no figure of the snapshot." in refused.value.messages
    assert editions.text_problems(edition)[0][:2] == ("D", "zh-hans")
    # Back to draft, corrected, approved.
    edition = editions.reopen_edition(edition, acting_user=manager)
    _write(edition, manager, "D", "zh-hans", "{{ D.appraisal_compliance_rate }}")
    edition = editions.submit_edition(edition, acting_user=manager)
    assert editions.approve_edition(edition, acting_user=admin_user).state == EditionState.APPROVED


def test_the_administrator_who_submitted_does_not_approve(drafting, admin_user, units):
    from org.choices import RoleKind
    from org.tests.factories import UserWithRoleFactory

    edition = drafting(user=admin_user)
    edition = editions.submit_edition(edition, acting_user=admin_user)
    with pytest.raises(ValidationError, match="another administrator"):
        editions.approve_edition(edition, acting_user=admin_user)
    other = UserWithRoleFactory(username="admin2", role_kind=RoleKind.ADMINISTRATOR)
    assert editions.approve_edition(edition, acting_user=other).approved_by == other


def test_text_is_written_in_draft_only_and_stale_edits_are_refused(drafting, manager, admin_user):
    from core.models import StaleVersion

    edition = drafting()
    section = _write(edition, manager, "A", "en", "First.")
    with pytest.raises(StaleVersion):
        editions.save_section(section, acting_user=admin_user, text="Second.", version=1)
    editions.submit_edition(edition, acting_user=manager)
    with pytest.raises(ValidationError, match="draft"):
        _write(edition, manager, "A", "en", "Third.")
    assert EditionSection.objects.get(pk=section.pk).text == "First."


def test_who_sees_and_who_drafts(drafting, manager, manager2, gastaff, oios, admin_user):
    edition = drafting()
    for reader in (manager2, gastaff, oios):
        assert not ReportEdition.objects.restrict(reader, "view").filter(pk=edition.pk).exists()
        with pytest.raises(Http404):
            editions.submit_edition(edition, acting_user=reader)
        with pytest.raises(PermissionDenied):
            editions.create_edition(
                ReportEdition(symbol="A/80/700", session=80, agenda_item="1", **PERIOD),
                acting_user=reader,
            )
    assert ReportEdition.objects.restrict(manager, "view").filter(pk=edition.pk).exists()
    # A designation withdrawn takes the right away.
    editions.withdraw_author(ReportAuthor.objects.get(user=manager), acting_user=admin_user)
    assert not ReportEdition.objects.restrict(manager, "view").filter(pk=edition.pk).exists()
    with pytest.raises(PermissionDenied):
        editions.designate_author(ReportAuthor(user=manager2), acting_user=gastaff)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"symbol": "A/81/R.2"}, "symbol", "A/81/123"),
        ({"symbol": "A/79/12"}, "symbol", "session 79"),
        ({"agenda_item": "one hundred"}, "agenda_item", "number"),
        ({"agenda_item_title_zh": ""}, "agenda_item_title_zh", "Chinese"),
        ({"languages": ["de"]}, "languages", "ar, zh-hans, en, fr, ru, es"),
        (
            {"period_end": datetime.date.today() + datetime.timedelta(days=1)},
            "period_end",
            "future",
        ),
        ({"period_end": datetime.date(2023, 1, 1)}, "period_end", "before it starts"),
        ({"structure": "chapters"}, "structure", "six components"),
    ],
)
def test_bad_document_data_is_refused_and_nothing_saved(drafting, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        drafting(**fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ReportEdition.objects.exists()


def test_the_symbol_is_unique(drafting):
    drafting()
    with pytest.raises(ValidationError, match="Another edition"):
        drafting()
    assert ReportEdition.objects.count() == 1
