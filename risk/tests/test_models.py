import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risk.choices import Band
from risk.models import RatingScale, Risk
from risk.tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band"),
    [
        (1, 1, 1, Band.LOW),
        (2, 2, 4, Band.LOW),
        (1, 5, 5, Band.MEDIUM),
        (3, 3, 9, Band.MEDIUM),
        (2, 5, 10, Band.HIGH),
        (3, 4, 12, Band.HIGH),
        (3, 5, 15, Band.CRITICAL),
        (5, 5, 25, Band.CRITICAL),
    ],
)
def test_score_is_likelihood_times_impact_and_band_follows_default_scale(
    units, likelihood, impact, score, band
):
    risk = RiskFactory(unit=units["dmspc"], likelihood=likelihood, impact=impact)
    assert risk.score == score
    assert Risk.objects.get(pk=risk.pk).rating() == band
    annotated = Risk.objects.with_bands(RatingScale.current()).get(pk=risk.pk)
    assert annotated.rating_band == band


def test_bands_follow_the_configured_scale(units):
    risk = RiskFactory(unit=units["dmspc"], likelihood=2, impact=4)  # 8: medium by default
    assert Risk.objects.get(pk=risk.pk).rating() == Band.MEDIUM
    RatingScale.objects.create(medium_from=3, high_from=8, critical_from=20)
    assert Risk.objects.get(pk=risk.pk).rating() == Band.HIGH
    assert Risk.objects.in_band(Band.HIGH, RatingScale.current()).filter(pk=risk.pk).exists()


def test_scale_thresholds_must_rise():
    with pytest.raises(ValidationError):
        RatingScale(medium_from=10, high_from=8, critical_from=20).full_clean()


def test_residual_score_and_band(units):
    risk = RiskFactory(
        unit=units["dmspc"], likelihood=5, impact=5, residual_likelihood=2, residual_impact=2
    )
    assert risk.residual_score == 4
    assert Risk.objects.get(pk=risk.pk).residual_rating() == Band.LOW


@pytest.mark.parametrize(
    "field", ["likelihood", "impact", "residual_likelihood", "residual_impact"]
)
@pytest.mark.parametrize("value", [0, 6])
def test_ratings_outside_1_to_5_are_refused(units, field, value):
    risk = Risk(
        unit=units["dmspc"],
        title="x",
        category="fraud",
        likelihood=3,
        impact=3,
        residual_likelihood=2,
        residual_impact=2,
    )
    setattr(risk, field, value)
    with pytest.raises(ValidationError) as exc:
        risk.full_clean()
    assert field in exc.value.message_dict


def test_database_refuses_a_score_that_is_not_the_product(units):
    risk = RiskFactory(unit=units["dmspc"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(score=24)


def test_residual_needs_both_parts(units):
    risk = Risk(
        unit=units["dmspc"],
        title="x",
        category="fraud",
        likelihood=3,
        impact=3,
        residual_likelihood=2,
    )
    with pytest.raises(ValidationError) as exc:
        risk.full_clean()
    assert "residual_impact" in exc.value.message_dict


def test_review_due_after_twelve_months(units):
    fresh = RiskFactory(unit=units["dmspc"], reviewed_on=datetime.date.today())
    stale = RiskFactory(
        unit=units["dmspc"], reviewed_on=datetime.date.today() - datetime.timedelta(days=400)
    )
    assert not fresh.review_due and stale.review_due
    assert list(Risk.objects.review_overdue()) == [stale]


def test_recovery_case_recovered_cannot_exceed_lost(units):
    from risk.models import RecoveryCase

    case = RecoveryCase(
        unit=units["dmspc"],
        finding="fraud",
        amount_lost=Decimal("100"),
        amount_recovered=Decimal("150"),
    )
    with pytest.raises(ValidationError) as exc:
        case.full_clean()
    assert "amount_recovered" in exc.value.message_dict
