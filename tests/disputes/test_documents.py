"""The PDFs of the wage-dispute workflow (casework/disputes/documents.py).

Each test brings a dispute to a state the way users do (the ``new_dispute``
factory), takes the document the transition issued, renders it the way the
Celery task does and reads the PDF's text with pdftotext.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from django_fsm import can_proceed
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from casework.disputes import services
from casework.disputes.models import ClaimType, Dispute, Session
from casework.documents import sealing
from casework.documents.formatting import rmb_upper, zh_date, zh_datetime
from casework.documents.models import Document
from casework.documents.registry import documents_for_transition, get_kind
from tests.conftest import EMPLOYER_USCC, HUI_ID, WANG_ID
from tests.disputes.fixtures import MEDIATION_BODY_USCC, actor
from tests.documents.conftest import pdftotext, render_now, run_tool, squeeze

WANG_MASKED = "110105********002X"
ENDED_ON = datetime.date(2026, 10, 31)  # employment ended: the 1-year limitation applies


def latest(subject, kind: str) -> Document:
    return Document.objects.for_subject(subject).filter(kind=kind).order_by("-version").first()


def rendered(subject, kind: str) -> Document:
    """The newest ``kind`` of ``subject``, rendered (and sealed) as the Celery task does."""
    doc = render_now(latest(subject, kind))
    assert doc.status == Document.Status.READY, doc.error
    return doc


def pdf_bytes(doc: Document) -> bytes:
    with doc.file.open("rb") as f:
        return f.read()


def text_of(doc: Document, tmp_path) -> str:
    """The PDF's text without whitespace (pdftotext spaces CJK glyphs unevenly)."""
    return squeeze(pdftotext(pdf_bytes(doc), tmp_path))


def signatures(doc: Document) -> list:
    return PdfFileReader(BytesIO(pdf_bytes(doc))).embedded_signatures


def assert_all_in(text: str, *needles: str) -> None:
    missing = [needle for needle in needles if squeeze(needle) not in text]
    assert missing == []


# -- registration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "kind"),
    [
        ("accept", "dispute_acceptance_notice"),
        ("refuse", "dispute_refusal_notice"),
        ("settle", "dispute_agreement_draft"),
        ("make_effective", "dispute_agreement"),
        ("terminate", "dispute_termination_notice"),
        ("refer_payment_order", "dispute_payment_order_packet"),
        ("refer_arbitration", "dispute_arbitration_guidance"),
        ("withdraw", "dispute_withdrawal_confirmation"),
        ("close", "dispute_closing_notice"),
    ],
)
def test_each_transition_issues_its_document(transition, kind):
    assert [k.slug for k in documents_for_transition(Dispute, transition)] == [kind]


def test_only_the_effective_agreement_is_sealed():
    sealed = {
        slug: get_kind(slug).seal
        for slug in (
            "dispute_acceptance_notice",
            "dispute_refusal_notice",
            "dispute_session_record",
            "dispute_agreement_draft",
            "dispute_agreement",
            "dispute_termination_notice",
            "dispute_payment_order_packet",
            "dispute_arbitration_guidance",
            "dispute_registration_receipt",
            "dispute_withdrawal_confirmation",
            "dispute_extension_confirmation",
            "dispute_closing_notice",
        )
    }
    assert [slug for slug, seal in sealed.items() if seal] == ["dispute_agreement"]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("3000", "叁仟元整"),
        ("1500.00", "壹仟伍佰元整"),
        ("10010.50", "壹万零壹拾元伍角"),
        ("1500.05", "壹仟伍佰元零伍分"),
        ("100000", "壹拾万元整"),
        ("1001", "壹仟零壹元整"),
        ("100000500", "壹亿零伍佰元整"),
        ("0.80", "捌角"),
    ],
)
def test_amounts_are_written_in_capital_numerals(amount, words):
    assert rmb_upper(Decimal(amount)) == words


# -- 受理通知书 / 不予受理通知书 ----------------------------------------------------------


