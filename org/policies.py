"""Who may read, change and name a staff member (org.Person), written once.

- Read: administrators and oversight bodies read every staff member; a manager reads the people of
  their unit subtree; General Assembly staff read no personal data at all (the directory is empty
  for them) and users without a role read nobody.
- Fields: oversight users see the names and units their work needs, never e-mails or grades
  (`hidden_fields`, applied alike by the API and the change history).
- Change: administrators change everyone; a manager changes the people of their subtree who hold
  no account. Accounts (and so the e-mail and unit of whoever signs in) are administrators' to
  change: a manager cannot re-point, rename or re-address an account holder, whatever their role.
- Assign: the people a caller may name on an appraisal, a compact, an underperformance case, an
  interest declaration or a procurement panel: administrators anyone; a manager the people of
  their subtree; and everyone themselves (a panel member declares for themselves). A person
  outside this set is "not found" to the caller, never named.
"""

from django.db.models import Q

from org.permissions import UnitPolicy

PERSONAL_FIELDS = frozenset({"email", "grade", "separated_on"})


class PersonPolicy(UnitPolicy):
    unit_field = "unit"
    by_ids_when_few = True  # 37,000 staff records at factor 1, 370,000 at factor 10

    def view(self, queryset, access):
        if access.is_admin or access.is_oversight:
            return queryset
        if access.is_manager:
            return self.viewable_in_subtree(queryset, access)
        return queryset.none()

    def change(self, queryset, access):
        if access.is_admin:
            return queryset
        if access.is_manager:
            return self.in_subtree(queryset, access).filter(user__isnull=True)
        return queryset.none()

    def assign(self, queryset, access):
        if access.is_admin:
            return queryset
        if not access.authenticated:
            return queryset.none()
        condition = Q(user_id=access.user_id)
        if access.is_manager:
            condition |= Q(unit__in=access.subtree_ids())
        return queryset.filter(condition)

    def hidden_fields(self, access) -> frozenset[str]:
        """The fields this reader may not see, in the API and in the history alike."""
        if access.is_admin or access.is_manager:
            return frozenset()
        return PERSONAL_FIELDS


def hidden_fields(model, user) -> frozenset[str]:
    """The fields of `model` that `user` may not read: its policy's `hidden_fields(access)`, or
    none. The API serializers and the change history both ask this, so a field hidden in one is
    hidden in the other."""
    from org.access import access_for

    method = getattr(getattr(model, "policy", None), "hidden_fields", None)
    return frozenset(method(access_for(user))) if method is not None else frozenset()
