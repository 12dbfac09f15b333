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


class FigureSnapshot(models.Model):
    """A period's figures (or chart data) of one workflow over one set of markets, stored
    so that a statistics page reads them instead of computing them again
    (casework.reports.snapshots; docs/reports.md, "Speed").

    A period over is read for a day (the nightly job takes it again, so a late correction
    shows within a day); a period still open (the current month) only while nothing was
    recorded since (``mark``) or for a few minutes (settings.STATISTICS_LAG)."""

    class Kind(models.TextChoices):
        FIGURES = "figures", _("figures")
        BREAKDOWNS = "breakdowns", _("chart data")

    workflow = models.CharField(_("workflow"), max_length=40)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The market when the set is one market (deleted with it), else empty.
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The markets' keys, sorted, and their digest (what the unique key compares).
    market_ids = models.JSONField(default=list)
    markets_key = models.CharField(max_length=64)
    period_kind = models.CharField(max_length=8)
    first = models.DateField()
    after = models.DateField()
    # The formula variants the figures were computed with ("indicator=variant,..."),
    # and the language of the chart data's labels (empty for figures).
    variants = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=15, blank=True)
    # The report's definition (its module's source, its indicators and formulas): a
    # snapshot of another definition is not used.
    fingerprint = models.CharField(max_length=64)
    values = models.JSONField()
    taken_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    # The newest audit event (CaseEvent) when the figures were computed: while it is still
    # the newest, nothing has changed since.
    mark = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "workflow",
                    "kind",
                    "markets_key",
                    "period_kind",
                    "first",
                    "after",
                    "variants",
                    "language",
                ],
                name="reports_snapshot_unique",
            )
        ]

    def __str__(self) -> str:
        taken = f"{self.taken_at:%Y-%m-%d %H:%M}"
        return f"{self.workflow} {self.kind} {self.first}..{self.after} {taken}"


class MonthlyReport(models.Model):
    """A market's monthly work report (月度工作报告) for one month, issued once: its
    creation issues the sealed document (casework.reports.monthly.issue_monthly_report),
    and the unique key keeps a second run of the monthly job from issuing it again."""

    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("monthly work report")
        verbose_name_plural = _("monthly work reports")
        ordering = ["-month", "market"]
        constraints = [
            models.UniqueConstraint(fields=["market", "month"], name="reports_monthly_unique")
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.month:%Y-%m}"


class TableCopy(models.Model):
    """A sealed copy of a workflow's monthly statistics table (月报表) for a set of
    markets and one month, as its figures stood when someone asked for it; the subject of
    its document (casework.reports.monthly.issue_table_copy)."""

    workflow = models.CharField(_("workflow"), max_length=40)
    month = models.DateField(_("month"))
    markets = models.ManyToManyField(Market, related_name="+", verbose_name=_("markets"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("monthly table copy")
        verbose_name_plural = _("monthly table copies")

    def __str__(self) -> str:
        return f"{self.workflow} {self.month:%Y-%m}"

    @property
    def market(self) -> Market | None:
        """The market when the copy covers one (its document's header names it)."""
        markets = list(self.markets.all()[:2])
        return markets[0] if len(markets) == 1 else None
