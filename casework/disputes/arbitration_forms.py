"""Forms of the arbitration hand-off (casework/disputes/arbitration.py): validation only.

The dates are bounded by casework.core.dates like every other form's; the rules that need
the hand-off (acceptance not before the hand-off, closing not before the acceptance) are
the services'.
"""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core import dates
from casework.disputes.models import ArbitrationCommittee, ArbitrationHandoff, Dispute


def _date_field(label, **kwargs) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, widget=widget, initial=timezone.localdate, **kwargs)


class HandoffForm(forms.Form):
    committee = forms.ModelChoiceField(
        label=_("arbitration committee"),
        queryset=ArbitrationCommittee.objects.none(),
        error_messages={"required": _("Choose the arbitration committee.")},
    )
    note = forms.CharField(
        label=_("note to the committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed in the hand-off packet."),
    )

    def __init__(self, *args, dispute: Dispute, **kwargs):
        super().__init__(*args, **kwargs)
        committees = ArbitrationCommittee.objects.filter(market_id=dispute.market_id)
        field = cast(forms.ModelChoiceField, self.fields["committee"])
        field.queryset = committees
        if len(committees) == 1:
            field.initial = committees[0].pk


class FilingForm(forms.Form):
    case_number = forms.CharField(
        label=_("arbitration case number"),
        max_length=60,
        error_messages={"required": _("Enter the committee's case number.")},
    )
    filed_on = _date_field(_("accepted by the committee on"), validators=[dates.past_day])
    extended = forms.BooleanField(
        label=_("extension approved by the committee's chair"),
        required=False,
        help_text=_("15 more days (Art. 43)."),
    )


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=ArbitrationHandoff.Result.choices)
    closed_on = _date_field(_("closed by the committee on"), validators=[dates.past_day])
    note = forms.CharField(
        label=_("result details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
