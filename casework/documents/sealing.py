"""PAdES seals with pyHanko, so any PDF reader shows whether a sealed file was changed.

Production points SEAL_CERT_FILE / SEAL_KEY_FILE (and SEAL_KEY_PASSWORD) at the
market's seal certificate. Without them the embedded set-up creates a
self-signed demo certificate under SEAL_DEMO_DIR on first use and keeps it.
SEAL_TSA_URL adds an RFC 3161 time stamp from that authority.

The seal is visible: a document whose template marks a seal place (盖章,
templates/pdf/_seal.html) gets the signature field there, on that page, with the
market's seal image as its appearance (a pyHanko static stamp), so a PDF reader
shows the red seal and the signature panel together. The image is the one uploaded
for the market (PNG, or SVG drawn into a small PDF by WeasyPrint), else the red
round seal drawn with the market's name (casework.core.seals). A template without
a seal place is sealed invisibly, as before.

validate_seal() checks an uploaded copy on the public verification page: the
market's seal must be present, intact, made with the configured (or demo)
certificate and cover the whole file.
"""

import base64
import datetime
import fcntl
import functools
import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from PIL import Image
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ImportedPdfPage, PdfContent, ResourceType
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from weasyprint import CSS, HTML

from casework.core import seals
from casework.core.models import Market
from casework.documents.rendering import PDF_BASE_URL, SealPlace, StaticOnlyFetcher

logger = logging.getLogger(__name__)

DEMO_COMMON_NAME = "零工市场电子印章（演示）"
DEMO_CERT_NAME = "demo-seal-cert.pem"
DEMO_KEY_NAME = "demo-seal-key.pem"
SEAL_FIELD = "MarketSeal"


def seal_paths() -> tuple[Path, Path, bytes | None]:
    """(certificate, key, key password) to seal with, creating the demo pair if needed."""
    if settings.SEAL_CERT_FILE:
        if not settings.SEAL_KEY_FILE:
            raise ImproperlyConfigured("SEAL_CERT_FILE is set but SEAL_KEY_FILE is not")
        password = settings.SEAL_KEY_PASSWORD.encode() if settings.SEAL_KEY_PASSWORD else None
        return Path(settings.SEAL_CERT_FILE), Path(settings.SEAL_KEY_FILE), password
    cert, key = ensure_demo_seal(Path(settings.SEAL_DEMO_DIR))
    return cert, key, None


def ensure_demo_seal(folder: Path) -> tuple[Path, Path]:
    cert_path, key_path = folder / DEMO_CERT_NAME, folder / DEMO_KEY_NAME
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    folder.mkdir(parents=True, exist_ok=True)
    # A lock, so two workers starting together cannot write a key and a certificate
    # that do not belong together.
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cert_path.exists() and key_path.exists()):
            _write_demo_seal(cert_path, key_path)
    return cert_path, key_path


def _write_demo_seal(cert_path: Path, key_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_pem)
    os.chmod(key_path, 0o600)  # in case the file existed with looser permissions
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _self_signed(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lingong Casework demo"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3652))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )


@functools.lru_cache(maxsize=4)
def _signer(cert_path: Path, key_path: Path, password: bytes | None, mtime: float):
    # mtime is part of the cache key so a renewed certificate is picked up without a restart.
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path), key_passphrase=password)
    if signer is None:
        raise ImproperlyConfigured(f"cannot load the seal from {cert_path} and {key_path}")
    return signer


def seal_pdf(
    data: bytes,
    *,
    reason: str = "零工市场电子印章",
    place: SealPlace | None = None,
    market: Market | None = None,
    market_name: str = "",
) -> bytes:
    """Return ``data`` with a PAdES signature (and a time stamp when SEAL_TSA_URL is set).

    With a ``place`` the signature is visible there: the market's seal image, or the
    seal drawn with ``market_name`` (the name the document shows).
    """
    cert_path, key_path, password = seal_paths()
    signer = _signer(cert_path, key_path, password, cert_path.stat().st_mtime)
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SEAL_TSA_URL) if settings.SEAL_TSA_URL else None
    )
    name = market_name or (market.name if market else "")
    background = seal_background(market, name) if place is not None else None
    field_spec = (
        fields.SigFieldSpec(SEAL_FIELD, on_page=place.page, box=place.box)
        if place is not None and background is not None
        else None
    )
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
        ),
        signer=signer,
        timestamper=timestamper,
        stamp_style=seal_stamp_style(background) if background is not None else None,
        new_field_spec=field_spec,
    )
    space_key = (cert_path, key_path, cert_path.stat().st_mtime, settings.SEAL_TSA_URL)
    return _signed(pdf_signer, data, space_key)


