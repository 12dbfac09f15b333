"""Forms of the assistance workflow: validation and normalisation only.

They never change state: the views pass what they cleaned to assistance.services.
The application form is a small bundle, like the agreements counter form: the
applicant is either picked from the register or registered on the spot, and
every problem is reported at once.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import (
    AssistanceCase,
    ExitReason,
    Outcome,
    PlanItem,
    Post,
    Referral,
    RetirementGroup,
    SensitiveFacts,
    Tier,
)
from assistance.services import CASE_FACTS, SENSITIVE_FIELDS
from casework.core import dates
from casework.core.models import Market, markets_for
from casework.parties.forms import PersonForm
from casework.parties.lookup import find_employer, find_person
from casework.parties.models import Organization, Person


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _reason_field(label, required_message) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": required_message},
    )


def _not_in_future(value):
    return dates.past_day(value, code="future")


# -- the application at the counter ----------------------------------------------------------

_case_fields = forms.fields_for_model(
    AssistanceCase,
    fields=[*CASE_FACTS, "applied_on"],
    widgets={
        "applied_on": _date_widget(),
        "unemployment_registered_on": _date_widget(),
        "other_reason": forms.Textarea(attrs={"rows": 2}),
    },
)
_sensitive_fields = forms.fields_for_model(SensitiveFacts, fields=list(SENSITIVE_FIELDS))


def check_declarations(form, cleaned: dict, *, disability_unticked, dibao_unticked) -> None:
    """What an applicant declares, trimmed and consistent: a disability certificate or a
    低保 certificate needs its number, and a number its box ticked. The counter's form
    and the portal's (assistance/forms_portal.py) say the last in their own words."""
    for name in ("other_reason", *SENSITIVE_FIELDS):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if cleaned.get("disability_certificate"):
        if not cleaned.get("disability_certificate_no"):
            form.add_error(
                "disability_certificate_no", _("Enter the disability certificate number.")
            )
    elif cleaned.get("disability_certificate_no") or cleaned.get("disability_level"):
        form.add_error("disability_certificate", disability_unticked)
    if cleaned.get("dibao_family"):
        if not cleaned.get("dibao_reference"):
            form.add_error("dibao_reference", _("Enter the 低保 certificate number."))
    elif cleaned.get("dibao_reference"):
        form.add_error("dibao_family", dibao_unticked)


class ApplicationForm(forms.Form):
    """The applicant, what they declare, their sensitive facts and their retirement group."""

    market = forms.ModelChoiceField(label=_("market"), queryset=Market.objects.none())
    person = forms.CharField(
        label=_("applicant: a registered person"),
        required=False,
        max_length=60,
        help_text=_("ID number or exact name. Leave empty to register a new person below."),
    )
    applied_on = _case_fields["applied_on"]
    zero_employment_family = _case_fields["zero_employment_family"]
    land_requisitioned = _case_fields["land_requisitioned"]
    single_parent_of_minors = _case_fields["single_parent_of_minors"]
    unemployment_registered_on = _case_fields["unemployment_registered_on"]
    other_reason = _case_fields["other_reason"]
    disability_certificate = _sensitive_fields["disability_certificate"]
    disability_certificate_no = _sensitive_fields["disability_certificate_no"]
    disability_level = _sensitive_fields["disability_level"]
    dibao_family = _sensitive_fields["dibao_family"]
    dibao_reference = _sensitive_fields["dibao_reference"]
    retirement_group = forms.ChoiceField(
        label=_("retirement age group"),
        required=False,
        choices=[("", _("by the applicant's sex")), *RetirementGroup.choices],
        help_text=_(
            "Empty: men, or women workers (retirement age 50 before the reform). Choose "
            "“women staff” for a woman whose retirement age was 55."
        ),
    )

    SENSITIVE = SENSITIVE_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        markets = markets_for(user)
        self.fields["market"].queryset = markets
        only = list(markets[:2])
        if len(only) == 1:
            self.fields["market"].initial = only[0].pk
        self.fields["applied_on"].initial = timezone.localdate
        self.fields["applied_on"].required = True

    def clean_applied_on(self):
        return _not_in_future(self.cleaned_data.get("applied_on"))

    def clean_unemployment_registered_on(self):
        return _not_in_future(self.cleaned_data.get("unemployment_registered_on"))

    def clean(self):
        cleaned = super().clean()
        check_declarations(
            self,
            cleaned,
            disability_unticked=_("Tick this box if the applicant holds a disability certificate."),
            dibao_unticked=_("Tick this box if the applicant's family receives 低保."),
        )
        return cleaned

    def facts(self) -> dict:
        return {name: self.cleaned_data[name] for name in CASE_FACTS}

    def sensitive(self) -> dict:
        return {name: self.cleaned_data[name] for name in SENSITIVE_FIELDS}


