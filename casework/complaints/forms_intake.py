"""The complaint intake forms: validation and normalisation only (docs/architecture.md).

``IntakeForm`` holds what every channel asks (the public web form, the portal,
and the staff counter form, which subclasses it): the market, the conduct, the
facts, the intermediary as the complainant names it and the evidence files.
``PublicComplaintForm`` adds who complains, if anyone; ``TrackForm`` takes a
tracking code on the public tracking page. ``filing_kwargs()``
returns the keyword arguments of ``services.complaint_file()``; the views add
the channel, the actor and the complainant.

Files cannot be kept when a form comes back with errors (a browser never
refills a file input), so the evidence field then says to choose them again.
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.complaints.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    normalise_tracking_code,
)
from casework.complaints.penalties import Conduct
from casework.core import dates
from casework.core.formfields import AmountField
from casework.core.models import Market
from casework.core.uploads import CheckedFilesField
from casework.parties import identifiers

MAX_EVIDENCE_FILES = 10

FILES_NOT_KEPT = _(
    "Files cannot be kept while the form has errors: choose your evidence files again "
    "before sending."
)


class DateInput(forms.DateInput):
    # The phone's own date picker; it sends and expects ISO dates.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class EvidenceFilesField(CheckedFilesField):
    """Several PDF, JPEG or PNG files, each checked by its first bytes, not its name, and
    against settings.COMPLAINT_EVIDENCE_MAX_BYTES; cleans to a list (empty when none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            size_setting="COMPLAINT_EVIDENCE_MAX_BYTES", max_files=MAX_EVIDENCE_FILES, **kwargs
        )


def conduct_day(day: datetime.date | None) -> datetime.date | None:
    return dates.past_day(
        day, _("The conduct cannot have happened in the future."), code="conduct_in_future"
    )


