import datetime
from decimal import Decimal

import factory

from org.tests.factories import OrgUnitFactory, UserFactory


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accountability.Delegation"

    reference = factory.Sequence(lambda n: f"DOA/T/{n:04d}")
    delegator = factory.SubFactory(UserFactory)
    delegatee = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    area = "finance"
    limit_amount = factory.LazyFunction(lambda: Decimal("100000.00"))
    valid_from = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=100))
    valid_to = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=200))


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accountability.Decision"

    title = factory.Sequence(lambda n: f"Decision {n}")
    rationale = "Because."
    unit = factory.SubFactory(OrgUnitFactory)
    decided_by = factory.SubFactory(UserFactory)
    decided_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=5))
    area = ""
    amount = None
    delegation = None


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accountability.Commitment"

    title = factory.Sequence(lambda n: f"Commitment {n}")
    deliverable = "A report"
    unit = factory.SubFactory(OrgUnitFactory)
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class AcceptedDelegationFactory(DelegationFactory):
    """An instrument its delegatee accepted on its first day (it confers authority)."""

    accepted_on = factory.LazyAttribute(lambda o: o.valid_from)
