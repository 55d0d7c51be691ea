"""The risk API: one ActionModelViewSet per model; filters from risk.filtersets; writes and
transitions through the named actions of risk.services."""

from collections import namedtuple

from django.db import connections
from django.db.models import Prefetch
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_descriptors import ManyToManyDescriptor

from core.api.lean import LEAN_PREFIX
from core.api.viewsets import ActionModelViewSet, Transition, lean_list_page
from core.db.lookups import array_parameter
from core.reads import ReadLoggedMixin
from org.policies import hidden_fields
from risk import filtersets, services
from risk.api import serializers as s
from risk.models import (
    Control,
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
)


def _related_ordering(model, prefix: str) -> list[str]:
    """`model`'s default ordering, as seen from a row holding it at `prefix`."""
    ordering = []
    for term in model._meta.ordering:
        descending = term.startswith("-")
        ordering.append(("-" if descending else "") + prefix + LOOKUP_SEP + term.lstrip("-"))
    return ordering


class PageColumn:
    """A to-many relation of a list page printed by one column of the related rows (a
    paragraph's number, a vendor's name; `pk`: the key alone), in the related model's order
    then by key (rows equal in that order, two panel members of the same name, come in one
    order on every page). Each related row is a tuple of that one column."""

    def __init__(self, model, relation: str, column: str):
        descriptor = getattr(model, relation)
        self.row = namedtuple("Row", [column])
        if isinstance(descriptor, ManyToManyDescriptor):
            field = descriptor.rel.field if descriptor.reverse else descriptor.field
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            if descriptor.reverse:
                source, target = target, source
            through = field.remote_field.through
            related = getattr(through, target).field.related_model
            self.manager, self.parent = through.objects, f"{source}_id"
            self.value = f"{target}_id" if column == "pk" else f"{target}__{column}"
            self.ordering = [*_related_ordering(related, target), f"{target}_id"]
        else:  # a reverse foreign key (a case's vendors)
            field = descriptor.rel.field
            related = field.model
            self.manager, self.parent, self.value = related.objects, field.attname, column
            self.ordering = [*related._meta.ordering, "pk"]

    def rows(self, parent):
        """The related rows' column, in order, of the parent(s) that `parent` selects."""
        return (
            self.manager.filter(**{self.parent: parent})
            .order_by(*self.ordering)
            .values_list(self.value, flat=True)
        )

    def read(self, ids):
        """(row id, related row) pairs of the page's rows: one query (the SQL databases but
        PostgreSQL, where the page's relations are read together: PageRelationsMixin)."""
        links = (
            self.manager.filter(**{f"{self.parent}__in": ids})
            .order_by(*self.ordering)
            .values_list(self.parent, self.value)
        )
        make = self.row._make
        return ((parent, make((value,))) for parent, value in links)


# The statement of a page's relations, compiled once per (columns read, database).
_STATEMENTS: dict = {}


def _page_statement(columns: tuple, connection) -> str:
    """One statement for the relations of a page of rows: for each row id of the array
    parameter, in its order, an array of each relation's column, in the relation's order.
    Each relation's rows are read by its link table's index on the row's key, row by row (the
    page is 50 rows); as one `IN` query, PostgreSQL hash-joined every control to find a page
    of risks' 146 links (3.2 ms for the department manager's risks at factor 1)."""
    key = (columns, connection.alias)
    found = _STATEMENTS.get(key)
    if found is None:
        page = RawSQL('"page"."id"', ())
        arrays = []
        for column in columns:
            sql, params = column.rows(page).query.get_compiler(connection=connection).as_sql()
            if params:
                raise ValueError("a relation's rows with parameters of their own")
            arrays.append(f"ARRAY({sql})")
        found = _STATEMENTS[key] = (
            f"SELECT {', '.join(arrays)} FROM unnest(%s::bigint[]) WITH ORDINALITY "
            'AS "page" ("id", "n") ORDER BY "page"."n"'
        )
    return found


