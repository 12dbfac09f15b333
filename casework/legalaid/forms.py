"""The referral, answer and outcome forms: validation only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.core import dates
from casework.legalaid.models import Ground, LegalAidCentre, Result
from casework.parties.models import Person


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ReferralForm(forms.Form):
    worker: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Worker"), queryset=Person.objects.none(), empty_label=None
    )
    centre = forms.ModelChoiceField(
        label=_("Legal-aid centre"), queryset=LegalAidCentre.objects.none(), empty_label=None
    )
    ground = forms.ChoiceField(label=_("Ground"), widget=forms.RadioSelect)
    summary = forms.CharField(
        label=_("The matter in short"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the worker asks for and why, as the centre should read it."),
    )

    def __init__(self, data=None, *, workers=(), centres=None, grounds=(), **kwargs):
        super().__init__(data, **kwargs)

        self.fields["worker"].queryset = Person.objects.filter(pk__in=[w.pk for w in workers])
        if centres is not None:
            self.fields["centre"].queryset = centres
        labels = dict(Ground.choices)
        self.fields["ground"].choices = [(g, labels[g]) for g in grounds]
        if grounds:
            self.fields["ground"].initial = grounds[0]


class AnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("The centre's answer"),
        choices=[
            ("yes", pgettext_lazy("legal aid", "accepted")),
            ("no", pgettext_lazy("legal aid", "declined")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    answered_on = forms.DateField(
        label=_("Date of the answer"), widget=DateInput, validators=[dates.past_day]
    )
    centre_reference = forms.CharField(
        label=_("Centre's reference number"), max_length=60, required=False
    )
    decline_reason = forms.CharField(
        label=_("Reason given for declining"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accepted") is False and not (cleaned.get("decline_reason") or "").strip():
            self.add_error("decline_reason", _("Give the reason the centre declined."))
        return cleaned


class OutcomeForm(forms.Form):
    concluded_on = forms.DateField(
        label=_("Date of the outcome"), widget=DateInput, validators=[dates.past_day]
    )
    result = forms.ChoiceField(label=_("Result"), choices=Result.choices)
    result_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        from casework.legalaid.models import LegalAidReferral

        self.fields["state"].choices = [("", _("all")), *LegalAidReferral.State.choices]
