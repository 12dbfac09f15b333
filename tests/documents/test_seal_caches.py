"""What sealing keeps per process: the signature's space per seal set-up, and the seal
image compressed once, drawn exactly as the PNG it comes from."""

from io import BytesIO

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers

from casework.core.seals import drawn_seal_path
from casework.documents import sealing
from casework.documents.rendering import DocumentMeta, render

META = DocumentMeta(
    title="协议", market_name="测试区零工市场", verification_code="ABCDEFGHJKMNPQRS"
)


@pytest.fixture
def rendered():
    # A template with a seal place (盖章): sealed visibly, with the drawn seal.
    context = {"agreement": {"market": {"name": META.market_name}}, "issued_on": "2026年1月1日"}
    return render("pdf/agreements/agreement_signed.html", context, document_meta=META)


@pytest.fixture
def reservations(monkeypatch) -> list:
    """The bytes_reserved of every signature pyHanko is asked for, None when it measures."""
    asked: list = []
    original = signers.PdfSigner.sign_pdf

    def spy(self, pdf_out, *args, bytes_reserved=None, **kwargs):
        asked.append(bytes_reserved)
        return original(self, pdf_out, *args, bytes_reserved=bytes_reserved, **kwargs)

    monkeypatch.setattr(signers.PdfSigner, "sign_pdf", spy)
    monkeypatch.setattr(sealing, "_signature_space", {})
    return asked


def seal(rendered) -> bytes:
    return sealing.seal_pdf(rendered.data, place=rendered.seal_place, market_name=META.market_name)


def test_the_signature_space_is_measured_once_per_seal_set_up(rendered, reservations):
    first, second = seal(rendered), seal(rendered)

    measured = sealing.reserved_space(first)
    assert reservations == [None, measured]
    assert sealing.reserved_space(second) == measured
    assert sealing.validate_seal(first).valid and sealing.validate_seal(second).valid


def test_another_seal_set_up_is_measured_on_its_own(rendered, reservations, settings, tmp_path):
    seal(rendered)
    settings.SEAL_DEMO_DIR = tmp_path / "another-seal"  # another demo certificate and key

    data = seal(rendered)

    assert reservations == [None, None]
    assert len(sealing._signature_space) == 2
    assert sealing.validate_seal(data).valid


def test_a_signature_larger_than_the_space_kept_is_measured_again(rendered, reservations):
    seal(rendered)
    [key] = sealing._signature_space
    sealing._signature_space[key] = 64  # far too small for any CMS

    data = seal(rendered)

    assert reservations[1:] == [64, None]
    assert sealing._signature_space[key] == sealing.reserved_space(data) > 64
    assert sealing.validate_seal(data).valid


def test_the_appearance_holds_the_drawn_seals_own_pixels(rendered):
    data = seal(rendered)

    reader = PdfFileReader(BytesIO(data))
    seal_sig = next(s for s in reader.embedded_signatures if s.field_name == sealing.SEAL_FIELD)
    widget = seal_sig.sig_field
    widget = widget if "/Rect" in widget else widget["/Kids"][0].get_object()
    [image] = [
        x for x in _xobjects(widget["/AP"]["/N"].get_object()) if x.get("/Subtype") == "/Image"
    ]
    png = Image.open(drawn_seal_path(META.market_name)).convert("RGBA")
    assert (image["/Width"], image["/Height"]) == png.size
    assert image.data == png.convert("RGB").tobytes()
    assert image["/SMask"].get_object().data == png.getchannel("A").tobytes()


def _xobjects(stream) -> list:
    found = []
    resources = stream.get("/Resources")
    for ref in resources.get_object().get("/XObject", {}).values() if resources else ():
        obj = ref.get_object()
        found.append(obj)
        if obj.get("/Subtype") == "/Form":
            found += _xobjects(obj)
    return found
