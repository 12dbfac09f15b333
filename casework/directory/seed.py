"""The demo market's directory figures: last month's, as its supervisors would enter them.
(``manage.py seed_demo`` gives the market its coordinates.)"""

from decimal import Decimal

from casework.core.models import Market
from casework.directory.figures import last_complete_month
from casework.directory.models import MarketMonthFigures


def seed_demo(market: Market) -> None:
    MarketMonthFigures.objects.get_or_create(
        market=market,
        month=last_complete_month(),
        defaults={"job_seekers": 1860, "daily_placements": Decimal("42.5")},
    )
