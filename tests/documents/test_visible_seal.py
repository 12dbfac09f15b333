"""The visible seal: the market's seal image at the document's 盖章 place, as the
appearance of the PAdES signature field, and the seal still validates (issue 17, item 8)."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from casework.core.seals import drawn_seal_path
from casework.documents import sealing
from casework.documents.rendering import DocumentMeta, render
from casework.documents.services import document_issue
from tests.documents.conftest import render_now

SVG_SEAL = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
    b'<circle cx="50" cy="50" r="45" fill="none" stroke="#d00" stroke-width="4"/></svg>'
)


def png_bytes(width: int = 120, colour=(0, 0, 200, 255)) -> bytes:
    out = BytesIO()
    Image.new("RGBA", (width, width), colour).save(out, format="PNG")
    return out.getvalue()


def seal_widget(data: bytes):
    reader = PdfFileReader(BytesIO(data))
    signature = next(s for s in reader.embedded_signatures if s.field_name == sealing.SEAL_FIELD)
    field = signature.sig_field
    return reader, field if "/Rect" in field else field["/Kids"][0].get_object()


def xobjects(stream, seen=None) -> list:
    """Every XObject reachable from an appearance stream's resources."""
    seen = seen if seen is not None else set()
    found: list = []
    resources = stream.get("/Resources")
    if resources is None:
        return found
    for ref in resources.get_object().get("/XObject", {}).values():
        obj = ref.get_object()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append(obj)
        if obj.get("/Subtype") == "/Form":
            found += xobjects(obj, seen)
    return found


def appearance_images(data: bytes) -> list:
    _reader, widget = seal_widget(data)
    normal = widget["/AP"]["/N"].get_object()
    return [x for x in xobjects(normal) if x.get("/Subtype") == "/Image"]


@pytest.fixture
def card(market):
    return lambda: render_now(document_issue(subject=market, kind="market_card"))


def test_without_an_upload_the_drawn_seal_is_the_appearance_and_the_seal_validates(market, card):
    doc = card()
    data = doc.file.read()
    reader, widget = seal_widget(data)
    images = appearance_images(data)
    drawn = Image.open(drawn_seal_path(market.name))

    assert doc.pages == 1
    assert images and images[0]["/Width"] == drawn.width
    assert "/SMask" in images[0]  # a transparent background: the name and date show through
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert round((x2 - x1) / 72 * 25.4) == 42 and round((y2 - y1) / 72 * 25.4) == 42
    assert 300 < x1 < x2 < 595  # at the right of the page, where the issuer's name is
    assert widget["/P"].get_object() is reader.root["/Pages"]["/Kids"][0].get_object()
    assert sealing.validate_seal(data).valid


def test_a_tampered_visibly_sealed_file_fails(card):
    data = bytearray(card().file.read())
    signature = PdfFileReader(BytesIO(bytes(data))).embedded_signatures[0]
    data[signature.byte_range[0] + signature.byte_range[1] // 2] ^= 0x01

    check = sealing.validate_seal(bytes(data))

    assert not check.valid
    assert "changed" in check.problem


def test_the_markets_uploaded_png_is_the_appearance(market, card):
    market.seal_image.save("seal.png", ContentFile(png_bytes(120)))

    data = card().file.read()
    images = appearance_images(data)

    assert [image["/Width"] for image in images] == [120]
    assert sealing.validate_seal(data).valid


def test_an_uploaded_svg_is_drawn_into_the_appearance(market, card):
    market.seal_image.save("seal.svg", ContentFile(SVG_SEAL))

    data = card().file.read()
    _reader, widget = seal_widget(data)
    forms = xobjects(widget["/AP"]["/N"].get_object())

    assert any(x.get("/Subtype") == "/Form" for x in forms)  # the SVG's page, imported
    assert sealing.validate_seal(data).valid


def test_a_seal_image_changed_in_storage_into_a_script_is_not_drawn(market, card, caplog):
    market.seal_image.save("seal.svg", ContentFile(SVG_SEAL))
    Path(market.seal_image.path).write_bytes(
        SVG_SEAL.replace(b"</svg>", b"<script>alert(1)</script></svg>")
    )

    data = card().file.read()

    assert appearance_images(data)  # the drawn seal instead
    assert "unusable" in caplog.text
    assert sealing.validate_seal(data).valid


def test_a_template_without_a_seal_place_is_sealed_invisibly():
    meta = DocumentMeta(title="t", market_name="m", verification_code="ABCDEFGHJKMNPQRS")
    rendered = render(
        "pdf/caseapp/acceptance_notice.html", {"code": "c", "market": "m"}, document_meta=meta
    )

    data = sealing.seal_pdf(rendered.data, place=rendered.seal_place, market_name="m")
    _reader, widget = seal_widget(data)

    assert rendered.seal_place is None
    assert [float(v) for v in widget["/Rect"]] == [0, 0, 0, 0]
    assert sealing.validate_seal(data).valid
