"""The directory's feeds: /markets/directory.json and /markets/directory.geojson."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.core.models import Market
from casework.directory.entries import FIELDS
from casework.directory.figures import last_complete_month
from tests.directory.conftest import month_key

SCHEMA = json.loads((Path(__file__).parent / "schema" / "FeatureCollection.json").read_text())


def get_json(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_the_json_feed_lists_every_market_with_the_documented_keys(
    client, mapped_market, other_market
):
    response, data = get_json(client, "directory:feed_json")

    assert response["Content-Type"] == "application/json"
    assert set(data) == {"generated_at", "crs", "fields", "markets"}
    assert datetime.datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert [m["code"] for m in data["markets"]] == ["other", "test"]  # by name: 另 before 测
    for item in data["markets"]:
        assert set(item) == set(FIELDS) == set(data["fields"])
    mapped = next(m for m in data["markets"] if m["code"] == "test")
    assert (mapped["latitude"], mapped["longitude"]) == (30.27415, 120.15515)
    assert mapped["hotline"] == mapped_market.hotline
    assert mapped["card_url"] == "http://testserver/markets/test/card.pdf"
    assert mapped["job_seekers"] == {
        "value": 1860,
        "month": month_key(last_complete_month()),
        "source": "entered",
        "derived_from": None,
    }
    assert mapped["daily_placements"]["value"] == 42.5


def test_a_market_without_coordinates_stays_in_the_json_feed(client, mapped_market, other_market):
    _response, data = get_json(client, "directory:feed_json")

    unmapped = next(m for m in data["markets"] if m["code"] == "other")
    assert unmapped["latitude"] is None and unmapped["longitude"] is None
    assert unmapped["job_seekers"] is None  # nothing entered, nothing derived


def test_the_json_feed_states_its_coordinate_system(client, market):
    _response, data = get_json(client, "directory:feed_json")

    assert data["crs"]["epsg"] == 4326
    assert data["crs"]["urn"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert "GCJ-02" in data["crs"]["statement"] and "CGCS2000" in data["crs"]["statement"]


def test_the_geojson_feed_puts_longitude_first_and_leaves_unmapped_markets_out(
    client, mapped_market, other_market
):
    response, data = get_json(client, "directory:feed_geojson")

    assert response["Content-Type"] == "application/geo+json"
    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == ["test"]
    feature = data["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [120.15515, 30.27415]}
    assert set(feature["properties"]) == set(FIELDS) - {"latitude", "longitude"}
    assert feature["properties"]["name"] == mapped_market.name


def test_the_geojson_feed_validates_against_the_geojson_schema(client, mapped_market, other_market):
    _response, data = get_json(client, "directory:feed_geojson")

    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft7Validator)
    assert data["features"]  # a feature was validated, not only an empty collection


def test_the_schema_check_catches_a_malformed_point():
    broken = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1]}}
        ],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("name", ["directory:feed_json", "directory:feed_geojson"])
def test_the_feeds_may_be_cached_for_a_while(client, market, settings, name):
    settings.MARKET_DIRECTORY_MAX_AGE = 300
    response = client.get(reverse(name))

    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("name", ["directory:index", "directory:feed_json"])
def test_the_directory_costs_the_same_queries_for_more_markets(
    client, market, other_market, name, django_assert_max_num_queries
):
    # Every market's entered and derived figures are read in one query each, not per market
    # (a province lists a hundred markets).
    with CaptureQueriesContext(connection) as two:
        client.get(reverse(name))
    for n in range(3):
        Market.objects.create(
            name=f"加测零工市场{n}", code=f"extra{n}", nature=Market.Nature.PUBLIC,
            region="测试区", address="测试路1号", opening_hours="9-17", main_trades="搬运",
            hotline="0571-1", complaint_channel="窗口",
        )  # fmt: skip
    with django_assert_max_num_queries(len(two.captured_queries)):
        client.get(reverse(name))
