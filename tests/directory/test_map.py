"""The map page /markets/map/: vendored Leaflet, the configured tile server, the list as text.
No test fetches a tile: only the page's markup and headers are read."""

import pytest
from django.test import override_settings
from django.urls import reverse

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk=demo-key"
)


def test_the_map_carries_the_configured_tile_server(client, mapped_market, settings):
    settings.MARKET_MAP_TILE_URL = TIANDITU
    settings.MARKET_MAP_TILE_ATTRIBUTION = "天地图"
    page = client.get(reverse("directory:map")).content.decode()

    assert 'data-tile-url="https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&amp;' in page
    assert "tk=demo-key" in page and 'data-tile-attribution="天地图"' in page
    assert 'class="market-map"' in page  # tiles: no plain background


def test_without_a_tile_server_the_map_has_a_plain_background_and_the_list(client, mapped_market):
    page = client.get(reverse("directory:map")).content.decode()

    assert 'data-tile-url=""' in page and "market-map no-tiles" in page
    assert mapped_market.address in page and mapped_market.hotline in page  # the list as text
    assert f'data-feed="{reverse("directory:feed_geojson")}"' in page


def test_leaflet_is_served_from_this_site(client, market):
    page = client.get(reverse("directory:map")).content.decode()

    assert '<script src="/static/vendor/leaflet/leaflet.js" defer>' in page
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in page
    assert '<script src="/static/js/market-map.js" defer>' in page


def test_the_vendored_leaflet_is_version_1_9_4_with_its_licence(settings):
    from pathlib import Path

    folder = Path(settings.BASE_DIR) / "static" / "vendor" / "leaflet"
    assert "Leaflet 1.9.4" in (folder / "leaflet.js").read_text()[:200]
    assert "BSD 2-Clause" in (folder / "LICENSE").read_text()
    assert "| version | 1.9.4 |" in (folder / "README.md").read_text()
    assert (folder / "images" / "marker-icon.png").exists()


@pytest.mark.parametrize(
    ("url", "source"),
    [
        (TIANDITU, "https://*.tianditu.gov.cn"),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("", None),
    ],
)
def test_the_tile_host_is_allowed_for_images_only(url, source):
    from casework.settings import _tile_source

    sources = _tile_source(url)
    assert sources == ([source] if source else [])


def test_the_csp_header_names_the_configured_tile_host(client, market):
    from casework.settings import CONTENT_SECURITY_POLICY, _tile_source

    directives = {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "img-src": ["'self'", "data:", *_tile_source(TIANDITU)],
    }
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": directives}):
        header = client.get(reverse("directory:map"))["Content-Security-Policy"]

    policy = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    assert "https://*.tianditu.gov.cn" in policy["img-src"]
    assert "tianditu" not in policy["script-src"] + policy["connect-src"] + policy["default-src"]
