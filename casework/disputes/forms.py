"""Forms of the disputes workflow: validation and normalisation only.

They never change state: the views pass ``cleaned_data`` to the services,
which apply the rules that span records (and raise ValidationError the views
show on the form). Every message a counter clerk may see names the problem and
what to do about it.
"""

import datetime
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core import dates
from casework.core.formfields import AmountField
from casework.core.models import markets_for
from casework.core.uploads import CheckedFilesField
from casework.disputes.models import ClaimType, Dispute, Instalment, Session, Settlement
from casework.disputes.services import Claim
from casework.parties import identifiers
from casework.parties.models import Organization, Person

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
ENTRY_SEPARATORS = re.compile(r"[\n,，、;；]+")


# Every date field of this workflow is bounded by casework.core.dates: either a
# validator given here, or the form's clean_<field>() (for a message of its own).


def _datetime_field(label, **kwargs) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
    return forms.DateTimeField(label=label, widget=widget, **kwargs)


def _date_field(label, *, validators=(), **kwargs) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, widget=widget, validators=list(validators), **kwargs)


def _amount_field(label, **kwargs) -> AmountField:
    return AmountField(
        label=label,
        max_digits=12,
        decimal_places=2,
        error_messages={"required": _("Enter the amount in yuan.")},
        **kwargs,
    )


def _now_local() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def positive_amount(value: Decimal | None) -> Decimal | None:
    if value is not None and value <= 0:
        raise ValidationError(_("Enter an amount of more than ¥0."), code="amount_not_positive")
    return value


def plausible_claim(value: Decimal | None) -> Decimal | None:
    positive_amount(value)
    if value is not None and value > settings.DISPUTE_MAX_CLAIM:
        # The same message as ClaimItem.clean(), which the service applies again.
        raise ValidationError(
            _("An amount above ¥%(max)s is not plausible for one claim; check the figure.")
            % {"max": f"{settings.DISPUTE_MAX_CLAIM:,}"},
            code="amount_implausible",
        )
    return value


# -- choosing people ------------------------------------------------------------------


def find_person(entry: str) -> Person:
    """The registered person with this ID number, or the only one with this exact name."""
    compact = re.sub(r"[\s-]", "", entry)
    if ID_NUMBER_RE.match(compact):
        number = identifiers.normalise_ric(compact)
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            raise ValidationError(
                _("Nobody with ID number %(number)s is registered: register the person first."),
                params={"number": identifiers.mask_id(number)},
                code="person_unknown",
            )
        return person
    people = list(Person.objects.filter(name=entry.strip())[:2])
    if not people:
        raise ValidationError(
            _("Nobody called %(name)s is registered: register the person first."),
            params={"name": entry.strip()},
            code="person_unknown",
        )
    if len(people) > 1:
        raise ValidationError(
            _("Several people are called %(name)s: enter the ID number instead."),
            params={"name": entry.strip()},
            code="person_ambiguous",
        )
    return people[0]


