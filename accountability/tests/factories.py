import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from accountability.models import OrgUnit, Person, Role


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.code}")
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("a-long-test-password-1")


class UserWithRoleFactory(UserFactory):
    @classmethod
    def _create(cls, model_class, *args, role_kind=None, role_unit=None, role_body="", **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role_kind:
            Role.objects.update_or_create(
                user=user, defaults={"kind": role_kind, "unit": role_unit, "body_code": role_body}
            )
        return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    index_number = factory.Sequence(lambda n: f"{10000000 + n}")
    name = factory.Sequence(lambda n: f"Staff Member {n}")
    unit = factory.SubFactory(OrgUnitFactory)
    grade = "P-3"


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