# -- the space for the signature --------------------------------------------------------

# Bytes to reserve for the signature (CMS) in the PDF, by seal set-up (certificate, key,
# their age, time-stamping service). Unless told, pyHanko makes a dummy signature first
# to measure it, a second CMS per document (and a second time stamp with a TSA); the
# size depends on the set-up only, so each process measures it once. A plain dict: a
# key read or written by two threads at once is measured twice, which is harmless.
_signature_space: dict[tuple, int] = {}


def _signed(pdf_signer: signers.PdfSigner, data: bytes, key: tuple) -> bytes:
    reserved = _signature_space.get(key)
    try:
        out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(data)), bytes_reserved=reserved)
    except SigningError:
        if reserved is None:
            raise
        # A larger signature than the first (a time-stamping service changed its
        # certificates): measure again.
        _signature_space.pop(key, None)
        return _signed(pdf_signer, data, key)
    if reserved is None:
        _signature_space[key] = reserved_space(out.getvalue())
    return out.getvalue()


def reserved_space(sealed: bytes) -> int:
    """The bytes reserved for the seal's signature in ``sealed`` (hex digits, even)."""
    seal = PdfFileReader(BytesIO(sealed)).embedded_signatures[-1]
    _start, before, after, _length = seal.byte_range
    return after - before - 2  # the hex string between "<" and ">"


# -- the seal's appearance ------------------------------------------------------------


def seal_stamp_style(background: PdfContent) -> StaticStampStyle:
    """The signature field's appearance: the seal picture filling the box, no border."""
    return StaticStampStyle(
        background=background,
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
        ),
    )


def seal_background(market: Market | None, name: str) -> PdfContent | None:
    """The market's uploaded seal image, else the seal drawn with ``name``; None without
    either (no market and no name: sealed invisibly)."""
    if market is not None and market.seal_image:
        try:
            return uploaded_seal(market)
        except (OSError, ValidationError) as exc:
            # Checked on upload; a file changed or lost in storage since is not drawn.
            logger.error("market %s: seal image %s unusable: %r", market.pk, market.seal_image, exc)
    if not name:
        return None
    return SealPicture(_drawn_seal(str(seals.drawn_seal_path(name))))


@functools.lru_cache(maxsize=32)
def _drawn_seal(path: str) -> "EncodedImage":
    # The file is named by the market's name and the drawing's version and never
    # rewritten with other content (seals.drawn_seal_path), so its path is the key.
    return EncodedImage.of(_opened_png(Path(path).read_bytes()))


def uploaded_seal(market: Market) -> PdfContent:
    with market.seal_image.open("rb") as upload:
        data = upload.read(seals.SEAL_IMAGE_MAX_BYTES + 1)
    if len(data) > seals.SEAL_IMAGE_MAX_BYTES:
        raise ValidationError("seal image too large")
    if seals.seal_image_kind(market.seal_image.name or "") == "svg":
        seals.check_svg(data)  # again: the file in storage is what gets drawn
        return ImportedPdfPage(str(svg_as_pdf(data)))
    return SealPicture(_uploaded_png(data))


@functools.lru_cache(maxsize=8)
def _uploaded_png(data: bytes) -> "EncodedImage":
    # Keyed by the file's bytes (at most SEAL_IMAGE_MAX_BYTES): read from storage for
    # every document, so a replaced upload is never drawn from an older copy.
    return EncodedImage.of(_opened_png(data))


def _opened_png(data: bytes):
    image = seals.check_png(data)
    # pyHanko embeds RGB(A) and grey (with alpha); a palette's transparency needs RGBA.
    return image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGBA")


@dataclass(frozen=True)
class EncodedImage:
    """A seal image as the PDF image XObjects pyHanko's PdfImage writes (8-bit samples,
    the alpha channel as a soft mask), compressed once per process: a 600 px seal is
    1.4 MB of samples, about 8 ms of zlib per sealed document."""

    width: int
    height: int
    grey: bool
    samples: bytes  # Flate-compressed
    alpha: bytes | None  # Flate-compressed, None for an opaque image

    @classmethod
    def of(cls, image: Image.Image) -> "EncodedImage":
        alpha = image.getchannel("A").tobytes() if image.mode.endswith("A") else None
        base = image.convert("L" if image.mode in ("L", "LA") else "RGB")
        return cls(
            width=image.width,
            height=image.height,
            grey=base.mode == "L",
            samples=zlib.compress(base.tobytes()),
            alpha=zlib.compress(alpha) if alpha is not None else None,
        )

    def add_to(self, writer) -> generic.IndirectObject:
        mask = self._stream(writer, self.alpha, grey=True) if self.alpha is not None else None
        return self._stream(writer, self.samples, grey=self.grey, mask=mask)

    def _stream(self, writer, data: bytes, *, grey: bool, mask=None) -> generic.IndirectObject:
        entries = {
            "/Type": generic.pdf_name("/XObject"),
            "/Subtype": generic.pdf_name("/Image"),
            "/Width": generic.NumberObject(self.width),
            "/Height": generic.NumberObject(self.height),
            "/ColorSpace": generic.pdf_name("/DeviceGray" if grey else "/DeviceRGB"),
            "/BitsPerComponent": generic.NumberObject(8),
            "/Filter": generic.pdf_name("/FlateDecode"),
        }
        if mask is not None:
            entries["/SMask"] = mask
        stream = generic.StreamObject(
            {generic.pdf_name(key): value for key, value in entries.items()}, encoded_data=data
        )
        return writer.add_object(stream)


