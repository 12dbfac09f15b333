"""The PDFs of complaints against intermediaries (casework/complaints/documents.py).

Each test brings a complaint to a state the way officers do (the ``make_complaint``
factory: an anonymous web complaint olga takes), takes the document the step issued,
renders it as the Celery task does and reads the PDF's text with pdftotext. The
privacy tests give an anonymous complainant a mobile number for text messages and a
named complainant a registered identity, and check every document of each.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import (
    Complaint,
    FeedbackResult,
    NotAcceptedReason,
    Outcome,
    ReferralTarget,
)
from casework.complaints.penalties import Conduct
from casework.documents.formatting import zh_date
from casework.documents.models import Document
from casework.documents.registry import documents_for_transition, get_kind
from casework.parties.identifiers import mask_id
from tests.complaints.fixtures import INTERMEDIARY_USCC, actor, interview
from tests.conftest import WANG_ID, make_person
from tests.documents.conftest import pdftotext, render_now, squeeze

S = Complaint.State

MARKET = "测试区零工市场"
RESPONDENT = "速聘人力中介"
LICENCE = "（浙）人服证字〔2024〕第0101号"
ANON_MOBILE = "13700137000"
NAMED_MOBILE = "13800138000"
WANG_MASKED = mask_id(WANG_ID)
LABOUR_INSPECTION = "测试区劳动保障监察大队"
REFERRAL_REASON = "被投诉人涉嫌拖欠劳动报酬，属于劳动保障监察职责。"
EVIDENCE_NAME = "押金收据.jpg"
COMPLAINANT_KINDS = (
    "complaint_receipt",
    "complaint_not_accepted",
    "complaint_supplement_notice",
    "complaint_result_notice",
)


def zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def local_zh(moment: datetime.datetime) -> str:
    return zh(timezone.localdate(moment))


def later(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def latest(subject, kind: str) -> Document | None:
    return Document.objects.for_subject(subject).filter(kind=kind).order_by("-version").first()


def rendered(subject, kind: str) -> Document:
    doc = latest(subject, kind)
    assert doc is not None, f"no {kind}"
    doc = render_now(doc)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def text_of(doc: Document, tmp_path) -> str:
    """The PDF's text without whitespace (pdftotext spaces CJK glyphs unevenly)."""
    with doc.file.open("rb") as f:
        return squeeze(pdftotext(f.read(), tmp_path))


def all_texts(complaint: Complaint, tmp_path) -> dict[str, str]:
    """Every document of the complaint and of its interviews, rendered, by kind."""
    subjects = [complaint, *complaint.interviews.all()]
    docs = [doc for subject in subjects for doc in Document.objects.for_subject(subject)]
    return {doc.kind: text_of(rendered_doc(doc), tmp_path) for doc in docs}


def rendered_doc(doc: Document) -> Document:
    doc = render_now(doc)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def assert_all_in(text: str, *needles: str) -> None:
    missing = [needle for needle in needles if squeeze(needle) not in text]
    assert missing == []


def assert_none_in(text: str, *needles: str) -> None:
    present = [needle for needle in needles if squeeze(needle) in text]
    assert present == []


def officer(complaint: Complaint):
    return actor(complaint.owner)


FEEDBACK_REFERENCE = "测监〔2026〕12号"


def refer(complaint: Complaint) -> Complaint:
    """Refer to labour inspection, record its feedback and close: every document issued."""
    services.complaint_refer(
        complaint=complaint,
        target=ReferralTarget.LABOUR_INSPECTION,
        body=LABOUR_INSPECTION,
        reason=REFERRAL_REASON,
        actor=officer(complaint),
    )
    complaint.refresh_from_db()
    assert complaint.state == S.AWAITING_FEEDBACK
    services.inspection_feedback_record(
        complaint=complaint,
        feedback=services.Feedback(
            day=timezone.localdate(),
            result=FeedbackResult.HANDLED,
            reference=FEEDBACK_REFERENCE,
            note="已立案调查，责令被投诉人支付拖欠的劳动报酬。",
        ),
        actor=officer(complaint),
    )
    services.complaint_close(complaint=complaint, result="", actor=officer(complaint))
    complaint.refresh_from_db()
    return complaint


