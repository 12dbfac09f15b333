"""The PDFs of hardship assistance (assistance/documents.py).

Each test brings a case to a state the way users do (the ``new_case`` factory),
takes the document the step issued, renders it as the Celery task does and
reads the PDF's text with pdftotext. The privacy tests give the applicant a
disability certificate and a 低保 family and check that the public notice and
the employer's referral letter say nothing of either.
"""

import datetime

import pytest
from django.utils import timezone, translation

from assistance import services
from assistance.models import AssistanceCase, ExitReason, Post, Referral, RuleSet
from casework.documents.models import Document
from casework.documents.registry import documents_for_transition, get_kind
from casework.parties.identifiers import mask_id
from tests.assistance.fixtures import APPLICANT_ID, actor
from tests.conftest import make_person
from tests.documents.conftest import pdftotext, render_now, squeeze

S = AssistanceCase.State

APPLICANT_MASKED = "110101********0025"
APPLICANT_MOBILE, APPLICANT_MOBILE_MASKED = "13600136001", "136****6001"
# A disability certificate number is the ID number and two digits (kind and level).
DISABILITY_NO = APPLICANT_ID + "42"
DIBAO_NO = "DB-2025-0815"
DISABILITY_LEVEL = "肢体残疾四级"
SENSITIVE = {
    "disability_certificate": True,
    "disability_certificate_no": DISABILITY_NO,
    "disability_level": DISABILITY_LEVEL,
    "dibao_family": True,
    "dibao_reference": DIBAO_NO,
}
SENSITIVE_WORDS = ("残疾", "低保", DISABILITY_NO, DIBAO_NO, DISABILITY_LEVEL)
SECOND_ID = "110101199005120027"


def latest(case: AssistanceCase, kind: str) -> Document | None:
    return Document.objects.for_subject(case).filter(kind=kind).order_by("-version").first()


def rendered(case: AssistanceCase, kind: str) -> Document:
    doc = latest(case, kind)
    assert doc is not None, f"no {kind}"
    doc = render_now(doc)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def text_of(doc: Document, tmp_path) -> str:
    """The PDF's text without whitespace (pdftotext spaces CJK glyphs unevenly)."""
    with doc.file.open("rb") as f:
        return squeeze(pdftotext(f.read(), tmp_path))


def assert_all_in(text: str, *needles: str) -> None:
    missing = [needle for needle in needles if squeeze(needle) not in text]
    assert missing == []


def assert_none_in(text: str, *needles: str) -> None:
    present = [needle for needle in needles if squeeze(needle) in text]
    assert present == []


def zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def category_names() -> list[str]:
    """Every category name of every rule set: none may appear on a public document."""
    return [c.name for rule_set in RuleSet.objects.all() for c in rule_set.categories.all()]


# -- registration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "kinds"),
    [
        ("publish_notice", ["assistance_application", "assistance_notice"]),
        ("certify", ["assistance_decision"]),
        ("decline", ["assistance_decline_notice"]),
        ("start_plan", ["assistance_plan"]),
        ("approve_placement", ["assistance_placement_notice"]),
        ("exit_post", ["assistance_exit_notice"]),
        ("refer", []),
    ],
)
def test_each_transition_issues_its_documents(transition, kinds):
    assert [k.slug for k in documents_for_transition(AssistanceCase, transition)] == kinds


def test_the_referral_letter_is_a_registered_kind_and_nothing_is_sealed():
    assert get_kind("assistance_referral_letter").template.endswith("referral_letter.html")
    slugs = [
        "assistance_application",
        "assistance_notice",
        "assistance_decision",
        "assistance_decline_notice",
        "assistance_plan",
        "assistance_referral_letter",
        "assistance_placement_notice",
        "assistance_exit_notice",
    ]
    assert [slug for slug in slugs if get_kind(slug).seal] == []


