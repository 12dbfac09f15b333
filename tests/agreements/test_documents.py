"""The PDFs of a gig agreement (agreements/documents.py).

Each test brings an agreement to a state the way users do (``new_agreement``),
takes the document the transition issued, renders it as the Celery task does
and reads the PDF's text with pdftotext.
"""

from io import BytesIO

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from agreements import services
from agreements.documents import ACTION_ZH, zh_moment
from agreements.models import Agreement, Party, StandardTerms
from casework.documents import sealing
from casework.documents.models import Document
from casework.documents.registry import documents_for_transition, get_kind
from casework.parties.models import Person
from tests.agreements.fixtures import staff_actor
from tests.conftest import EMPLOYER_USCC, HUI_ID, WANG_ID
from tests.documents.conftest import pdftotext, render_now, squeeze

WANG_MASKED = "110105********002X"
HUI_MASKED = "440305********0021"

pytestmark = pytest.mark.usefixtures("verified_parties")


def latest(agreement: Agreement, kind: str) -> Document | None:
    return Document.objects.for_subject(agreement).filter(kind=kind).order_by("-version").first()


def rendered(agreement: Agreement, kind: str) -> Document:
    doc = render_now(latest(agreement, kind))
    assert doc.status == Document.Status.READY, doc.error
    return doc


def pdf_bytes(doc: Document) -> bytes:
    with doc.file.open("rb") as f:
        return f.read()


def text_of(doc: Document, tmp_path) -> str:
    """The PDF's text without whitespace (pdftotext spaces CJK glyphs unevenly)."""
    return squeeze(pdftotext(pdf_bytes(doc), tmp_path))


def assert_all_in(text: str, *needles: str) -> None:
    missing = [needle for needle in needles if squeeze(needle) not in text]
    assert missing == []


def clause_headings() -> list[str]:
    return list(StandardTerms.active().clauses.values_list("heading", flat=True))


# -- registration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "kind", "sealed"),
    [
        ("send_for_signing", "agreement_draft", False),
        ("sign_second", "agreement_signed", True),
        ("terminate", "agreement_termination", False),
    ],
)
def test_each_transition_issues_its_document(transition, kind, sealed):
    assert [k.slug for k in documents_for_transition(Agreement, transition)] == [kind]
    assert get_kind(kind).seal is sealed


def test_no_document_is_issued_for_the_first_signature(new_agreement):
    agreement = new_agreement(Agreement.State.PARTLY_SIGNED)

    kinds = set(Document.objects.for_subject(agreement).values_list("kind", flat=True))

    assert kinds == {"agreement_draft"}


# -- the draft ------------------------------------------------------------------------


def test_the_draft_has_the_whole_text_a_watermark_and_no_seal(new_agreement, tmp_path):
    agreement = new_agreement(Agreement.State.SENT)
    doc = rendered(agreement, "agreement_draft")

    text = text_of(doc, tmp_path)

    assert doc.seal is False
    assert PdfFileReader(BytesIO(pdf_bytes(doc))).embedded_signatures == []
    # The heading, the note and the watermark on every page (its two glyphs are drawn apart).
    assert text.count("草") >= 2 + doc.pages
    assert_all_in(
        text,
        "零工服务协议（草稿）",
        agreement.code,
        agreement.text_hash,
        "测试搬家服务有限公司",
        "王小明",
        WANG_MASKED,
        HUI_MASKED,
        "仓库货物装卸搬运",
        "300.00元/天，合计600.00元",
        "零工服务协议通用条款（2026版）",
        *clause_headings(),
    )
    assert WANG_ID not in text and HUI_ID not in text


# -- the signed agreement ---------------------------------------------------------------


def test_the_signed_agreement_has_every_clause_and_both_masked_ids(new_agreement, tmp_path):
    agreement = new_agreement(Agreement.State.SIGNED)
    doc = rendered(agreement, "agreement_signed")

    text = text_of(doc, tmp_path)

    assert doc.seal is True and doc.pages >= 3
    assert "草稿" not in text
    assert_all_in(
        text,
        "零工服务协议",
        agreement.code,
        EMPLOYER_USCC,
        WANG_MASKED,
        HUI_MASKED,
        "测试区物流园3号仓库",
        "测试保险公司团体意外险P2026-0001",
    )
    for clause in StandardTerms.active().clauses.all():
        assert_all_in(text, f"第{clause.number}条{clause.heading}", clause.body)
    assert WANG_ID not in text and HUI_ID not in text