def evidence() -> SimpleUploadedFile:
    jpeg = b"\xff\xd8\xff\xe0fake jpeg"
    return SimpleUploadedFile(EVIDENCE_NAME, jpeg, content_type="image/jpeg")


def decision(outcome: str, **extra) -> services.Decision:
    details = {
        "outcome": outcome,
        "conduct_found": Conduct.DEPOSIT,
        "workers_affected": 3,
        "findings": "经查，被投诉人向三名劳动者每人收取押金300元。",
        "measures": "限期退还三名劳动者押金共900元。",
    }
    details.update(extra)
    return services.Decision(**details)


# -- registration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "kinds"),
    [
        ("accept", ["complaint_receipt"]),
        ("not_accept", ["complaint_not_accepted"]),
        ("request_supplement", ["complaint_supplement_notice"]),
        ("decide", ["complaint_decision"]),
        ("refer", ["complaint_referral_letter", "complaint_result_notice"]),
        ("close", ["complaint_result_notice"]),
        ("start_investigation", []),
        ("hear_respondent", []),
    ],
)
def test_each_transition_issues_its_documents(transition, kinds):
    assert [k.slug for k in documents_for_transition(Complaint, transition)] == kinds


def test_records_and_letters_to_others_are_for_staff_only():
    staff_only = {
        "complaint_interview_record",
        "complaint_decision",
        "complaint_referral_letter",
    }
    for slug in (*COMPLAINANT_KINDS, *staff_only):
        kind = get_kind(slug)
        assert kind.for_parties == (slug not in staff_only), slug
        assert kind.template == f"pdf/complaints/{slug.removeprefix('complaint_')}.html"
        assert not kind.seal


# -- 受理回执 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_receipt_of_an_anonymous_complaint(make_complaint, tmp_path):
    complaint = make_complaint(S.ACCEPTED, contact_mobile=ANON_MOBILE)
    doc = rendered(complaint, "complaint_receipt")

    text = text_of(doc, tmp_path)

    assert complaint.investigation_due is not None
    assert_all_in(
        text,
        "投诉受理回执",
        complaint.code,
        "匿名投诉人：",
        "收到投诉日期" + local_zh(complaint.received_at),
        "受理日期" + local_zh(complaint.accepted_at),
        "受理机构" + MARKET,
        "被投诉人" + RESPONDENT,
        "向劳动者收取押金",
        "扣押劳动者居民身份证等证件",
        "押金900.00元，涉及劳动者3人",
        "自受理之日起60个工作日内",
        zh(complaint.investigation_due) + "前调查处理完毕",
        "0000-12345678",
        "测试区人民路1号",
        "http://127.0.0.1:8000/report/track/",
        "查询码",
        "olga",
    )
    # The tracking code is not stored and so cannot be printed; nor the number for texts.
    assert_none_in(text, complaint.tracking_code, ANON_MOBILE)


@pytest.mark.django_db
def test_the_receipt_of_a_named_complaint_shows_the_name_and_a_masked_id(make_complaint, tmp_path):
    wang = make_person("王建国", WANG_ID, NAMED_MOBILE)
    complaint = make_complaint(S.ACCEPTED, anonymous=False, complainant=wang)
    text = text_of(rendered(complaint, "complaint_receipt"), tmp_path)

    assert_all_in(text, "王建国：", "投诉人王建国", WANG_MASKED)
    assert_none_in(text, WANG_ID, NAMED_MOBILE, "匿名")


