"""The directory's daily placements (日均达成用工), derived from gig agreements: those
that came into force at the market in the month, per calendar day of the month.

The same count as the statistics' "agreements signed" (agreements/reports.py); a market
that signs none here gets no derived figure, only what its supervisors enter
(casework.directory.registry; docs/architecture.md, "The public market directory").
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from casework.core.models import Market
from casework.directory.registry import DerivedFigure, register
from casework.reports.periods import month


def daily_placements_of(markets: list[Market], first: datetime.date) -> dict[int, Decimal]:
    """Per market id, in one query; a market that signed none is left out: not "none
    placed", the market may simply not use agreements here."""
    period = month(first.year, first.month)
    start, end = period.bounds()
    counts = (
        Agreement.objects.filter(market__in=markets, signed_at__gte=start, signed_at__lt=end)
        .values("market_id")
        .annotate(signed=Count("pk"))
        .values_list("market_id", "signed")
    )
    days = (period.after - period.first).days
    return {
        market_id: (Decimal(signed) / days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for market_id, signed in counts
    }


def daily_placements(market: Market, first: datetime.date) -> Decimal | None:
    return daily_placements_of([market], first).get(market.pk)


register(
    DerivedFigure(
        "daily_placements",
        _("gig agreements that came into force, per calendar day"),
        daily_placements,
        daily_placements_of,
    )
)
