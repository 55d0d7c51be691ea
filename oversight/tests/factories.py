import datetime

import factory

from org.tests.factories import OrgUnitFactory
from oversight.models import OversightBody, OversightReport, Recommendation


def body(code: str) -> OversightBody:
    return OversightBody.objects.get_or_create(code=code, defaults={"name": code})[0]


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OversightReport
        skip_postgeneration_save = True

    body = factory.LazyFunction(lambda: body("OIOS"))
    symbol = factory.Sequence(lambda n: f"2025/{n:03d}")
    title = factory.LazyAttribute(lambda o: f"Audit {o.symbol}")
    issued_on = datetime.date(2025, 1, 15)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    text = "Strengthen the controls."
    unit = factory.SubFactory(OrgUnitFactory)
    target_date = datetime.date(2030, 12, 31)
