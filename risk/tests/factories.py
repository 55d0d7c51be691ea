import datetime
from decimal import Decimal

import factory

from org.tests.factories import OrgUnitFactory, PersonFactory
from risk.models import (
    Control,
    ControlTest,
    InterestDeclaration,
    ProcurementCase,
    RecoveryCase,
    Risk,
    Treatment,
    Vendor,
)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    category = "operational"
    likelihood = 3
    impact = 3
    identified_on = datetime.date(2025, 1, 10)
    reviewed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment

    risk = factory.SubFactory(RiskFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    due_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class ControlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Control

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Control {n}")


class ControlTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlTest

    control = factory.SubFactory(ControlFactory)
    tested_on = datetime.date(2025, 6, 1)
    result = "effective"


class ProcurementCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcurementCase
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"RFP-{n:05d}")
    unit = factory.SubFactory(OrgUnitFactory)
    value = Decimal("250000.00")
    opened_on = datetime.date(2025, 3, 1)

    @factory.post_generation
    def vendors(self, create, extracted, **kwargs):
        for name in extracted or ():
            Vendor.objects.create(case=self, name=name)

    @factory.post_generation
    def panel(self, create, extracted, **kwargs):
        if extracted:
            self.panel.set(extracted)


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestDeclaration

    case = factory.SubFactory(ProcurementCaseFactory)
    person = factory.SubFactory(PersonFactory)
    vendor = ""
    declared_on = datetime.date(2025, 3, 2)


class RecoveryCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryCase

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Finding {n}")
    finding = "fraud"
    amount_lost = Decimal("10000.00")
    opened_on = datetime.date(2025, 2, 1)
