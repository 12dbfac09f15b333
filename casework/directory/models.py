from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.core.models import Market


class MarketMonthFigures(models.Model):
    """A market's directory figures for one month, entered by its supervisors.

    One row per market and month (the first day of the month); entering a month again
    replaces its figures.
    """

    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="month_figures", verbose_name=_("market")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    job_seekers = models.PositiveIntegerField(
        _("job seekers"), help_text=_("People who came looking for work in the month.")
    )
    daily_placements = models.DecimalField(
        _("daily successful placements"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
        help_text=_("Placements agreed in the month divided by the days the market was open."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("market's monthly figures")
        verbose_name_plural = _("markets' monthly figures")
        ordering = ["market", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["market", "month"], name="directory_one_row_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="directory_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.month:%Y-%m}"