class PageRelationsMixin:
    """A list page's to-many relations that print one column of the related rows (a
    paragraph's number, a control's id, a panel member's index number, a vendor's name), read
    into the plain lists core.api.lean's plan reads: on PostgreSQL one statement for every
    relation of the page (_page_statement), elsewhere one query a relation, without the model
    instance and key tuple Django's prefetch built for every related row (about 4 ms of a page
    of 50 risks and their 164 controls), nor the ORM's compiling of a query a relation and a
    page (about 1.5 ms of CPU for a page of procurement cases). `page_relations`: {relation:
    PageColumn}. Other actions keep the viewset's prefetches."""

    page_relations: dict = {}

    def paginate_queryset(self, queryset):
        if not lean_list_page(self):
            return super().paginate_queryset(queryset)
        kept = [
            lookup
            for lookup in queryset._prefetch_related_lookups
            if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup)
            not in self.page_relations
        ]
        page = super().paginate_queryset(queryset.prefetch_related(None).prefetch_related(*kept))
        if page:
            # A relation the reader's policy hides (a panel, from GA staff) is blanked: not read.
            hidden = hidden_fields(queryset.model, self.request.user)
            read = {k: v for k, v in self.page_relations.items() if k not in hidden}
            for relation in self.page_relations.keys() - read.keys():
                for row in page:
                    row.__dict__[LEAN_PREFIX + relation] = []
            if read:
                self._read_relations(page, read, connections[queryset.db])
        return page

    @staticmethod
    def _read_relations(page, relations: dict, connection) -> None:
        ids = [row.pk for row in page]
        names = [LEAN_PREFIX + relation for relation in relations]
        if connection.vendor == "postgresql" and all(type(pk) is int for pk in ids):
            columns = tuple(relations.values())
            makers = [column.row._make for column in columns]
            with connection.cursor() as cursor:
                cursor.execute(_page_statement(columns, connection), (array_parameter(ids),))
                arrays = cursor.fetchall()
            for row, values in zip(page, arrays, strict=True):
                for name, make, found in zip(names, makers, values, strict=True):
                    row.__dict__[name] = [make((value,)) for value in found]
            return
        for name, column in zip(names, relations.values(), strict=True):
            found = {pk: [] for pk in ids}
            for pk, related in column.read(ids):
                found[pk].append(related)
            for row in page:
                row.__dict__[name] = found[row.pk]


class ListColumnsMixin:
    """A list page reads the columns its rows print (`list_columns`, as only() names them: a
    related record's by its path), not every column of the row and of each related record
    selected with it: a unit's or a user's dozen columns, their timestamps among them, were
    read, parsed and set on fifty instances a page to print a code or a name. Other actions
    read whole rows (writes, history, transitions). Put before the viewset class."""

    list_columns: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and self.list_columns:
            return queryset.only(*self.list_columns)
        return queryset


class RiskViewSet(ListColumnsMixin, PageRelationsMixin, ActionModelViewSet):
    """The enterprise risk register (para 30). `score` = likelihood × impact; `rating` is its band."""

    queryset = Risk.objects.all()
    serializer_class = s.RiskSerializer
    filterset_class = filtersets.RiskFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["id", "score", "residual_score", "reviewed_on", "identified_on"]
    ordering = ["-id"]
    page_relations = {
        "paragraphs": PageColumn(Risk, "paragraphs", "number"),
        "controls": PageColumn(Risk, "controls", "pk"),
    }
    list_columns = (
        *("version", "title", "description", "cause", "effect", "category", "response"),
        *("likelihood", "impact", "score", "residual_likelihood", "residual_impact"),
        *("residual_score", "identified_on", "reviewed_on", "closed_on"),
        *("unit__code", "owner__username"),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_bands()  # the stored scale, read by the list's own statement
            .select_related("unit", "owner")
            .prefetch_related("paragraphs", "controls")
        )


class TreatmentViewSet(ActionModelViewSet):
    queryset = Treatment.objects.select_related("owner")
    serializer_class = s.TreatmentSerializer
    filterset_class = filtersets.TreatmentFilterSet
    ordering_fields = ["id", "due_on"]
    ordering = ["-id"]


class ControlViewSet(PageRelationsMixin, ActionModelViewSet):
    """Internal controls and the risks they treat (para 31)."""

    queryset = Control.objects.select_related("unit", "owner").prefetch_related(
        "risks", "paragraphs"
    )
    serializer_class = s.ControlSerializer
    filterset_class = filtersets.ControlFilterSet
    search_fields = ["title", "objective"]
    ordering_fields = ["id", "title"]
    ordering = ["-id"]
    page_relations = {
        "risks": PageColumn(Control, "risks", "pk"),
        "paragraphs": PageColumn(Control, "paragraphs", "number"),
    }


class ControlTestViewSet(ActionModelViewSet):
    queryset = ControlTest.objects.select_related("tester")
    serializer_class = s.ControlTestSerializer
    filterset_class = filtersets.ControlTestFilterSet
    ordering_fields = ["id", "tested_on"]
    ordering = ["-id"]