class IntakeForm(forms.Form):
    """What every channel asks about a complaint against a job intermediary.

    ``markets``: the markets the complaint may be made to (the staff form passes
    the user's markets); all markets by default. With one market it is preselected.
    """

    market = forms.ModelChoiceField(
        label=_("Gig market"),
        queryset=Market.objects.all(),
        help_text=_("The market whose complaint office should handle it."),
    )
    categories = forms.MultipleChoiceField(
        label=_("What the intermediary did"),
        choices=Conduct.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick everything that applies."),
        error_messages={"required": _("Choose at least one kind of conduct.")},
    )
    facts = forms.CharField(
        label=_("Describe what happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "When and where, what the intermediary promised, what it did, "
            "and what you lost or paid."
        ),
    )
    conduct_on = forms.DateField(
        label=_("When it happened"),
        widget=DateInput,
        validators=[conduct_day],
        help_text=_("The day, or the last day, of what you complain about."),
    )
    deposit_amount = AmountField(
        label=_("Deposit taken (yuan)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        help_text=_("Only if a deposit was taken: the total amount."),
    )
    deposit_workers = forms.IntegerField(
        label=_("Workers who paid a deposit"),
        required=False,
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Only if a deposit was taken: how many workers paid it."),
    )
    respondent_name_given = forms.CharField(
        label=_("Name of the intermediary"),
        max_length=120,
        help_text=_("As shown on its sign, advertisement or receipt."),
    )
    respondent_details_given = forms.CharField(
        label=_("Address, phone or where it advertised"),
        max_length=300,
        required=False,
        help_text=_("Anything that helps us find it."),
    )
    evidence = EvidenceFilesField(
        label=_("Evidence files"),
        help_text=_(
            "Photos or PDF files: receipts, chat messages, advertisements. PDF, JPEG or PNG only."
        ),
    )

    def __init__(self, *args, markets: QuerySet[Market] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["market"]
        if markets is not None:
            field.queryset = markets
        if self.is_bound:
            return
        only = list(field.queryset[:2])
        if len(only) == 1:
            field.initial = only[0]

    def clean(self):
        cleaned = super().clean()
        if Conduct.DEPOSIT in (cleaned.get("categories") or []):
            for name in ("deposit_amount", "deposit_workers"):
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(
                        name,
                        ValidationError(
                            _("For a deposit, give the amount and how many workers paid it."),
                            code="deposit_details",
                        ),
                    )
        return cleaned

    # -- errors: files are never kept ------------------------------------------------

    def evidence_chosen(self) -> bool:
        return (
            self.is_bound
            and "evidence" in self.fields
            and bool(self.files.getlist(self.add_prefix("evidence")))
        )

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        if self.evidence_chosen() and not self.has_error("evidence", "files_not_kept"):
            # Directly, not through add_error(): the cleaned files stay for a caller that
            # still wants to read them, and this method is not entered again.
            notes = self._errors.get("evidence")
            if notes is None:
                notes = self._errors["evidence"] = self.error_class(
                    renderer=self.renderer, field_id=self["evidence"].auto_id
                )
            notes.append(ValidationError(FILES_NOT_KEPT, code="files_not_kept"))

    def add_service_error(self, exc: ValidationError) -> None:
        """Show a ValidationError from the service: by field when it names form fields."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)

    # -- for the service -----------------------------------------------------------------

    def filing_kwargs(self) -> dict:
        """Keyword arguments of services.complaint_file() from the cleaned data."""
        data = self.cleaned_data
        deposit = Conduct.DEPOSIT in data["categories"]
        return {
            "market": data["market"],
            "categories": list(data["categories"]),
            "facts": data["facts"].strip(),
            "conduct_on": data["conduct_on"],
            "deposit_amount": data["deposit_amount"] if deposit else None,
            "deposit_workers": data["deposit_workers"] if deposit else None,
            "respondent_name_given": data["respondent_name_given"].strip(),
            "respondent_details_given": data["respondent_details_given"].strip(),
            "evidence": tuple(data["evidence"]),
        }


ANONYMOUS_HELP = _(
    "Your name is then not recorded and the intermediary cannot learn who complained. "
    "You may still leave a mobile number for notices. Without one, you see the decisions "
    "and the result only on the tracking page, under the tracking code you get after "
    "sending: keep it safe."
)


class ContactFields:
    """Cleaning of the complainant's name and mobile, for the forms that ask for them."""

    def clean_complainant_name(self) -> str:
        return self.cleaned_data["complainant_name"].strip()

    def clean_contact_mobile(self) -> str:
        value = self.cleaned_data["contact_mobile"].strip()
        return identifiers.normalise_mobile(value) if value else ""


class PublicComplaintForm(ContactFields, IntakeForm):
    """The public web form (no login): the complainant may stay anonymous."""

    anonymous = forms.BooleanField(
        label=_("Complain anonymously"), required=False, help_text=ANONYMOUS_HELP
    )
    complainant_name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        required=False,
        help_text=_("Leave empty if you complain anonymously."),
    )
    contact_mobile = forms.CharField(
        label=_("Mobile number for notices"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_(
            "Optional, also when anonymous: we send the decisions and the result by text message."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        anonymous = cleaned.get("anonymous")
        name = cleaned.get("complainant_name")
        if anonymous and name:
            self.add_error(
                "complainant_name",
                ValidationError(
                    _("An anonymous complaint records no name: leave the name empty."),
                    code="anonymous_with_name",
                ),
            )
        elif not anonymous and "complainant_name" not in self.errors and not name:
            self.add_error(
                "complainant_name",
                ValidationError(
                    _("Give your name, or tick “Complain anonymously”."), code="name_missing"
                ),
            )
        return cleaned

    def filing_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().filing_kwargs(),
            "anonymous": bool(data["anonymous"]),
            "complainant_name": "" if data["anonymous"] else data["complainant_name"],
            "contact_mobile": data["contact_mobile"],
        }


class TrackForm(forms.Form):
    """The tracking code, typed or pasted: spaces, dashes and lower case do not matter.

    A malformed code is refused with the format; a well-formed one that matches no
    complaint gets the same "not found" as any other, so nothing is revealed.
    """

    code = forms.CharField(
        label=_("Tracking code"),
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "mono",
            }
        ),
        help_text=_(
            "The 20 letters and digits you were given when you sent the complaint. "
            "Spaces, dashes and small letters do not matter."
        ),
    )

    def clean_code(self) -> str:
        code = normalise_tracking_code(self.cleaned_data["code"])
        raw = code.replace("-", "")
        if len(raw) != TRACKING_LENGTH or set(raw) - set(TRACKING_ALPHABET):
            raise ValidationError(
                _(
                    "A tracking code has %(n)s letters and digits (no 0, 1, I or O). "
                    "Please check it."
                ),
                code="tracking_code_format",
                params={"n": TRACKING_LENGTH},
            )
        return code