# -- 不予受理告知书 -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_non_acceptance_notice_names_the_competent_authority_and_the_rights(
    make_complaint, tmp_path
):
    complaint = make_complaint(
        anonymous=False, complainant_name="李秀英", contact_mobile=NAMED_MOBILE
    )
    services.complaint_not_accept(
        complaint=complaint,
        reason=NotAcceptedReason.NOT_COMPETENT,
        authority="测试区市场监督管理局",
        explanation="所反映的是网络招聘平台的广告发布问题。",
        actor=officer(complaint),
    )
    complaint.refresh_from_db()
    text = text_of(rendered(complaint, "complaint_not_accepted"), tmp_path)

    assert_all_in(
        text,
        "不予受理告知书",
        complaint.code,
        "李秀英：",
        "决定不予受理",
        "不属于本机构职权范围",
        "所反映的是网络招聘平台的广告发布问题。",
        "依法由测试区市场监督管理局处理",
        "六十日内依法申请行政复议",
        "六个月内依法向人民法院提起行政诉讼",
        local_zh(complaint.received_at),
    )
    assert_none_in(text, NAMED_MOBILE)


@pytest.mark.django_db
def test_the_non_acceptance_notice_of_an_old_complaint_gives_the_reason_in_words(
    make_complaint, tmp_path
):
    complaint = make_complaint()
    services.complaint_not_accept(
        complaint=complaint, reason=NotAcceptedReason.TOO_OLD, actor=officer(complaint)
    )
    complaint.refresh_from_db()
    text = text_of(rendered(complaint, "complaint_not_accepted"), tmp_path)

    assert_all_in(text, "匿名投诉人：", "所投诉的违法行为已超过二年", "行政复议", "行政诉讼")
    assert_none_in(text, "依法由")


# -- 补正通知书 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_supplement_notice_lists_every_item_once_for_all(make_complaint, tmp_path):
    complaint = make_complaint()
    items = ["押金收据或转账记录", "中介门店的详细地址", "与中介的聊天记录截图"]
    due = later(10)
    services.supplement_request(complaint=complaint, items=items, due=due, actor=officer(complaint))
    complaint.refresh_from_db()
    text = text_of(rendered(complaint, "complaint_supplement_notice"), tmp_path)

    assert_all_in(
        text,
        "补正通知书",
        "一次性告知",
        complaint.code,
        "匿名投诉人：",
        "共3项",
        *(f"{n}.{item}" for n, item in enumerate(items, start=1)),
        "请于" + zh(due) + "前提交",
        "中止计算",
        "自收到补正材料之日起继续计算",
        "尚余5个工作日",
        "逾期未补正的",
        "不予受理",
        "不会就本次投诉再次要求补正",
    )


# -- 调查笔录 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_investigation_record_has_the_questioning_and_the_signature_lines(
    make_complaint, olga_officer, tmp_path
):
    complaint = make_complaint(S.INVESTIGATING, contact_mobile=ANON_MOBILE)
    record = interview(complaint, olga_officer)
    doc = rendered(record, "complaint_interview_record")
    text = text_of(doc, tmp_path)

    local = timezone.localtime(record.held_at)
    assert complaint.events.filter(action="interview_recorded").get().documents == [
        doc.verification_code
    ]
    assert_all_in(
        text,
        "调查笔录",
        complaint.code,
        f"调查时间{zh(local.date())}{local.hour}时{local.minute:02d}分",
        "调查地点测试区零工市场调查室",
        "调查人员olga、sam",
        "被询问人钱经理",
        "被投诉人（职业中介机构）",
        "职务：负责人",
        "问：是否收取押金？答：收取了三名工人的押金，每人300元。",
        "被调查单位" + RESPONDENT,
        INTERMEDIARY_USCC,
        "以上笔录我已阅读",
        "记录属实",
        "被询问人钱经理签名",
        "调查人员签名",
    )
    assert_none_in(text, ANON_MOBILE)


