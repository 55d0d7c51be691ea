"""Browser forms. They collect input; the rules are in the models' clean() and in services."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accountability.choices import CommitmentStatus, ReviewOutcome
from accountability.models import AuthorityItem, Commitment, Decision, Delegation, KpiEntry
from accountability.policies import default_unit_id, recordable_units
from core.forms import DateInput, MultipleFileField, VersionedModelForm
from core.templatetags.core_tags import un_date
from core.uploads import check_evidence
from core.widgets import MultiPicker, PersonPicker
from org.models import Paragraph


class UsernameChoiceField(forms.ModelChoiceField):
    """A user account given by username (a select of 37,000 accounts would not be usable): a
    person picker that searches the people the user may see by name, username or index number."""

    widget = PersonPicker

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.filter(is_active=True))
        kwargs.setdefault("to_field_name", "username")
        kwargs.setdefault(
            "help_text", _("Type a name, username or index number and choose the person.")
        )
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("There is no active account with this username.")},
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            user = get_user_model().objects.filter(pk=value).first()
            return user.username if user else value
        return super().prepare_value(value)


def delegation_label(delegation: Delegation) -> str:
    limit = (
        _("no limit")
        if delegation.limit_amount is None
        else f"USD {formats.number_format(delegation.limit_amount, 2, force_grouping=True)}"
    )
    until = un_date(delegation.valid_to) if delegation.valid_to else "…"
    return f"{delegation} · {limit} · {un_date(delegation.valid_from)} – {until}"


def delegation_options(user, day):
    """The instruments a person (a user or a user id) may rely on for a decision on `day`."""
    return (
        Delegation.objects.filter(delegatee=user)
        .valid_on(day)
        .select_related("unit")
        .order_by("area", "-valid_from")
    )


class ParagraphsField(forms.ModelMultipleChoiceField):
    """Paragraphs of the resolution, labelled with the start of their text so a manager can pick
    the right one without looking it up."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Paragraph.objects.order_by("number"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Paragraphs of resolution 64/259"))
        kwargs.setdefault("widget", MultiPicker(attrs={"size": 8}))
        kwargs.setdefault(
            "help_text",
            _(
                "Type a paragraph's number or words of its text and press Enter to add it; "
                "remove one with its × button. (In a plain list, hold Ctrl or ⌘ to pick several.)"
            ),
        )
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return f"{obj.number}. {Truncator(obj.text).chars(90)}"


class DelegationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return delegation_label(obj)


