from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accountability.models import Commitment
from core.forms import DateInput, VersionedModelForm
from org.choices import SENIOR_GRADES
from org.models import OrgUnit, Paragraph, Person
from performance.choices import MPBRating
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    Recognition,
    UnderperformanceCase,
)
from performance.policies import managed_unit_ids

DATE = DateInput()


def manageable_units(user):
    units = OrgUnit.objects.all()
    ids = managed_unit_ids(user)
    return units if ids is None else units.filter(pk__in=ids)


class UserForm(VersionedModelForm):
    takes_user = True

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = manageable_units(user)
        if "paragraphs" in self.fields:
            self.fields["paragraphs"].queryset = Paragraph.objects.order_by("number")
            self.fields["paragraphs"].widget.attrs["size"] = 8

    def _update_errors(self, errors):
        # The model names fields the form does not show (the compact of an objective, the
        # appraisal of a case): show those messages above the form instead of failing.
        if hasattr(errors, "error_dict"):
            moved: dict[str, list] = {}
            for name, messages in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(messages)
            errors = ValidationError(moved)
        super()._update_errors(errors)


class StaffIndexField(forms.CharField):
    """A staff member given by index number (a select of 37,000 names would not do)."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset if queryset is not None else Person.objects.none()
        kwargs.setdefault("label", _("Staff member (index number)"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Person):
            return value.index_number
        if isinstance(value, int):
            person = Person.objects.filter(pk=value).first()
            return person.index_number if person else value
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        person = self.queryset.filter(index_number=value.strip()).first()
        if person is None:
            raise forms.ValidationError(
                _("No staff member in your units has index number %(index)s.") % {"index": value}
            )
        return person


class CompactForm(UserForm):
    class Meta:
        model = Compact
        fields = ["senior_manager", "unit", "year", "paragraphs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["senior_manager"].queryset = (
            Person.objects.restrict(self.user, "assign")
            .filter(Q(grade__in=SENIOR_GRADES) | Q(is_head_of_entity=True))
            .order_by("name")
        )
        self.fields["unit"].required = False
        self.fields["unit"].help_text = _("Leave empty for the senior manager's own unit.")


class TransitionForm(forms.Form):
    """The inputs of a named action on one record, with the version the page was based on (an
    action on a record changed meanwhile is refused, not applied)."""

    takes_object = True
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        if obj is not None:
            self.fields["version"].initial = obj.version


class SignCompactForm(TransitionForm):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)


class AssessCompactForm(TransitionForm):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    mpb_rating = forms.ChoiceField(
        label=_("Management Performance Board rating"), choices=MPBRating.choices[1:]
    )
    mpb_assessment = forms.CharField(
        label=_("Management Performance Board assessment"), widget=forms.Textarea
    )


class ObjectiveForm(UserForm):
    class Meta:
        model = CompactObjective
        fields = [
            "kind",
            "title",
            "indicator",
            "target",
            "result",
            "outcome",
            "commitment",
            "indicators",
            "paragraphs",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact = self.instance.compact
        self.fields["indicators"].queryset = (
            Indicator.objects.restrict(self.user, "view")
            .filter(unit__path__startswith=compact.unit.path)
            .select_related("unit")
            .order_by("unit__code", "title")
        )
        self.fields["indicators"].widget.attrs["size"] = 8
        # The unit's commitments due around the compact's year: a short list, not 200,000.
        self.fields["commitment"].queryset = (
            Commitment.objects.restrict(self.user, "view")
            .filter(
                unit__path__startswith=compact.unit.path,
                due_on__year__gte=compact.year - 1,
                due_on__year__lte=compact.year + 1,
            )
            .order_by("due_on", "pk")
        )


class FindingForm(UserForm):
    class Meta:
        model = BoardFinding
        fields = ["finding", "action_plan", "due_on"]
        widgets = {"due_on": DATE}


class CloseFindingForm(TransitionForm):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)
    action_plan = forms.CharField(
        label=_("Action plan"),
        widget=forms.Textarea,
        required=False,
        help_text=_("The action plan that addressed the finding, if not yet recorded."),
    )


class AppraisalForm(UserForm):
    staff = StaffIndexField()

    class Meta:
        model = Appraisal
        fields = ["staff", "cycle", "due_on", "completed_on", "rating"]
        widgets = {"due_on": DATE, "completed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Person.objects.restrict(self.user, "assign")
        self.fields["due_on"].required = False
        self.fields["due_on"].help_text = _("Leave empty for 31 May after the cycle ends.")
        if self.instance.pk:
            self.fields["staff"].disabled = True
            self.initial["staff"] = self.instance.staff.index_number
            self.fields["staff"].queryset = Person.objects.filter(pk=self.instance.staff_id)


class UnderperformanceCaseForm(UserForm):
    class Meta:
        model = UnderperformanceCase
        fields = ["improvement_plan", "plan_start", "plan_end", "rebuttal", "outcome", "closed_on"]
        widgets = {"plan_start": DATE, "plan_end": DATE, "closed_on": DATE}


class ExpectedAccomplishmentForm(UserForm):
    class Meta:
        model = ExpectedAccomplishment
        fields = ["unit", "title", "paragraphs"]


class IndicatorForm(UserForm):
    class Meta:
        model = Indicator
        fields = [
            "unit",
            "accomplishment",
            "kind",
            "title",
            "unit_of_measure",
            "baseline",
            "target",
            "direction",
            "paragraphs",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accomplishment"].queryset = ExpectedAccomplishment.objects.filter(
            unit__in=manageable_units(self.user)
        ).select_related("unit")


class IndicatorResultForm(UserForm):
    class Meta:
        model = IndicatorResult
        fields = ["period", "value", "cost", "outputs"]
        help_texts = {"period": _("A year (2024) or a biennium (2024-2025).")}


class RBMResponsibilityForm(UserForm):
    class Meta:
        model = RBMResponsibility
        fields = ["senior_manager", "assigned_on", "remit"]
        widgets = {"assigned_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["senior_manager"].queryset = Person.objects.filter(
            Q(grade__in=SENIOR_GRADES) | Q(is_head_of_entity=True)
        ).order_by("name")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns: staff (index number), cycle, due_on, completed_on, rating, unit (optional)."
        ),
    )


# --- Learning, discipline, recognition, budget performance ------------------------------------


class CourseForm(UserForm):
    class Meta:
        model = Course
        fields = ["code", "title", "area", "mandatory"]


class PersonFieldMixin:
    """`person` given by index number, among the people the user may name; fixed once saved."""

    person_required = True

    def setup_person(self):
        field = StaffIndexField(required=self.person_required)
        field.queryset = Person.objects.restrict(self.user, "assign")
        self.fields["person"] = field
        if self.instance.pk and self.instance.person_id:
            field.disabled = True
            field.queryset = Person.objects.filter(pk=self.instance.person_id)
            self.initial["person"] = self.instance.person.index_number


class CourseCompletionForm(PersonFieldMixin, UserForm):
    class Meta:
        model = CourseCompletion
        fields = ["person", "course", "completed_on"]
        widgets = {"completed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person()
        self.fields["course"].queryset = Course.objects.order_by("code")


class DisciplinaryCaseForm(PersonFieldMixin, UserForm):
    person_required = False

    class Meta:
        model = DisciplinaryCase
        fields = [
            "unit",
            "person",
            "opened_on",
            "category",
            "summary",
            "measure",
            "measure_on",
            "referred_to_national_authorities",
            "referred_on",
        ]
        widgets = {"opened_on": DATE, "measure_on": DATE, "referred_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person()


class RecognitionForm(PersonFieldMixin, UserForm):
    person_required = False

    class Meta:
        model = Recognition
        fields = ["unit", "person", "kind", "awarded_on", "reason"]
        widgets = {"awarded_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person()
        self.fields["person"].help_text = _("Leave empty for a team award.")


class BudgetPerformanceForm(UserForm):
    class Meta:
        model = BudgetPerformance
        fields = ["unit", "period", "appropriation", "expenditure", "currency"]
        help_texts = {"period": _("A year (2024) or a biennium (2024-2025).")}


class SpreadsheetImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
