"""Celery tasks of the statistics (docs/reports.md)."""

import dataclasses
import datetime
import time
from collections.abc import Iterator

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from casework.core.models import Market
from casework.reports import access, monthly, services, snapshots
from casework.reports.models import FigureSnapshot
from casework.reports.periods import current_month, months_ending
from casework.reports.registry import reports

# -- figure snapshots (docs/reports.md, "Speed") ----------------------------------------------

# The nightly snapshots are taken from this local hour on.
SNAPSHOT_HOUR = 1
# The closed months a market's pages need most: the previous month and its own previous
# month, and the trend of the current month's page (12 months up to the current one).
SNAPSHOT_MONTHS = services.TREND_MONTHS + 1
# One run works this long at most, then sends itself again: under the hard time limit,
# which must stay under the broker's visibility timeout (settings.py).
SNAPSHOT_BUDGET_SECONDS = 150
SNAPSHOT_LOCK = "reports:snapshots:running"


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def take_figure_snapshots() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE); works once a local day, from SNAPSHOT_HOUR on.

    Takes again, for every workflow, every market and every set of markets a user
    sees at once (the regional role's, a supervisor's of several markets), the figures
    of the SNAPSHOT_MONTHS closed months before the current one, and the chart data of
    the previous month, unless taken since today's SNAPSHOT_HOUR. A large region takes
    longer than one run may: the run stops after SNAPSHOT_BUDGET_SECONDS and sends
    itself again. Then it deletes the snapshots too old to be read. Two runs at once:
    the second finds the lock taken and returns.
    """
    if not cache.add(SNAPSHOT_LOCK, "1", timeout=300):
        return {"skipped": "running"}
    try:
        result = refresh_snapshots()
    finally:
        cache.delete(SNAPSHOT_LOCK)
    if result["left"]:
        take_figure_snapshots.apply_async(countdown=1)
    return result


def snapshot_threshold(now: datetime.datetime) -> datetime.datetime:
    """Snapshots taken since this moment are tonight's: today's SNAPSHOT_HOUR, or
    yesterday's before that hour."""
    local = timezone.localtime(now)
    start = local.replace(hour=SNAPSHOT_HOUR, minute=0, second=0, microsecond=0)
    return start if local >= start else start - datetime.timedelta(days=1)


def refresh_snapshots(
    *, now: datetime.datetime | None = None, budget: float = SNAPSHOT_BUDGET_SECONDS
) -> dict:
    """Take the snapshots due tonight (see take_figure_snapshots), for ``budget`` seconds;
    returns how many were taken, how many are left for the next run, how many pruned."""
    now = now or timezone.now()
    since = snapshot_threshold(now)
    months = months_ending(current_month(timezone.localdate(now)).previous(), SNAPSHOT_MONTHS)
    language = settings.LANGUAGE_CODE
    fresh = set(FigureSnapshot.objects.filter(taken_at__gte=since).values_list(*_KEY_FIELDS))
    started = time.monotonic()
    taken = left = 0
    market_sets = list(_market_sets())
    for report in reports():
        fingerprint = snapshots.fingerprint(report)
        for markets, market in market_sets:
            variants = services.chosen_variants(report, market)
            scope = (report.slug, snapshots.markets_key(snapshots.market_ids(markets)))
            due = [
                (month, kind)
                for month in months
                for kind in (FIGURES, BREAKDOWNS)
                if (kind == FIGURES or month == months[-1])
                and (
                    *scope,
                    kind,
                    month.kind,
                    month.first,
                    month.after,
                    snapshots.variants_key(variants) if kind == FIGURES else "",
                    language if kind == BREAKDOWNS else "",
                    fingerprint,
                )
                not in fresh
            ]
            for month, kind in due:
                # At least one per run, so that a run always gets somewhere.
                if taken and time.monotonic() - started > budget:
                    left += 1
                    continue
                taken += _take(report, markets, variants, month, kind, language)
    pruned = 0 if left else snapshots.prune(now)
    return {"taken": taken, "left": left, "pruned": pruned}


# -- the current month, kept fresh (docs/reports.md, "Speed") ----------------------------------

OPEN_LOCK = "reports:open-figures:running"
OPEN_BUDGET_SECONDS = 120


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def refresh_open_figures() -> dict:
    """Every 5 minutes (CELERY_BEAT_SCHEDULE): for every workflow and every market or set
    of markets the pages show by default (as the nightly job), the current month's figures
    and chart data in the default language, taken again when a page would soon stop
    reading them (snapshots.due): something recorded since and older than half the lag.
    A quiet market costs one look-up. Works for OPEN_BUDGET_SECONDS at most; the next run
    goes on. Two runs at once: the second finds the lock taken and returns."""
    if not cache.add(OPEN_LOCK, "1", timeout=300):
        return {"skipped": "running"}
    try:
        return refresh_open()
    finally:
        cache.delete(OPEN_LOCK)


def refresh_open(*, budget: float = OPEN_BUDGET_SECONDS) -> dict:
    month = current_month()
    language = settings.LANGUAGE_CODE
    started = time.monotonic()
    taken = left = 0
    market_sets = list(_market_sets())
    for report in reports():
        for markets, market in market_sets:
            variants = services.chosen_variants(report, market)
            for kind in snapshots.due(report, markets, month, variants, language):
                if taken and time.monotonic() - started > budget:
                    left += 1
                else:
                    taken += _take(report, markets, variants, month, kind, language)
    return {"taken": taken, "left": left}


def _take(report, markets, variants, period, kind: str, language: str) -> int:
    """Take one snapshot: the period's figures, or its chart data in ``language``."""
    if kind == FIGURES:
        return snapshots.take(report, markets, [period], variants)
    return snapshots.take(report, markets, [], variants, breakdowns=[period], language=language)


FIGURES, BREAKDOWNS = FigureSnapshot.Kind.FIGURES, FigureSnapshot.Kind.BREAKDOWNS
_KEY_FIELDS = (
    "workflow",
    "markets_key",
    "kind",
    "period_kind",
    "first",
    "after",
    "variants",
    "language",
    "fingerprint",
)


def _market_sets() -> Iterator[tuple[QuerySet[Market], Market | None]]:
    """(markets, the market if one) for each market, then each distinct set of several
    markets a user with the statistics permission sees by default ("all")."""
    for market in Market.objects.order_by("code"):
        yield Market.objects.filter(pk=market.pk), market
    seen: set[frozenset[int]] = set()
    users = User.objects.with_perm(
        access.VIEW, backend="casework.core.permissions.PermissionBackend"
    )
    for user in users.order_by("pk"):
        markets = access.statistics_markets(user)
        ids = frozenset(markets.values_list("pk", flat=True))
        if len(ids) > 1 and ids not in seen:
            seen.add(ids)
            yield Market.objects.filter(pk__in=ids), None


# -- the monthly work reports (docs/reports.md, "Monthly table and monthly report") -----------


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600)
def issue_monthly_reports() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): each market's sealed work report for the month
    before, issued by the first run on or after the 1st; later runs find it issued. A
    market whose report failed is tried again by the next run."""
    return dataclasses.asdict(monthly.issue_monthly_reports())