class DeficiencyViewSet(ListColumnsMixin, ActionModelViewSet):
    """Control deficiencies. A deficiency is closed with `POST .../{id}/close/` (`closed_on`,
    optional `remediation`), once its remediation is recorded."""

    queryset = Deficiency.objects.select_related("owner")
    serializer_class = s.DeficiencySerializer
    filterset_class = filtersets.DeficiencyFilterSet
    ordering = ["-id"]
    list_columns = (
        *("version", "test", "description", "severity", "remediation", "due_on", "status"),
        *("closed_on", "owner__username"),
    )
    transitions = {"close": Transition(services.close_deficiency, s.CloseDeficiencySerializer)}


class SelfAssessmentViewSet(ActionModelViewSet):
    """The yearly internal control self-assessment of a unit; its head certifies it with
    `POST .../{id}/certify/` (`conclusion`, `statement`)."""

    queryset = SelfAssessment.objects.select_related("unit", "certified_by")
    serializer_class = s.SelfAssessmentSerializer
    filterset_class = filtersets.SelfAssessmentFilterSet
    ordering = ["-id"]
    transitions = {"certify": Transition(services.certify_self_assessment, s.CertifySerializer)}


class ProcurementCaseViewSet(ListColumnsMixin, PageRelationsMixin, ActionModelViewSet):
    """Procurement cases and their panels (para 32). `flagged`: a panel member declared an interest
    in one of the vendors, or has made no declaration. A flagged case needs a clearance
    (`POST .../{id}/clear/` with a reason) before it is awarded (`POST .../{id}/award/`); an
    awarded case is reopened with `POST .../{id}/reopen/` and a reason."""

    queryset = ProcurementCase.objects.all()
    serializer_class = s.ProcurementCaseSerializer
    filterset_class = filtersets.ProcurementCaseFilterSet
    search_fields = ["reference", "title"]
    ordering_fields = ["id", "opened_on", "value"]
    ordering = ["-id"]
    page_relations = {
        "vendors": PageColumn(ProcurementCase, "vendors", "name"),
        "panel": PageColumn(ProcurementCase, "panel", "index_number"),
        "paragraphs": PageColumn(ProcurementCase, "paragraphs", "number"),
    }
    list_columns = (
        *("version", "reference", "title", "value", "opened_on", "status", "is_flagged"),
        *("awarded_to", "awarded_on", "cleared_on", "clearance_reason"),
        *("unit__code", "cleared_by__username"),
    )
    transitions = {
        "award": Transition(services.award_case, s.AwardSerializer),
        "clear": Transition(services.clear_case, s.ClearanceSerializer),
        "reopen": Transition(services.reopen_case, s.ReopenSerializer),
    }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .with_flag()
            .select_related("unit", "cleared_by")
            .prefetch_related("vendors", "panel", "paragraphs")
        )

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class DeclarationViewSet(ListColumnsMixin, ReadLoggedMixin, ActionModelViewSet):
    queryset = InterestDeclaration.objects.select_related("person")
    serializer_class = s.InterestDeclarationSerializer
    filterset_class = filtersets.InterestDeclarationFilterSet
    ordering_fields = ["id", "declared_on"]
    ordering = ["-id"]
    # The read log names the declarant by the declaration's own `person_id`.
    list_columns = ("version", "case", "vendor", "interest", "declared_on", "person__index_number")


class RecoveryCaseViewSet(PageRelationsMixin, ActionModelViewSet):
    """Misconduct findings and the losses recovered (paras 17, 32). Setting `amount_recovered`
    records the difference as a correction; `recovery-actions` record amounts over time.
    `POST .../{id}/refer/` (`to`: disciplinary or national, `referred_on`, `authority`, `note`)
    refers the case for disciplinary action or to national authorities."""

    queryset = RecoveryCase.objects.select_related("unit").prefetch_related("paragraphs")
    serializer_class = s.RecoveryCaseSerializer
    filterset_class = filtersets.RecoveryCaseFilterSet
    search_fields = ["reference", "title"]
    ordering_fields = ["id", "opened_on", "amount_lost"]
    ordering = ["-id"]
    page_relations = {"paragraphs": PageColumn(RecoveryCase, "paragraphs", "number")}
    transitions = {"refer": Transition(services.refer_recovery_case, s.ReferSerializer)}


class RecoveryActionViewSet(ActionModelViewSet):
    """Amounts recovered over time. Append-only: a mistake is put right with a `correction`."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = RecoveryAction.objects.all()
    serializer_class = s.RecoveryActionSerializer
    filterset_class = filtersets.RecoveryActionFilterSet
    ordering = ["-id"]
