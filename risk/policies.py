"""Who may do what to the records of the risk area: each rule written once (org.permissions).

Risk management is the responsibility of staff at all levels (para 30), so the people named as
owners read what they own; unit managers read and change their unit subtree; administrators,
oversight bodies and GA staff read everything except declarations (personal data, which GA staff
do not read)."""

from django.db.models import Q

from org.access import access_for
from org.models import OrgUnit, Person
from org.permissions import PersonalPolicy, ReferencePolicy, UnitPolicy

__all__ = [
    "recordable_units",
    "AdminRecordedPolicy",
    "SecretariatPolicy",
    "DeclarationPolicy",
    "OwnedPolicy",
    "ProcurementCasePolicy",
    "ReferencePolicy",
    "SelfAssessmentPolicy",
    "UnitPolicy",
]


class OwnedPolicy(UnitPolicy):
    """Unit-scoped, and also read by the people named in `owner_fields`."""

    owner_fields: tuple[str, ...] = ()

    def __init__(
        self,
        unit_field: str = "unit",
        owner_fields: tuple[str, ...] = (),
        as_change: tuple[str, ...] | None = None,
    ):
        super().__init__(unit_field=unit_field, as_change=as_change)
        self.owner_fields = owner_fields

    def view(self, queryset, access):
        if access.can_read_all:
            return queryset
        if not access.authenticated:
            return queryset.none()
        wanted = [(field, (access.user_id,)) for field in self.owner_fields]
        if access.is_manager:
            wanted.append((self.unit_field, access.subtree_ids()))
        return queryset.filter(_on_own_columns(queryset.model, access, wanted))


def _on_own_columns(model, access, wanted: list[tuple[str, tuple]]) -> Q:
    """`path IN values` for each (path, values) of `wanted`, ORed, as conditions on `model`'s own
    columns. Paths through a relation (a control test's `control__owner` and `control__unit`)
    are resolved first, in one query a relation and once a request, to the related rows' ids
    (the controls the user owns or that belong to their units): the OR then stays on one table
    and each side uses its index. ORed across a join, PostgreSQL hash-joined every row of both
    tables to find a manager's few (36-54 ms for control tests and deficiencies at factor 1)."""
    condition = Q(pk__in=[])
    through: dict[str, Q] = {}
    for path, values in wanted:
        local, _, rest = path.partition("__")
        if rest:
            through[local] = through.get(local, Q(pk__in=[])) | Q(**{f"{rest}__in": values})
        else:
            condition |= Q(**{f"{path}__in": values})
    for local, related_condition in through.items():
        related = model._meta.get_field(local).related_model
        ids = access.resolved_ids(
            f"{related._meta.label_lower}:{related_condition}",
            lambda model=related, where=related_condition: model._base_manager.filter(
                where
            ).values_list("pk", flat=True),
        )
        condition |= Q(**{f"{local}__in": ids})
    return condition


class SelfAssessmentPolicy(UnitPolicy):
    """Certifying is personal: only the head of that very unit certifies its self-assessment."""

    def certify(self, queryset, access):
        if not access.authenticated or access.user_id is None:
            return queryset.none() if not access.is_system else queryset
        headed = access.resolved_ids(
            "headed_units",
            lambda: Person.objects.filter(
                user_id=access.user_id, is_head_of_entity=True
            ).values_list("unit_id", flat=True),
        )
        return queryset.filter(unit_id__in=headed)


def panel_case_ids(access) -> tuple[int, ...]:
    """The procurement cases on whose evaluation panel the user sits."""
    from risk.models import ProcurementCase

    people = access.person_ids()
    if not people:
        return ()
    return access.resolved_ids(
        "panel_cases",
        lambda: ProcurementCase.panel.through.objects.filter(person_id__in=people).values_list(
            "procurementcase_id", flat=True
        ),
    )