def test_the_notice_documents_are_rendered_after_the_step_commits(
    new_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(S.ON_NOTICE)

    docs = [latest(case, kind) for kind in ("assistance_application", "assistance_notice")]
    assert [doc.status for doc in docs] == [Document.Status.READY] * 2
    event = case.events.filter(action="publish_notice").get()
    assert event.documents == [doc.verification_code for doc in docs]


# -- 申请审核表 / 公示 ---------------------------------------------------------------------


def test_the_application_form_has_the_review_the_reasons_and_the_evidence(new_case, tmp_path):
    case = new_case(S.ON_NOTICE, sensitive=SENSITIVE)
    doc = rendered(case, "assistance_application")

    text = text_of(doc, tmp_path)

    with translation.override("zh-hans"):
        matches = services.case_evaluate(case, on=case.notice_starts).matches
    assert {m.code for m in matches} == {"older", "disability", "dibao", "long_unemployed"}
    assert case.tier == "A"  # four categories
    assert_all_in(
        text,
        "就业困难人员认定申请审核表",
        case.code,
        "赵桂芳",
        APPLICANT_ID,  # the authority checks the applicant's identity: the full number
        APPLICANT_MOBILE,
        # the categories, by name, with the engine's reasons
        "大龄人员（女40周岁、男50周岁以上）",
        "持证残疾人",
        "城乡低保家庭成员",
        "连续失业一年以上人员",
        *(m.reason for m in matches),
        "年满44周岁",
        # the evidence of each category
        "居民身份证",
        "中华人民共和国残疾人证",
        "最低生活保障证或民政部门证明",
        "失业登记证明（就业创业证）",
        # level, proposer and the notice period
        "A级（重点援助）",
        "carol",
        zh(case.notice_starts),
        zh(case.notice_ends),
        "初审意见",
        "审批意见",
        "个人敏感信息",
    )
    assert_none_in(text, DISABILITY_NO, DIBAO_NO, DISABILITY_LEVEL)
    assert set(doc.context["categories"][1]) == {"name", "reason", "evidence"}


def test_the_public_notice_shows_the_name_and_the_period_and_no_category(new_case, tmp_path):
    case = new_case(S.ON_NOTICE, sensitive=SENSITIVE)
    doc = rendered(case, "assistance_notice")

    text = text_of(doc, tmp_path)

    assert_all_in(
        text,
        "就业困难人员认定公示",
        "赵桂芳",  # the full name, as local practice publishes it
        "测试区零工市场",
        zh(case.notice_starts) + "至" + zh(case.notice_ends),
        "5个工作日",
        "异议",
        "0000-12345678",
        "测试区人民路1号",
    )
    assert_none_in(text, *category_names(), *SENSITIVE_WORDS)
    assert_none_in(text, APPLICANT_ID, APPLICANT_MASKED, APPLICANT_MOBILE, "1982")
    assert set(doc.context) == {"case", "name", "notice", "issued_on"}


# -- 认定决定书 / 不予认定告知书 ---------------------------------------------------------------


def test_the_decision_lists_the_categories_the_term_and_the_level(new_case, tmp_path):
    case = new_case(S.CERTIFIED, sensitive=SENSITIVE)
    doc = rendered(case, "assistance_decision")

    text = text_of(doc, tmp_path)

    assert case.certification_expires is not None
    assert_all_in(
        text,
        "就业困难人员认定决定书",
        case.code,
        "赵桂芳",
        APPLICANT_MASKED,
        "大龄人员（女40周岁、男50周岁以上）",
        "持证残疾人",
        "城乡低保家庭成员",
        "连续失业一年以上人员",
        "有效期至" + zh(case.certification_expires),
        "认定日期" + zh(case.certified_on),
        "A级（重点援助）",
        "sam",  # the supervisor who approved
        "决定认定你为就业困难人员",
        "依据默认认定口径（2025版）",
    )
    assert_none_in(text, APPLICANT_ID, DISABILITY_NO, DIBAO_NO, DISABILITY_LEVEL)


def test_the_decline_notice_gives_the_reason_and_the_right_to_a_review(
    new_case, carol_caseworker, tmp_path
):
    case = new_case(S.UNDER_REVIEW, sensitive=SENSITIVE)
    services.case_decline(
        case=case, actor=actor(carol_caseworker), reason="申请人已在本市实现灵活就业。"
    )
    case.refresh_from_db()
    doc = rendered(case, "assistance_decline_notice")

    text = text_of(doc, tmp_path)

    assert_all_in(
        text,
        "不予认定告知书",
        case.code,
        "赵桂芳",
        APPLICANT_MASKED,
        "申请人已在本市实现灵活就业。",
        "决定不予认定",
        "申请复核",
        "六十日内依法申请行政复议",
        "六个月内依法向人民法院提起行政诉讼",
        "可以重新提出认定申请",
    )
    assert_none_in(text, APPLICANT_ID, *category_names(), *SENSITIVE_WORDS)


# -- 就业援助计划 ----------------------------------------------------------------------------


def test_the_plan_lists_the_items_with_their_due_dates(new_case, tmp_path):
    case = new_case(S.PLAN_ACTIVE, sensitive=SENSITIVE)
    item = case.plan_items.get()
    doc = rendered(case, "assistance_plan")

    text = text_of(doc, tmp_path)

    assert_all_in(
        text,
        "就业援助计划",
        case.code,
        "赵桂芳",
        APPLICANT_MASKED,
        "公益性岗位推荐",
        "推荐公益性岗位",
        zh(item.due_on) + "前",
        "待完成",
        "A级（重点援助）",
        "认定有效期至" + zh(case.certification_expires),
        "援助对象签名",
    )
    assert_none_in(text, APPLICANT_ID, *category_names(), *SENSITIVE_WORDS)


# -- 推荐介绍信 ------------------------------------------------------------------------------


def test_the_referral_letter_tells_the_employer_only_what_it_needs(new_case, tmp_path):
    case = new_case(S.REFERRED, sensitive=SENSITIVE)
    referral = case.referrals.get()
    doc = rendered(case, "assistance_referral_letter")

    text = text_of(doc, tmp_path)

    assert referral.status == Referral.Status.RESERVED
    assert doc.context["referral_id"] == referral.pk
    event = case.events.filter(action="post_reserved").get()
    assert event.documents == [doc.verification_code]
    assert_all_in(
        text,
        "推荐介绍信",
        "测试区城市管理服务中心：",
        "赵桂芳",
        APPLICANT_MASKED,
        APPLICANT_MOBILE_MASKED,
        "社区保洁员",
        "一般公益性岗位",
        "测试区幸福社区",
        zh(timezone.localdate(referral.referred_at)),
        "测试区零工市场",
        "0000-12345678",
        "符合公益性岗位安置条件",
        "录用情况回执",
    )
    # No category, no sensitive fact, no full numbers, not even the hardship label.
    assert_none_in(text, *category_names(), *SENSITIVE_WORDS, "就业困难")
    assert_none_in(text, APPLICANT_ID, APPLICANT_MOBILE, "A级", "1,800.00")


def test_a_waiting_referral_gets_its_letter_when_a_place_frees_up(
    new_case, make_post, carol_caseworker, tmp_path
):
    carol = actor(carol_caseworker)
    post = make_post(places=1, title="公园巡查员", kind=Post.Kind.RURAL)
    first = new_case(S.PLAN_ACTIVE)
    second = new_case(
        S.PLAN_ACTIVE, person=make_person("钱晓燕", SECOND_ID, "13900139002"), sensitive=SENSITIVE
    )
    held = services.referral_to_post(case=first, post=post, actor=carol)
    waiting = services.referral_to_post(case=second, post=post, actor=carol)
    assert (held.status, waiting.status) == (Referral.Status.RESERVED, Referral.Status.WAITLISTED)
    assert latest(second, "assistance_referral_letter") is None  # no place, no letter

    services.referral_release(referral=held, actor=carol, note="本人放弃")

    waiting.refresh_from_db()
    assert waiting.status == Referral.Status.RESERVED
    doc = rendered(second, "assistance_referral_letter")
    assert doc.context["referral_id"] == waiting.pk
    event = second.events.filter(action="post_reserved").get()
    assert event.documents == [doc.verification_code]
    text = text_of(doc, tmp_path)
    assert_all_in(text, "钱晓燕", mask_id(SECOND_ID), "公园巡查员", "乡村公益性岗位")
    assert_none_in(text, SECOND_ID, *category_names(), *SENSITIVE_WORDS)


def test_each_place_held_gets_its_own_letter(new_case, make_post, carol_caseworker):
    case = new_case(S.REFERRED)
    other_post = make_post(title="绿化养护员")
    referral = services.referral_to_post(case=case, post=other_post, actor=actor(carol_caseworker))

    letters = Document.objects.for_subject(case).filter(kind="assistance_referral_letter")

    assert sorted(doc.context["referral_id"] for doc in letters) == sorted(
        case.referrals.values_list("pk", flat=True)
    )
    assert latest(case, "assistance_referral_letter").context["post"]["title"] == "绿化养护员"
    assert referral.status == Referral.Status.RESERVED


# -- 上岗通知书 / 退岗通知书 -------------------------------------------------------------------


def test_the_placement_notice_names_the_post_the_subsidy_and_the_term_rules(new_case, tmp_path):
    case = new_case(S.PLACED, sensitive=SENSITIVE)
    doc = rendered(case, "assistance_placement_notice")

    text = text_of(doc, tmp_path)

    assert_all_in(
        text,
        "公益性岗位上岗通知书",
        case.code,
        "赵桂芳",
        APPLICANT_MASKED,
        "测试区城市管理服务中心",
        "社区保洁员",
        "测试区幸福社区",
        "1,800.00元/月",
        "一般不超过3年",
        "不足5年的，可以延长至法定退休年龄",
        "累计不超过2次",
        "在岗领补",
    )
    assert_none_in(text, APPLICANT_ID, *category_names(), *SENSITIVE_WORDS)


def test_the_exit_notice_gives_the_reason_the_date_and_the_term(
    new_case, carol_caseworker, tmp_path
):
    case = new_case(S.IN_POST, sensitive=SENSITIVE)
    placement = case.placements.get()
    ended_on = timezone.localdate() + datetime.timedelta(days=90)
    services.placement_end(
        placement=placement,
        reason=ExitReason.MARKET_JOB,
        ended_on=ended_on,
        actor=actor(carol_caseworker),
    )
    case.refresh_from_db()
    placement.refresh_from_db()
    doc = rendered(case, "assistance_exit_notice")

    text = text_of(doc, tmp_path)

    assert placement.term_ends_on is not None
    assert_all_in(
        text,
        "公益性岗位退岗通知书",
        case.code,
        "赵桂芳",
        APPLICANT_MASKED,
        "社区保洁员",
        "上岗日期" + zh(placement.starts_on),
        "至" + zh(placement.term_ends_on),
        "3年期限",
        "退岗日期" + zh(ended_on),
        "实现市场化就业",
        "岗位期限原至" + zh(placement.term_ends_on),
        "累计安置公益性岗位1次",
        "认定有效期至" + zh(case.certification_expires),
    )
    assert_none_in(text, APPLICANT_ID, *category_names(), *SENSITIVE_WORDS)
