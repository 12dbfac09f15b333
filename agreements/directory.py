"""The directory's daily placements (日均达成用工), derived from gig agreements: those
that came into force at the market in the month, per calendar day of the month.

The same count as the statistics' "agreements signed" (agreements/reports.py); a market
that signs none here gets no derived figure, only what its supervisors enter
(casework.directory.registry; docs/architecture.md, "The public market directory").
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from casework.core.models import Market
from casework.directory.registry import DerivedFigure, register
from casework.reports.periods import month


def daily_placements(market: Market, first: datetime.date) -> Decimal | None:
    period = month(first.year, first.month)
    start, end = period.bounds()
    signed = Agreement.objects.filter(market=market, signed_at__gte=start, signed_at__lt=end)
    count = signed.count()
    if not count:
        return None  # not "none placed": the market may simply not use agreements here
    days = (period.after - period.first).days
    return (Decimal(count) / days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


register(
    DerivedFigure(
        "daily_placements",
        _("gig agreements that came into force, per calendar day"),
        daily_placements,
    )
)
