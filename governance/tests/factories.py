import datetime

import factory

from governance.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)
from org.models import Paragraph


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParagraphAssessment

    paragraph = factory.LazyFunction(lambda: Paragraph.objects.get(number=12))
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 12, 31)
    status = "in_progress"
    justification = "Meetings held; minutes not yet published."


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMeeting

    held_on = datetime.date(2025, 2, 12)
    agenda = "Oversight recommendations past due."


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeDecision

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Report a plan for each critical recommendation."


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    decision = factory.SubFactory(DecisionFactory)
    title = factory.Sequence(lambda n: f"Follow-up {n}")
    assigned_on = datetime.date(2025, 2, 12)
    due_on = datetime.date(2025, 6, 30)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    held_on = datetime.date(2025, 3, 20)
    subject = factory.Sequence(lambda n: f"Consultation {n}")


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    source_organisation = "UNDP"
    title = factory.Sequence(lambda n: f"Lesson {n}")
    learned_on = datetime.date(2025, 3, 1)


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    symbol = factory.Sequence(lambda n: f"A/RES/79/{n}")
    body = "GA"
    adopted_on = datetime.date(2024, 12, 1)
    title = "A mandate"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    system = "umoja"
    title = factory.Sequence(lambda n: f"Milestone {n}")
    planned_on = datetime.date(2025, 6, 30)
