"""Deleting a draft assessment: the office that owns it or an administrator, a draft only, with
its evidence, on the page and through the API; the history keeps what was deleted."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.actions import SYSTEM
from core.models import HistoryEntry
from governance import services
from governance.models import AssessmentEvidence, ParagraphAssessment
from governance.tests.factories import AssessmentFactory
from org.models import Paragraph

pytestmark = pytest.mark.django_db


def _draft(units, code="ohr", number=12):
    assessment = services.save_assessment(
        ParagraphAssessment(
            paragraph=Paragraph.objects.get(number=number),
            unit=units[code],
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            status="in_progress",
            justification="Three meetings held.",
        ),
        acting_user=SYSTEM,
    )
    return assessment


def _history(pk, model="paragraphassessment"):
    return list(
        HistoryEntry.objects.filter(
            object_type=f"governance.{model}", object_id=str(pk), action=HistoryEntry.Action.DELETE
        )
    )


def test_the_office_deletes_its_draft_with_its_evidence(resolution, units, manager):
    assessment = _draft(units)
    document = services.add_evidence(
        assessment,
        acting_user=manager,
        upload=SimpleUploadedFile("minutes.txt", b"Minutes of the meeting.\n"),
    )
    stored_name = document.file.name
    storage = document.file.storage
    assert storage.exists(stored_name)
    pk = assessment.pk
    services.delete_assessment(assessment, acting_user=manager)
    assert not ParagraphAssessment.objects.filter(pk=pk).exists()
    assert not AssessmentEvidence.objects.filter(pk=document.pk).exists()
    entries = _history(pk)
    assert len(entries) == 1 and entries[0].user_id == manager.pk
    assert len(_history(document.pk, "assessmentevidence")) == 1


def test_a_submitted_or_returned_assessment_is_never_deleted(
    resolution, units, manager, admin_user
):
    assessment = _draft(units)
    services.submit_assessment(assessment, acting_user=manager)
    with pytest.raises(ValidationError):
        services.delete_assessment(assessment, acting_user=manager)
    with pytest.raises(ValidationError):
        services.delete_assessment(assessment, acting_user=admin_user)
    services.review_assessment(
        assessment, acting_user=admin_user, outcome="return", comment="Add the minutes."
    )
    with pytest.raises(ValidationError):
        services.delete_assessment(assessment, acting_user=manager)
    assert ParagraphAssessment.objects.filter(pk=assessment.pk).exists()
    assert _history(assessment.pk) == []


def test_only_the_owning_office_or_an_administrator_deletes(
    resolution, units, manager, manager2, gastaff, admin_user
):
    theirs = _draft(units)  # DMSPC-OHR: under manager's DMSPC, not manager2's DOS
    with pytest.raises((PermissionDenied, Http404)):
        services.delete_assessment(theirs, acting_user=manager2)
    with pytest.raises((PermissionDenied, Http404)):
        services.delete_assessment(theirs, acting_user=gastaff)
    assert ParagraphAssessment.objects.filter(pk=theirs.pk).exists()
    services.delete_assessment(theirs, acting_user=admin_user)
    assert not ParagraphAssessment.objects.filter(pk=theirs.pk).exists()


def test_delete_through_the_api(resolution, units, api, manager, manager2):
    draft = _draft(units)
    url = f"/api/governance/assessments/{draft.pk}/"
    # Another office's draft is not theirs to read: answered as if it did not exist.
    assert api(manager2).delete(url).status_code == 404
    assert api(manager).delete(url).status_code == 204
    assert api(manager).get(url).status_code == 404

    submitted = _draft(units, number=5)
    services.submit_assessment(submitted, acting_user=manager)
    answer = api(manager).delete(f"/api/governance/assessments/{submitted.pk}/")
    assert answer.status_code == 400
    assert "state" in answer.json()
    assert ParagraphAssessment.objects.filter(pk=submitted.pk).exists()


def test_delete_on_the_page(resolution, units, web, manager, manager2):
    draft = _draft(units)
    detail = f"/governance/assessments/{draft.pk}/"
    url = f"/governance/assessments/{draft.pk}/delete/"
    client = web(manager2)
    assert client.get(detail).status_code == 404
    assert client.get(url).status_code == 404
    client = web(manager)
    assert url in client.get(detail).content.decode()
    # Not confirmed: nothing deleted, the form says why.
    assert client.post(url, {"version": draft.version}).status_code == 200
    assert ParagraphAssessment.objects.filter(pk=draft.pk).exists()
    answer = client.post(url, {"version": draft.version, "confirm": "on"})
    assert answer.status_code == 302 and answer["Location"] == "/governance/assessments/"
    assert not ParagraphAssessment.objects.filter(pk=draft.pk).exists()

    submitted = AssessmentFactory(unit=units["ohr"], state="submitted")
    page = client.get(f"/governance/assessments/{submitted.pk}/").content.decode()
    assert f"/governance/assessments/{submitted.pk}/delete/" not in page
    answer = client.post(
        f"/governance/assessments/{submitted.pk}/delete/",
        {"version": submitted.version, "confirm": "on"},
    )
    assert answer.status_code == 200
    assert "Only a draft assessment is deleted" in answer.content.decode()
    assert ParagraphAssessment.objects.filter(pk=submitted.pk).exists()