class ApplicationIntake:
    """ApplicationForm with the inline registration of a new applicant (PersonForm)."""

    def __init__(self, data=None, *, user):
        self.main = ApplicationForm(data, user=user)
        self.new_person = PersonForm(data, prefix="person")
        self.person: Person | PersonForm | None = None

    @property
    def registering(self) -> bool:
        return self.new_person.is_bound and self.new_person.has_changed()

    @property
    def has_errors(self) -> bool:
        forms_in_play = [self.main] + ([self.new_person] if self.registering else [])
        return any(f.is_bound and f.errors for f in forms_in_play)

    def is_valid(self) -> bool:
        main_ok = self.main.is_valid()
        entry = (self.main.cleaned_data.get("person") or "").strip() if main_ok else ""
        if entry and self.registering:
            self.main.add_error(
                "person", _("Choose a registered person or register a new one below, not both.")
            )
            return False
        if entry:
            try:
                self.person = find_person(entry)
            except ValidationError as exc:
                self.main.add_error("person", exc)
        elif self.registering:
            self.person = self.new_person if self.new_person.is_valid() else None
        elif main_ok:
            self.main.add_error("person", _("Choose the applicant, or register them below."))
        return main_ok and self.person is not None and not self.has_errors


# -- steps on a case ------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = _reason_field(_("reason"), _("Give the reason."))


class ProposeForm(forms.Form):
    """Certification proposal: the service level the rules give, or another with a reason."""

    tier = forms.ChoiceField(
        label=_("service level"),
        required=False,
        choices=[("", _("as the rules give")), *Tier.choices],
    )
    tier_reason = forms.CharField(
        label=_("reason for another level"), required=False, max_length=300
    )


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("service level"), choices=Tier.choices)
    reason = forms.CharField(
        label=_("reason for another level"),
        required=False,
        max_length=300,
        help_text=_("Needed when the level differs from the one the rules give."),
    )


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = ["kind", "description", "due_on"]
        widgets = {"due_on": _date_widget()}

    def clean_due_on(self):
        return dates.deadline_day(self.cleaned_data.get("due_on"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class EmployerReferralForm(forms.Form):
    employer = forms.CharField(
        label=_("employer"),
        max_length=120,
        help_text=_("Unified social credit code or exact name of a registered employer."),
        error_messages={"required": _("Name the employer.")},
    )
    job_title = forms.CharField(
        label=_("job"), max_length=100, error_messages={"required": _("Name the job.")}
    )

    def clean_employer(self) -> Organization:
        return find_employer(self.cleaned_data["employer"], form_below=False)


class ReferralOutcomeForm(forms.Form):
    hired = forms.TypedChoiceField(
        label=_("the employer's answer"),
        choices=[("yes", _("hired")), ("no", _("not hired"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the employer's answer.")},
    )
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class PostChoiceField(forms.ModelChoiceField):
    """A post with its free places, or how many wait for it: a referral to a full post
    goes on its waiting list, which the choice says beforehand."""

    def label_from_instance(self, post) -> str:
        free = max(post.places - post.taken, 0)
        if free:
            return _("%(post)s: %(free)s of %(places)s places free") % {
                "post": post,
                "free": free,
                "places": post.places,
            }
        return _("%(post)s: full, %(waiting)s on the waiting list (a referral waits)") % {
            "post": post,
            "waiting": post.waiting,
        }


class PostReferralForm(forms.Form):
    post = PostChoiceField(
        label=_("public-welfare post"),
        queryset=Post.objects.none(),
        error_messages={"required": _("Choose the post.")},
    )

    def __init__(self, *args, case: AssistanceCase, **kwargs):
        super().__init__(*args, **kwargs)
        holding = Q(referrals__status__in=Referral.HOLDING)
        waiting = Q(referrals__status=Referral.Status.WAITLISTED)
        self.fields["post"].queryset = (
            Post.objects.filter(market=case.market, is_open=True)
            .select_related("employer")
            .annotate(
                taken=Count("referrals", filter=holding), waiting=Count("referrals", filter=waiting)
            )
        )


class PlacementStartForm(forms.Form):
    starts_on = forms.DateField(
        label=_("first day in the post"),
        widget=_date_widget(),
        validators=[dates.deadline_day],
    )
    subsidy_approved_on = forms.DateField(
        label=_("post subsidy approved on"),
        widget=_date_widget(),
        validators=[dates.deadline_day],
        help_text=_("The term is judged from the person's first subsidy approval."),
    )


class PlacementEndForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for leaving"), choices=ExitReason.choices)
    ended_on = forms.DateField(
        label=_("last day in the post"),
        widget=_date_widget(),
        validators=[dates.deadline_day],
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)


class FollowUpForm(forms.Form):
    note = _reason_field(_("what the visit found"), _("Write down what the visit found."))
    note.help_text = _("Everyone who may open the case sees this note: write no sensitive details.")
