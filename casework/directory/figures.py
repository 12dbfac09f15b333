"""Which figures the directory shows for a market: entered by its supervisors or derived
by a workflow (registry.py), each with its month and its source."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from casework.core.audit import Actor, record_event
from casework.core.locking import lock
from casework.core.models import Market
from casework.directory.models import MarketMonthFigures
from casework.directory.registry import FIGURE_KEYS, Value, derived

ENTERED = "entered"
DERIVED = "derived"


@dataclass(frozen=True)
class Figure:
    key: str
    value: Value
    month: datetime.date  # the first day of the month it describes
    source: str  # ENTERED or DERIVED
    # For a derived figure, what it is computed from: lazy, read in the reader's language
    # (the card reads it in Chinese).
    derived_from: str | Promise = ""

    @property
    def entered(self) -> bool:
        return self.source == ENTERED


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month before ``today``'s (local): a derived figure's month."""
    first = month_start(today or timezone.localdate())
    return month_start(first - datetime.timedelta(days=1))


def recent_months(count: int = 12) -> list[datetime.date]:
    """This month and the ``count - 1`` before it, newest first: the months one may enter."""
    months = [month_start(timezone.localdate())]
    while len(months) < count:
        months.append(last_complete_month(months[-1]))
    return months


def latest_rows(markets) -> dict[int, MarketMonthFigures]:
    """Each market's newest entered month (not a future one), by market id."""
    rows = MarketMonthFigures.objects.filter(
        market__in=markets, month__lte=month_start(timezone.localdate())
    ).order_by("market_id", "-month")
    latest: dict[int, MarketMonthFigures] = {}
    for row in rows:
        latest.setdefault(row.market_id, row)
    return latest


def derived_values(markets: list[Market]) -> dict[str, Mapping[int, Value]]:
    """Per figure key, what a workflow derives for last month, by market id."""
    month = last_complete_month()
    providers = {key: derived(key) for key in FIGURE_KEYS}
    return {key: p.values(markets, month) for key, p in providers.items() if p is not None}


def market_figures(
    market: Market, row: MarketMonthFigures | None, values: dict[str, Mapping[int, Value]]
) -> dict[str, Figure | None]:
    """Per figure key: the newer of the entered and the derived figure (entered on a tie);
    ``values`` is derived_values() of a list that holds ``market``."""
    return {key: _figure(market, row, key, values.get(key, {})) for key in FIGURE_KEYS}


def _figure(
    market: Market, row: MarketMonthFigures | None, key: str, values: Mapping[int, Value]
) -> Figure | None:
    entered = Figure(key, getattr(row, key), row.month, ENTERED) if row else None
    provider = derived(key)
    month = last_complete_month()
    if provider is None or (entered is not None and entered.month >= month):
        return entered
    value = values.get(market.pk)
    if value is None:
        return entered
    return Figure(key, value, month, DERIVED, provider.source)


def figures_for(market: Market) -> dict[str, Figure | None]:
    return market_figures(market, latest_rows([market]).get(market.pk), derived_values([market]))


def enter_figures(
    *,
    market: Market,
    month: datetime.date,
    job_seekers: int,
    daily_placements: Decimal,
    actor: Actor,
) -> MarketMonthFigures:
    """Store one month's figures (replacing that month's if entered before)."""
    user: Any = actor.user  # a staff User (the view requires a login)
    with transaction.atomic():
        market = lock(market)  # one entry at a time per market: the audit chain's order
        row, created = MarketMonthFigures.objects.select_for_update().get_or_create(
            market=market,
            month=month_start(month),
            defaults={
                "job_seekers": job_seekers,
                "daily_placements": daily_placements,
                "entered_by": user,
            },
        )
        if not created:
            row.job_seekers = job_seekers
            row.daily_placements = daily_placements
            row.entered_by = user
            row.save(update_fields=["job_seekers", "daily_placements", "entered_by", "entered_at"])
        record_event(
            market,
            actor=actor,
            action="directory_figures_entered",
            note=f"{row.month:%Y-%m}: {job_seekers} / {daily_placements}",
        )
    return row
