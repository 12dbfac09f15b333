from django import forms
from django.utils.translation import gettext_lazy as _

from casework.surveys.models import COMMENT_MAX, Level, Reason


class AnswerForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with how your case was handled?"),
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five levels.")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("What was unsatisfactory?"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
    )
