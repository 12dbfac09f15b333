"""The public verification page for agreement documents, and the seal check of an upload."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from agreements.models import Agreement, Party
from casework.documents import sealing
from casework.documents.models import Document
from casework.parties.identifiers import mask_name
from tests.conftest import HUI_ID, WANG_ID
from tests.documents.conftest import render_now

pytestmark = pytest.mark.usefixtures("verified_parties")

# The pages speak Chinese by default: compare with the messages as the user sees them.
MATCH = _("Match: your file is byte for byte identical to the document issued under this code.")
NO_MATCH = _(
    "No match: your file differs from the document issued under this code. Do not rely on it."
)
SEAL_VALID = _(
    "Seal valid: your file carries the market's electronic seal, intact and unchanged since "
    "sealing."
)
SEAL_INVALID = _(
    "Seal invalid: your file has no intact electronic seal of the market, or was changed "
    "after sealing."
)


@pytest.fixture
def signed_doc(new_agreement) -> Document:
    agreement = new_agreement(Agreement.State.SIGNED)
    doc = Document.objects.for_subject(agreement).get(kind="agreement_signed")
    return render_now(doc)


def pdf_bytes(doc: Document) -> bytes:
    with doc.file.open("rb") as f:
        return f.read()


def verify_url(doc: Document) -> str:
    return reverse("documents:verify", args=[doc.verification_code])


def upload(client, doc: Document, data: bytes):
    return client.post(verify_url(doc), {"file": SimpleUploadedFile("copy.pdf", data)})


def local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def test_the_page_shows_masked_names_signing_times_and_the_hash_only(client, signed_doc):
    agreement = signed_doc.subject

    page = client.get(verify_url(signed_doc)).content.decode()

    signatures = {s.party: s for s in agreement.signatures.all()}
    for shown in (
        agreement.code,
        mask_name("测试搬家服务有限公司"),
        "王**",  # 王小明
        local_time(signatures[Party.HIRING].signed_at),
        local_time(signatures[Party.WORKER].signed_at),
        agreement.text_hash,
        _("SHA-256 of the agreement text"),
    ):
        assert shown in page
    for secret in (WANG_ID, HUI_ID, "********002X", "王小明", "惠老板", "测试搬家服务有限公司"):
        assert secret not in page
    for secret in ("13800138000", "138****8000", "测试区物流园", "仓库货物装卸搬运", "10.0.0.9"):
        assert secret not in page


def test_the_draft_page_says_who_has_not_signed(client, new_agreement):
    agreement = new_agreement(Agreement.State.SENT)
    doc = render_now(Document.objects.for_subject(agreement).get(kind="agreement_draft"))

    page = client.get(verify_url(doc)).content.decode()

    assert page.count(_("not signed")) == 2
    assert agreement.text_hash in page


def test_the_issued_file_matches_and_its_seal_is_valid(client, signed_doc):
    response = upload(client, signed_doc, pdf_bytes(signed_doc))

    page = response.content.decode()
    assert response.status_code == 200
    assert MATCH in page and SEAL_VALID in page
    assert SEAL_INVALID not in page


def test_one_changed_byte_inside_the_sealed_content_fails_both_checks(client, signed_doc):
    original = pdf_bytes(signed_doc)
    signature = PdfFileReader(BytesIO(original)).embedded_signatures[0]
    start, length = signature.byte_range[0], signature.byte_range[1]
    tampered = bytearray(original)
    tampered[start + length // 2] ^= 0x01  # in the page content, which the seal covers

    response = upload(client, signed_doc, bytes(tampered))

    page = response.content.decode()
    assert NO_MATCH in page and SEAL_INVALID in page
    assert MATCH not in page and SEAL_VALID not in page
    check = sealing.validate_seal(bytes(tampered))
    assert not check.valid and "changed" in check.problem


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\nnot really a PDF\n%%EOF\n",  # passes the form's header check only
        b"%PDF-1.7\n" + b"\x00" * 500,
    ],
)
def test_a_file_that_cannot_be_parsed_is_invalid(client, signed_doc, data):
    response = upload(client, signed_doc, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert NO_MATCH in page and SEAL_INVALID in page
    assert not sealing.validate_seal(data).valid


def test_an_unsealed_pdf_has_no_valid_seal(signed_doc):
    check = sealing.validate_seal(pdf_bytes(render_now(_draft_of(signed_doc))))

    assert not check.valid
    assert check.problem == "the file has no market seal"


def test_a_seal_from_another_certificate_is_not_trusted(signed_doc, settings, tmp_path):
    other_cert, other_key = sealing.ensure_demo_seal(tmp_path / "other")
    settings.SEAL_CERT_FILE, settings.SEAL_KEY_FILE = str(other_cert), str(other_key)
    forged = sealing.seal_pdf(pdf_bytes(render_now(_draft_of(signed_doc))))
    settings.SEAL_CERT_FILE = settings.SEAL_KEY_FILE = ""  # back to the market's demo seal

    check = sealing.validate_seal(forged)

    assert not check.valid and "certificate" in check.problem
    assert sealing.validate_seal(pdf_bytes(signed_doc)).valid


def _draft_of(signed_doc: Document) -> Document:
    return Document.objects.for_subject(signed_doc.subject).get(kind="agreement_draft")


def test_an_unsealed_kind_shows_no_seal_result(client, new_agreement):
    agreement = new_agreement(Agreement.State.SENT)
    doc = render_now(Document.objects.for_subject(agreement).get(kind="agreement_draft"))

    page = upload(client, doc, pdf_bytes(doc)).content.decode()

    assert MATCH in page
    assert SEAL_VALID not in page and SEAL_INVALID not in page
