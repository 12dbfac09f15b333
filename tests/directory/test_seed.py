"""The demo market (seed_demo) is on the map with a month of figures."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from casework.core.models import Market
from casework.directory.figures import last_complete_month


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    return Market.objects.get(code="cd")


def test_the_demo_market_has_coordinates_and_last_months_figures(demo):
    assert (demo.latitude, demo.longitude) == (Decimal("30.274150"), Decimal("120.155150"))
    row = demo.month_figures.get()
    assert row.month == last_complete_month() and row.job_seekers > 0


def test_the_demo_market_is_a_feature_of_the_geojson_feed(client, demo):
    data = json.loads(client.get(reverse("directory:feed_geojson")).content)

    assert [f["id"] for f in data["features"]] == ["cd"]
    assert data["features"][0]["properties"]["job_seekers"]["source"] == "entered"