class PeopleField(forms.CharField):
    """Registered people, one ID number (or unique name) per line; cleans to a list of Persons."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, single: bool = False, **kwargs):
        self.single = single
        if single:
            kwargs.setdefault("widget", forms.TextInput())
        super().__init__(max_length=2000, **kwargs)

    def clean(self, value) -> list[Person]:
        text = super().clean(value)
        entries = [e.strip() for e in ENTRY_SEPARATORS.split(text or "") if e.strip()]
        if self.single and len(entries) > 1:
            raise ValidationError(_("Enter one person only."), code="one_person")
        people, errors = [], []
        for entry in entries:
            try:
                person = find_person(entry)
            except ValidationError as exc:
                errors.append(exc)
                continue
            if person not in people:
                people.append(person)
        if errors:
            raise ValidationError(errors)
        return people


# -- evidence ---------------------------------------------------------------------------


class EvidenceField(CheckedFilesField):
    """Several uploads; each must pass the size (DISPUTE_EVIDENCE_MAX_BYTES), suffix and
    first-bytes checks of casework.core.uploads."""

    def __init__(self, **kwargs):
        super().__init__(size_setting="DISPUTE_EVIDENCE_MAX_BYTES", **kwargs)


# -- intake -----------------------------------------------------------------------------


class ClaimForm(forms.Form):
    claim_type = forms.ChoiceField(
        label=_("claim type"), choices=[("", "---------"), *ClaimType.choices]
    )
    amount = _amount_field(_("amount (yuan)"), validators=[plausible_claim])
    period_start = _date_field(_("period from"), required=False, validators=[dates.past_day])
    period_end = _date_field(_("period to"), required=False, validators=[dates.deadline_day])
    description = forms.CharField(label=_("details"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned

    def claim(self) -> Claim:
        return Claim(**self.cleaned_data)


class BaseClaimFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.claims():
            raise ValidationError(_("List at least one claim."), code="no_claims")

    def claims(self) -> list[Claim]:
        return [form.claim() for form in self.forms if form.has_changed() and form.cleaned_data]


ClaimFormSet = forms.formset_factory(ClaimForm, formset=BaseClaimFormSet, extra=3, max_num=20)


def claim_formset(data=None) -> BaseClaimFormSet:
    return ClaimFormSet(data, prefix="claims")


class IntakeForm(forms.Form):
    """What both intake forms ask: where the case goes, who the parties are, the claims."""

    market = forms.ModelChoiceField(label=_("market"), queryset=None)
    mediation_body = forms.ModelChoiceField(
        label=_("mediation body"),
        queryset=Organization.objects.filter(kind=Organization.Kind.MEDIATION_BODY),
    )
    applicants = PeopleField(
        label=_("applicants (workers)"),
        help_text=_(
            "One resident ID number (or the exact name of a registered person) per line. "
            "Register new people first."
        ),
        error_messages={"required": _("A dispute needs at least one applicant.")},
    )
    respondent_organization = forms.ModelChoiceField(
        label=_("respondent (organisation)"),
        queryset=Organization.objects.exclude(kind=Organization.Kind.MEDIATION_BODY),
        required=False,
    )
    respondent_person = PeopleField(
        label=_("respondent (individual)"),
        single=True,
        required=False,
        help_text=_("Only when the respondent is a private individual: ID number or name."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        markets = markets_for(user)
        self.fields["market"].queryset = markets
        for name, choices in (
            ("market", markets),
            ("mediation_body", self.fields["mediation_body"].queryset),
        ):
            only = list(choices[:2])
            if len(only) == 1:  # nothing to choose: preselect it
                self.fields[name].initial = only[0].pk

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("respondent_organization")
        person = (cleaned.get("respondent_person") or [None])[0]
        if "respondent_person" in self.errors:
            return cleaned
        if bool(organization) == bool(person):
            raise ValidationError(
                _("Give exactly one respondent: an organisation or an individual."),
                code="one_respondent",
            )
        if person is not None and person in cleaned.get("applicants", []):
            self.add_error("respondent_person", _("An applicant cannot be the respondent."))
        cleaned["respondent"] = organization or person
        return cleaned

    def clean_knew_of_infringement_on(self):
        value = self.cleaned_data.get("knew_of_infringement_on")
        dates.past_day(value, _("This date cannot be in the future."))
        return value

    def clean_employment_ended_on(self):
        value = self.cleaned_data.get("employment_ended_on")
        dates.past_day(value, _("This date cannot be in the future."))
        return value

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        dates.past_moment(value, _("The time of receipt cannot be in the future."))
        return value

    def filing(self) -> dict:
        """Keyword arguments for services.dispute_file() (without claims, channel and actor)."""
        data = self.cleaned_data
        names = (
            "market",
            "mediation_body",
            "applicants",
            "respondent",
            "received_at",
            "matter",
            "reasons",
            "applicant_details",
            "knew_of_infringement_on",
            "employment_ended_on",
            "evidence",
        )
        return {name: data[name] for name in names if name in data}


class WrittenIntakeForm(IntakeForm):
    received_at = _datetime_field(_("time of receipt"), initial=_now_local)
    matter = forms.CharField(label=_("matter in dispute"), widget=forms.Textarea(attrs={"rows": 2}))
    reasons = forms.CharField(label=_("facts and reasons"), widget=forms.Textarea)
    knew_of_infringement_on = _date_field(_("date the worker knew of the infringement"))
    employment_ended_on = _date_field(
        _("date employment ended"),
        required=False,
        help_text=_("Leave empty while the employment lasts."),
    )
    evidence = EvidenceField(
        label=_("evidence files"),
        required=False,
        help_text=_("PDF, JPEG or PNG; several files may be chosen."),
    )


class OralIntakeForm(IntakeForm):
    """劳动争议调解仲裁法 Art. 12: for an oral application, record on the spot the
    applicant's basic details, the matter in dispute, the reasons and the time."""

    applicant_details = forms.CharField(
        label=_("applicant's basic details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Name, sex, age, address, phone, employer."),
        error_messages={
            "required": _("Record the applicant's basic details of an oral application.")
        },
    )
    matter = forms.CharField(
        label=_("matter in dispute"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Record the matter in dispute.")},
    )
    reasons = forms.CharField(
        label=_("reasons"),
        widget=forms.Textarea,
        error_messages={"required": _("Record the reasons the applicant gives.")},
    )
    received_at = _datetime_field(
        _("time of the application"),
        initial=_now_local,
        error_messages={"required": _("Record the time of the application.")},
    )
    knew_of_infringement_on = _date_field(
        _("date the worker knew of the infringement"), required=False
    )
    employment_ended_on = _date_field(_("date employment ended"), required=False)


# -- working a case --------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for not accepting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for not accepting the application.")},
    )


class EvidenceForm(forms.Form):
    files = EvidenceField(label=_("evidence files"), help_text=_("PDF, JPEG or PNG."))
    description = forms.CharField(label=_("what it shows"), max_length=200, required=False)


