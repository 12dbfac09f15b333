"""The disputes' portal forms: a worker's online application and its withdrawal.

Validation and normalisation only (docs/architecture.md, "A fifth workflow"); they never save.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.core import dates
from casework.core.models import Market
from casework.disputes import forms as disputes_forms
from casework.disputes.forms import EvidenceField
from casework.disputes.models import ClaimType
from casework.parties import identifiers
from casework.parties.models import Organization, Person


class DateInput(forms.DateInput):
    # The phone's own date picker; it sends and expects ISO dates.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RespondentKind:
    ORGANIZATION = "organization"
    PERSON = "person"
    CHOICES = [
        (ORGANIZATION, _("A company or other organisation")),
        (PERSON, _("An individual")),
    ]


class OnlineDisputeForm(forms.Form):
    """An online application to mediation by a worker linked to a registered person."""

    market = forms.ModelChoiceField(label=_("Gig market"), queryset=Market.objects.all())
    mediation_body = forms.ModelChoiceField(
        label=_("mediation body"),
        queryset=Organization.objects.filter(kind=Organization.Kind.MEDIATION_BODY),
    )
    respondent_kind = forms.ChoiceField(
        label=_("Who owes you"),
        choices=RespondentKind.CHOICES,
        initial=RespondentKind.ORGANIZATION,
        widget=forms.RadioSelect,
    )
    org_credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=24,
        required=False,
        help_text=_("18 characters, on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    org_name = forms.CharField(label=_("name"), max_length=120, required=False)
    person_name = forms.CharField(label=_("full name"), max_length=60, required=False)
    person_mobile = forms.CharField(
        label=_("mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    person_id_number = forms.CharField(
        label=_("resident ID number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    matter = forms.CharField(
        label=_("matter in dispute"),
        max_length=500,
        help_text=_("In one sentence, e.g. unpaid wages for moving work in October."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reasons = forms.CharField(
        label=_("facts and reasons"),
        max_length=5000,
        help_text=_("What work you did, when and where, what was agreed and what was not paid."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    knew_of_infringement_on = forms.DateField(
        label=_("Date you knew of the infringement"),
        help_text=_("For unpaid wages: the day the pay was due and not paid."),
        widget=DateInput,
        validators=[dates.past_day],
    )
    employment_ended_on = forms.DateField(
        label=_("date employment ended"),
        required=False,
        help_text=_("Leave empty if you still work there."),
        widget=DateInput,
        validators=[dates.past_day],
    )
    evidence = EvidenceField(
        label=_("Evidence"),
        required=False,
        help_text=_("Photos or PDF files: pay records, chat messages, attendance records."),
    )

    RESPONDENT_FIELDS = (
        "respondent_kind",
        "org_credit_code",
        "org_name",
        "person_name",
        "person_mobile",
        "person_id_number",
    )

    def __init__(self, *args, applicant: Person, respondent=None, **kwargs):
        """``respondent``: a registered respondent fixed in advance (the hiring party of a
        gig agreement); the worker then neither sees nor types its identifiers."""
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        self.fixed_respondent = respondent
        if respondent is not None:
            for name in self.RESPONDENT_FIELDS:
                del self.fields[name]
        for name in ("market", "mediation_body"):
            field = self.fields[name]
            if field.queryset.count() == 1:
                field.initial = field.queryset.get()

    def clean_org_credit_code(self) -> str:
        value = self.cleaned_data["org_credit_code"].strip()
        if not value or self.cleaned_data.get("respondent_kind") != RespondentKind.ORGANIZATION:
            return value
        compact, problem = identifiers.check_uscc(value)
        if problem is not None:
            # No override in the portal: counter staff can check a genuine odd code.
            raise ValidationError(
                _(
                    "This unified social credit code is not valid. Please copy it again from "
                    "the business licence, or apply at the market's counter."
                ),
                code=problem.code,
            )
        return compact

    def clean_person_id_number(self) -> str:
        value = self.cleaned_data["person_id_number"].strip()
        if value and self.cleaned_data.get("respondent_kind") == RespondentKind.PERSON:
            return identifiers.normalise_ric(value)
        return value

    def clean_person_mobile(self) -> str:
        value = self.cleaned_data["person_mobile"].strip()
        if value and self.cleaned_data.get("respondent_kind") == RespondentKind.PERSON:
            return identifiers.normalise_mobile(value)
        return value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("respondent_kind")
        if kind == RespondentKind.ORGANIZATION:
            self._require("org_credit_code", "org_name")
            self._check_organization(cleaned.get("org_credit_code"))
        elif kind == RespondentKind.PERSON:
            self._require("person_name", "person_mobile", "person_id_number")
            self._check_person(cleaned.get("person_id_number"), cleaned.get("person_name"))
        return cleaned

    def _require(self, *names: str) -> None:
        for name in names:
            if name not in self.errors and not self.cleaned_data.get(name):
                self.add_error(name, forms.Field.default_error_messages["required"])

    def _check_organization(self, code: str | None) -> None:
        if not code or "org_credit_code" in self.errors:
            return
        kind = Organization.objects.filter(credit_code=code).values_list("kind", flat=True)
        if kind.first() == Organization.Kind.MEDIATION_BODY:
            self.add_error(
                "org_credit_code", _("This code belongs to a mediation body, not to an employer.")
            )

    def _check_person(self, id_number: str | None, name: str | None) -> None:
        if not id_number or not name:
            return
        if id_number == self.applicant.id_number:
            self.add_error("person_id_number", _("You cannot name yourself as respondent."))
            return
        registered = Person.objects.filter(id_number=id_number).values_list("name", flat=True)
        # Never show the registered name: that would tell anyone whose number it is.
        if registered.exists() and registered.get() != name.strip():
            self.add_error(
                "person_name",
                _(
                    "This ID number is registered under another name. Please check the name "
                    "and the number, or apply at the market's counter."
                ),
            )

    def respondent(self) -> Organization | Person:
        """The registered respondent, or a new unsaved one for the view to save."""
        if self.fixed_respondent is not None:
            return self.fixed_respondent
        data = self.cleaned_data
        if data["respondent_kind"] == RespondentKind.ORGANIZATION:
            existing = Organization.objects.filter(credit_code=data["org_credit_code"]).first()
            return existing or Organization(
                kind=Organization.Kind.EMPLOYER,
                name=data["org_name"].strip(),
                credit_code=data["org_credit_code"],
            )
        existing = Person.objects.filter(id_number=data["person_id_number"]).first()
        return existing or Person(
            name=data["person_name"].strip(),
            id_number=data["person_id_number"],
            mobile=data["person_mobile"],
        )


class ClaimForm(disputes_forms.ClaimForm):
    """The counter's claim form, starting on unpaid wages (the commonest claim)."""

    claim_type = forms.ChoiceField(
        label=_("claim type"), choices=ClaimType.choices, initial=ClaimType.UNPAID_WAGES
    )


ClaimFormSet = forms.formset_factory(
    ClaimForm,
    formset=disputes_forms.BaseClaimFormSet,
    extra=2,
    min_num=1,
    max_num=5,
    validate_min=True,
)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawal"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
