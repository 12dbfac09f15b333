"""A market's coordinates: both or neither, degrees in range, within China's rough box."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError


def check(market, latitude, longitude):
    market.latitude = None if latitude is None else Decimal(latitude)
    market.longitude = None if longitude is None else Decimal(longitude)
    market.full_clean()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("30.274150", "120.155150"), ("39.904200", "116.407400"), (None, None), ("53.5", "73.5")],
)
def test_coordinates_in_china_or_none_are_accepted(market, latitude, longitude):
    check(market, latitude, longitude)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("120.155150", "30.274150", "latitude"),  # swapped
        ("30.274150", "-120.155150", "longitude"),  # west, not east
        ("48.8566", "2.3522", "longitude"),  # Paris
        ("-33.87", "151.21", "latitude"),  # Sydney
        ("95", "120", "latitude"),  # not a latitude at all
    ],
)
def test_coordinates_outside_china_are_refused(market, latitude, longitude, field):
    with pytest.raises(ValidationError) as caught:
        check(market, latitude, longitude)
    assert field in caught.value.message_dict


@pytest.mark.parametrize(("latitude", "longitude"), [("30.27", None), (None, "120.15")])
def test_half_a_pair_is_refused(market, latitude, longitude):
    with pytest.raises(ValidationError):
        check(market, latitude, longitude)
