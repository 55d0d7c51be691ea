"""Bulk actions on the commitments list (core.bulk): give the ticked commitments a new owner."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accountability.forms import UsernameChoiceField
from accountability.models import Commitment
from accountability.services import save_commitment
from core.bulk import BulkAction, BulkActionView


class AssignOwnerForm(forms.Form):
    owner = UsernameChoiceField(label=gettext_lazy("New owner"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].help_text = ""


class AssignCommitmentOwnerView(BulkActionView):
    """Each ticked commitment gets the owner through save_commitment (one history entry each)."""

    model = Commitment
    form_class = AssignOwnerForm

    def refusal(self, row, inputs):
        if row.pk not in self.permitted:
            return _("not yours to change")
        return None

    def apply(self, row, inputs):
        if row.owner_id == inputs["owner"].pk:
            return
        row.owner = inputs["owner"]
        save_commitment(row, acting_user=self.request.user)

    def done(self, count):
        return ngettext(
            "%(count)s commitment now has its new owner.",
            "%(count)s commitments now have their new owner.",
            count,
        ) % {"count": count}


ASSIGN_OWNER = BulkAction(
    gettext_lazy("Assign owner"), "accountability:commitment_bulk_owner", AssignOwnerForm
)