def test_the_acceptance_notice_names_the_case_the_deadline_and_the_contact(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.ACCEPTED)
    doc = rendered(dispute, "dispute_acceptance_notice")

    text = text_of(doc, tmp_path)

    assert (doc.seal, doc.context["due_date"]) == (False, zh_date(dispute.due_date))
    assert dispute.due_date == dispute.mediation_due  # 15 days from receipt, no extension
    assert_all_in(
        text,
        "受理通知书",
        dispute.code,
        "王小明",
        WANG_MASKED,
        "测试搬家服务有限公司",
        "拖欠搬运工资",
        zh_datetime(dispute.received_at),
        zh_date(dispute.due_date),
        "测试区劳动争议调解委员会",
        "在乡镇、街道设立的具有劳动争议调解职能的组织",
        "0000-12345678",
        "3,200.00",
    )
    assert WANG_ID not in text  # a notice masks the ID number


def test_the_acceptance_notice_is_rendered_after_the_transition_commits(
    new_dispute, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = new_dispute(Dispute.State.ACCEPTED)

    doc = latest(dispute, "dispute_acceptance_notice")
    assert doc.status == Document.Status.READY
    assert doc.verification_code in dispute.events.last().documents


def test_the_refusal_notice_gives_the_reason_and_the_wage_rule_of_article_27(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.NOT_ACCEPTED)
    doc = rendered(dispute, "dispute_refusal_notice")

    text = text_of(doc, tmp_path)

    assert dispute.limitation_date() is None  # unpaid wages while employment lasts
    assert doc.context["limitation"]["wages_no_limit"] is True
    assert_all_in(
        text,
        "不予受理通知书",
        dispute.code,
        "不属于劳动争议",
        "劳动人事争议仲裁委员会申请仲裁",
        "劳动关系存续期间因拖欠劳动报酬发生争议的，劳动者申请仲裁不受一年仲裁时效期间的限制",
        "第二十七条",
    )


def test_the_refusal_notice_shows_the_limitation_date_when_employment_has_ended(
    new_dispute, tmp_path
):
    dispute = new_dispute(Dispute.State.NOT_ACCEPTED, employment_ended_on=ENDED_ON)
    doc = rendered(dispute, "dispute_refusal_notice")

    text = text_of(doc, tmp_path)

    limitation = dispute.limitation_date()
    assert limitation is not None
    assert doc.context["limitation"]["date"] == zh_date(limitation)
    assert_all_in(text, "申请仲裁的时效期间至" + zh_date(limitation) + "届满")


# -- 调解笔录 ---------------------------------------------------------------------------


def test_a_session_record_has_the_notes_and_a_signature_line_per_attendee(
    new_dispute, alice_mediator, tmp_path
):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    held_at = datetime.datetime(2026, 11, 20, 14, 30, tzinfo=datetime.UTC)
    session = services.session_record(
        dispute=dispute,
        held_at=held_at,
        mode=Session.Mode.IN_PERSON,
        place="市场调解室二",
        attendees="申请人王小明、被申请人经办人惠老板",
        notes="申请人陈述工作12天未获工资。\n被申请人同意分两期支付。",
        actor=actor(alice_mediator),
    )
    doc = rendered(session, "dispute_session_record")

    text = text_of(doc, tmp_path)

    assert doc.subject == session
    assert doc.context["signers"] == ["申请人王小明", "被申请人经办人惠老板"]
    assert_all_in(
        text,
        "调解笔录",
        dispute.code,
        zh_datetime(held_at),
        "2026年11月20日22时30分",  # shown in China time
        "现场调解",
        "市场调解室二",
        "申请人陈述工作12天未获工资。",
        "被申请人同意分两期支付。",
        "Alice调解员",
        "以上笔录经本人核对无误",
        "申请人王小明签名：",
        "被申请人经办人惠老板签名：",
    )


# -- 调解协议书（草稿）/ 调解协议书 ---------------------------------------------------------


def test_the_draft_agreement_is_watermarked_and_not_sealed(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.SETTLED)
    doc = rendered(dispute, "dispute_agreement_draft")

    text = text_of(doc, tmp_path)

    assert doc.seal is False
    assert signatures(doc) == []
    assert text.count("草稿") >= 2  # the heading and the watermark
    assert_all_in(text, "调解协议书（草稿）", "3,000.00", "不发生效力")
    for instalment in dispute.settlement.instalments.all():
        assert zh_date(instalment.due_date) in text


def test_the_draft_and_its_watermark_use_the_one_font_face(new_dispute, tmp_path):
    path = tmp_path / "draft.pdf"
    path.write_bytes(
        pdf_bytes(rendered(new_dispute(Dispute.State.SETTLED), "dispute_agreement_draft"))
    )

    fonts = run_tool("pdffonts", str(path)).splitlines()[2:]  # after the two header lines

    assert len(fonts) == 1 and "Noto" in fonts[0]


def test_the_effective_agreement_has_everything_the_law_asks_for(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    settlement = dispute.settlement
    doc = rendered(dispute, "dispute_agreement")

    text = text_of(doc, tmp_path)

    assert doc.seal is True
    assert_all_in(
        text,
        "调解协议书",
        dispute.code,
        # both parties in full: names, ID number / credit code
        "王小明",
        WANG_ID,
        "13800138000",
        "测试搬家服务有限公司",
        EMPLOYER_USCC,
        # claims and outcome
        "拖欠搬运工资",
        "拖欠劳动报酬",
        "3,200.00",
        "3,000.00",
        "叁仟元整",
        "银行转账",
        "被申请人向申请人支付工资。",
        # the mediator and the body
        "Alice调解员",
        "测试区劳动争议调解委员会",
        "在乡镇、街道设立的具有劳动争议调解职能的组织",
        # effect, performance, copies, remedies
        "经双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效",
        "第十四条",
        "一式三份",
        "可以依法申请劳动争议仲裁",
        "第十五条",
        "支付令",
        "第十六条",
        # the four marks
        "申请人签名",
        "被申请人签名或盖章",
        "调解员签名",
        "调解组织加盖印章",
    )
    assert "草稿" not in text
    assert MEDIATION_BODY_USCC not in text  # the body is named, its code is not needed
    instalments = list(settlement.instalments.all())
    assert len(instalments) == 2
    for instalment in instalments:
        assert zh_date(instalment.due_date) in text
        assert "1,500.00" in text
    assert "履行期限" in text and zh_date(instalments[-1].due_date) + "前" in text
    assert_all_in(text, *(zh_datetime(getattr(settlement, mark)) for mark in settlement.MARKS))
    assert [m["at"] for m in doc.context["marks"]] == [
        zh_datetime(getattr(settlement, mark)) for mark in settlement.MARKS
    ]


def test_the_effective_agreement_is_sealed_and_validates(new_dispute):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    doc = rendered(dispute, "dispute_agreement")
    cert_path, _key, _password = sealing.seal_paths()

    [signature] = signatures(doc)
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    )

    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.field_name == sealing.SEAL_FIELD


def test_an_individual_respondent_is_masked_in_notices_and_full_in_the_agreement(
    new_dispute, hui_hiring, tmp_path
):
    dispute = new_dispute(Dispute.State.EFFECTIVE, respondent=hui_hiring.person)

    notice = text_of(rendered(dispute, "dispute_acceptance_notice"), tmp_path)
    agreement = text_of(rendered(dispute, "dispute_agreement"), tmp_path)

    assert "惠老板" in notice and "440305********0021" in notice and HUI_ID not in notice
    assert_all_in(agreement, "惠老板", HUI_ID, "13700137000")
    assert EMPLOYER_USCC not in agreement


def test_an_agreement_on_other_claims_does_not_offer_a_payment_order(new_dispute, tmp_path):
    dispute = new_dispute(
        Dispute.State.EFFECTIVE,
        claims=[services.Claim(ClaimType.OTHER, Decimal("3000.00"), description="押金退还")],
    )

    text = text_of(rendered(dispute, "dispute_agreement"), tmp_path)

    assert "一式三份" in text and "第十五条" in text
    assert "支付令" not in text


# -- 终止调解告知书 ---------------------------------------------------------------------


def test_the_termination_notice_tells_the_parties_in_writing_of_arbitration(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.TERMINATED, employment_ended_on=ENDED_ON)
    doc = rendered(dispute, "dispute_termination_notice")

    text = text_of(doc, tmp_path)

    limitation = dispute.limitation_date()
    assert limitation is not None and limitation > ENDED_ON
    assert_all_in(
        text,
        "终止调解告知书",
        dispute.code,
        "经调解，双方当事人未能达成调解协议",
        "双方差距过大",
        "可以依法申请仲裁",
        "第十四条",
        "劳动人事争议仲裁委员会申请仲裁",
        "申请仲裁的时效期间至" + zh_date(limitation) + "届满",
        "第二十七条",
        "特此书面告知",
    )


def test_the_termination_notice_states_the_wage_rule_when_employment_lasts(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.TERMINATED)

    text = text_of(rendered(dispute, "dispute_termination_notice"), tmp_path)

    assert_all_in(text, "仲裁", "不受一年仲裁时效期间的限制", "劳动关系终止之日起一年内")


# -- 支付令申请材料 / 仲裁申请指引 ---------------------------------------------------------


def test_the_payment_order_packet_claims_the_outstanding_instalments(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.REFERRED)
    doc = rendered(dispute, "dispute_payment_order_packet")
    agreement = latest(dispute, "dispute_agreement")

    text = text_of(doc, tmp_path)

    code = agreement.verification_code
    assert doc.context["agreement"]["verification_code"] == code
    assert doc.context["unpaid"]["outstanding"] == "3,000.00"
    assert_all_in(
        text,
        "支付令申请材料",
        "支付令申请书",
        "基层人民法院",
        "王小明",
        WANG_ID,  # a court needs the applicant's full identity
        "测试搬家服务有限公司",
        EMPLOYER_USCC,
        "3,000.00",
        "叁仟元整",
        dispute.code,
        "-".join(code[i : i + 4] for i in range(0, 16, 4)),
        "第十六条",
        "已逾期",
        "尚未到期",
        # the attachments
        "调解协议书",
        "身份证明",
        "付款记录",
    )
    for instalment in dispute.settlement.instalments.all():
        assert zh_date(instalment.due_date) in text


def test_the_packet_counts_only_what_is_still_owed(new_dispute, alice_mediator, tmp_path):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    me = actor(alice_mediator)
    first, second = dispute.settlement.instalments.all()
    services.payment_record(
        dispute=dispute,
        instalment=first,
        amount=Decimal("500.00"),
        paid_on=timezone.localdate(),
        note="微信转账",
        actor=me,
    )
    with time_machine.travel(first.due_date + datetime.timedelta(days=3)):
        services.dispute_mark_defaulted(dispute=dispute, actor=me)
        services.dispute_refer(dispute=dispute, referral="payment_order", actor=me)
    doc = rendered(dispute, "dispute_payment_order_packet")

    text = text_of(doc, tmp_path)

    assert doc.context["unpaid"]["outstanding"] == "2,500.00"
    assert doc.context["unpaid"]["overdue"] == "1,000.00"
    assert [row["outstanding"] for row in doc.context["unpaid"]["outstanding_instalments"]] == [
        "1,000.00",
        "1,500.00",
    ]
    assert_all_in(text, "2,500.00", "贰仟伍佰元整", "1,000.00", "500.00")
    assert zh_date(second.due_date) in text


def test_no_payment_order_packet_when_the_only_claim_is_other(new_dispute):
    dispute = new_dispute(
        Dispute.State.DEFAULTED,
        claims=[services.Claim(ClaimType.OTHER, Decimal("3000.00"), description="押金退还")],
    )

    assert not can_proceed(dispute.refer_payment_order)
    assert can_proceed(dispute.refer_arbitration)


def test_the_arbitration_guidance_says_where_by_when_what_to_bring_and_how_much(
    new_dispute, alice_mediator, tmp_path
):
    dispute = new_dispute(Dispute.State.DEFAULTED, employment_ended_on=ENDED_ON)
    services.dispute_refer(dispute=dispute, referral="arbitration", actor=actor(alice_mediator))
    dispute.refresh_from_db()
    doc = rendered(dispute, "dispute_arbitration_guidance")

    text = text_of(doc, tmp_path)

    limitation = dispute.limitation_date()
    assert limitation is not None
    assert dispute.referral == Dispute.Referral.ARBITRATION
    assert_all_in(
        text,
        "仲裁申请指引",
        dispute.code,
        "劳动人事争议仲裁委员会",
        "第十五条",
        zh_date(limitation),
        "仲裁申请书",
        "身份证明",
        "调解协议书",
        "付款记录",
        "3,000.00",
        "王小明",
    )
    assert WANG_ID not in text
    for instalment in dispute.settlement.instalments.all():
        assert zh_date(instalment.due_date) in text
