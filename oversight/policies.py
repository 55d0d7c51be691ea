"""Who may do what to oversight records, written once (org.permissions.Policy).

Oversight bodies enter and edit their own reports and recommendations; administrators any. Every
user with a role reads the reports (documents issued to the General Assembly). Recommendations
are read by administrators, oversight bodies and GA staff, and by the managers of the addressed
unit's subtree, who report progress on them ("progress"); only the issuing body (or an
administrator) verifies and closes them ("verify"). The timeline and its evidence follow their
recommendation.
"""

from org.permissions import Policy, ReferencePolicy, UnitPolicy


def own_body(queryset, access, field: str):
    """Administrators: every row; an oversight user: the rows of their own body; others none.
    `field` leads to the body ("" for the body itself); the body is compared by id (resolved
    once per request), never by joining on its code."""
    if access.is_admin:
        return queryset
    if access.is_oversight:
        return queryset.filter(**{f"{field}_id" if field else "pk": access.body_id()})
    return queryset.none()


class OversightBodyPolicy(ReferencePolicy):
    """Reference data. `author`: the bodies whose reports and recommendations the user enters
    (and imports)."""

    def author(self, queryset, access):
        return own_body(queryset, access, "")


class OversightReportPolicy(Policy):
    def view(self, queryset, access):
        return queryset if access.authenticated and access.kind else queryset.none()

    def change(self, queryset, access):
        return own_body(queryset, access, "body")


class RecommendationPolicy(UnitPolicy):
    """`prefix` applies the same rule to the rows hanging from a recommendation (its timeline,
    its evidence)."""

    by_ids_when_few = True  # recommendations and their timelines: hundreds of thousands

    def __init__(self, prefix: str = ""):
        super().__init__(unit_field=f"{prefix}unit")
        self.prefix = prefix

    def change(self, queryset, access):
        return own_body(queryset, access, f"{self.prefix}report__body")

    verify = change  # implemented, not implemented, overtaken, or sent back by the body
    # Record a status change made elsewhere with its earlier date: the body (or an admin).
    backdate = change

    def progress(self, queryset, access):
        """Management's side of the workflow: the addressed unit's managers (and admins)."""
        return super().change(queryset, access)

    def status(self, queryset, access):
        """Any move of the workflow, management's or the body's."""
        if access.is_admin:
            return queryset
        if access.is_oversight:
            return self.verify(queryset, access)
        return self.progress(queryset, access)


class TimelinePolicy(RecommendationPolicy):
    """Timeline entries and evidence: read by whoever reads the recommendation, never edited.
    `author`: who may read who wrote an entry (GA staff read what was done, not who did it)."""

    def change(self, queryset, access):
        return queryset.none()

    def author(self, queryset, access):
        return queryset.none() if access.is_ga_staff else self.view(queryset, access)
