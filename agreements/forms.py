"""Forms of the agreements workflow: validation and normalisation only.

They never change state: the views pass what they cleaned to the services.
The counter quick form (即时快招) is a bundle of small forms, because a party
is either picked from the register or registered on the spot; the bundle
decides which of its forms apply and reports every problem at once, so the
clerk corrects everything in one go and nothing is saved until all is valid.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import MIN_PAY, Agreement
from agreements.services import PARTICULARS
from casework.core import dates
from casework.core.formfields import AmountField
from casework.core.models import Market, markets_for
from casework.parties.forms import OrganizationForm, PersonForm
from casework.parties.lookup import find_employer, find_person
from casework.parties.models import Organization, Person


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_widget() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 2})


WIDGETS = {
    "start_date": _date_widget(),
    "end_date": _date_widget(),
    "payment_date": _date_widget(),
    "job_description": _text_widget(),
    "safety": _text_widget(),
    "special_terms": _text_widget(),
    "pay_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    "pay_total": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
}

# The particulars as plain form fields, with the model's labels, choices and help texts.
# Not a ModelForm: a quick-form agreement has no parties until the parties are saved,
# and the model's clean() checks those too (the service runs it again anyway).
_ParticularFields = type(forms.Form)(
    "_ParticularFields",
    (forms.Form,),
    {
        "__module__": __name__,
        **forms.fields_for_model(
            Agreement,
            fields=PARTICULARS,
            widgets=WIDGETS,
            field_classes={"pay_rate": AmountField, "pay_total": AmountField},
        ),
    },
)

# The term's days inside the plausible window of casework.core.dates.
for _name in ("start_date", "end_date", "payment_date"):
    dates.with_validators(_ParticularFields.base_fields[_name], dates.term_day)


class ParticularsForm(_ParticularFields):
    """What the parties agree (services.PARTICULARS), checked before anything is saved."""

    def clean_pay_rate(self):
        value = self.cleaned_data.get("pay_rate")
        if value is not None and value < MIN_PAY:
            raise ValidationError(_("Enter a pay rate of more than ¥0."), code="pay_not_positive")
        return value

    def clean_pay_total(self):
        value = self.cleaned_data.get("pay_total")
        if value is not None and value < MIN_PAY:
            raise ValidationError(
                _("Enter a total pay of more than ¥0, or leave it empty."),
                code="pay_not_positive",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        start, end, due = (cleaned.get(k) for k in ("start_date", "end_date", "payment_date"))
        # The model's own messages: the service checks the same rules again.
        if start and end and end < start:
            self.add_error("end_date", _("The last day of work cannot be before the first."))
        if start and due and due < start:
            self.add_error("payment_date", _("Pay cannot fall due before the work starts."))
        try:
            dates.check_term(start, end)
        except ValidationError as error:
            self.add_error("end_date", error)
        return cleaned

    def particulars(self) -> dict:
        return {name: self.cleaned_data[name] for name in PARTICULARS}


def particulars_of(agreement: Agreement) -> dict:
    """An agreement's particulars as the initial values of a ParticularsForm."""
    return {name: getattr(agreement, name) for name in PARTICULARS}


# -- the counter quick form ---------------------------------------------------------------


class HiringKind:
    ORGANIZATION = "organization"
    PERSON = "person"


