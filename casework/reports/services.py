"""The statistics a page shows: each indicator of a workflow against its target, the
trend of the last 12 months, and the breakdowns for the charts (docs/reports.md).

Figures are computed from the cases when asked (indexed aggregate queries per period),
except that a period already over is read from its snapshot when one is fresh enough
(casework.reports.snapshots; docs/reports.md, "Speed"); ``Statistics.as_of`` says as of
when: the snapshot's time, or now for figures computed now.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from casework.core.models import Market
from casework.reports import snapshots
from casework.reports.models import Target, VariantChoice
from casework.reports.periods import Period, months_ending
from casework.reports.registry import Breakdown, Indicator, Variant, WorkflowReport

TREND_MONTHS = 12


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: Decimal | int | None
    previous: Decimal | int | None
    target: Decimal | None
    variant: Variant | None

    @property
    def met(self) -> bool | None:
        """Whether the value reaches the target (None without a value or a target)."""
        if self.value is None or self.target is None:
            return None
        if self.indicator.better == "lower":
            return self.value <= self.target
        return self.value >= self.target


@dataclass(frozen=True)
class Statistics:
    report: WorkflowReport
    period: Period
    figures: list[Figure]
    # Fetched when first read (snapshots.LazyBreakdowns): the comparison shows none.
    breakdowns: Sequence[Breakdown]
    as_of: datetime.datetime


def single_market(markets: QuerySet[Market]) -> Market | None:
    """The market when exactly one is selected: targets and formula choices are per market."""
    rows = list(markets[:2])
    return rows[0] if len(rows) == 1 else None


def targets(report: WorkflowReport, market: Market | None) -> dict[str, Decimal | None]:
    """Each indicator's target: the market's own, else the indicator's default."""
    chosen = {i.slug: i.default_target for i in report.indicators}
    if market is not None:
        stored = Target.objects.filter(market=market, workflow=report.slug)
        chosen |= {t.indicator: t.value for t in stored if t.indicator in chosen}
    return chosen


def chosen_variants(report: WorkflowReport, market: Market | None) -> dict[str, str]:
    """Indicator slug -> the variant slug in use (the market's choice, else the first)."""
    chosen = {slug: options[0].slug for slug, options in report.variants.items() if options}
    if market is not None:
        stored = VariantChoice.objects.filter(market=market, workflow=report.slug)
        valid = {slug: {v.slug for v in options} for slug, options in report.variants.items()}
        chosen |= {
            c.indicator: c.variant for c in stored if c.variant in valid.get(c.indicator, ())
        }
    return chosen


def statistics(report: WorkflowReport, markets: QuerySet[Market], period: Period) -> Statistics:
    market = single_market(markets)
    variants = chosen_variants(report, market)
    # Both in one look-up of the snapshots; a period not over is computed now.
    (current, as_of), (before, _before_as_of) = snapshots.figures(
        report, markets, [period, period.previous()], variants
    )
    goal = targets(report, market)
    figures = [
        Figure(
            indicator=indicator,
            value=current.get(indicator.slug),
            previous=before.get(indicator.slug),
            target=goal.get(indicator.slug),
            variant=_variant(report, indicator.slug, variants),
        )
        for indicator in report.indicators
    ]
    return Statistics(
        report=report,
        period=period,
        figures=figures,
        breakdowns=snapshots.LazyBreakdowns(lambda: snapshots.breakdowns(report, markets, period)),
        as_of=as_of,
    )


def _variant(report: WorkflowReport, slug: str, chosen: dict[str, str]) -> Variant | None:
    options = report.variants.get(slug, [])
    return next((v for v in options if v.slug == chosen.get(slug)), None)


def trend(report: WorkflowReport, markets: QuerySet[Market], period: Period) -> dict:
    """The targeted indicators month by month over the 12 months up to ``period``."""
    market = single_market(markets)
    variants = chosen_variants(report, market)
    goal = targets(report, market)
    months = months_ending(period, TREND_MONTHS)
    shown = [i for i in report.indicators if goal.get(i.slug) is not None]
    # Only the indicators with a target have a trend: none, no figures to fetch.
    fetched = snapshots.figures(report, markets, months, variants) if shown else []
    values = [row for row, _as_of in fetched] or [{} for _month in months]
    return {
        "months": [month.key for month in months],
        "series": [
            {
                "slug": indicator.slug,
                "title": str(indicator.title),
                "unit": indicator.unit,
                "target": _number(goal[indicator.slug]),
                "values": [_number(row.get(indicator.slug)) for row in values],
            }
            for indicator in shown
        ],
    }


def trend_rows(trend_data: dict) -> dict[str, list[tuple[str, float | int | None]]]:
    """Series slug -> [(month, value), ...]: the table beside each trend chart."""
    months = trend_data["months"]
    return {
        series["slug"]: list(zip(months, series["values"], strict=True))
        for series in trend_data["series"]
    }


def as_json(stats: Statistics, trend_data: dict) -> dict:
    return {
        "workflow": stats.report.slug,
        "period": {"key": stats.period.key, "label": stats.period.label},
        "as_of": timezone.localtime(stats.as_of).isoformat(),
        "indicators": [
            {
                "slug": f.indicator.slug,
                "title": str(f.indicator.title),
                "unit": f.indicator.unit,
                "value": _number(f.value),
                "target": _number(f.target),
                "met": f.met,
            }
            for f in stats.figures
        ],
        "trend": trend_data,
        "breakdowns": [
            {"slug": b.slug, "title": str(b.title), "chart": b.chart, "rows": b.rows}
            for b in stats.breakdowns
        ],
    }


def _number(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value
