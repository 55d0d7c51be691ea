"""The rules of the governance actions: the assessment workflow and its evidence, dated
follow-up statuses, who may record a consultation, the overdue reminders."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from core.actions import SYSTEM
from core.models import HistoryEntry
from governance import services
from governance.models import FollowUpAction, ParagraphAssessment
from governance.tests.factories import (
    AssessmentFactory,
    ConsultationFactory,
    FollowUpFactory,
)
from org.models import Paragraph
from oversight.models import OversightBody

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def bodies(units):
    return {
        code: OversightBody.objects.get_or_create(code=code, defaults={"name": code})[0]
        for code in ("OIOS", "BOA")
    }


def test_assessment_workflow_draft_submit_return_resubmit_accept(
    resolution, units, manager, admin_user
):
    assessment = services.save_assessment(
        ParagraphAssessment(
            paragraph=Paragraph.objects.get(number=12),
            unit=units["ohr"],
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            status="in_progress",
            justification="Three meetings held.",
        ),
        acting_user=manager,
    )
    assert assessment.state == "draft"
    services.submit_assessment(assessment, acting_user=manager)
    assessment.refresh_from_db()
    assert (assessment.state, assessment.submitted_on) == ("submitted", TODAY)

    # Submitted: the office can no longer change it, and a manager never reviews.
    assessment.justification = "Changed after submission."
    with pytest.raises(ValidationError):
        services.save_assessment(assessment, acting_user=manager)
    assessment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.review_assessment(assessment, acting_user=manager, outcome="accept")

    with pytest.raises(ValidationError) as refused:
        services.review_assessment(assessment, acting_user=admin_user, outcome="return")
    assert "comment" in refused.value.message_dict
    services.review_assessment(
        assessment, acting_user=admin_user, outcome="return", comment="Cite the minutes."
    )
    assessment.refresh_from_db()
    assert (assessment.state, assessment.accepted_on) == ("returned", None)

    assessment.justification = "Three meetings held; minutes cited."
    services.save_assessment(assessment, acting_user=manager)
    services.submit_assessment(assessment, acting_user=manager)
    services.review_assessment(assessment, acting_user=admin_user, outcome="accept")
    assessment.refresh_from_db()
    assert (assessment.state, assessment.accepted_on, assessment.reviewed_by) == (
        "accepted",
        TODAY,
        admin_user,
    )
    actions = list(
        HistoryEntry.objects.for_object(assessment).order_by("seq").values_list("actor", flat=True)
    )
    assert actions[0] == "user:manager" and actions[-1] == "user:admin"


def test_an_assessment_is_recorded_only_for_the_managers_own_units(resolution, units, manager):
    with pytest.raises(PermissionDenied):
        services.save_assessment(
            ParagraphAssessment(
                paragraph=Paragraph.objects.get(number=12),
                unit=units["pd"],
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                status="implemented",
                justification="Not mine.",
            ),
            acting_user=manager,
        )
    assert ParagraphAssessment.objects.count() == 0


def test_one_assessment_per_paragraph_and_period_and_a_justification(resolution, units, manager):
    AssessmentFactory(unit=units["ohr"])
    with pytest.raises(ValidationError) as refused:
        services.save_assessment(
            ParagraphAssessment(
                paragraph=Paragraph.objects.get(number=12),
                unit=units["dmspc"],
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                status="implemented",
                justification="",
            ),
            acting_user=manager,
        )
    assert {"period_start", "justification"} <= set(refused.value.message_dict)


def test_backdated_submission_and_review_are_bounded(resolution, units, admin_user):
    assessment = AssessmentFactory(unit=units["ohr"])
    with pytest.raises(ValidationError):
        services.submit_assessment(
            assessment, acting_user=admin_user, submitted_on=datetime.date(2024, 12, 31)
        )
    services.submit_assessment(
        assessment, acting_user=admin_user, submitted_on=datetime.date(2026, 1, 20)
    )
    with pytest.raises(ValidationError) as refused:
        services.review_assessment(
            assessment,
            acting_user=admin_user,
            outcome="accept",
            reviewed_on=datetime.date(2026, 1, 19),
        )
    assert "reviewed_on" in refused.value.message_dict
    services.review_assessment(
        assessment, acting_user=admin_user, outcome="accept", reviewed_on=datetime.date(2026, 2, 16)
    )
    assessment.refresh_from_db()
    assert assessment.accepted_on == datetime.date(2026, 2, 16)


def test_evidence_links_only_records_the_office_may_read(resolution, units, manager, manager2):
    from risk.tests.factories import RiskFactory

    own = RiskFactory(unit=units["ohr"], title="Recruitment delays")
    other = RiskFactory(unit=units["pd"], title="Vendor collusion")
    assessment = AssessmentFactory(unit=units["ohr"])

    evidence = services.add_evidence(
        assessment, acting_user=manager, reference=f"risk.risk:{own.pk}", note="Register entry"
    )
    # Stored by reference only; its name is read per reader (governance.evidence).
    assert (evidence.reference, evidence.name) == (f"risk.risk:{own.pk}", f"risk.risk:{own.pk}")

    # Another department's record and a record that does not exist are refused alike, and the
    # refusal names neither.
    messages = []
    for reference in (f"risk.risk:{other.pk}", "risk.risk:999999"):
        with pytest.raises(ValidationError) as refused:
            services.add_evidence(assessment, acting_user=manager, reference=reference)
        messages.append(refused.value.message_dict["reference"])
    assert messages[0] == messages[1]
    assert "Vendor collusion" not in str(messages)
    for bad in ("risk:1", "auth.user:1", "reports.reportrun:1"):
        with pytest.raises(ValidationError):
            services.add_evidence(assessment, acting_user=manager, reference=bad)
    # DOS's manager neither reads another office's draft nor files anything with it.
    with pytest.raises((PermissionDenied, Http404)):
        services.add_evidence(assessment, acting_user=manager2, reference=f"risk.risk:{other.pk}")
    assert assessment.evidence.count() == 1


def test_evidence_documents_are_checked_by_content(resolution, units, manager, web, outsider):
    assessment = AssessmentFactory(unit=units["ohr"])
    with pytest.raises(ValidationError):
        services.add_evidence(
            assessment,
            acting_user=manager,
            upload=SimpleUploadedFile("run.exe", b"MZ\x90\x00binary"),
        )
    evidence = services.add_evidence(
        assessment,
        acting_user=manager,
        upload=SimpleUploadedFile("minutes.txt", b"Minutes of 12 February 2025"),
    )
    url = f"/governance/assessments/{assessment.pk}/evidence/{evidence.pk}/"
    response = web(manager).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Minutes of 12 February 2025"
    assert web(outsider).get(url).status_code == 404


def test_follow_up_status_changes_are_dated_and_checked(units, manager, manager2):
    follow_up = FollowUpFactory(unit=units["ohr"])
    errors = {}
    for status, changed_on, note in [
        ("done", TODAY + datetime.timedelta(days=1), ""),
        ("done", datetime.date(2025, 2, 1), ""),
        ("dropped", datetime.date(2025, 3, 1), ""),
        ("open", datetime.date(2025, 3, 1), ""),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.change_follow_up_status(
                follow_up, acting_user=manager, status=status, changed_on=changed_on, note=note
            )
        errors[status, changed_on] = set(refused.value.message_dict)
    assert list(errors.values()) == [{"changed_on"}, {"changed_on"}, {"note"}, {"status"}]

    with pytest.raises(PermissionDenied):  # DOS's manager reads it but does not own it
        services.change_follow_up_status(follow_up, acting_user=manager2, status="done")
    services.change_follow_up_status(
        follow_up, acting_user=manager, status="done", changed_on=datetime.date(2025, 4, 22)
    )
    with pytest.raises(ValidationError):  # before the previous change
        services.change_follow_up_status(
            follow_up, acting_user=manager, status="open", changed_on=datetime.date(2025, 4, 1)
        )
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.status_on) == ("done", datetime.date(2025, 4, 22))
    assert list(follow_up.transitions.values_list("from_status", "to_status", "actor")) == [
        ("open", "done", "user:manager")
    ]


def test_a_body_records_only_its_own_consultations(units, bodies, oios, boa, manager):
    from governance.models import Consultation

    made = services.save_consultation(
        Consultation(body=bodies["OIOS"], held_on=datetime.date(2025, 3, 20), subject="Work plan"),
        acting_user=oios,
    )
    for user in (boa, manager):
        with pytest.raises(PermissionDenied):
            services.save_consultation(
                Consultation(body=bodies["OIOS"], held_on=datetime.date(2025, 3, 21), subject="X"),
                acting_user=user,
            )
        made.outcome = "Changed by someone else."
        with pytest.raises(PermissionDenied):
            services.save_consultation(made, acting_user=user)
    assert Consultation.objects.count() == 1
    with pytest.raises(ValidationError):  # not held yet
        services.save_consultation(
            Consultation(
                body=bodies["OIOS"], held_on=TODAY + datetime.timedelta(days=3), subject="Later"
            ),
            acting_user=oios,
        )


def test_overdue_follow_ups_remind_the_owner_units_managers_once_a_week(
    units, manager, manager2, settings
):
    manager.email, manager2.email = "maria@un.org", "omar@un.org"
    manager.save()
    manager2.save()
    overdue_dmspc = FollowUpFactory(unit=units["dmspc"], due_on=TODAY - datetime.timedelta(days=3))
    FollowUpFactory(unit=units["dmspc"], due_on=TODAY + datetime.timedelta(days=3))  # not yet due
    done = FollowUpFactory(unit=units["dos"], due_on=TODAY - datetime.timedelta(days=10))
    services.change_follow_up_status(done, acting_user=SYSTEM, status="done")
    # DOS-PD has no manager of its own: DOS's manager, the nearest above it, is reminded.
    overdue_dos = FollowUpFactory(unit=units["pd"], due_on=TODAY - datetime.timedelta(days=1))

    assert services.send_follow_up_reminders() == {"units": 2, "actions": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["maria@un.org", "omar@un.org"]
    body = {m.to[0]: m.body for m in mail.outbox}
    assert overdue_dmspc.title in body["maria@un.org"]
    assert overdue_dos.title not in body["maria@un.org"]
    assert services.send_follow_up_reminders() == {"units": 0, "actions": 0}
    assert len(mail.outbox) == 2
    assert FollowUpAction.objects.get(pk=overdue_dmspc.pk).reminded_on == TODAY
    # A week on, both are reminded again, with the one that has fallen due meanwhile.
    later = TODAY + datetime.timedelta(days=7)
    assert services.send_follow_up_reminders(later) == {"units": 2, "actions": 3}


def test_the_overdue_rule_in_python_and_sql_agree(units):
    rows = [
        FollowUpFactory(unit=units["ohr"], due_on=TODAY - datetime.timedelta(days=1)),
        FollowUpFactory(unit=units["ohr"], due_on=TODAY),
        FollowUpFactory(unit=units["ohr"], due_on=TODAY - datetime.timedelta(days=5)),
    ]
    services.change_follow_up_status(rows[2], acting_user=SYSTEM, status="done")
    in_sql = set(FollowUpAction.objects.overdue().values_list("pk", flat=True))
    in_python = {f.pk for f in FollowUpAction.objects.all() if f.is_overdue}
    assert in_sql == in_python == {rows[0].pk}


def test_consultation_factory_is_usable(bodies):
    assert ConsultationFactory(body=bodies["BOA"]).body.code == "BOA"
