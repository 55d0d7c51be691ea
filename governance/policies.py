"""Who may do what to the governance records, written once (org.permissions.Policy).

None of these records is about a person (owners are units and bodies), and paragraph 12 asks for
the Management Committee's work to be transparent: every user with a role reads all of them,
except paragraph assessments not yet accepted (the office's own until an administrator accepts).
Changes:
- paragraph assessments: the accountable office's managers (unit subtree) draft and submit;
  administrators review (accept or return) and may do everything else;
- mandates, Management Committee meetings and decisions, deployment milestones: administrators
  (the Committee's secretariat keeps them);
- follow-up actions and lessons learned: the managers of the owner unit's subtree, and
  administrators;
- consultations with oversight bodies: the body's own users, and administrators.
"""

from governance.choices import ReviewState
from org.permissions import Policy, UnitPolicy


def reads_governance(access) -> bool:
    return access.can_read_all or access.is_manager


class GovernancePolicy(Policy):
    """Read by every role; changed by administrators."""

    def view(self, queryset, access):
        return queryset if reads_governance(access) else queryset.none()

    def change(self, queryset, access):
        return queryset if access.is_admin else queryset.none()


class OfficePolicy(UnitPolicy):
    """Read by every role; changed by the managers of the owner unit's subtree and by
    administrators (`unit_field` names the owner unit)."""

    def view(self, queryset, access):
        return queryset if reads_governance(access) else queryset.none()


class AssessmentPolicy(OfficePolicy):
    """The office drafts and submits; only administrators review. An assessment is the office's
    own work until an administrator accepts it: before that, only the office (the managers of
    its subtree) and administrators read it; every other role reads the accepted ones, the
    verdicts the report prints."""

    as_change = (*UnitPolicy.as_change, "submit", "attach")

    def view(self, queryset, access):
        if access.is_admin:
            return queryset
        if not reads_governance(access):
            return queryset.none()
        accepted = queryset.filter(state=ReviewState.ACCEPTED)
        if access.is_manager:
            return accepted | self.in_subtree(queryset, access)
        return accepted

    def review(self, queryset, access):
        return queryset if access.is_admin else queryset.none()


class ConsultationPolicy(GovernancePolicy):
    """A body records its own consultations with the Secretariat."""

    def change(self, queryset, access):
        if access.is_admin:
            return queryset
        if access.is_oversight:
            return queryset.filter(body__code=access.body_code)
        return queryset.none()


class FollowUpPolicy(OfficePolicy):
    """The owner unit's managers report progress ("status": done or dropped, or reopened)."""

    as_change = (*UnitPolicy.as_change, "status")


class FollowsParentPolicy(Policy):
    """A record hanging from another (an assessment's evidence, a follow-up's status changes):
    read with its parent; written only by the parent's actions."""

    def __init__(self, parent_field: str):
        self.parent_field = parent_field

    def view(self, queryset, access):
        model = queryset.model._meta.get_field(self.parent_field).related_model
        parents = model.policy.rows(model._default_manager.all(), access, "view")
        return queryset.filter(**{f"{self.parent_field}__in": parents.values("pk")})

    def change(self, queryset, access):
        return queryset.none()


def recordable_units(user):
    """The org units the user may record for (form choices): every active unit for an
    administrator, a manager's subtree, none for anyone else."""
    from org.access import access_for
    from org.models import OrgUnit

    access = access_for(user)
    units = OrgUnit.objects.filter(is_active=True)
    return units if access.is_admin else units.filter(pk__in=access.subtree_ids())


def authored_bodies(user):
    """The oversight bodies whose consultations the user records (form choices)."""
    from oversight.models import OversightBody

    return OversightBody.objects.restrict(user, "author")
