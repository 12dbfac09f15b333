"""Sealing with pyHanko: a PAdES seal that validates, and that any change breaks."""

import datetime
import hashlib
import stat
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from casework.documents import sealing, services
from casework.documents.rendering import DocumentMeta, render
from casework.documents.services import document_issue
from tests.documents.conftest import render_now


@pytest.fixture
def sealed_card(market):
    return render_now(document_issue(subject=market, kind="market_card"))


def validate(data: bytes, cert_path):
    signature = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    return signature, validate_pdf_signature(signature, context)


def test_a_sealed_document_validates_against_the_demo_certificate(sealed_card, settings):
    data = sealed_card.file.read()
    cert_path, _key, _password = sealing.seal_paths()

    signature, status = validate(data, cert_path)

    assert sealed_card.seal is True
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.field_name == sealing.SEAL_FIELD
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert status.signing_cert.subject.native["common_name"] == "零工市场电子印章（演示）"


def test_the_stored_hash_is_the_hash_of_the_sealed_bytes(sealed_card):
    assert hashlib.sha256(sealed_card.file.read()).hexdigest() == sealed_card.sha256


def test_changing_one_byte_breaks_the_seal_and_the_byte_comparison(sealed_card):
    original = sealed_card.file.read()
    data = bytearray(original)
    signature = PdfFileReader(BytesIO(original)).embedded_signatures[0]
    signed_start, signed_length = signature.byte_range[0], signature.byte_range[1]
    position = signed_start + signed_length // 2  # inside the signed content
    data[position] ^= 0x01
    tampered = bytes(data)
    cert_path, _key, _password = sealing.seal_paths()

    _signature, status = validate(tampered, cert_path)

    assert not status.intact
    assert not services.document_matches(sealed_card, _Upload(tampered))
    assert services.document_matches(sealed_card, _Upload(original))


def test_the_demo_seal_is_created_once_with_a_private_key_file(tmp_path):
    cert_path, key_path = sealing.ensure_demo_seal(tmp_path / "seal")
    first = cert_path.read_bytes()
    again_cert, again_key = sealing.ensure_demo_seal(tmp_path / "seal")

    assert (again_cert, again_key) == (cert_path, key_path)
    assert again_cert.read_bytes() == first
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(first)
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == "零工市场电子印章（演示）"
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert validity.days >= 3650


def test_a_configured_certificate_is_used_instead_of_the_demo_one(settings, tmp_path):
    cert_path, key_path = sealing.ensure_demo_seal(tmp_path / "production")
    settings.SEAL_CERT_FILE, settings.SEAL_KEY_FILE = str(cert_path), str(key_path)

    meta = DocumentMeta(title="t", market_name="m", verification_code="ABCDEFGHJKMNPQRS")
    pdf = render(
        "pdf/caseapp/acceptance_notice.html", {"code": "c", "market": "m"}, document_meta=meta
    )
    _signature, status = validate(sealing.seal_pdf(pdf.data), cert_path)

    assert status.trusted
    assert not (tmp_path / "seal").exists()


class _Upload:
    """The part of an UploadedFile that document_matches() reads."""

    def __init__(self, data: bytes):
        self.data = data

    def chunks(self):
        yield self.data[: len(self.data) // 2]
        yield self.data[len(self.data) // 2 :]


def test_a_time_stamp_is_added_only_when_a_tsa_is_configured(settings, monkeypatch):
    tsa_cert, tsa_key = _rsa_tsa()
    asked: list[str] = []

    def local_tsa(url):  # stands in for the TSA's HTTP service
        asked.append(url)
        return timestamps.DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key)

    monkeypatch.setattr(sealing.timestamps, "HTTPTimeStamper", local_tsa)
    meta = DocumentMeta(title="t", market_name="m", verification_code="ABCDEFGHJKMNPQRS")
    pdf = render(
        "pdf/caseapp/acceptance_notice.html", {"code": "c", "market": "m"}, document_meta=meta
    ).data

    without = PdfFileReader(BytesIO(sealing.seal_pdf(pdf))).embedded_signatures[0]
    settings.SEAL_TSA_URL = "http://tsa.example.cn/tsr"
    stamped = PdfFileReader(BytesIO(sealing.seal_pdf(pdf))).embedded_signatures[0]

    assert asked == ["http://tsa.example.cn/tsr"]
    assert "signature_time_stamp_token" not in _unsigned_attributes(without)
    assert "signature_time_stamp_token" in _unsigned_attributes(stamped)


def _unsigned_attributes(signature) -> set[str]:
    attributes = signature.signer_info["unsigned_attrs"]
    return {attr["type"].native for attr in attributes} if attributes.native else set()


def _rsa_tsa():
    """A throw-away time-stamping authority (pyHanko's dummy TSA signs with RSA only)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(der_key),
    )
