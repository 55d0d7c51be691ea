"""The seeds' row builders (org.seed_base): `Builder` makes what `Model(**values)` makes, and
`copy_insert` writes with COPY what bulk_create writes, keys and timestamps included. They carry
every row seed_scale writes, so the rows of a seed depend on them being exact."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models.functions import Now

from accountability.models import Commitment, CommitmentTransition, Decision
from org.models import OrgUnit
from org.seed_base import Builder, copy_insert

pytestmark = pytest.mark.django_db


def concrete(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def places():
    units = [OrgUnit.objects.create(code=code, name=code) for code in ("UA", "UB")]
    users = [get_user_model().objects.create(username=name) for name in ("ua", "ub")]
    return units, users


def test_builder_makes_what_the_model_makes(places):
    (unit, other), (user, _other_user) = places
    values = dict(
        title="Decision S-0000001",
        rationale="Synthetic decision",
        unit_id=unit.pk,
        decided_by_id=user.pk,
        decided_on=datetime.date(2025, 3, 1),
        area="",
        amount=Decimal("12.50"),
        within_authority=True,
    )
    built, made = Builder(Decision)(**values), Decision(**values)
    for obj in (built, made):  # the callable defaults (timestamps) differ by their instant
        obj.created_at = obj.updated_at = None
    assert concrete(built) == concrete(made)
    assert built._state.adding and built._state.db is None
    # By relation and by `pk` (the slower path): the key set, the related object cached.
    commitment = Builder(Commitment)(
        pk=41, title="C", unit=other, owner=user, due_on=datetime.date(2025, 1, 1)
    )
    assert (commitment.pk, commitment.unit_id, commitment.owner_id) == (41, other.pk, user.pk)
    assert commitment.unit is other
    with pytest.raises(TypeError):
        Builder(Decision)(no_such_field=1)


def test_copy_insert_writes_what_bulk_create_writes(places):
    (unit, other), (user, other_user) = places
    new = Builder(Commitment)
    rows = [
        new(
            title=f"Commitment S-{n:07d}",
            deliverable="Synthetic deliverable",
            unit_id=(unit, other)[n % 2].pk,
            owner_id=(user, other_user)[n % 2].pk,
            due_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            status="planned",
        )
        for n in range(60)
    ]
    copy_insert(Commitment, rows)
    assert all(row.pk and not row._state.adding for row in rows)
    stored = {c.pk: c for c in Commitment.objects.all()}
    assert len(stored) == 60
    for row in rows:
        written = concrete(stored[row.pk])
        assert written == concrete(row)
    # One timestamp for the batch, from the database's clock's side of now.
    stamps = {(c.created_at, c.updated_at) for c in stored.values()}
    assert len(stamps) == 1
    assert Commitment.objects.filter(created_at__lte=Now()).count() == 60
    # A model whose rows reference the first (their keys known before anything is read back).
    transitions = [
        Builder(CommitmentTransition)(commitment=c, from_status="", to_status=c.status, actor="t")
        for c in rows
    ]
    copy_insert(CommitmentTransition, transitions)
    assert set(
        CommitmentTransition.objects.filter(commitment__unit=other).values_list(
            "commitment_id", flat=True
        )
    ) == {c.pk for c in rows if c.unit_id == other.pk}
