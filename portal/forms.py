"""The portal's own forms: sign-in by text code and registration (validation only; the
steps are in portal.accounts)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.core.formfields import nfkc
from casework.core.roles import Role
from casework.parties import identifiers


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_mobile(self) -> str:
        return identifiers.normalise_mobile(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("code from the text message"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9０-９ ]*",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in nfkc(self.cleaned_data["code"]) if not ch.isspace())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(_("The code has 6 digits."))
        return code


class RegisterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("I register as"),
        choices=[
            (Role.WORKER, _("a worker")),
            (Role.HIRING_PARTY, _("an individual hiring workers")),
        ],
        initial=Role.WORKER,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("name as on the ID card"), max_length=60)
    id_number = forms.CharField(
        label=_("resident ID number"),
        max_length=30,
        help_text=_("18 characters; the last may be X."),
    )

    def clean_name(self) -> str:
        name = " ".join(nfkc(self.cleaned_data["name"]).split())
        if not name:
            raise ValidationError(_("Enter your name as on the ID card."))
        return name

    def clean_id_number(self) -> str:
        return identifiers.normalise_ric(self.cleaned_data["id_number"])


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("organisation name"), max_length=120)
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the business licence."),
    )

    def clean_credit_code(self) -> str:
        code, problem = identifiers.check_uscc(self.cleaned_data["credit_code"])
        if problem is not None:
            raise problem
        return code
