"""A market's public directory entry: the fields the page and the feeds show.

Only what a market publishes on its card, its coordinates and its figures: never a staff
member, a supervisor, a case, a count of cases or a person (tests/directory).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.core.models import Market
from casework.directory.figures import Figure, derived_values, latest_rows, market_figures

# The keys of each entry in the JSON feed (the GeoJSON feed's properties are the same
# without latitude and longitude, which are its geometry), with their meaning.
FIELDS = {
    "code": _("the market's short code"),
    "name": _("name"),
    "nature": _("operating nature, in the reader's language"),
    "nature_code": _("operating nature: public, commercial or spontaneous"),
    "region": _("county / district"),
    "address": _("address"),
    "opening_hours": _("opening hours"),
    "main_trades": _("main trades"),
    "hotline": _("service hotline"),
    "complaint_channel": _("complaint channel"),
    "latitude": _("degrees north (WGS-84 / CGCS2000), or null"),
    "longitude": _("degrees east (WGS-84 / CGCS2000), or null"),
    "job_seekers": _("job seekers in the month: value, month, source; or null"),
    "daily_placements": _(
        "daily successful placements in the month: value, month, source; or null"
    ),
    "card_url": _("the market's sealed information card (PDF)"),
}

# The coordinate system statement of both feeds.
CRS = {
    "name": "WGS 84",
    "urn": "urn:ogc:def:crs:OGC:1.3:CRS84",
    "epsg": 4326,
    "statement": (
        "Longitude and latitude in decimal degrees on WGS 84, as RFC 7946 (GeoJSON) "
        "requires; CGCS2000 coordinates (天地图) are used as they are (they differ from "
        "WGS 84 by centimetres). GCJ-02 coordinates (高德, 腾讯) are converted before entry."
    ),
}


def _number(value) -> int | float:
    return value if isinstance(value, int) else float(value)


def figure_json(figure: Figure | None) -> dict | None:
    if figure is None:
        return None
    return {
        "value": _number(figure.value),
        "month": f"{figure.month:%Y-%m}",
        "source": figure.source,
        "derived_from": str(figure.derived_from) or None,
    }


def entry(market: Market, figures: dict[str, Figure | None], base_url: str = "") -> dict:
    latitude, longitude = market.latitude, market.longitude
    lat, lon = (
        (float(latitude), float(longitude))
        if latitude is not None and longitude is not None
        else (None, None)
    )
    return {
        "code": market.code,
        "name": market.name,
        "nature": str(market.get_nature_display()),
        "nature_code": market.nature,
        "region": market.region,
        "address": market.address,
        "opening_hours": market.opening_hours,
        "main_trades": market.main_trades,
        "hotline": market.hotline,
        "complaint_channel": market.complaint_channel,
        "latitude": lat,
        "longitude": lon,
        **{key: figure_json(figure) for key, figure in figures.items()},
        "card_url": base_url + reverse("directory:card", args=[market.code]),
    }


def directory(base_url: str = "") -> list[tuple[Market, dict[str, Figure | None], dict]]:
    """(market, its figures, its entry) of every market, by name."""
    markets = list(Market.objects.order_by("name"))
    rows = latest_rows(markets)
    values = derived_values(markets)
    listed = []
    for market in markets:
        figures = market_figures(market, rows.get(market.pk), values)
        listed.append((market, figures, entry(market, figures, base_url)))
    return listed


def feature(item: dict) -> dict:
    """One entry as a GeoJSON Feature: RFC 7946 order, longitude first."""
    properties = {k: v for k, v in item.items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "id": item["code"],
        "geometry": {"type": "Point", "coordinates": [item["longitude"], item["latitude"]]},
        "properties": properties,
    }
