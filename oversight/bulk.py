"""Bulk actions on the recommendations list (core.bulk): move the ticked recommendations to one
status, only where the workflow lets this user make that move for every one of them."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.bulk import BulkAction, BulkActionView
from oversight.choices import RecommendationStatus
from oversight.models import Recommendation
from oversight.services import allowed_transitions, change_status


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"),
        choices=[("", gettext_lazy("Choose…")), *RecommendationStatus.choices],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class BulkStatusView(BulkActionView):
    """change_status on each ticked recommendation (its dated timeline entry and history), all
    or nothing; a move the workflow does not give this user for a row refuses the whole batch."""

    model = Recommendation
    form_class = BulkStatusForm
    permission = "view"

    def get_rows(self, ids):
        return list(
            Recommendation.objects.restrict(self.request.user, "view")
            .select_related("report__body")
            .filter(pk__in=ids)
        )

    def refusal(self, row, inputs):
        if inputs["status"] not in allowed_transitions(row, self.request.user):
            return _("%(current)s: this move is not yours to make") % {
                "current": row.get_status_display()
            }
        return None

    def apply(self, row, inputs):
        change_status(
            row, acting_user=self.request.user, status=inputs["status"], note=inputs["note"]
        )

    def done(self, count):
        return ngettext(
            "%(count)s recommendation moved.", "%(count)s recommendations moved.", count
        ) % {"count": count}


CHANGE_STATUS = BulkAction(
    gettext_lazy("Change status"),
    "oversight:recommendation_bulk_status",
    BulkStatusForm,
    permissions=("progress", "verify"),
)