class CounterForm(forms.Form):
    """The choices of the quick form: market, registered parties, checks, send now."""

    market = forms.ModelChoiceField(label=_("market"), queryset=Market.objects.none())
    worker = forms.CharField(
        label=_("worker: a registered person"),
        required=False,
        max_length=60,
        help_text=_("ID number or exact name. Leave empty to register a new worker below."),
    )
    hiring_kind = forms.ChoiceField(
        label=_("the hiring party is"),
        choices=[
            (HiringKind.ORGANIZATION, _("an organisation")),
            (HiringKind.PERSON, _("an individual")),
        ],
        widget=forms.RadioSelect,
        initial=HiringKind.ORGANIZATION,
    )
    organization = forms.CharField(
        label=_("organisation: a registered one"),
        required=False,
        max_length=120,
        help_text=_("Credit code or exact name. Leave empty to register it below."),
    )
    signer = forms.CharField(
        label=_("handling person: a registered person"),
        required=False,
        max_length=60,
        help_text=_(
            "ID number or exact name; empty means the organisation's only handling person. "
            "The person named becomes a handling person of the organisation."
        ),
    )
    hiring_person = forms.CharField(
        label=_("individual hiring party: a registered person"),
        required=False,
        max_length=60,
        help_text=_("ID number or exact name. Leave empty to register them below."),
    )
    intermediary = forms.ModelChoiceField(
        label=_("intermediary (if any)"),
        queryset=Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY),
        required=False,
    )
    worker_checked = forms.BooleanField(
        label=_("I have checked the worker's ID card in person"), required=False
    )
    hiring_checked = forms.BooleanField(
        label=_(
            "I have checked the hiring party's ID card (or the business licence and the "
            "handling person's ID card) in person"
        ),
        required=False,
    )
    send_now = forms.BooleanField(label=_("Send for signing now"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        markets = markets_for(user)
        self.fields["market"].queryset = markets
        only = list(markets[:2])
        if len(only) == 1:  # nothing to choose: preselect it
            self.fields["market"].initial = only[0].pk
        if not user.has_perm("parties.add_realnamecheck"):
            del self.fields["worker_checked"], self.fields["hiring_checked"]


class NewOrganizationForm(OrganizationForm):
    """A hiring organisation registered at the counter (an employer)."""

    class Meta(OrganizationForm.Meta):
        fields = ["name", "credit_code", "credit_code_override_reason", "phone"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("instance", Organization(kind=Organization.Kind.EMPLOYER))
        super().__init__(*args, **kwargs)


@dataclass
class CounterPlan:
    """What a valid quick form makes: each party is registered or a form to save."""

    market: Market
    worker: Person | PersonForm
    hiring: Organization | NewOrganizationForm | Person | PersonForm
    signer: Person | PersonForm | None
    intermediary: Organization | None
    particulars: dict
    send_now: bool
    worker_checked: bool
    hiring_checked: bool


def _today_dates() -> dict:
    today = timezone.localdate()
    return dict.fromkeys(("start_date", "end_date", "payment_date"), today)


class CounterIntake:
    """The counter quick form: CounterForm, ParticularsForm and the inline registrations.

    A registration form is "in play" when the clerk typed into it or the choices need
    it; the others stay quiet (their empty required fields are not errors).
    """

    NEW_FORMS = ("worker", "org", "signer", "hirer")

    def __init__(self, data=None, *, user):
        self.main = CounterForm(data, user=user)
        # Most counter jobs are for today: a blank form starts with today's dates.
        self.particulars = ParticularsForm(data, initial=None if data else _today_dates())
        self.new_worker = PersonForm(data, prefix="worker")
        self.new_organization = NewOrganizationForm(data, prefix="org", user=user)
        self.new_signer = PersonForm(data, prefix="signer")
        self.new_hirer = PersonForm(data, prefix="hirer")
        self.quiet = dict.fromkeys(self.NEW_FORMS, True)
        self.plan: CounterPlan | None = None

    def _new_form(self, prefix: str):
        return {
            "worker": self.new_worker,
            "org": self.new_organization,
            "signer": self.new_signer,
            "hirer": self.new_hirer,
        }[prefix]

    @property
    def has_errors(self) -> bool:
        forms_in_play = [self._new_form(p) for p, quiet in self.quiet.items() if not quiet]
        return any(f.is_bound and f.errors for f in [self.main, self.particulars, *forms_in_play])

    def is_valid(self) -> bool:
        main_ok, particulars_ok = self.main.is_valid(), self.particulars.is_valid()
        if not main_ok:
            return False
        data = self.main.cleaned_data
        worker = self._party(data["worker"], "worker", "worker", _("Choose the worker."))
        hiring, signer = self._hiring_party(data)
        resolved = worker is not None and hiring is not None
        if not (particulars_ok and resolved and self._ids_distinct()) or self.has_errors:
            return False
        if signer is None and data["hiring_kind"] == HiringKind.ORGANIZATION:
            return False
        self.plan = CounterPlan(
            market=data["market"],
            worker=worker,
            hiring=hiring,
            signer=signer,
            intermediary=data["intermediary"],
            particulars=self.particulars.particulars(),
            send_now=data["send_now"],
            worker_checked=data.get("worker_checked", False),
            hiring_checked=data.get("hiring_checked", False),
        )
        return True

    def _hiring_party(self, data) -> tuple:
        """(hiring party, handling person); None for what could not be resolved."""
        if data["hiring_kind"] == HiringKind.PERSON:
            missing = _("Choose the hiring party.")
            return self._party(data["hiring_person"], "hirer", "hiring_person", missing), None
        missing = _("Choose the hiring organisation.")
        org = self._party(data["organization"], "org", "organization", missing, find_employer)
        if org is None:
            return None, None
        return org, self._signer(data["signer"], org)

    def _signer(self, entry: str, org) -> Person | PersonForm | None:
        if entry.strip() or self.new_signer.has_changed():
            return self._party(entry, "signer", "signer", "")
        handling = list(org.representatives.all()[:2]) if isinstance(org, Organization) else []
        if len(handling) == 1:
            return handling[0]
        self.main.add_error(
            "signer",
            _("Name the handling person who signs for the organisation, or register them below."),
        )
        return None

    def _party(self, entry: str, prefix: str, field: str, missing, find=find_person):
        """The registered party named in ``field``, or the valid new-party form, else None."""
        new_form = self._new_form(prefix)
        entry = (entry or "").strip()
        if new_form.has_changed():
            self.quiet[prefix] = False
        if entry and new_form.has_changed():
            self.main.add_error(
                field, _("Choose a registered party or register a new one below, not both.")
            )
            return None
        if entry:
            try:
                return find(entry)
            except ValidationError as exc:
                self.main.add_error(field, exc)
                return None
        if new_form.has_changed():
            return new_form if new_form.is_valid() else None
        self.main.add_error(field, missing)
        return None

    def _ids_distinct(self) -> bool:
        """Two people registered at once cannot share an ID number."""
        people = [self._new_form(p) for p in ("worker", "signer", "hirer") if not self.quiet[p]]
        numbers = [f.cleaned_data.get("id_number") for f in people if f.is_valid()]
        numbers = [n for n in numbers if n]
        if len(numbers) == len(set(numbers)):
            return True
        self.main.add_error(None, _("The same ID number is entered for two people."))
        return False


# -- steps on an agreement --------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )


class SignForm(forms.Form):
    code = forms.CharField(
        label=_("code from the party's phone"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
        error_messages={"required": _("Enter the code the party received on their phone.")},
    )
