import factory
from django.contrib.auth import get_user_model

from org.models import OrgUnit, Person, Role


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