# -- 责令改正通知书 / 处理决定书 ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_to_correct_gives_facts_basis_measures_deadline_and_rights(
    make_complaint, tmp_path
):
    complaint = make_complaint(S.DECIDED, contact_mobile=ANON_MOBILE)
    text = text_of(rendered(complaint, "complaint_decision"), tmp_path)

    assert complaint.outcome == Outcome.ORDER_TO_CORRECT
    assert_all_in(
        text,
        "责令改正通知书",
        complaint.code,
        RESPONDENT + "：",
        INTERMEDIARY_USCC,
        LICENCE,
        "经查，被投诉人向三名劳动者每人收取押金300元。",
        "向劳动者收取押金（涉及劳动者3人）",
        "《就业促进法》第四十一条第四项、第六十六条",
        "责令限期退还劳动者押金，并以每人五百元以上二千元以下的标准处以罚款",
        "每人500.00元至2,000.00元，按3人计为1,500.00元至6,000.00元",
        "限期退还三名劳动者押金共900元。",
        "现责令你单位于" + zh(complaint.correction_due) + "前改正",
        "陈述、申辩",
        "3日内",
        "六十日内依法申请行政复议",
        "六个月内依法向人民法院提起行政诉讼",
    )
    assert_none_in(text, "处理决定书", "匿名", ANON_MOBILE, "拟处罚款")


@pytest.mark.django_db
def test_a_proposed_fine_inside_the_range_needs_no_justification(make_complaint, tmp_path):
    chosen = decision(Outcome.PENALTY_PROPOSED, penalty_amount=Decimal("3000"))
    complaint = make_complaint(S.DECIDED, decision=chosen)
    text = text_of(rendered(complaint, "complaint_decision"), tmp_path)

    assert_all_in(
        text,
        "处理决定书",
        "拟予行政处罚",
        "拟处罚款3,000.00元（大写：叁仟元整）",
        "1,500.00元至6,000.00元",
        "陈述、申辩",
    )
    assert_none_in(text, "责令改正通知书", "不在上述法定幅度内")


@pytest.mark.django_db
def test_a_proposed_fine_outside_the_range_carries_its_justification(make_complaint, tmp_path):
    chosen = decision(
        Outcome.PENALTY_PROPOSED,
        penalty_amount=Decimal("8000"),
        penalty_justification="被投诉人两年内第三次收取押金，情节严重。",
    )
    complaint = make_complaint(S.DECIDED, decision=chosen)
    text = text_of(rendered(complaint, "complaint_decision"), tmp_path)

    assert_all_in(
        text,
        "处理决定书",
        "拟处罚款8,000.00元（大写：捌仟元整）",
        "不在上述法定幅度内",
        "被投诉人两年内第三次收取押金，情节严重。",
    )


@pytest.mark.django_db
def test_no_violation_found_says_so(make_complaint, tmp_path):
    chosen = services.Decision(
        outcome=Outcome.NO_VIOLATION, findings="经查，被投诉人未收取押金，已退还身份证。"
    )
    complaint = make_complaint(S.DECIDED, decision=chosen)
    text = text_of(rendered(complaint, "complaint_decision"), tmp_path)

    assert_all_in(
        text,
        "处理决定书",
        "未发现违法行为",
        "经查，被投诉人未收取押金，已退还身份证。",
        "未发现你单位存在所投诉的违法行为",
        "陈述、申辩",
        "行政复议",
    )
    assert_none_in(text, "责令改正通知书", "法定罚款幅度", "拟处罚款")


@pytest.mark.django_db
def test_minor_and_corrected_is_not_punished(make_complaint, tmp_path):
    chosen = decision(
        Outcome.MINOR_CORRECTED,
        conduct_found=Conduct.ID_WITHHELD,
        workers_affected=None,
        measures="",
        findings="经查，被投诉人扣押一名劳动者身份证两天，已于调查期间退还。",
    )
    complaint = make_complaint(S.DECIDED, decision=chosen)
    text = text_of(rendered(complaint, "complaint_decision"), tmp_path)

    assert_all_in(
        text,
        "处理决定书",
        "扣押劳动者居民身份证等证件",
        "《居民身份证法》第十六条",
        "200.00元以下",
        "违法行为轻微并已及时改正",
        "依法不予行政处罚",
        "第三十三条第一款",
        "陈述、申辩",
    )