class SessionForm(forms.Form):
    held_at = _datetime_field(_("held at"), initial=_now_local)
    mode = forms.ChoiceField(label=_("mode"), choices=Session.Mode.choices)
    place = forms.CharField(label=_("place or meeting link"), max_length=200)
    attendees = forms.CharField(label=_("attendees"), widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 8}))

    def clean_held_at(self):
        value = self.cleaned_data.get("held_at")
        dates.past_moment(value, _("Record a session after it has been held."))
        return value


class ScheduleForm(forms.Form):
    starts_at = _datetime_field(_("starts at"))
    mode = forms.ChoiceField(label=_("mode"), choices=Session.Mode.choices)
    place = forms.CharField(
        label=_("place or meeting link"),
        max_length=200,
        help_text=_("The parties receive it by text message: the room and the address."),
    )

    def clean_starts_at(self):
        value = dates.deadline_day(self.cleaned_data.get("starts_at"))
        if value is not None and value <= timezone.now():
            raise ValidationError(_("A session is scheduled for a time still to come."))
        return value


class ExtensionForm(forms.Form):
    new_due = _date_field(_("new deadline"), validators=[dates.deadline_day])
    applicant_agreed = forms.BooleanField(
        label=_("the applicant agreed"),
        error_messages={
            "required": _(
                "An extension needs the agreement of both parties; otherwise mediation ends."
            )
        },
    )
    respondent_agreed = forms.BooleanField(
        label=_("the respondent agreed"),
        error_messages={
            "required": _(
                "An extension needs the agreement of both parties; otherwise mediation ends."
            )
        },
    )
    note = forms.CharField(
        label=_("how the agreement was given"),
        max_length=200,
        help_text=_("e.g. both signed the extension note at the session of 3 May."),
    )


class SettlementForm(forms.Form):
    amount = _amount_field(_("agreed amount (yuan)"), validators=[positive_amount])
    method = forms.ChoiceField(label=_("payment method"), choices=Settlement.Method.choices)
    terms = forms.CharField(
        label=_("other terms"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class InstalmentForm(forms.Form):
    due_date = _date_field(_("due date"), validators=[dates.deadline_day])
    amount = _amount_field(_("amount (yuan)"), validators=[positive_amount])


class BaseInstalmentFormSet(forms.BaseFormSet):
    def instalments(self) -> list[tuple[datetime.date, Decimal]]:
        return [
            (form.cleaned_data["due_date"], form.cleaned_data["amount"])
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


InstalmentFormSet = forms.formset_factory(
    InstalmentForm, formset=BaseInstalmentFormSet, extra=3, max_num=24
)


def instalment_formset(data=None) -> BaseInstalmentFormSet:
    return InstalmentFormSet(data, prefix="instalments")


class MarkForm(forms.Form):
    """One of the four marks that make the agreement effective (Art. 14)."""

    mark = forms.ChoiceField(label=_("mark"), choices=())
    at = _datetime_field(_("when"), required=False, help_text=_("Leave empty for now."))

    def __init__(self, *args, settlement: Settlement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mark"].choices = [
            (name, Settlement._meta.get_field(name).verbose_name)
            for name in Settlement.MARKS
            if settlement is None or not getattr(settlement, name)
        ]

    def clean_at(self):
        value = self.cleaned_data.get("at")
        dates.past_moment(value, _("A mark cannot be dated in the future."))
        return value


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("termination reason"), choices=Dispute.TerminationReason.choices
    )
    note = forms.CharField(
        label=_("outcome note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was tried and why mediation ends; it goes into the notice."),
        error_messages={"required": _("Record why mediation ends.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Record the applicant's reason for withdrawing.")},
    )


class PaymentForm(forms.Form):
    instalment = forms.ModelChoiceField(label=_("instalment"), queryset=None)
    amount = _amount_field(_("amount (yuan)"), validators=[positive_amount])
    paid_on = _date_field(_("paid on"), initial=timezone.localdate)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, settlement: Settlement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        instalments = settlement.instalments.all() if settlement else Instalment.objects.none()
        self.fields["instalment"].queryset = instalments
        unpaid = [i for i in instalments if not i.is_paid]
        if unpaid:
            self.fields["instalment"].initial = unpaid[0].pk
            self.fields["amount"].initial = unpaid[0].outstanding

    def clean_paid_on(self):
        value = self.cleaned_data.get("paid_on")
        dates.past_day(value, _("A payment cannot be dated in the future."))
        return value


class ReferForm(forms.Form):
    referral = forms.ChoiceField(label=_("referral"), choices=())
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        # Art. 16: a 支付令 only for wages, injury medical costs, severance or damages.
        choices = Dispute.Referral.choices
        if not dispute.payment_order_possible:
            choices = [c for c in choices if c[0] != Dispute.Referral.PAYMENT_ORDER]
        self.fields["referral"].choices = choices
