"""A market's seal image (issue 17, item 8): only a real PNG or a plain SVG is taken;
without one the admin shows the seal drawn with the market's name."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from casework.core import seals

PLAIN_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#d00"/></linearGradient></defs>'
    '<circle cx="50" cy="50" r="45" fill="url(#g)"/></svg>'
)


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The validators' messages checked by their English source text (the default is Chinese)."""
    with translation.override("en"):
        yield


def png(width: int = 100) -> bytes:
    out = BytesIO()
    Image.new("RGBA", (width, width), (200, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def check(name: str, data: bytes | str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    seals.validate_seal_image(SimpleUploadedFile(name, raw))


def test_a_png_and_a_plain_svg_are_accepted():
    check("seal.png", png())
    check("seal.SVG", PLAIN_SVG)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("seal.gif", b"GIF89a", "PNG or SVG"),
        ("seal.png", b"not an image at all", "not a PNG"),
        ("seal.png", png()[:60], "damaged"),
        ("seal.png", png(20), "too small"),
        ("seal.svg", "<html>no svg</html>", "not a valid SVG"),
        ("seal.svg", "<svg", "not a valid SVG"),
    ],
)
def test_a_file_that_is_not_a_usable_image_is_refused(name, data, message):
    with pytest.raises(ValidationError) as refused:
        check(name, data)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<circle r="1" onload="alert(1)"/>', "onload"),
        ('<image href="https://evil.example/x.png"/>', "href="),
        (
            '<a xmlns:x="http://www.w3.org/1999/xlink" x:href="javascript:alert(1)">'
            "<text>x</text></a>",
            "href=",
        ),
        ("<foreignObject><div>x</div></foreignObject>", "<foreignObject>"),
        ('<set attributeName="href" to="javascript:alert(1)"/>', "<set>"),
        ("<style>@import url(https://evil.example/a.css);</style>", "<style>"),
        ('<rect style="fill: url(https://evil.example/p.svg#x)"/>', "style"),
    ],
)
def test_an_svg_that_could_run_or_fetch_anything_is_refused(extra, what):
    svg = PLAIN_SVG.replace("</svg>", extra + "</svg>")

    with pytest.raises(ValidationError) as refused:
        check("seal.svg", svg)

    message = str(refused.value)
    assert "a seal image may not have" in message and what in message


def test_an_svg_with_a_doctype_is_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>' + PLAIN_SVG

    with pytest.raises(ValidationError, match="DOCTYPE"):
        check("seal.svg", bomb)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ValidationError, match="at most 1024 KB"):
        check("seal.png", png() + b"\0" * seals.SEAL_IMAGE_MAX_BYTES)


def test_the_drawn_seal_is_drawn_once_and_kept(settings, tmp_path):
    settings.SEAL_DEMO_DIR = tmp_path
    path = seals.drawn_seal_path("城东区零工市场")
    first = path.stat().st_mtime_ns

    again = seals.drawn_seal_path("城东区零工市场")
    image = Image.open(path)

    assert again == path and again.stat().st_mtime_ns == first
    assert image.mode == "RGBA" and image.size == (seals.DRAWN_SIZE, seals.DRAWN_SIZE)
    assert image.getpixel((0, 0))[3] == 0  # transparent outside the ring
    assert seals.drawn_seal_path("城西区零工市场") != path


def test_the_admin_shows_the_drawn_seal_and_refuses_a_script(admin_client, market):
    url = reverse("admin:core_market_change", args=[market.pk])
    page = admin_client.get(url).content.decode()
    form = {
        field: getattr(market, field)
        for field in (
            "name",
            "code",
            "nature",
            "region",
            "address",
            "opening_hours",
            "main_trades",
            "hotline",
            "complaint_channel",
        )
    }
    bad = SimpleUploadedFile("seal.svg", PLAIN_SVG.replace("</svg>", "<script/></svg>").encode())

    response = admin_client.post(url, {**form, "seal_image": bad})

    assert 'src="data:image/png;base64,' in page
    assert response.status_code == 200  # the form again, with the error
    assert "印章图片不得含有此类内容" in response.content.decode()  # the admin speaks Chinese
    market.refresh_from_db()
    assert not market.seal_image
