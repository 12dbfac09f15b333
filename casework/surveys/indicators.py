"""The satisfaction indicators each surveyed workflow adds to its statistics
(casework.reports; docs/reports.md, "Satisfaction"). A workflow's reports.py lists
``INDICATORS`` after its own and adds ``satisfaction_figures(self.slug, markets, period)``
to its figures: the workflow imports this app, never the reverse."""

from django.utils.translation import gettext_lazy as _

from casework.reports.registry import Indicator, Unit
from casework.surveys.services import satisfaction_figures

__all__ = ["INDICATORS", "satisfaction_figures"]

INDICATORS = [
    Indicator(
        "survey_answers",
        _("Satisfaction survey answers"),
        _(
            "Answers to the satisfaction survey given in the period (by the time of the "
            "answer) by parties of cases of this workflow."
        ),
    ),
    Indicator(
        "satisfaction_rate",
        _("Satisfaction rate"),
        _(
            "(Very satisfied + satisfied + basically satisfied) ÷ answers to the "
            "satisfaction survey given in the period."
        ),
        unit=Unit.PERCENT,
    ),
]
