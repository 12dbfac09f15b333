"""The staff forms of complaints: validation and normalisation only (docs/architecture.md).

``StaffIntakeForm`` is the counter and phone intake: the fields every channel
asks (forms_intake.IntakeForm) plus the channel, who complains (a registered
person found by ID number, a name and a mobile number, or nobody) and the
intermediary in the registry. The step forms feed one service call each; the
services apply every rule again and their refusals are shown on these forms.
"""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.complaints import services
from casework.complaints.forms_intake import (
    ContactFields,
    DateInput,
    EvidenceFilesField,
    IntakeForm,
)
from casework.complaints.models import (
    Channel,
    Complaint,
    FeedbackResult,
    Interview,
    NotAcceptedReason,
    Outcome,
    Penalty,
    ReferralTarget,
)
from casework.complaints.penalties import Conduct, Measure
from casework.core import dates
from casework.core.formfields import AmountField
from casework.core.roles import Role
from casework.parties import identifiers
from casework.parties.forms import OrganizationForm
from casework.parties.models import Organization, Person


def intermediaries():
    return Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY).order_by("name")


class IntermediaryChoiceField(forms.ModelChoiceField):
    """An intermediary of the registry, shown with its credit code (names repeat)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", intermediaries())
        kwargs.setdefault("label", _("Intermediary in the registry"))
        super().__init__(**kwargs)

    def label_from_instance(self, org: Organization) -> str:
        return f"{org.name}（{org.credit_code}）"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# -- intake ---------------------------------------------------------------------------------


class Who(models.TextChoices):
    PERSON = "person", _("a registered person (found by ID number)")
    NAMED = "named", _("a name and a mobile number only")
    ANONYMOUS = "anonymous", _("anonymous")


class StaffIntakeForm(ContactFields, IntakeForm):
    """A complaint received at the counter or by phone; the officer who records it holds it."""

    channel = forms.ChoiceField(
        label=_("How the complaint was received"),
        choices=[(c, Channel(c).label) for c in services.STAFF_CHANNELS],
        initial=Channel.COUNTER,
        widget=forms.RadioSelect,
    )
    who = forms.ChoiceField(
        label=_("Who is complaining"),
        choices=Who.choices,
        initial=Who.NAMED,
        widget=forms.RadioSelect,
        help_text=_(
            "An anonymous complainant may still leave a mobile number for notices; "
            "the respondent never learns who complained."
        ),
    )
    complainant_id_number = forms.CharField(
        label=_("Complainant's resident ID number"),
        max_length=24,
        required=False,
        help_text=_("Only for a registered person: the person's details come from the registry."),
    )
    complainant_name = forms.CharField(label=_("complainant's name"), max_length=60, required=False)
    contact_mobile = forms.CharField(
        label=_("mobile number for notices"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_("Decisions and the result are sent to it by text message."),
    )
    respondent = IntermediaryChoiceField(
        required=False,
        help_text=_("If the intermediary is already registered; otherwise name it below."),
    )

    field_order = [
        "market",
        "channel",
        "who",
        "complainant_id_number",
        "complainant_name",
        "contact_mobile",
        "categories",
        "deposit_amount",
        "deposit_workers",
        "conduct_on",
        "facts",
        "respondent",
        "respondent_name_given",
        "respondent_details_given",
        "evidence",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.fields["respondent_name_given"]
        name.required = False
        name.help_text = _(
            "As the complainant names it (sign, advertisement, receipt); "
            "may be left empty when the intermediary is chosen from the registry."
        )

    def clean(self):
        cleaned = super().clean()
        self._clean_complainant(cleaned)
        respondent = cleaned.get("respondent")
        name = (cleaned.get("respondent_name_given") or "").strip()
        if respondent is None and not name and "respondent" not in self.errors:
            self.add_error(
                "respondent_name_given",
                ValidationError(
                    _("Choose the intermediary from the registry or write down its name."),
                    code="respondent_missing",
                ),
            )
        cleaned["respondent_name_given"] = name or (respondent.name if respondent else "")
        return cleaned

    def _clean_complainant(self, cleaned: dict) -> None:
        who = cleaned.get("who")
        cleaned["complainant"] = None
        if who == Who.PERSON:
            cleaned["complainant"] = self._person(cleaned.get("complainant_id_number", ""))
        elif who == Who.NAMED:
            for field, message in (
                ("complainant_name", _("Give the complainant's name.")),
                ("contact_mobile", _("Give a mobile number for the notices.")),
            ):
                if field not in self.errors and not cleaned.get(field):
                    self.add_error(field, ValidationError(message, code="required"))
        elif who == Who.ANONYMOUS and cleaned.get("complainant_name"):
            self.add_error(
                "complainant_name",
                ValidationError(
                    _("An anonymous complaint records no name: leave the name empty."),
                    code="anonymous_with_name",
                ),
            )

    def _person(self, number: str) -> Person | None:
        if not number.strip():
            self.add_error(
                "complainant_id_number",
                ValidationError(_("Give the complainant's ID number."), code="required"),
            )
            return None
        try:
            number = identifiers.normalise_ric(number)
        except ValidationError as exc:
            self.add_error("complainant_id_number", exc)
            return None
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            self.add_error(
                "complainant_id_number",
                ValidationError(
                    _(
                        "Nobody with this ID number is registered: register the person "
                        "first, or record only a name and a mobile number."
                    ),
                    code="person_unknown",
                ),
            )
        return person

    def filing_kwargs(self) -> dict:
        data = self.cleaned_data
        who = data["who"]
        return {
            **super().filing_kwargs(),
            "channel": data["channel"],
            "anonymous": who == Who.ANONYMOUS,
            "complainant": data["complainant"] if who == Who.PERSON else None,
            "complainant_name": data["complainant_name"] if who == Who.NAMED else "",
            # A registered person gets the notices at the number the registry holds.
            "contact_mobile": "" if who == Who.PERSON else data["contact_mobile"],
            "respondent": data.get("respondent"),
        }


# -- the respondent ----------------------------------------------------------------------


class RespondentForm(forms.Form):
    respondent = IntermediaryChoiceField()


class IntermediaryForm(OrganizationForm):
    """A new intermediary for the registry (parties.forms.OrganizationForm, kind fixed).

    The credit code is checked (GB 32100-2015); a code that fails the check is
    accepted only with a supervisor's reason, as OrganizationForm already rules.
    """

    class Meta(OrganizationForm.Meta):
        fields = [
            f for f in OrganizationForm.Meta.fields if f not in ("kind", "mediation_body_type")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Organization.Kind.INTERMEDIARY


# -- acceptance --------------------------------------------------------------------------


class SupplementRequestForm(forms.Form):
    items = forms.CharField(
        label=_("Missing items, one per line"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The one notice lists everything that is missing (一次性告知): "
            "no second notice can be issued."
        ),
        error_messages={"required": _("List every missing item, one per line.")},
    )
    due = forms.DateField(
        label=_("Send them by"),
        widget=DateInput,
        validators=[dates.deadline_day],
        help_text=_("The acceptance clock stops until the items arrive."),
    )

    def clean_items(self) -> list[str]:
        items = _lines(self.cleaned_data["items"])
        if not items:
            raise ValidationError(_("List every missing item, one per line."), code="required")
        return items


class SupplementReceiveForm(forms.Form):
    note = forms.CharField(
        label=_("what arrived"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what arrived.")},
    )


class NotAcceptForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("reason for not accepting"),
        choices=[("", "---------"), *NotAcceptedReason.choices],
        error_messages={"required": _("Choose the reason for not accepting.")},
    )
    authority = forms.CharField(
        label=_("competent authority"),
        max_length=120,
        required=False,
        help_text=_("Required when the complaint is not within this office's power."),
    )
    explanation = forms.CharField(
        label=_("explanation"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["authority"] = (cleaned.get("authority") or "").strip()
        if cleaned.get("reason") == NotAcceptedReason.NOT_COMPETENT and not cleaned["authority"]:
            self.add_error(
                "authority",
                ValidationError(
                    _("Name the authority that can handle this complaint."), code="required"
                ),
            )
        return cleaned


# -- investigation ---------------------------------------------------------------------


class InterviewForm(forms.ModelForm):
    """One questioning (调查笔录); the service saves it and issues its document."""

    class Meta:
        model = Interview
        fields = [
            "held_at",
            "place",
            "interviewee_role",
            "interviewee_name",
            "interviewee_position",
            "investigators",
            "record",
        ]
        widgets = {
            "held_at": DateTimeInput,
            "record": forms.Textarea(attrs={"rows": 10}),
        }

    def clean_held_at(self):
        return dates.past_moment(
            self.cleaned_data["held_at"],
            _("An investigation record is made after the questioning."),
        )


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("why more time is needed"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why more time is needed.")},
    )


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("outcome of the request"),
        choices=[("approve", _("approve")), ("refuse", _("refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("note"),
        max_length=300,
        required=False,
        help_text=_("Required when the extension is refused."),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["note"] = (cleaned.get("note") or "").strip()
        if cleaned.get("decision") == "refuse" and not cleaned["note"]:
            self.add_error(
                "note",
                ValidationError(_("Say why the extension is refused."), code="required"),
            )
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class DecisionItemForm(forms.Form):
    """One conduct found: what is ordered or proposed for it, and the fine proposed."""

    conduct = forms.ChoiceField(
        label=_("conduct found"), choices=[("", "---------"), *Conduct.choices], required=False
    )
    measures = forms.MultipleChoiceField(
        label=_("measures"),
        choices=Measure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    workers_affected = forms.IntegerField(
        label=_("workers affected"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("For a deposit the fine is per worker."),
    )
    amount = AmountField(
        label=_("proposed fine (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("For a penalty: compare it with the statutory range shown."),
    )
    justification = forms.CharField(
        label=_("why outside the statutory range"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the proposed fine is outside the statutory range."),
    )

    def clean(self):
        cleaned = super().clean()
        others = ("measures", "workers_affected", "amount", "justification")
        if not cleaned.get("conduct") and any(cleaned.get(name) for name in others):
            self.add_error("conduct", _("Choose the conduct found."))
        return cleaned

    def item(self) -> services.Item | None:
        data = self.cleaned_data
        if not data.get("conduct"):
            return None  # a row left empty
        return services.Item(
            conduct=data["conduct"],
            measures=tuple(data["measures"]),
            workers_affected=data["workers_affected"],
            amount=data["amount"],
            justification=data["justification"].strip(),
        )


class BaseDecisionItemFormSet(forms.BaseFormSet):
    def items(self) -> tuple[services.Item, ...]:
        rows = (form.item() for form in self.forms if getattr(form, "cleaned_data", None))
        return tuple(item for item in rows if item is not None)


DecisionItemFormSet = forms.formset_factory(
    DecisionItemForm, formset=BaseDecisionItemFormSet, extra=3, max_num=10
)
ITEMS_PREFIX = "items"


class DecisionForm(forms.Form):
    """The decision and its conducts (the ``items`` formset, one row per conduct found);
    what is missing or wrong comes from services.decision_problems()."""

    outcome = forms.ChoiceField(
        label=_("decision"),
        choices=[("", "---------"), *Outcome.choices],
        error_messages={"required": _("Choose the decision.")},
    )
    findings = forms.CharField(
        label=_("facts found"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write down the facts found.")},
    )
    measures = forms.CharField(
        label=_("measures ordered"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In your own words: what the intermediary must do, for every conduct."),
    )
    correction_due = forms.DateField(
        label=_("correct by"),
        required=False,
        widget=DateInput,
        validators=[dates.deadline_day],
        help_text=_("For an order to correct."),
    )

    def __init__(self, data=None, *args, first_item: dict | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The first row starts with the conduct complained of; rows left empty are ignored.
        initial = [first_item] if first_item else None
        self.items = cast(
            BaseDecisionItemFormSet,
            DecisionItemFormSet(data, prefix=ITEMS_PREFIX, initial=initial, auto_id="decision-%s"),
        )

    def is_valid(self) -> bool:
        items_valid = self.items.is_valid()
        return super().is_valid() and items_valid

    def route_error(self, name: str, errors) -> bool:
        """Put a service's problem named ``items-<row>-<field>`` on that row's field."""
        parts = name.split("-")
        if len(parts) != 3 or parts[0] != ITEMS_PREFIX or not parts[1].isdigit():
            if name in (ITEMS_PREFIX, "conduct_found") and self.items.forms:
                # No conduct given at all: on the first row's.
                self.items.forms[0].add_error("conduct", errors)
                return True
            return False
        rows = [form for form in self.items.forms if form.is_bound and form.item() is not None]
        row = int(parts[1])
        if row < len(rows) and parts[2] in rows[row].fields:
            rows[row].add_error(parts[2], errors)
        else:
            self.add_error(None, errors)
        return True

    def first_value(self, field: str):
        """The first row's ``field`` as posted, or as the form starts (penalty guidance)."""
        first = self.items.forms[0] if self.items.forms else None
        if first is None:
            return None
        if self.is_bound:
            return self.data.get(first.add_prefix(field))
        return first.initial.get(field)

    def decision(self) -> services.Decision:
        data = self.cleaned_data
        return services.Decision(
            outcome=data["outcome"],
            findings=data["findings"].strip(),
            measures=data["measures"].strip(),
            correction_due=data["correction_due"],
            items=self.items.items(),
        )