def test_the_signature_page_holds_each_signers_evidence(new_agreement, tmp_path):
    agreement = new_agreement(Agreement.State.SIGNED)
    doc = rendered(agreement, "agreement_signed")
    worker_sig = agreement.signatures.get(party=Party.WORKER)
    hiring_sig = agreement.signatures.get(party=Party.HIRING)

    text = text_of(doc, tmp_path)

    assert [s["party"] for s in doc.context["signatures"]] == ["甲方（用工方）", "乙方（零工）"]
    assert_all_in(
        text,
        "签署页",
        "甲方（用工方）",
        "乙方（零工）",
        "惠老板（经办人）",
        zh_moment(worker_sig.signed_at),
        zh_moment(hiring_sig.signed_at),
        zh_moment(agreement.signed_at),
        "10.0.0.9",  # the parties' address (fixtures.sign)
        "pytest",  # their user agent
        "工作人员查验居民身份证",
        "查验营业执照及经办人身份证件",
        "核验人：carol",
        "服务平台，本人在线签署",
        "138****8000",  # the code went to the worker's own phone
        "与本协议文本摘要一致",
    )
    assert text.count(squeeze(agreement.text_hash)) >= 3  # the text's, and each signature's


def test_the_audit_page_lists_every_event_and_the_step_that_signed(new_agreement, tmp_path):
    agreement = new_agreement(Agreement.State.SIGNED)
    doc = rendered(agreement, "agreement_signed")
    events = list(agreement.events)

    text = text_of(doc, tmp_path)
    audit = doc.context["audit"]

    # The event of sign_second is written after the document: the snapshot adds it.
    assert [row["action_slug"] for row in audit] == [e.action for e in events]
    assert audit[-1]["at"] == zh_moment(agreement.signed_at) and audit[-1]["seq"] == ""
    assert_all_in(text, "审计记录", *(ACTION_ZH[e.action] for e in events))
    assert [row["hash"] for row in audit[:-1]] == [e.hash[:16] for e in events[:-1]]
    for event in events[:-1]:
        assert event.hash[:8] in text  # the cell may wrap the rest


def test_the_sealed_agreement_validates_with_pyhanko(new_agreement):
    doc = rendered(new_agreement(Agreement.State.SIGNED), "agreement_signed")
    cert_path, _key, _password = sealing.seal_paths()

    [signature] = PdfFileReader(BytesIO(pdf_bytes(doc))).embedded_signatures
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    )

    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert sealing.validate_seal(pdf_bytes(doc)).valid


def test_a_record_changed_after_sending_leaves_the_signed_text_as_it_was(
    new_agreement, worker_person, hui_hiring, tmp_path
):
    from tests.agreements.fixtures import sign

    agreement = new_agreement(Agreement.State.PARTLY_SIGNED)
    Person.objects.filter(pk=worker_person.pk).update(name="王晓明")  # corrected after sending
    sign(agreement, Party.HIRING, hui_hiring)
    agreement.refresh_from_db()
    doc = rendered(agreement, "agreement_signed")

    text = text_of(doc, tmp_path)

    assert doc.context["agreement"]["verbatim"] == agreement.final_text
    assert_all_in(text, "乙方（零工）：王小明", WANG_MASKED, *clause_headings())
    assert "王晓明" in text  # the signature page names the signer as now recorded


# -- the termination notice ---------------------------------------------------------------


def test_the_termination_notice_gives_reason_date_pay_and_remedies(
    new_agreement, sam_supervisor, tmp_path
):
    agreement = new_agreement(Agreement.State.SIGNED)
    services.agreement_terminate(
        agreement=agreement, actor=staff_actor(sam_supervisor), reason="仓库停业，工作无法继续"
    )
    agreement.refresh_from_db()
    doc = rendered(agreement, "agreement_termination")

    text = text_of(doc, tmp_path)

    assert doc.seal is False
    assert_all_in(
        text,
        "协议解除通知书",
        agreement.code,
        "仓库停业，工作无法继续",
        doc.context["ended_at"],
        "结清乙方已完成工作的劳动报酬",
        "300.00元/天，合计600.00元",
        "申请调解",
        "劳动人事争议仲裁",
        "人民法院",
        "0000-12345678",
        WANG_MASKED,
        HUI_MASKED,
    )
    assert WANG_ID not in text and HUI_ID not in text
