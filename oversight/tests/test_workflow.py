import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.models import HistoryEntry
from oversight import services
from oversight.models import Recommendation, RecommendationUpdate
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(units):
    return RecommendationFactory(unit=units["ohr"], report=ReportFactory(body=body("OIOS")))


def move(rec, user, to_status, note="Done.", **kwargs):
    return services.change_status(rec, acting_user=user, status=to_status, note=note, **kwargs)


def test_manager_reports_progress_then_oios_verifies_and_every_step_is_on_the_timeline(
    rec, manager, oios
):
    move(rec, manager, "in_progress", note="Dashboard drafted.")
    evidence = SimpleUploadedFile(
        "completion.pdf", b"%PDF-1.4 report", content_type="application/pdf"
    )
    move(rec, manager, "pending_verification", note="All done.", evidence=[evidence])
    move(rec, oios, "implemented", note="Verified on a sample.")
    rec.refresh_from_db()
    assert rec.status == "implemented"
    assert rec.implemented_on == datetime.date.today()
    steps = list(
        rec.updates.order_by("created_at", "pk").values_list(
            "from_status", "to_status", "author_label"
        )
    )
    assert steps == [
        ("open", "in_progress", "manager"),
        ("in_progress", "pending_verification", "manager"),
        ("pending_verification", "implemented", "oios"),
    ]
    assert rec.updates.get(to_status="pending_verification").evidence.get().name == "completion.pdf"
    statuses = [
        e.changes.get("status")
        for e in HistoryEntry.objects.for_object(rec)
        if "status" in e.changes
    ]
    assert ["pending_verification", "implemented"] in statuses


@pytest.mark.parametrize("closing", ["implemented", "not_implemented", "overtaken"])
def test_a_manager_cannot_close_a_recommendation(rec, manager, closing):
    move(rec, manager, "in_progress")
    with pytest.raises(PermissionDenied):
        move(rec, manager, closing)
    rec.refresh_from_db()
    assert rec.status == "in_progress"
    assert rec.updates.count() == 1


def test_another_body_may_read_but_not_verify(rec, boa):
    assert Recommendation.objects.restrict(boa, "view").filter(pk=rec.pk).exists()
    with pytest.raises(PermissionDenied):
        move(rec, boa, "implemented")
    rec.refresh_from_db()
    assert rec.status == "open"


def test_a_manager_of_another_unit_does_not_see_it(rec, manager2):
    with pytest.raises(Http404):
        move(rec, manager2, "in_progress")


def test_an_oversight_body_does_not_report_management_progress(rec, oios):
    with pytest.raises(PermissionDenied):
        move(rec, oios, "pending_verification")


def test_the_body_sends_it_back_with_a_reason(rec, manager, oios):
    move(rec, manager, "pending_verification", note="Done")
    with pytest.raises(ValidationError) as err:
        move(rec, oios, "in_progress", note="  ")
    assert "note" in err.value.message_dict
    move(rec, oios, "in_progress", note="The evidence does not cover field offices.")
    rec.refresh_from_db()
    assert rec.status == "in_progress"
    assert rec.updates.first().note == "The evidence does not cover field offices."


def test_impossible_moves_are_refused_with_a_field_message(rec, manager, admin_user):
    with pytest.raises(ValidationError) as err:
        move(rec, admin_user, "open")
    assert "status" in err.value.message_dict
    with pytest.raises(ValidationError):
        move(rec, manager, "no_such_status")


def test_not_accepted_keeps_the_reason(rec, manager):
    move(rec, manager, "not_accepted", note="The cost exceeds the benefit.")
    rec.refresh_from_db()
    assert (rec.status, rec.accepted, rec.acceptance_comment) == (
        "not_accepted",
        False,
        "The cost exceeds the benefit.",
    )


def test_an_administrator_may_do_both_sides(rec, admin_user):
    move(rec, admin_user, "pending_verification")
    move(rec, admin_user, "implemented")
    assert RecommendationUpdate.objects.filter(recommendation=rec).count() == 2


def test_evidence_of_a_refused_type_saves_nothing(rec, manager):
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as err:
        move(rec, manager, "in_progress", evidence=[bad])
    assert "evidence" in err.value.message_dict
    rec.refresh_from_db()
    assert rec.status == "open" and not rec.updates.exists()


def test_a_stale_version_is_refused(rec, manager):
    from core.models import StaleVersion

    move(rec, manager, "in_progress")
    rec.version = 1  # the version the caller's edit was based on
    with pytest.raises(StaleVersion):
        move(rec, manager, "pending_verification")
    rec.refresh_from_db()
    assert rec.status == "in_progress" and rec.updates.count() == 1


def test_overdue_is_derived_from_target_date_and_status(units):
    past = RecommendationFactory(unit=units["ohr"], target_date=datetime.date(2020, 1, 1))
    closed = RecommendationFactory(
        unit=units["ohr"], target_date=datetime.date(2020, 1, 1), status="implemented"
    )
    assert past.is_overdue and not closed.is_overdue
    assert list(Recommendation.objects.overdue()) == [past]
