"""Fixtures of the directory tests: markets with coordinates and figures, fresh limits."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from casework.directory.figures import last_complete_month
from casework.directory.models import MarketMonthFigures
from casework.directory.views import card_limit_key
from casework.documents.views import rate_limit_key


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    keys = [key("127.0.0.1") for key in (card_limit_key, rate_limit_key)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def mapped_market(market):
    """The test market, placed in Hangzhou, with last month's figures entered."""
    market.latitude, market.longitude = Decimal("30.274150"), Decimal("120.155150")
    market.save(update_fields=["latitude", "longitude"])
    MarketMonthFigures.objects.create(
        market=market,
        month=last_complete_month(),
        job_seekers=1860,
        daily_placements=Decimal("42.5"),
    )
    return market


def month_key(day: datetime.date) -> str:
    return f"{day:%Y-%m}"