# -- 移送函 -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_referral_letter_of_an_anonymous_complaint(make_complaint, olga_officer, tmp_path):
    complaint = make_complaint(S.INVESTIGATING, contact_mobile=ANON_MOBILE, evidence=(evidence(),))
    record = interview(complaint, olga_officer)
    refer(complaint)
    doc = rendered(complaint, "complaint_referral_letter")
    text = text_of(doc, tmp_path)

    record_doc = latest(record, "complaint_interview_record")
    assert_all_in(
        text,
        "移送函",
        LABOUR_INSPECTION + "（劳动保障监察机构）：",
        complaint.code,
        "投诉人匿名投诉",
        "被投诉人" + RESPONDENT,
        INTERMEDIARY_USCC,
        "该中介收取每人300元押金，并扣押身份证，至今未退还。",
        REFERRAL_REASON,
        "随函移送的材料",
        "投诉登记材料",
        EVIDENCE_NAME,
        "调查笔录",
        "询问被投诉人（职业中介机构）钱经理",
        record_doc.verification_code,
        "联系人olga",
        "联系电话0000-12345678",
    )
    assert_none_in(text, ANON_MOBILE)


@pytest.mark.django_db
def test_the_referral_letter_of_a_named_complaint_gives_the_contact(make_complaint, tmp_path):
    wang = make_person("王建国", WANG_ID, NAMED_MOBILE)
    complaint = refer(make_complaint(S.ACCEPTED, anonymous=False, complainant=wang))
    text = text_of(rendered(complaint, "complaint_referral_letter"), tmp_path)

    assert_all_in(text, "投诉人王建国", WANG_MASKED, "联系电话：" + NAMED_MOBILE)
    assert_none_in(text, WANG_ID, "匿名投诉")


# -- 结果告知书 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_result_notice_after_closing(make_complaint, tmp_path):
    complaint = make_complaint(S.CLOSED, contact_mobile=ANON_MOBILE)
    text = text_of(rendered(complaint, "complaint_result_notice"), tmp_path)

    assert complaint.result_summary == services.default_result(complaint)
    assert_all_in(
        text,
        "投诉处理结果告知书",
        "匿名投诉人：",
        complaint.code,
        "收到投诉日期" + local_zh(complaint.received_at),
        "受理日期" + local_zh(complaint.accepted_at),
        "办结日期" + local_zh(complaint.closed_at),
        "被投诉人" + RESPONDENT,
        "经调查，被投诉人存在违法行为，已责令其限期改正。",
    )
    # The respondent's name only: none of its registry details or the decision's content.
    assert_none_in(text, INTERMEDIARY_USCC, LICENCE, "押金300元", "移送", ANON_MOBILE)


@pytest.mark.django_db
def test_the_result_notice_after_a_referral_names_the_body(make_complaint, tmp_path):
    complaint = refer(make_complaint(S.ACCEPTED, anonymous=False, complainant_name="李秀英"))
    text = text_of(rendered(complaint, "complaint_result_notice"), tmp_path)

    assert_all_in(
        text,
        "投诉处理结果告知书",
        "李秀英：",
        complaint.code,
        "移送机关" + LABOUR_INSPECTION + "（劳动保障监察机构）",
        "移送日期" + local_zh(complaint.referred_at),
        "监察机构反馈已立案并依法处理（" + FEEDBACK_REFERENCE + "）",
        "反馈日期" + zh_date(complaint.feedback_on),
        "办结日期" + local_zh(complaint.closed_at),
        "您的投诉已移送" + LABOUR_INSPECTION + "依法处理。经其反馈，该投诉已立案并依法处理",
    )
    assert_none_in(text, INTERMEDIARY_USCC, REFERRAL_REASON)


# -- privacy (docs/domain.md, "Personal data") ---------------------------------------------------


