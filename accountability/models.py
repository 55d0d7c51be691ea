"""Delegation of authority, the decision log and commitments (paragraphs 8, 13, 15, 17, 21)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import (
    EXPIRING_WITHIN_DAYS,
    AuthorityArea,
    CommitmentStatus,
    DelegationState,
    ReviewOutcome,
)
from accountability.policies import (
    DecisionPolicy,
    DelegationPolicy,
    FollowsParentPolicy,
    ReadOnlyRecordPolicy,
)
from accountability.querysets import (
    CommitmentQuerySet,
    DecisionQuerySet,
    DelegationQuerySet,
)
from core import clock
from core.models import TrackedModel
from org.models import CitesParagraphs, OrgUnit
from org.permissions import ReferencePolicy, RestrictedQuerySet, UnitPolicy

__all__ = ["EXPIRING_WITHIN_DAYS", "Commitment", "CommitmentTransition", "Decision", "Delegation"]


def _user_label(user) -> str:
    if user is None:
        return "—"
    # Lists select_related("<user>__person") so this reads no further rows.
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


class AuthorityItem(TrackedModel):
    """One entry of the managed list of areas of authority, grouped as ST/SGB/2019/2 groups them
    (human resources, finance and budget, procurement, property management, and the others it
    names). `group` is one of the five area codes an instrument's `area` always reads as. A
    matter reserved to the Secretary-General is on the list so that no instrument covers it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=AuthorityArea.choices)
    reserved = models.BooleanField(
        _("reserved to the Secretary-General"),
        default=False,
        help_text=_("A reserved matter cannot be delegated by any instrument."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ReferencePolicy()

    class Meta:
        ordering = ["group", "reserved", "name"]
        verbose_name = _("area of authority")
        verbose_name_plural = _("areas of authority")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        name = (
            self.name_zh if (get_language() or "").startswith("zh") and self.name_zh else self.name
        )
        return f"{self.get_group_display()} · {name}"


class AuthorityLimit(TrackedModel):
    """The highest amount an instrument in an area may confer, per currency (optional)."""

    item = models.ForeignKey(
        AuthorityItem, verbose_name=_("area"), on_delete=models.CASCADE, related_name="limits"
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    max_amount = models.DecimalField(_("highest amount"), max_digits=16, decimal_places=2)

    objects = RestrictedQuerySet.as_manager()
    policy = FollowsParentPolicy("item")

    class Meta:
        ordering = ["item", "currency"]
        verbose_name = _("financial limit of an area")
        verbose_name_plural = _("financial limits of areas")
        constraints = [
            models.UniqueConstraint(fields=["item", "currency"], name="authority_limit_currency"),
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=0), name="authority_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.max_amount:,.2f}"


class Delegation(TrackedModel):
    """An instrument of delegation of authority (paragraph 21): the delegator gives the delegatee
    authority in one area, within an optional financial limit, for a period, until revoked.
    A sub-delegation (one with a parent) can never exceed its parent's area, limit or period."""

    reference = models.CharField(_("reference"), max_length=60, blank=True)
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegator"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegatee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegatee"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="delegations"
    )
    area = models.CharField(_("area"), max_length=20, choices=AuthorityArea.choices)
    authority = models.ForeignKey(
        AuthorityItem,
        verbose_name=_("area of authority (detail)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegations",
        help_text=_("The entry of the list of areas of authority; its group is the area."),
    )
    scope = models.TextField(_("scope"), blank=True)
    limit_amount = models.DecimalField(
        _("financial limit (USD)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty for no financial limit."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Leave empty if open-ended.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-delegated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    accepted_on = models.DateField(
        _("accepted on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Empty while the delegatee has not accepted: a pending instrument confers nothing."
        ),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acceptance recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # The day from which this instrument and every one above it are accepted (null while any of
    # them is pending): kept by the services, read by the SQL twin of the authority rule.
    chain_accepted_on = models.DateField(
        _("whole chain accepted on"), null=True, blank=True, editable=False
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True, editable=False)
    expiry_reminded_on = models.DateField(_("expiry reminder sent"), null=True, editable=False)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = DelegationQuerySet.as_manager()
    policy = DelegationPolicy()
    state_actions = {"revoked_on": "revoke", "accepted_on": "accept"}
    # The chain date is derived; the reminder stamp is the job's bookkeeping (a guarded UPDATE).
    history_ignored_fields = (
        *TrackedModel.history_ignored_fields,
        "chain_accepted_on",
        "expiry_reminded_on",
    )

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("delegation of authority")
        verbose_name_plural = _("delegations of authority")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(limit_amount__isnull=True) | models.Q(limit_amount__gte=0),
                name="delegation_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="delegation_valid_to_after_from",
            ),
            # The reference is the instrument's number in the register: imports match on it.
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="delegation_reference_unique",
            ),
        ]
        indexes = [
            # The register's order (issue 13: at factor 1 the first page sorted every instrument).
            models.Index(fields=["-valid_from", "-id"], name="deleg_list_idx"),
            models.Index(fields=["delegatee", "area", "valid_from"], name="deleg_delegatee_idx"),
            models.Index(fields=["unit", "-valid_from"], name="deleg_unit_idx"),
            models.Index(fields=["valid_to"], name="deleg_valid_to_idx"),
            models.Index(fields=["revoked_on"], name="deleg_revoked_idx"),
        ]

    def __str__(self) -> str:
        label = self.reference or _("Delegation %(id)s") % {"id": self.pk or "–"}
        return f"{label} · {self.get_area_display()}"

    def get_absolute_url(self) -> str:
        return reverse("accountability:delegation_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.chain_accepted_on = self.compute_chain_accepted_on()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "chain_accepted_on"}
        super().save(*args, **kwargs)

    def valid_on(self, day: datetime.date) -> bool:
        """Whether the instrument confers authority on `day` (revocation takes effect on the
        day it is dated: a decision that day is no longer covered)."""
        if day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            return False
        return self.revoked_on is None or day < self.revoked_on

    def chain(self) -> list["Delegation"]:
        """The instrument and every one above it, from the Secretary-General's down."""
        return [*self.ancestors(), self]

    def accepted_by_day(self, day: datetime.date) -> bool:
        """Whether this instrument and every one above it were accepted on or before `day` (a
        pending instrument, or one whose parent is pending, confers nothing)."""
        return all(d.accepted_on is not None and d.accepted_on <= day for d in self.chain())

    def compute_chain_accepted_on(self) -> datetime.date | None:
        dates = [d.accepted_on for d in self.chain()]
        return None if any(d is None for d in dates) else max(dates)

    def confers_on(self, day: datetime.date) -> bool:
        """Valid on `day`, not revoked, and accepted (with its whole chain) by then."""
        return self.valid_on(day) and self.accepted_by_day(day)

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def state_on(self, today: datetime.date | None = None) -> str:
        today = today or clock.localdate()
        if self.revoked_on is not None and self.revoked_on <= today:
            return DelegationState.REVOKED
        if self.valid_to is not None and self.valid_to < today:
            return DelegationState.EXPIRED
        if self.accepted_on is None:
            return DelegationState.PENDING
        if self.valid_from > today:
            return DelegationState.NOT_YET_VALID
        if self.valid_to is not None and (self.valid_to - today).days <= EXPIRING_WITHIN_DAYS:
            return DelegationState.EXPIRING
        return DelegationState.ACTIVE

    @property
    def state(self) -> str:
        return self.state_on()

    def get_state_display(self) -> str:
        return DelegationState(self.state).label

    @property
    def row_class(self) -> str:
        return {DelegationState.EXPIRING: "warn", DelegationState.PENDING: "warn"}.get(
            self.state, ""
        )

    @property
    def delegator_name(self) -> str:
        return _user_label(self.delegator)

    @property
    def delegatee_name(self) -> str:
        return _user_label(self.delegatee)

    def ancestors(self) -> list["Delegation"]:
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    def clean(self) -> None:
        errors = {}
        if self.limit_amount is not None and self.limit_amount < 0:
            errors["limit_amount"] = _("A financial limit cannot be negative.")
        if self.valid_to is not None and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity cannot be before its start.")
        if self.delegator_id and self.delegator_id == self.delegatee_id:
            errors["delegatee"] = _("Authority cannot be delegated to oneself.")
        if (
            self.reference
            and Delegation.objects.filter(reference=self.reference).exclude(pk=self.pk).exists()
        ):
            # Neutral: the instrument holding it may be one the caller cannot see.
            errors["reference"] = _("This reference is already taken in the register.")
        if self.authority_id:
            errors.update(self._authority_item_errors())
        if self.parent_id:
            errors.update(self._sub_delegation_errors())
        if self.pk:
            for field, message in self._narrowing_errors().items():
                errors.setdefault(field, message)
        if errors:
            raise ValidationError(errors)

    def _authority_item_errors(self) -> dict:
        item = self.authority
        if item.reserved:
            return {
                "authority": _(
                    "This matter is reserved to the Secretary-General: no instrument may "
                    "delegate it."
                )
            }
        errors = {}
        if not self.area:
            self.area = item.group
        elif self.area != item.group:
            errors["area"] = _(
                "The area must be the group of the area of authority (%(group)s)."
            ) % {"group": item.get_group_display()}
        usd = next((lim for lim in item.limits.all() if lim.currency == "USD"), None)
        if usd is not None and (self.limit_amount is None or self.limit_amount > usd.max_amount):
            errors["limit_amount"] = _(
                "The financial limit cannot exceed USD %(limit)s for this area of authority."
            ) % {"limit": f"{usd.max_amount:,.2f}"}
        return errors

    def _narrowing_errors(self) -> dict:
        """Narrowing an instrument must not leave a sub-delegation exceeding it: the cap holds
        from both ends, not only when the child is written."""
        children = Delegation.objects.filter(parent_id=self.pk, revoked_on__isnull=True)
        exceeding = {
            "limit_amount": Q(limit_amount__isnull=True) | Q(limit_amount__gt=self.limit_amount)
            if self.limit_amount is not None
            else None,
            "area": ~Q(area=self.area) if self.area else None,
            "valid_from": Q(valid_from__lt=self.valid_from) if self.valid_from else None,
            "valid_to": Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_to)
            if self.valid_to is not None
            else None,
        }
        checks = {field: q for field, q in exceeding.items() if q is not None}
        if not checks:
            return {}
        found = children.aggregate(**{field: Count("pk", filter=q) for field, q in checks.items()})
        return {
            field: _(
                "A sub-delegation made under this instrument would exceed it; change or "
                "revoke the sub-delegation first."
            )
            for field, n in found.items()
            if n
        }

    def _sub_delegation_errors(self) -> dict:
        parent = self.parent
        errors = {}
        if self.pk and (parent.pk == self.pk or self.pk in {a.pk for a in parent.ancestors()}):
            return {"parent": _("An instrument cannot be sub-delegated from itself.")}
        if self.delegator_id and self.delegator_id != parent.delegatee_id:
            errors["delegator"] = _(
                "Only the holder of the parent instrument (its delegatee) can sub-delegate it."
            )
        if self.area and self.area != parent.area:
            errors["area"] = _("A sub-delegation cannot exceed its parent's area (%(area)s).") % {
                "area": parent.get_area_display()
            }
        if parent.limit_amount is not None and (
            self.limit_amount is None or self.limit_amount > parent.limit_amount
        ):
            errors["limit_amount"] = _(
                "A sub-delegation cannot exceed its parent's financial limit of USD %(limit)s."
            ) % {"limit": f"{parent.limit_amount:,.2f}"}
        if self.valid_from and self.valid_from < parent.valid_from:
            errors["valid_from"] = _(
                "A sub-delegation cannot start before its parent (%(date)s)."
            ) % {"date": parent.valid_from.isoformat()}
        parent_end = parent.valid_to
        if parent.revoked_on is not None:
            revoked_end = parent.revoked_on - datetime.timedelta(days=1)
            parent_end = min(parent_end, revoked_end) if parent_end else revoked_end
        if parent_end is not None and (self.valid_to is None or self.valid_to > parent_end):
            errors["valid_to"] = _(
                "A sub-delegation cannot outlast its parent (valid until %(date)s)."
            ) % {"date": parent_end.isoformat()}
        return errors


class Decision(TrackedModel, CitesParagraphs):
    """A decision logged by a manager (paragraph 8: staff are answerable for all decisions made).
    `within_authority` is derived from the delegation it relies on and stored, so that lists and
    figures filter on it; decisions outside authority get a review (paragraphs 17, 21)."""

    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("The decision's number in the unit's own records, if it has one."),
    )
    title = models.CharField(_("title"), max_length=300)
    rationale = models.TextField(_("rationale"), blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    decided_on = models.DateField(_("decided on"))
    area = models.CharField(
        _("area of delegated authority"),
        max_length=20,
        choices=AuthorityArea.choices,
        blank=True,
        help_text=_("Leave empty if the decision needs no delegated authority."),
    )
    amount = models.DecimalField(
        _("amount (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation relied on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    within_authority = models.BooleanField(_("within authority"), default=True, editable=False)
    review_outcome = models.CharField(
        _("review outcome"),
        max_length=20,
        choices=ReviewOutcome.choices,
        blank=True,
        editable=False,
    )
    review_action = models.TextField(_("action taken"), blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True, editable=False)
    review_revision_reason = models.TextField(
        _("reason for revising the review"), blank=True, editable=False
    )

    objects = DecisionQuerySet.as_manager()
    policy = DecisionPolicy()
    state_actions = {
        "review_outcome": "review",
        "review_action": "review",
        "reviewed_on": "review",
        "reviewed_by": "review",
        "review_revision_reason": "revise-review",
    }

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="decision_amount_not_negative",
            ),
            # A unit numbers its own decisions: imports match on (unit, reference).
            models.UniqueConstraint(
                fields=["unit", "reference"],
                condition=~models.Q(reference=""),
                name="decision_reference_unique_in_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["-decided_on", "-id"], name="decision_date_idx"),
            # A unit's decisions in the list's whole order (core.db.pages reads a department's
            # page unit by unit; without the id, one day's thousands of decisions were sorted).
            models.Index(fields=["unit", "-decided_on", "-id"], name="decision_unit_idx"),
            models.Index(fields=["decided_by", "-decided_on"], name="decision_person_idx"),
            models.Index(fields=["within_authority", "-decided_on"], name="decision_within_idx"),
            models.Index(fields=["area", "-decided_on"], name="decision_area_idx"),
            models.Index(fields=["-amount", "-id"], name="decision_amount_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.within_authority = self.compute_within_authority()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "within_authority"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accountability:decision_detail", args=[self.pk])

    def compute_within_authority(self) -> bool:
        """The rule of CONTRACT.md; DecisionQuerySet.authority_expression() is its SQL twin."""
        delegation = self.delegation
        if delegation is None:
            return not self.area
        return (
            delegation.delegatee_id == self.decided_by_id
            and delegation.area == self.area
            and delegation.confers_on(self.decided_on)
            and (
                delegation.limit_amount is None
                or (self.amount or Decimal(0)) <= delegation.limit_amount
            )
        )

    @property
    def row_class(self) -> str:
        return "" if self.within_authority else "alert"

    @property
    def decided_by_name(self) -> str:
        return _user_label(self.decided_by)

    @property
    def authority_label(self) -> str:
        return str(_("Within authority") if self.within_authority else _("Outside authority"))

    @property
    def review_label(self) -> str:
        if self.review_outcome:
            return self.get_review_outcome_display()
        return "" if self.within_authority else str(_("Awaiting review"))

    @property
    def authority_problems(self) -> list[str]:
        """Why a decision is outside authority, in words a reviewer reads."""
        problems = []
        delegation = self.delegation
        if delegation is None:
            if self.area:
                problems.append(_("No delegation of authority is cited for this area."))
            return problems
        if delegation.delegatee_id != self.decided_by_id:
            problems.append(_("The delegation was not given to the person who decided."))
        if delegation.area != self.area:
            problems.append(_("The delegation does not cover this area."))
        day = self.decided_on
        if day is not None:
            if delegation.revoked_on is not None and day >= delegation.revoked_on:
                problems.append(
                    _("The delegation was revoked on %(date)s, on or before the decision.")
                    % {"date": formats.date_format(delegation.revoked_on)}
                )
            elif day < delegation.valid_from:
                problems.append(_("The delegation was not yet valid on the date of the decision."))
            elif delegation.valid_to is not None and day > delegation.valid_to:
                problems.append(
                    _("The delegation had expired on the date of the decision (valid to %(date)s).")
                    % {"date": formats.date_format(delegation.valid_to)}
                )
            if delegation.accepted_on is None:
                problems.append(_("The delegatee has not accepted the delegation."))
            elif delegation.accepted_on > day:
                problems.append(_("The delegation was accepted only after the decision."))
            # The chain's acceptance is stored on the instrument (`chain_accepted_on`, which
            # the SQL twin reads too): walking the parents cost a query per level per row.
            chain = delegation.chain_accepted_on
            own = delegation.accepted_on
            if own is not None and own <= day and (chain is None or chain > day):
                problems.append(
                    _("An instrument above it in the chain was not accepted by that date.")
                )
        if delegation.limit_amount is not None and (self.amount or 0) > delegation.limit_amount:
            problems.append(
                _("The amount exceeds the delegation's limit of USD %(limit)s.")
                % {"limit": f"{delegation.limit_amount:,.2f}"}
            )
        return problems

    def _authority_inputs_changed(self) -> bool:
        if self._state.adding:
            return True
        before = getattr(self, "_history_before", {})
        current = {
            "delegation": self.delegation_id,
            "decided_by": self.decided_by_id,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
        }
        return any(before.get(k) != v for k, v in current.items())

    def clean(self) -> None:
        errors = {}
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = _("A decision cannot be dated in the future.")
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _("An amount cannot be negative.")
        elif self.amount is not None and not self.area:
            errors["amount"] = _("Give the area of authority the amount falls under.")
        if (
            self.reference
            and self.unit_id
            and Decision.objects.filter(unit_id=self.unit_id, reference=self.reference)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["reference"] = _("This unit already has a decision with this reference.")
        if errors:
            raise ValidationError(errors)


def _attachment_path(instance, filename: str) -> str:
    return f"accountability/decisions/{instance.decision_id}/{filename}"


class DecisionAttachment(TrackedModel):
    """Evidence filed with a decision (a memo, a signed form)."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)

    objects = RestrictedQuerySet.as_manager()
    policy = FollowsParentPolicy("decision")

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Commitment(TrackedModel, CitesParagraphs):
    """A commitment a unit or manager has made (paragraph 8: honouring commitments), with a due
    date and a deliverable. Its status changes only through accountability.services, which keeps
    the transitions."""

    title = models.CharField(_("title"), max_length=300)
    deliverable = models.TextField(_("deliverable"), blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="commitments"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PLANNED,
        editable=False,
    )
    honoured_on = models.DateField(_("honoured on"), null=True, blank=True, editable=False)
    reminded_before_on = models.DateField(_("reminder sent"), null=True, editable=False)
    reminded_due_on = models.DateField(_("due-date notice sent"), null=True, editable=False)

    objects = CommitmentQuerySet.as_manager()
    policy = UnitPolicy(as_change=("status",), by_ids_when_few=True)
    state_actions = {"status": "status", "honoured_on": "status"}

    # Reminder stamps are the job's bookkeeping (a guarded UPDATE), not a change of substance.
    history_ignored_fields = (
        *TrackedModel.history_ignored_fields,
        "reminded_before_on",
        "reminded_due_on",
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            models.Index(fields=["due_on", "id"], name="commitment_due_idx"),
            models.Index(fields=["unit", "due_on", "id"], name="commitment_unit_idx"),
            models.Index(fields=["owner", "due_on"], name="commitment_owner_idx"),
            models.Index(fields=["status", "due_on"], name="commitment_status_idx"),
            # The overdue and due-soon figures look only at open commitments, a small share.
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(status__in=["planned", "in_progress"]),
                name="commitment_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accountability:commitment_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        """CommitmentQuerySet.overdue() is the SQL twin (tested against each other)."""
        return self.is_open and self.due_on < clock.localdate()

    @property
    def honoured_on_time(self) -> bool | None:
        if self.status != CommitmentStatus.HONOURED or self.honoured_on is None:
            return None
        return self.honoured_on <= self.due_on

    @property
    def row_class(self) -> str:
        if self.status == CommitmentStatus.MISSED or self.is_overdue:
            return "alert"
        if self.is_open and (self.due_on - clock.localdate()).days <= 14:
            return "warn"
        return ""

    @property
    def owner_name(self) -> str:
        return _user_label(self.owner)


class CommitmentTransition(TrackedModel):
    """One change of a commitment's status: from, to, who, when and why."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=CommitmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=CommitmentStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ReadOnlyRecordPolicy("commitment")

    class Meta:
        ordering = ["commitment", "id"]
        verbose_name = _("commitment status change")
        verbose_name_plural = _("commitment status changes")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.from_status or '–'} → {self.to_status}"


def _kpi_evidence_path(instance, filename: str) -> str:
    return f"accountability/kpis/{instance.unit_id}/{filename}"


class KpiEntry(TrackedModel):
    """The value of a KPI whose data lives outside the tracker (training records, another
    system), entered for an entity and a year with its evidence."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="kpi_entries"
    )
    kpi = models.CharField(_("indicator"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(
        _("value (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    evidence = models.FileField(_("evidence"), upload_to=_kpi_evidence_path, max_length=300)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = RestrictedQuerySet.as_manager()
    policy = UnitPolicy()

    class Meta:
        ordering = ["unit", "kpi", "-year"]
        verbose_name = _("KPI entry")
        verbose_name_plural = _("KPI entries")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kpi", "year"], name="kpi_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.kpi} · {self.year}"

    def clean(self) -> None:
        from accountability.kpis import ENTERED_BY_CODE

        errors = {}
        if self.kpi not in ENTERED_BY_CODE:
            errors["kpi"] = _("Choose an indicator that is entered with evidence.")
        if self.year and self.year > timezone.localdate().year:
            errors["year"] = _("A KPI cannot be entered for a future year.")
        if errors:
            raise ValidationError(errors)


class NoticeLanguage(models.Model):
    """The language a user's e-mail notices about delegated authority are written in. A personal
    preference, not a record of the Secretariat's: no history, changed only by its user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notice_language",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language of notices")
        verbose_name_plural = _("languages of notices")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