class SealPicture(PdfContent):
    """The seal image drawn in its box, as pyHanko's PdfImage draws one; a new one per
    document (pyHanko sets its writer), over an EncodedImage shared by all."""

    def __init__(self, image: EncodedImage) -> None:
        super().__init__(box=layout.BoxConstraints(image.width, image.height))
        self.image = image

    def render(self) -> bytes:
        self.set_resource(
            category=ResourceType.XOBJECT,
            name=generic.pdf_name("/ImgSeal"),
            value=self.image.add_to(self.writer),
        )
        return b"q %g 0 0 %g 0 0 cm /ImgSeal Do Q" % (self.box.width, self.box.height)


SVG_PAGE_CSS = "@page { size: 42mm 42mm; margin: 0 } html, body { margin: 0 }"


def svg_as_pdf(data: bytes) -> Path:
    """The SVG drawn on a one-page PDF by WeasyPrint (which runs no scripts and, through
    StaticOnlyFetcher, fetches nothing), kept under SEAL_DEMO_DIR by the SVG's hash."""
    key = hashlib.sha256(data).hexdigest()[:32]
    folder = Path(settings.SEAL_DEMO_DIR) / "svg"
    path = folder / f"{key}.pdf"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    html = (
        '<img src="' + uri + '" alt="" style="display: block; width: 42mm; height: 42mm; '
        'object-fit: contain">'
    )
    pdf = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
        stylesheets=[CSS(string=SVG_PAGE_CSS)]
    )
    temp = folder / f".{key}.{os.getpid()}.tmp"
    temp.write_bytes(pdf)
    os.replace(temp, path)
    return path


@dataclass(frozen=True)
class SealCheck:
    """The result of validate_seal(); ``problem`` says why not (English, for the log)."""

    valid: bool
    problem: str = ""
    signed_by: str = ""
    signed_at: datetime.datetime | None = None


def trusted_seal_cert() -> Path | None:
    """The certificate a valid seal must be made with; None before any seal exists.

    Unlike seal_paths() this never creates the demo pair: a file sealed before the
    pair existed cannot carry it.
    """
    if settings.SEAL_CERT_FILE:
        return Path(settings.SEAL_CERT_FILE)
    cert = Path(settings.SEAL_DEMO_DIR) / DEMO_CERT_NAME
    return cert if cert.exists() else None


def validate_seal(data: bytes) -> SealCheck:
    """Whether ``data`` carries the market's seal, intact and covering the whole file."""
    cert_path = trusted_seal_cert()
    if cert_path is None:
        return SealCheck(False, "no seal certificate is configured or generated")
    try:
        signatures = PdfFileReader(BytesIO(data)).embedded_signatures
        seal = next((sig for sig in signatures if sig.field_name == SEAL_FIELD), None)
        if seal is None:
            return SealCheck(False, "the file has no market seal")
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
        return _seal_check(validate_pdf_signature(seal, context))
    except Exception as exc:
        # An upload is untrusted input: whatever pyHanko cannot read is simply not valid.
        logger.info("seal validation failed: %r", exc)
        return SealCheck(False, f"unreadable: {type(exc).__name__}: {exc}"[:300])


def _seal_check(status) -> SealCheck:
    problems = [
        text
        for failed, text in (
            (not status.intact, "the signed content was changed"),
            (not status.valid, "the signature does not verify"),
            (not status.trusted, "the seal was not made with the market's certificate"),
            (
                status.coverage != SignatureCoverageLevel.ENTIRE_FILE,
                "the file was changed after sealing",
            ),
        )
        if failed
    ]
    return SealCheck(
        valid=not problems,
        problem="; ".join(problems),
        signed_by=status.signing_cert.subject.native.get("common_name", ""),
        signed_at=status.signer_reported_dt,
    )
