"""The agreements' portal forms: the signing code and the worker's payment report.

Validation and normalisation only (docs/architecture.md, "A fifth workflow"); they never save.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.services import CODE_DIGITS


class SigningCodeForm(forms.Form):
    """The one-time code from the text message, which confirms the intent to sign."""

    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        # People copy codes with spaces ("123 456"); only the digits count.
        value = "".join(self.cleaned_data["code"].split())
        if not (len(value) == CODE_DIGITS and value.isascii() and value.isdigit()):
            raise ValidationError(
                _("Enter the %(n)s digits from the text message."), params={"n": CODE_DIGITS}
            )
        return value


class PaymentReportForm(forms.Form):
    """The worker's answer once the work is marked completed: was the pay received?"""

    PAID, UNPAID = "paid", "unpaid"
    answer = forms.ChoiceField(
        choices=[(PAID, _("I have been paid")), (UNPAID, _("I have not been paid"))]
    )

    @property
    def paid(self) -> bool:
        return self.cleaned_data["answer"] == self.PAID
