from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accountability.models import Decision
from core.forms import DateInput, VersionedModelForm
from org.models import OrgUnit, Paragraph, Person
from risk.choices import CaseStatus, Conclusion, ReferralKind
from risk.models import (
    ContractsReview,
    Control,
    ControlTest,
    CriticalRisk,
    Deficiency,
    InterestDeclaration,
    InternalControlStatement,
    ProcurementCase,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
    VendorSanction,
)
from risk.policies import recordable_units


class UserScopedForm(VersionedModelForm):
    """A form whose unit choices are the units the user manages."""

    takes_user = True

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "unit" in self.fields:
            self.fields["unit"].queryset = recordable_units(user)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        for name in ("owner", "tester"):
            if name in self.fields:
                self.fields[name].queryset = users
                self.fields[name].label_from_instance = lambda u: u.get_username()
        if "paragraphs" in self.fields:
            self.fields["paragraphs"].queryset = Paragraph.objects.all()
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()


class RiskForm(UserScopedForm):
    class Meta:
        model = Risk
        fields = [
            "unit",
            "title",
            "description",
            "cause",
            "effect",
            "category",
            "owner",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
            "response",
            "identified_on",
            "reviewed_on",
            "closed_on",
            "paragraphs",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
        }


class TreatmentForm(UserScopedForm):
    class Meta:
        model = Treatment
        fields = ["title", "owner", "due_on", "status", "completed_on"]


class ControlForm(UserScopedForm):
    class Meta:
        model = Control
        fields = ["unit", "title", "objective", "kind", "frequency", "owner", "risks", "paragraphs"]
        widgets = {"objective": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risks"].queryset = (
            Risk.objects.restrict(self.user, "change").active().order_by("title")
        )


class ControlTestForm(UserScopedForm):
    class Meta:
        model = ControlTest
        fields = ["tested_on", "tester", "result", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class DeficiencyForm(UserScopedForm):
    class Meta:
        model = Deficiency
        fields = ["description", "severity", "remediation", "owner", "due_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "remediation": forms.Textarea(attrs={"rows": 3}),
        }


class SelfAssessmentForm(UserScopedForm):
    class Meta:
        model = SelfAssessment
        fields = ["unit", "year", "statement"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 5})}


class CloseDeficiencyForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput(), required=False)
    remediation = forms.CharField(
        label=_("Remediation action"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required unless already recorded."),
    )


class CertifyForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices)
    statement = forms.CharField(
        label=_("Statement"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class ProcurementCaseForm(UserScopedForm):
    vendor_names = forms.CharField(
        label=_("Vendors"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One vendor per line."),
    )
    panel_members = forms.CharField(
        label=_("Evaluation panel"),
        required=False,
        help_text=_("Index numbers of the panel members, separated by spaces or commas."),
    )

    action_inputs = ("vendors", "panel")

    class Meta:
        model = ProcurementCase
        fields = ["reference", "title", "unit", "value", "opened_on", "status", "paragraphs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Awarding and reopening are their own pages: the edit form moves the status only
        # between open, under evaluation and cancelled.
        if self.instance.status == CaseStatus.AWARDED:
            del self.fields["status"]
        else:
            self.fields["status"].choices = [
                c for c in CaseStatus.choices if c[0] != CaseStatus.AWARDED
            ]
        if self.instance.pk:
            self.fields["vendor_names"].initial = "\n".join(
                self.instance.vendors.values_list("name", flat=True)
            )
            self.fields["panel_members"].initial = " ".join(
                self.instance.panel.values_list("index_number", flat=True)
            )

    def clean_vendor_names(self):
        return [
            line.strip() for line in self.cleaned_data["vendor_names"].splitlines() if line.strip()
        ]

    def clean_panel_members(self):
        numbers = [n for n in self.cleaned_data["panel_members"].replace(",", " ").split() if n]
        # The people the user manages (org.policies "assign"), and whoever already sits on it.
        allowed = Person.objects.restrict(self.user, "assign")
        if self.instance.pk:
            allowed = allowed | Person.objects.filter(pk__in=self.instance.panel.values("pk"))
        people = list(allowed.filter(index_number__in=numbers))
        missing = sorted(set(numbers) - {p.index_number for p in people})
        if missing:
            raise forms.ValidationError(
                _("No staff member has index number %(numbers)s.") % {"numbers": ", ".join(missing)}
            )
        return people

    def clean(self):
        cleaned = super().clean()
        # The action's inputs: vendors by name, the panel as people.
        if "vendor_names" in cleaned:
            cleaned["vendors"] = cleaned["vendor_names"]
        if "panel_members" in cleaned:
            cleaned["panel"] = cleaned["panel_members"]
        return cleaned


class AwardForm(forms.Form):
    takes_object = True
    awarded_to = forms.ChoiceField(label=_("Awarded to"))
    awarded_on = forms.DateField(label=pgettext_lazy("contract", "Awarded on"), widget=DateInput())

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        vendors = obj.vendors.values_list("name", flat=True) if obj is not None else []
        self.fields["awarded_to"].choices = [(v, v) for v in vendors]


class ClearanceForm(forms.Form):
    clearance_reason = forms.CharField(
        label=_("Why may the case proceed?"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        return {"reason": super().clean().get("clearance_reason", "")}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the case reopened?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    status = forms.ChoiceField(
        label=_("Reopen as"),
        choices=[
            (CaseStatus.EVALUATION, CaseStatus.EVALUATION.label),
            (CaseStatus.OPEN, CaseStatus.OPEN.label),
        ],
    )


class DeclarationForm(UserScopedForm):
    person = forms.ModelChoiceField(label=_("Panel member"), queryset=Person.objects.none())
    vendor = forms.ChoiceField(label=_("Interest in vendor"), required=False)

    class Meta:
        model = InterestDeclaration
        fields = ["person", "vendor", "interest", "declared_on"]
        widgets = {"interest": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        case = case or self.instance.case
        self.instance.case = case
        # Panel members the user may name: themselves, or the people they manage.
        self.fields["person"].queryset = case.panel.all() & Person.objects.restrict(
            self.user, "assign"
        )
        self.fields["vendor"].choices = [("", _("No interest in any vendor"))] + [
            (v, v) for v in case.vendors.values_list("name", flat=True)
        ]


class RecoveryCaseForm(UserScopedForm):
    class Meta:
        model = RecoveryCase
        fields = [
            "unit",
            "reference",
            "title",
            "finding",
            "description",
            "decision",
            "amount_lost",
            "opened_on",
            "closed_on",
            "paragraphs",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "decision": forms.NumberInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A number field, not a select of up to a million decisions; only visible ones are accepted.
        self.fields["decision"].queryset = Decision.objects.restrict(self.user, "view")
        self.fields["decision"].help_text = _(
            "Number (id) of the decision in the decision log, if a wrong decision caused the loss."
        )


class RecoveryActionForm(UserScopedForm):
    class Meta:
        model = RecoveryAction
        fields = ["taken_on", "kind", "amount", "note"]


# --- Statement of internal control, critical risks, sanctions, referrals --------------------


class StatementForm(UserScopedForm):
    class Meta:
        model = InternalControlStatement
        fields = ["year", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}


class IssueStatementForm(forms.Form):
    issued_on = forms.DateField(
        label=_("Issued on"), widget=DateInput(), required=False, help_text=_("Default: today.")
    )
    text = forms.CharField(
        label=_("Text of the statement"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_("Leave empty to keep the text already written."),
    )


class CriticalRiskForm(UserScopedForm):
    """Flag a risk Secretariat-wide: the accountable manager is given by index number (a select
    of every staff member would not do at 37,000 people)."""

    manager_index = forms.CharField(label=_("Accountable manager (index number)"), max_length=20)

    class Meta:
        model = CriticalRisk
        fields = ["owner_unit", "manager_index", "treatment", "flagged_on"]
        widgets = {"treatment": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = OrgUnit.objects.filter(is_active=True)
        if self.instance.accountable_manager_id:
            self.fields["manager_index"].initial = self.instance.accountable_manager.index_number

    def clean_manager_index(self):
        number = self.cleaned_data["manager_index"].strip()
        person = Person.objects.restrict(self.user, "assign").filter(index_number=number).first()
        if person is None:
            raise forms.ValidationError(
                _("No staff member has index number %(numbers)s.") % {"numbers": number}
            )
        self.instance.accountable_manager = person
        return number


class WithdrawCriticalRiskForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the risk leave the register?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput(), required=False)


class VendorSanctionForm(UserScopedForm):
    class Meta:
        model = VendorSanction
        fields = ["vendor", "measure", "sanctioned_from", "sanctioned_to", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class ContractsReviewForm(UserScopedForm):
    class Meta:
        model = ContractsReview
        fields = ["reviewed_on", "reference", "outcome", "recommendation"]
        widgets = {"recommendation": forms.Textarea(attrs={"rows": 3})}


class ReferForm(forms.Form):
    to = forms.ChoiceField(label=_("Referral"), choices=ReferralKind.choices)
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput(), required=False)
    authority = forms.CharField(
        label=_("National authority"),
        required=False,
        max_length=200,
        help_text=_("For a referral to national authorities: the State and the authority."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
