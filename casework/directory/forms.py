from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from casework.directory.figures import recent_months
from casework.directory.models import MarketMonthFigures


class FiguresForm(forms.ModelForm):
    """One month's figures; the month is picked from the last twelve (no date typing)."""

    month = forms.TypedChoiceField(label=_("Month"), coerce=str)

    class Meta:
        model = MarketMonthFigures
        fields = ["month", "job_seekers", "daily_placements"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.months = {f"{m:%Y-%m}": m for m in recent_months()}
        month_field: Any = self.fields["month"]
        month_field.choices = [
            (key, date_format(m, "YEAR_MONTH_FORMAT")) for key, m in self.months.items()
        ]

    def clean_month(self):
        return self.months[self.cleaned_data["month"]]