class DecisionForm(VersionedModelForm):
    """The decision log's form: a minute to fill in. The delegation offered is among those the
    person who decided holds on the date; the rule judges the rest."""

    takes_user = True
    action_inputs = ("attachments",)

    delegation = DelegationChoiceField(
        queryset=Delegation.objects.none(),
        required=False,
        label=_("Delegation relied on"),
        help_text=_("Leave empty if the decision needs no delegated authority."),
    )
    paragraphs = ParagraphsField()
    attachments = MultipleFileField(
        required=False,
        label=_("Evidence"),
        help_text=_("Memos or signed forms (PDF, Word, Excel, images; up to 20 MB each)."),
    )

    class Meta:
        model = Decision
        fields = [
            "reference",
            "title",
            "decided_on",
            "unit",
            "area",
            "amount",
            "delegation",
            "rationale",
            "paragraphs",
        ]
        widgets = {
            "decided_on": DateInput(),
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.instance.pk:
            self.instance.decided_by = user
            self.fields["decided_on"].initial = timezone.localdate()
            self.fields["unit"].initial = default_unit_id(user)
        self.fields["unit"].queryset = recordable_units(user)
        decided_by = self.instance.decided_by
        # Any instrument the user may see may be cited (a wrong one is logged and flagged outside
        # authority, never refused); the menu offers those the person holds on the date.
        self.fields["delegation"].queryset = Delegation.objects.restrict(
            user, "view"
        ).select_related("unit")
        day = self.instance.decided_on or timezone.localdate()
        offered = list(delegation_options(decided_by, day))
        if self.instance.delegation_id and self.instance.delegation not in offered:
            offered.insert(0, self.instance.delegation)
        self.fields["delegation"].widget.choices = [("", _("None"))] + [
            (d.pk, delegation_label(d)) for d in offered
        ]
        self.fields["decided_on"].widget.attrs.update(
            {
                "hx-get": reverse("accountability:decision_delegation_options")
                + (f"?for={decided_by.pk}" if decided_by and decided_by != user else ""),
                "hx-target": "#id_delegation",
                "hx-include": "#id_delegation",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
                "max": timezone.localdate().isoformat(),
            }
        )
        self.fields["amount"].widget.attrs.update({"min": "0", "step": "0.01"})

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        for upload in files:
            check_evidence(upload)
        return files


class DelegationForm(VersionedModelForm):
    takes_user = True

    delegator = UsernameChoiceField(label=_("Delegator"))
    delegatee = UsernameChoiceField(label=_("Delegatee"))
    parent = forms.ModelChoiceField(
        queryset=Delegation.objects.all(), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Delegation
        fields = [
            "reference",
            "delegator",
            "delegatee",
            "unit",
            "area",
            "authority",
            "scope",
            "limit_amount",
            "valid_from",
            "valid_to",
            "parent",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = recordable_units(user)
        self.fields["parent"].queryset = Delegation.objects.restrict(user, "view")
        # Reserved matters are listed too, so that choosing one gets its clear refusal.
        self.fields["authority"].queryset = AuthorityItem.objects.prefetch_related("limits")
        self.fields["limit_amount"].widget.attrs.update({"min": "0", "step": "0.01"})
        if parent is not None:
            self.fields["parent"].initial = parent.pk
            self.fields["delegator"].initial = parent.delegatee.username
            self.fields["unit"].initial = parent.unit_id
            self.fields["area"].initial = parent.area
            self.fields["valid_from"].initial = max(parent.valid_from, timezone.localdate())
            self.fields["valid_to"].initial = parent.valid_to
        elif not self.instance.pk:
            self.fields["delegator"].initial = user.username
            self.fields["unit"].initial = default_unit_id(user)

    def add_error(self, field, error):
        # The parent is a hidden field: its message (e.g. only an administrator issues a root
        # instrument) is shown above the form.
        if field == "parent":
            field = None
        super().add_error(field, error)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    end = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data


class TransitionForm(forms.Form):
    """A form for one named action on a record: it carries the version the user saw, so a change
    made meanwhile by someone else is refused rather than overwritten."""

    takes_object = True

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        if obj is not None:
            self.fields["version"].initial = obj.version


class AcceptanceForm(TransitionForm):
    accepted_on = forms.DateField(
        label=_("Accepted on"),
        widget=DateInput(),
        required=False,
        help_text=_("Today if left empty; only an administrator records an earlier date."),
    )


class RevocationForm(TransitionForm):
    revoked_on = forms.DateField(label=_("Revoked on"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoked_on"].initial = timezone.localdate()


class ReviewForm(TransitionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    action_taken = forms.CharField(
        label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReviseReviewForm(ReviewForm):
    reason = forms.CharField(
        label=_("Reason for revising the review"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None:
            self.fields["outcome"].initial = obj.review_outcome
            self.fields["action_taken"].initial = obj.review_action


class CommitmentForm(VersionedModelForm):
    takes_user = True

    owner = UsernameChoiceField(label=_("Owner"))
    paragraphs = ParagraphsField()

    class Meta:
        model = Commitment
        fields = ["title", "owner", "unit", "due_on", "deliverable", "paragraphs"]
        widgets = {
            "due_on": DateInput(),
            "deliverable": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = recordable_units(user)
        if not self.instance.pk:
            self.fields["owner"].initial = user.username
            self.fields["unit"].initial = default_unit_id(user)


class CommitmentStatusForm(TransitionForm):
    status = forms.ChoiceField(label=_("New status"), choices=CommitmentStatus.choices)
    honoured_on = forms.DateField(
        label=_("Honoured on"),
        widget=DateInput(),
        required=False,
        help_text=_("For an honoured commitment; today if left empty."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class KpiEntryForm(VersionedModelForm):
    """A KPI entered with its evidence for one entity (the page's)."""

    takes_user = True

    class Meta:
        model = KpiEntry
        fields = ["kpi", "year", "value", "evidence", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, entity=None, **kwargs):
        from accountability.kpis import ENTERED_KPIS

        super().__init__(*args, **kwargs)
        if entity is not None:
            self.instance.unit = entity
        self.fields["kpi"] = forms.ChoiceField(
            label=_("Indicator"), choices=[(k.code, k.label) for k in ENTERED_KPIS]
        )
        self.fields["year"].initial = timezone.localdate().year
        self.fields["value"].widget.attrs.update({"min": "0", "max": "100", "step": "0.1"})

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload is not None and hasattr(upload, "content_type"):
            check_evidence(upload)
        return upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("CSV in UTF-8 or XLSX (first sheet), with a header row."),
    )


class NoticeLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of my e-mail notices"), choices=settings.LANGUAGES
    )
