"""Per-market targets and choices for the statistics (docs/architecture.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.core.models import Market


class Target(models.Model):
    """A market's target for one indicator (a supervisor edits it; defaults come from the
    indicator, e.g. a mediation success rate of at least 60%)."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    workflow = models.CharField(_("workflow"), max_length=40)
    indicator = models.CharField(_("indicator"), max_length=60)
    value = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10**12)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "workflow", "indicator"], name="reports_target_unique"
            )
        ]
        permissions = [
            ("view_statistics", "Can see the statistics of their markets"),
            ("view_regional_statistics", "Can compare the statistics of many markets"),
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.workflow}.{self.indicator} {self.value}"


class VariantChoice(models.Model):
    """Which formula a market uses for an indicator that policies word differently."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    workflow = models.CharField(_("workflow"), max_length=40)
    indicator = models.CharField(_("indicator"), max_length=60)
    variant = models.CharField(_("formula"), max_length=40)

    class Meta:
        verbose_name = _("formula choice")
        verbose_name_plural = _("formula choices")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "workflow", "indicator"], name="reports_variant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.workflow}.{self.indicator}={self.variant}"