class HearingForm(forms.Form):
    statement = forms.CharField(
        label=_("Respondent's statement and defence"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    waived = forms.BooleanField(label=_("the respondent made no statement"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("waived") and not (cleaned.get("statement") or "").strip():
            self.add_error(
                "statement",
                ValidationError(
                    _("Write down the respondent's statement, or tick that it made none."),
                    code="required",
                ),
            )
        return cleaned


class CloseForm(forms.Form):
    result = forms.CharField(
        label=_("result as told to the complainant"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write down the result the complainant is told.")},
    )


class ReferForm(forms.Form):
    target = forms.ChoiceField(
        label=_("authority referred to"),
        choices=[("", "---------"), *ReferralTarget.choices],
        error_messages={"required": _("Choose where the complaint is referred.")},
    )
    body = forms.CharField(
        label=_("receiving body"),
        max_length=120,
        help_text=_("Its full name, as the referral letter is addressed."),
        error_messages={"required": _("Name the body that receives the referral.")},
    )
    reason = forms.CharField(
        label=_("why it is referred"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the complaint is referred.")},
    )


class FeedbackForm(forms.Form):
    """Labour inspection's feedback on a complaint referred to it, from its reply."""

    day = forms.DateField(
        label=_("feedback dated"),
        widget=DateInput,
        validators=[dates.past_day],
        error_messages={"required": _("Give the date of the feedback.")},
    )
    result = forms.ChoiceField(
        label=_("feedback"),
        choices=[("", "---------"), *FeedbackResult.choices],
        error_messages={"required": _("Choose what labour inspection reported.")},
    )
    reference = forms.CharField(
        label=_("inspection's reference number"),
        max_length=60,
        help_text=_("The number of its reply or of the case it opened."),
        error_messages={"required": _("Give the inspection's reference number.")},
    )
    note = forms.CharField(
        label=_("what the inspection reported"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write down what labour inspection reported.")},
    )

    def feedback(self) -> services.Feedback:
        data = self.cleaned_data
        return services.Feedback(
            day=data["day"],
            result=data["result"],
            reference=data["reference"].strip(),
            note=data["note"].strip(),
        )


class PenaltyDecisionForm(forms.Form):
    """The labour administration's decision on the proposed penalty, from its decision
    document; what is wrong comes from services.ruling_problems(), checked again there."""

    authority = forms.CharField(
        label=_("deciding authority"),
        max_length=120,
        help_text=_(
            "As named on the decision document, e.g. the district's human resources "
            "and social security bureau."
        ),
        error_messages={"required": _("Name the authority that decided.")},
    )
    document_number = forms.CharField(
        label=_("decision number (处罚决定书文号)"),
        max_length=60,
        error_messages={"required": _("Give the number of the decision document.")},
    )
    decided_on = forms.DateField(
        label=_("decided on"),
        widget=DateInput,
        validators=[dates.past_day],
        help_text=_("The date on the decision document."),
    )
    penalty = forms.ChoiceField(
        label=_("penalty decided"),
        choices=Penalty.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the labour administration decided.")},
    )
    amount = AmountField(
        label=_("fine decided (yuan)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("For a fine: the amount decided, which may differ from the one proposed."),
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean(self):
        cleaned = super().clean()
        problems = services.ruling_problems(self.complaint, self._ruling(cleaned))
        for name, problem in problems.items():
            if name not in self.errors:
                self.add_error(name, ValidationError(problem, code="invalid"))
        return cleaned

    @staticmethod
    def _ruling(data: dict) -> services.Ruling:
        return services.Ruling(
            authority=(data.get("authority") or "").strip(),
            document_number=(data.get("document_number") or "").strip(),
            decided_on=data.get("decided_on"),
            penalty=data.get("penalty") or "",
            amount=data.get("amount"),
        )

    def ruling(self) -> services.Ruling:
        return self._ruling(self.cleaned_data)


class EvidenceForm(forms.Form):
    files = EvidenceFilesField(label=_("Evidence files"), required=True)


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class ReassignForm(forms.Form):
    to = OfficerChoiceField(queryset=None, label=_("New complaint officer"))
    reason = forms.CharField(
        label=_("Reason (written to the case's audit trail)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the reassignment.")},
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = officers_of(complaint)


def officers_of(complaint: Complaint):
    """The complaint officers of the complaint's market, except the one holding it."""
    return (
        get_user_model()
        .objects.filter(
            groups__name=Role.COMPLAINT_OFFICER,
            staff_profile__markets=complaint.market,
            is_active=True,
        )
        .exclude(pk=complaint.owner_id)
        .distinct()
        .order_by("username")
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), max_length=60, required=False)
