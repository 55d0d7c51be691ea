"""seed_scale at a tiny factor (0.001): what a newcomer relies on when they load Secretariat-scale
data. The factor-1 and factor-10 timings are measured by `make bench`, never here."""

import io

import pytest
from django.core.management import call_command

from accountability.models import Decision, Delegation
from core import history
from core.models import HistoryEntry
from org.choices import RoleKind
from org.models import Person, Role
from oversight.choices import RecommendationStatus
from oversight.models import Recommendation, RecommendationUpdate
from performance.models import Appraisal

pytestmark = pytest.mark.django_db


def seed(factor=0.001) -> str:
    out = io.StringIO()
    call_command("seed_scale", factor=factor, stdout=out)
    return out.getvalue()


def test_counts_follow_the_factor_and_every_row_has_its_history(resolution):
    output = seed()
    # factor 0.001 of 1,000,000 decisions, 30,000 recommendations, 37,000 staff x 10 cycles.
    assert Decision.objects.filter(title__startswith="Decision S-").count() == 1000
    assert Recommendation.objects.filter(report__symbol__startswith="SYN/").count() == 30
    staff = Person.objects.filter(index_number__startswith="7").count()
    assert staff == 37
    assert Appraisal.objects.filter(staff__index_number__startswith="7").count() == 370
    assert HistoryEntry.objects.filter(object_type="accountability.decision").count() == 1000
    assert HistoryEntry.objects.filter(object_type="oversight.recommendation").count() == 30
    # Inside the test's transaction nothing commits: link what the seed appended, as the
    # commits of a real run do.
    history.link_pending()
    check = history.verify_chain()
    assert check.ok, check.reason
    assert check.entries == HistoryEntry.objects.count()
    # Each step's rate and the statistics refresh are reported.
    assert "rows/s" in output and "decisions" in output
    assert "ANALYZE of" in output


def test_a_second_run_adds_nothing(resolution):
    seed()
    decisions, entries = Decision.objects.count(), HistoryEntry.objects.count()
    seed()
    assert Decision.objects.count() == decisions
    assert HistoryEntry.objects.count() == entries
    history.link_pending()
    assert history.verify_chain().ok


def test_root_instruments_go_from_an_administrator_to_heads_of_entity(resolution):
    seed()
    instruments = Delegation.objects.filter(reference__startswith="S/DOA/")
    roots = list(instruments.filter(parent__isnull=True))
    subs = list(instruments.filter(parent__isnull=False).select_related("parent"))
    assert roots and subs
    admins = set(Role.objects.filter(kind=RoleKind.ADMINISTRATOR).values_list("user_id", flat=True))
    heads = set(
        Person.objects.filter(is_head_of_entity=True, user__isnull=False).values_list(
            "user_id", "unit_id"
        )
    )
    for root in roots:
        assert root.delegator_id in admins
        assert (root.delegatee_id, root.unit_id) in heads
    by_pk = {d.pk: d for d in roots + subs}
    for sub in subs:
        # At most three levels below the Secretary-General's instrument to a head of entity.
        levels, up = 0, sub
        while up.parent_id is not None:
            levels, up = levels + 1, by_pk[up.parent_id]
        assert levels <= 3
        # Sub-delegated by the holder, within the parent's limit and dates.
        assert sub.delegator_id == sub.parent.delegatee_id
        assert sub.unit_id == sub.parent.unit_id
        if sub.parent.limit_amount is not None:
            assert sub.limit_amount <= sub.parent.limit_amount
        assert sub.valid_from >= sub.parent.valid_from
        if sub.parent.valid_to is not None:
            assert sub.valid_to <= sub.parent.valid_to


def test_recommendations_carry_amounts_and_a_dated_timeline(resolution):
    seed(0.002)
    recs = list(Recommendation.objects.filter(report__symbol__startswith="SYN/"))
    assert len(recs) == 60
    with_amounts = [r for r in recs if r.amount_identified is not None]
    assert with_amounts, "a share of the recommendations identify savings or recoveries"
    for rec in with_amounts:
        assert rec.amount_realised is None or rec.amount_realised <= rec.amount_identified
        if rec.status == RecommendationStatus.IMPLEMENTED:
            assert rec.amount_realised == rec.amount_identified
    for rec in recs:
        steps = list(
            RecommendationUpdate.objects.filter(recommendation=rec).order_by("effective_on", "pk")
        )
        if rec.status == RecommendationStatus.OPEN:
            # Nothing reported yet: no entry, so nothing realised either.
            assert steps == [] and not rec.amount_realised
            continue
        assert steps, f"recommendation {rec.pk} has no timeline"
        assert steps[-1].to_status == rec.status
        dates = [s.effective_on for s in steps]
        assert dates == sorted(dates)
        assert rec.report.issued_on <= dates[0] and dates[-1] <= rec.status_changed_on
        realised = [s.amount_realised for s in steps if s.amount_realised is not None]
        assert realised == ([] if rec.amount_realised is None else [rec.amount_realised])


def _decision_schema() -> tuple[set, set]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'accountability_decision'::regclass"
        )
        indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'accountability_decision'::regclass"
        )
        constraints = {name for (name,) in cursor.fetchall()}
    return indexes, constraints


# Outside a transaction, as a real run (inside one, the seed sets nothing aside).
@pytest.mark.django_db(transaction=True)
def test_indexes_and_foreign_keys_set_aside_are_back_after_a_run_and_after_a_stopped_one(
    resolution,
):
    from accountability.management.commands import seed_scale as command

    before = _decision_schema()
    assert len(before[0]) > 5 and any("_fk_" in name for name in before[1])
    seed()
    assert _decision_schema() == before
    # A run stopped once its indexes and keys were set aside: the next run puts them back.
    assert command._set_aside() > 0
    assert _decision_schema() != before
    seed()
    assert _decision_schema() == before


@pytest.mark.django_db(transaction=True)
def test_a_row_breaking_a_foreign_key_while_set_aside_is_refused_when_it_is_put_back(resolution):
    from django.db import IntegrityError, connection

    from accountability.management.commands import seed_scale as command

    seed()
    before = _decision_schema()
    command._set_aside()
    first = Decision.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accountability_decision SET unit_id = 987654321 WHERE id = %s", [first]
        )
    with pytest.raises(IntegrityError):
        command._put_back()
    # Still kept aside, not lost: once the row is put right, the next attempt restores it.
    assert _decision_schema() != before
    Decision.objects.filter(pk=first).delete()
    assert command._put_back() > 0
    assert _decision_schema() == before
