import datetime
from decimal import Decimal

import factory

from org.tests.factories import OrgUnitFactory, PersonFactory
from performance.choices import Rating
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    CompactObjective,
    Indicator,
    IndicatorResult,
)


class SeniorManagerFactory(PersonFactory):
    grade = "ASG"


class CompactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compact

    senior_manager = factory.SubFactory(SeniorManagerFactory)
    unit = factory.LazyAttribute(lambda o: o.senior_manager.unit)
    year = 2025


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompactObjective

    compact = factory.SubFactory(CompactFactory)
    title = "Implement oversight recommendations on time"
    indicator = "Share implemented by target date"
    target = "80%"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardFinding

    compact = factory.SubFactory(CompactFactory)
    finding = "Appraisal compliance below target"


class AppraisalFactory(factory.django.DjangoModelFactory):
    """Cycle 2024 (April 2024 to March 2025), due 31 May 2025."""

    class Meta:
        model = Appraisal

    staff = factory.SubFactory(PersonFactory, unit=factory.SelfAttribute("..unit"))
    unit = factory.SubFactory(OrgUnitFactory)
    cycle = 2024
    due_on = datetime.date(2025, 5, 31)
    completed_on = None
    rating = ""

    class Params:
        on_time = factory.Trait(completed_on=datetime.date(2025, 5, 20), rating=Rating.MEETS)
        late = factory.Trait(completed_on=datetime.date(2025, 7, 1), rating=Rating.MEETS)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Indicator {n}")
    unit_of_measure = "%"
    baseline = Decimal("50")
    target = Decimal("80")


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorResult

    indicator = factory.SubFactory(IndicatorFactory)
    period = "2024"
    value = Decimal("70")