class ProcurementCasePolicy(UnitPolicy):
    """Unit-scoped, and a case is read by the members of its panel, who declare for it. Award,
    clearance and reopening follow the change rule (managers of the unit, administrators)."""

    as_change = (*UnitPolicy.as_change, "award", "clear", "reopen")

    def view(self, queryset, access):
        if access.can_read_all:
            return queryset
        if not access.authenticated:
            return queryset.none()
        return queryset.filter(self._unit_or_panel(access))

    def declare(self, queryset, access):
        """Panel members declare for themselves; whoever may change the case records for anyone."""
        if access.is_admin:
            return queryset
        if not access.authenticated:
            return queryset.none()
        return queryset.filter(self._unit_or_panel(access))

    @staticmethod
    def _unit_or_panel(access) -> Q:
        # The cases whose panel the user sits on, resolved to ids first: an EXISTS OR-ed with the
        # unit test would be evaluated row by row over every case.
        condition = Q(pk__in=panel_case_ids(access))
        if access.is_manager:
            condition = Q(unit_id__in=access.subtree_ids()) | condition
        return condition

    def view_panel(self, queryset, access):
        """Who sits on a panel, and who has not declared, is personal data: GA staff read the
        cases but not their panels."""
        return queryset.none() if access.is_ga_staff else self.view(queryset, access)

    def hidden_fields(self, access) -> frozenset[str]:
        """The fields hidden from a reader, in the API and in the change history alike."""
        # Who sat on the panel and who cleared the case are people: personal data.
        return frozenset({"panel", "cleared_by"}) if access.is_ga_staff else frozenset()


class SecretariatPolicy(ReferencePolicy):
    """Secretariat-wide records (the statement of internal control, vendor sanctions): read by
    every user with a role (managers, oversight bodies, GA staff), made by administrators. The
    people named on them (`personal_fields`) are hidden from GA staff, who read no personal data."""

    as_change = ("add", "delete", "issue")  # issuing a statement: whoever may change it

    def __init__(self, personal_fields: tuple[str, ...] = ()):
        self.personal_fields = frozenset(personal_fields)

    def view(self, queryset, access):
        return queryset if access.can_read_all or access.is_manager else queryset.none()

    def hidden_fields(self, access) -> frozenset[str]:
        return self.personal_fields if access.is_ga_staff else frozenset()


class AdminRecordedPolicy(UnitPolicy):
    """Read as the unit's records are; recorded by administrators only, because the unit itself
    is the one held to account (a risk flagged Secretariat-wide, a committee on contracts
    review of the unit's case). `personal_fields` are hidden from GA staff."""

    def __init__(
        self,
        unit_field: str = "unit",
        as_change: tuple[str, ...] | None = None,
        personal_fields: tuple[str, ...] = (),
    ):
        super().__init__(unit_field=unit_field, as_change=as_change)
        self.personal_fields = frozenset(personal_fields)

    def change(self, queryset, access):
        return queryset if access.is_admin else queryset.none()

    def hidden_fields(self, access) -> frozenset[str]:
        return self.personal_fields if access.is_ga_staff else frozenset()


class DeclarationPolicy(PersonalPolicy):
    """Declarations name people and their interests: personal data that GA staff do not read;
    the declarant reads and makes their own, a manager of the case's unit records for anyone."""

    unit_field = "case__unit"

    def view(self, queryset, access):
        if access.is_admin or access.is_oversight:
            return queryset
        if not access.authenticated or access.is_ga_staff:
            return queryset.none()
        return self._own_or_managed(queryset, access)

    def change(self, queryset, access):
        if access.is_admin:
            return queryset
        if not access.authenticated:
            return queryset.none()
        return self._own_or_managed(queryset, access)

    def _own_or_managed(self, queryset, access):
        condition = Q(person_id__in=access.person_ids())
        if access.is_manager:
            condition |= Q(case__unit__in=access.subtree_ids())
        return queryset.filter(condition)


def recordable_units(user):
    """The org units the user may record risk records for: every active unit for an
    administrator, a manager's subtree, none for anyone else (form choices)."""
    access = access_for(user)
    units = OrgUnit.objects.filter(is_active=True)
    return units if access.is_admin else units.filter(pk__in=access.subtree_ids())
