from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.parties import identifiers
from casework.parties.models import Organization, Person, RealNameCheck


class PersonForm(forms.ModelForm):
    # Wider than the stored values: people type spaces and dashes, which cleaning removes.
    id_number = forms.CharField(label=_("resident ID number"), max_length=24)
    mobile = forms.CharField(label=_("mobile number"), max_length=20)

    class Meta:
        model = Person
        fields = ["name", "id_number", "mobile", "address"]
        error_messages = {
            "id_number": {"unique": _("A person with this ID number is already registered.")},
        }

    def clean_id_number(self) -> str:
        number = identifiers.normalise_ric(self.cleaned_data["id_number"])
        if Person.objects.exclude(pk=self.instance.pk).filter(id_number=number).exists():
            raise ValidationError(_("A person with this ID number is already registered."))
        return number

    def clean_mobile(self) -> str:
        return identifiers.normalise_mobile(self.cleaned_data["mobile"])


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind",
            "name",
            "credit_code",
            "credit_code_override_reason",
            "licence_number",
            "licence_status",
            "mediation_body_type",
            "address",
            "phone",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["credit_code_override_reason"].help_text = _(
            "Only when a genuine code fails the check; needs the override permission."
        )

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("credit_code_override_reason") or "").strip()
        if reason and not (self.user and self.user.has_perm("parties.override_credit_code")):
            self.add_error(
                "credit_code_override_reason",
                _("Only a supervisor may accept a credit code that fails the check."),
            )
        return cleaned

    def save(self, commit: bool = True) -> Organization:
        org = super().save(commit=False)
        if org.credit_code_override_reason:
            org.credit_code_override_by = self.user
        if commit:
            org.save()
        return org


class RealNameCheckForm(forms.Form):
    """What counter staff record after checking a party's identity in person."""

    result = forms.ChoiceField(label=_("result"), choices=RealNameCheck.Result.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == RealNameCheck.Result.FAILED and not cleaned.get("note"):
            self.add_error("note", _("Say why the check failed."))
        return cleaned