@pytest.mark.django_db
def test_no_document_of_an_anonymous_complaint_identifies_the_complainant(
    make_complaint, olga_officer, tmp_path
):
    closed = make_complaint(S.CLOSED, contact_mobile=ANON_MOBILE)
    referred = make_complaint(S.INVESTIGATING, contact_mobile=ANON_MOBILE)
    interview(referred, olga_officer)
    refer(referred)
    refused = make_complaint(contact_mobile=ANON_MOBILE)
    services.supplement_request(
        complaint=refused, items=["押金收据"], due=later(), actor=officer(refused)
    )
    services.complaint_not_accept(
        complaint=refused, reason=NotAcceptedReason.NO_SUPPLEMENT, actor=officer(refused)
    )

    texts = {}
    for complaint in (closed, referred, refused):
        complaint.refresh_from_db()
        assert complaint.anonymous and complaint.contact_mobile == ANON_MOBILE
        for kind, text in all_texts(complaint, tmp_path).items():
            texts[(complaint.code, kind)] = text

    assert {kind for _, kind in texts} == {
        "complaint_receipt",
        "complaint_interview_record",
        "complaint_decision",
        "complaint_result_notice",
        "complaint_referral_letter",
        "complaint_supplement_notice",
        "complaint_not_accepted",
    }
    for key, text in texts.items():
        assert_none_in(text, ANON_MOBILE, "137****7000")
        if key[1] in COMPLAINANT_KINDS:
            assert "匿名投诉人：" in text, key
    assert "投诉人匿名投诉" in texts[(referred.code, "complaint_referral_letter")]


@pytest.mark.django_db
def test_no_document_of_a_named_complaint_carries_the_full_id_number(make_complaint, tmp_path):
    wang = make_person("王建国", WANG_ID, NAMED_MOBILE)
    closed = make_complaint(S.CLOSED, anonymous=False, complainant=wang)
    referred = refer(make_complaint(S.ACCEPTED, anonymous=False, complainant=wang))

    texts = {
        **{("closed", kind): text for kind, text in all_texts(closed, tmp_path).items()},
        **{("referred", kind): text for kind, text in all_texts(referred, tmp_path).items()},
    }

    assert sorted(texts) == [
        ("closed", "complaint_decision"),
        ("closed", "complaint_interview_record"),
        ("closed", "complaint_receipt"),
        ("closed", "complaint_result_notice"),
        ("referred", "complaint_receipt"),
        ("referred", "complaint_referral_letter"),
        ("referred", "complaint_result_notice"),
    ]
    for text in texts.values():
        assert_none_in(text, WANG_ID)
    named = {key for key, text in texts.items() if "王建国" in text}
    # The letter to the respondent and the file's own record name no complainant.
    assert named == {
        ("closed", "complaint_receipt"),
        ("closed", "complaint_result_notice"),
        ("referred", "complaint_receipt"),
        ("referred", "complaint_result_notice"),
        ("referred", "complaint_referral_letter"),
    }
    assert WANG_MASKED in texts[("referred", "complaint_referral_letter")]


# -- the public verification page ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_verification_page_shows_the_complaint_number_and_the_market_only(
    client, make_complaint, olga_officer
):
    complaint = make_complaint(
        S.INVESTIGATING, anonymous=False, complainant_name="李秀英", contact_mobile=NAMED_MOBILE
    )
    record = interview(complaint, olga_officer)
    refer(complaint)
    docs = [
        rendered(complaint, "complaint_receipt"),
        rendered(complaint, "complaint_referral_letter"),
        rendered(record, "complaint_interview_record"),
    ]

    for doc in docs:
        page = client.get(reverse("documents:verify", args=[doc.verification_code]))
        body = page.content.decode()
        assert page.status_code == 200
        assert complaint.code in body
        assert MARKET in body
        for secret in ("李秀英", "李*", NAMED_MOBILE, RESPONDENT, INTERMEDIARY_USCC, "钱经理"):
            assert secret not in body, (doc.kind, secret)
