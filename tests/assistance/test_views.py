"""The staff pages of hardship assistance: who may open them, and the caseworker's steps."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from assistance.models import AssistanceCase, Placement, PlanItem, Referral, RuleSet
from casework.core.models import CaseEvent
from casework.parties.models import Organization, Person
from tests.assistance.fixtures import APPLICANT_ID
from tests.conftest import EMPLOYER_USCC

S = AssistanceCase.State

# Every step of the case page with a POST body that would be valid for some state.
CASE_STEPS = {
    "take": {},
    "propose": {},
    "decline": {"reason": "不符合条件"},
    "certify": {},
    "tier": {"tier": "A", "reason": "家庭困难"},
    "plan_start": {},
    "refer_employer": {"employer": EMPLOYER_USCC, "job_title": "搬运工"},
    "refer_post": {},
    "placement_approve": {},
    "placement_refuse": {"reason": "岗位不合适"},
    "follow_up": {"note": "在岗情况良好"},
    "withdraw": {"reason": "提供虚假材料"},
    "close": {"outcome": "no_longer_needed"},
    "plan_item_add": {"kind": "guidance", "description": "职业指导", "due_on": "2030-01-01"},
}


def url(name: str, *args) -> str:
    return reverse(f"assistance:{name}", args=args)


def logged_in(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def post_follow(client, path, data=None):
    return client.post(path, data or {}, follow=True)


@pytest.fixture
def case(new_case):
    return new_case(S.UNDER_REVIEW)


@pytest.fixture
def post(make_post):
    return make_post()


def get_pages(case, post) -> list[str]:
    return [
        url("queue"),
        url("apply"),
        url("posts"),
        url("post", post.pk),
        url("detail", case.code),
    ]


def case_posts(case) -> list[tuple[str, dict]]:
    return [(url(name, case.code), data) for name, data in CASE_STEPS.items()]


# -- who may open what ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, case, post):
    for path in get_pages(case, post):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), path
    for path, data in case_posts(case):
        response = client.post(path, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), path


@pytest.mark.parametrize("persona", ["wang_worker", "hui_hiring", "alice_mediator"])
def test_workers_hiring_parties_and_mediators_get_403_everywhere(
    client, request, persona, case, post
):
    logged_in(client, request.getfixturevalue(persona))
    for path in get_pages(case, post):
        assert client.get(path).status_code == 403, path
    for path, data in case_posts(case):
        assert client.post(path, data).status_code == 403, path
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW


def test_an_outsider_gets_404_for_cases_and_posts_of_another_market(
    client, oscar_outsider, case, post
):
    logged_in(client, oscar_outsider)
    assert client.get(url("detail", case.code)).status_code == 404
    assert client.get(url("post", post.pk)).status_code == 404
    for path, data in case_posts(case):
        assert client.post(path, data).status_code == 404, path
    # The lists have nothing to look up: they are refused.
    for path in (url("queue"), url("posts"), url("apply")):
        assert client.get(path).status_code == 403, path


def test_an_unknown_case_number_is_404_for_a_caseworker(client, carol_caseworker):
    logged_in(client, carol_caseworker)
    assert client.get(url("detail", "HA-2026-999999")).status_code == 404


def test_the_auditor_reads_the_case_queue_and_posts_but_takes_no_step(
    client, audrey_auditor, case, post
):
    logged_in(client, audrey_auditor)
    for path in (url("queue"), url("posts"), url("post", post.pk), url("detail", case.code)):
        assert client.get(path).status_code == 200, path
    assert client.get(url("apply")).status_code == 403
    for path, data in case_posts(case):
        assert client.post(path, data).status_code == 403, path
    page = client.get(url("detail", case.code)).content.decode()
    assert case.code in page and "赵桂芳" in page
    assert "敏感信息（仅限就业援助员和主管查看）" in page


def test_the_nav_links_to_assistance_only_for_those_who_may_see_it(
    client, carol_caseworker, alice_mediator
):
    logged_in(client, carol_caseworker)
    assert url("queue") in client.get(reverse("home")).content.decode()
    logged_in(client, alice_mediator)
    assert url("queue") not in client.get(reverse("home")).content.decode()


def test_the_caseworker_sees_every_page(client, carol_caseworker, case, post):
    logged_in(client, carol_caseworker)
    for path in get_pages(case, post):
        assert client.get(path).status_code == 200, path


# -- the application at the counter ------------------------------------------------------

NEW_PERSON = {
    "person-name": "钱秀英",
    "person-id_number": "110101197503120020",
    "person-mobile": "13600136009",
}


def application(market, **extra) -> dict:
    data = {"market": market.pk, "applied_on": timezone.localdate().isoformat(), **extra}
    return data


def test_an_application_registers_a_new_person_and_waits_in_the_queue(
    client, carol_caseworker, market
):
    logged_in(client, carol_caseworker)
    data = application(
        market,
        **NEW_PERSON,
        zero_employment_family="on",
        disability_certificate="on",
        disability_certificate_no="33010219750312002441",
        disability_level="肢体三级",
    )
    response = client.post(url("apply"), data)
    case = AssistanceCase.objects.get()
    assert response.status_code == 302 and response.url == url("detail", case.code)
    assert case.person.name == "钱秀英" and case.state == S.APPLIED and case.owner is None
    assert case.zero_employment_family
    assert case.retirement_group == "female_50"  # by sex
    assert case.sensitive.disability_certificate_no == "33010219750312002441"
    assert not case.sensitive.dibao_family


def test_an_application_for_a_registered_person_by_id_number(
    client, carol_caseworker, market, applicant
):
    logged_in(client, carol_caseworker)
    data = application(market, person=APPLICANT_ID, retirement_group="female_55")
    client.post(url("apply"), data)
    case = AssistanceCase.objects.get()
    assert case.person == applicant and case.retirement_group == "female_55"


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"person": ""}, "请选择申请人，或在下方登记"),
        ({"disability_certificate": "on"}, "请填写残疾人证号"),
        ({"dibao_reference": "DB-1"}, "如申请人家庭享受低保，请勾选此项"),
        ({"applied_on": "2999-01-01"}, "日期不能晚于今天"),
        ({"person": "110101197503120020"}, "没有登记身份证号"),
    ],
)
def test_bad_input_gives_chinese_errors_and_saves_nothing(
    client, carol_caseworker, market, applicant, extra, error
):
    logged_in(client, carol_caseworker)
    data = {**application(market, person=APPLICANT_ID), **extra}
    response = client.post(url("apply"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert "未保存任何内容" in page
    assert not AssistanceCase.objects.exists()


def test_a_refused_application_does_not_keep_the_new_person(client, carol_caseworker, market):
    RuleSet.objects.update(is_active=False)
    logged_in(client, carol_caseworker)
    response = client.post(url("apply"), application(market, **NEW_PERSON))
    assert response.status_code == 200
    assert not Person.objects.filter(name="钱秀英").exists()
    assert not AssistanceCase.objects.exists()


def test_a_second_open_case_for_the_same_person_is_refused(
    client, carol_caseworker, market, new_case
):
    new_case(S.APPLIED)
    logged_in(client, carol_caseworker)
    response = client.post(url("apply"), application(market, person=APPLICANT_ID))
    assert response.status_code == 200
    assert AssistanceCase.objects.count() == 1


# -- steps on the case page ------------------------------------------------------------


def test_a_caseworker_takes_a_new_application_and_another_cannot(
    client, carol_caseworker, sam_supervisor, new_case
):
    case = new_case(S.APPLIED)
    logged_in(client, carol_caseworker)
    client.post(url("take", case.code))
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW and case.owner == carol_caseworker
    logged_in(client, sam_supervisor)
    response = post_follow(client, url("take", case.code))
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.owner == carol_caseworker


def test_propose_starts_the_public_notice(client, carol_caseworker, case):
    logged_in(client, carol_caseworker)
    response = post_follow(client, url("propose", case.code), {"tier": ""})
    case.refresh_from_db()
    assert case.state == S.ON_NOTICE and case.notice_ends is not None
    assert case.proposed_by == carol_caseworker
    assert response.redirect_chain[-1][0] == url("detail", case.code)


def test_a_level_other_than_the_rules_needs_a_reason(client, carol_caseworker, case):
    logged_in(client, carol_caseworker)
    post_follow(client, url("propose", case.code), {"tier": "C"})
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW
    post_follow(client, url("propose", case.code), {"tier": "C", "tier_reason": "本人意愿"})
    case.refresh_from_db()
    assert case.state == S.ON_NOTICE and case.tier == "C" and case.tier_reason == "本人意愿"


def test_decline_needs_a_reason(client, carol_caseworker, case):
    logged_in(client, carol_caseworker)
    response = post_follow(client, url("decline", case.code), {"reason": ""})
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW
    assert any("理由" in m for m in messages_of(response))
    post_follow(client, url("decline", case.code), {"reason": "不符合任一类别"})
    case.refresh_from_db()
    assert case.state == S.DECLINED and case.decision_reason == "不符合任一类别"


def test_a_step_in_the_wrong_state_is_a_message_not_an_error(client, carol_caseworker, case):
    logged_in(client, carol_caseworker)
    response = post_follow(client, url("plan_start", case.code))
    assert response.status_code == 200
    assert any("当前无法进行此步骤" in m for m in messages_of(response))


def test_the_tier_override_needs_a_reason(client, carol_caseworker, new_case):
    case = new_case(S.CERTIFIED)
    other = "A" if case.tier_computed != "A" else "C"
    logged_in(client, carol_caseworker)
    post_follow(client, url("tier", case.code), {"tier": other, "reason": ""})
    case.refresh_from_db()
    assert case.tier == case.tier_computed
    post_follow(client, url("tier", case.code), {"tier": other, "reason": "家庭负担重"})
    case.refresh_from_db()
    assert case.tier == other and case.tier_reason == "家庭负担重"


def test_plan_items_are_added_and_marked_done(client, carol_caseworker, new_case):
    case = new_case(S.CERTIFIED)
    logged_in(client, carol_caseworker)
    response = post_follow(
        client,
        url("plan_item_add", case.code),
        {"kind": "training", "description": "", "due_on": ""},
    )
    assert not case.plan_items.exists()
    assert messages_of(response)
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    post_follow(
        client,
        url("plan_item_add", case.code),
        {"kind": "training", "description": "家政技能培训", "due_on": due},
    )
    item = case.plan_items.get()
    post_follow(client, url("plan_item_done", case.code, item.pk), {"note": "已结业"})
    item.refresh_from_db()
    assert item.status == PlanItem.Status.DONE and item.note == "已结业"
    post_follow(client, url("plan_start", case.code))
    case.refresh_from_db()
    assert case.state == S.PLAN_ACTIVE


def test_referral_to_an_employer_and_its_outcome(client, carol_caseworker, new_case, hui_hiring):
    case = new_case(S.PLAN_ACTIVE)
    logged_in(client, carol_caseworker)
    post_follow(
        client,
        url("refer_employer", case.code),
        {"employer": "测试搬家服务有限公司", "job_title": "搬运工"},
    )
    referral = case.referrals.get()
    assert referral.employer == Organization.objects.get(credit_code=EMPLOYER_USCC)
    case.refresh_from_db()
    assert case.state == S.REFERRED
    post_follow(client, url("referral_outcome", case.code, referral.pk), {"hired": "no"})
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.status == Referral.Status.NOT_HIRED and case.state == S.PLAN_ACTIVE


def test_an_unknown_employer_is_a_message(client, carol_caseworker, new_case):
    case = new_case(S.PLAN_ACTIVE)
    logged_in(client, carol_caseworker)
    response = post_follow(
        client, url("refer_employer", case.code), {"employer": "不存在的公司", "job_title": "保洁"}
    )
    assert not case.referrals.exists()
    assert any("不存在的公司" in m for m in messages_of(response))


def test_post_referrals_reserve_a_place_or_wait_and_release_moves_the_list(
    client, carol_caseworker, new_case, make_post
):
    case = new_case(S.PLAN_ACTIVE)
    full = make_post(places=1, title="公园巡查员")
    free = make_post(places=2, title="社区保洁员")
    Referral.objects.create(
        case=new_case_for_other(new_case),
        kind=Referral.Kind.POST,
        post=full,
        status=Referral.Status.RESERVED,
        referred_by=carol_caseworker,
    )
    logged_in(client, carol_caseworker)
    response = post_follow(client, url("refer_post", case.code), {"post": full.pk})
    waiting = case.referrals.get(post=full)
    assert waiting.status == Referral.Status.WAITLISTED
    assert any("候补" in m for m in messages_of(response))
    post_follow(client, url("refer_post", case.code), {"post": free.pk})
    reserved = case.referrals.get(post=free)
    assert reserved.status == Referral.Status.RESERVED
    post_follow(client, url("referral_release", case.code, reserved.pk), {"note": "本人放弃"})
    reserved.refresh_from_db()
    assert reserved.status == Referral.Status.RELEASED


def new_case_for_other(new_case):
    from tests.conftest import make_person

    other = make_person("孙丽", "110101197001010024", "13600136002")
    return new_case(S.PLAN_ACTIVE, person=other)


def test_only_a_supervisor_approves_and_refuses_placements(
    client, carol_caseworker, sam_supervisor, new_case
):
    case = new_case(S.PLACEMENT_PROPOSED)
    logged_in(client, carol_caseworker)
    assert client.post(url("placement_approve", case.code)).status_code == 403
    logged_in(client, sam_supervisor)
    response = post_follow(client, url("placement_refuse", case.code), {"reason": ""})
    case.refresh_from_db()
    assert case.state == S.PLACEMENT_PROPOSED and messages_of(response)
    post_follow(client, url("placement_refuse", case.code), {"reason": "年龄不适合该岗位"})
    case.refresh_from_db()
    assert case.state == S.REFERRED
    assert case.placements.get().status == Placement.Status.REFUSED


def test_the_start_shows_the_computed_term_and_its_rule(client, carol_caseworker, new_case):
    case = new_case(S.PLACED)
    placement = case.placements.get()
    logged_in(client, carol_caseworker)
    today = timezone.localdate()
    response = post_follow(
        client,
        url("placement_start", case.code, placement.pk),
        {"starts_on": today.isoformat(), "subsidy_approved_on": today.isoformat()},
    )
    placement.refresh_from_db()
    assert placement.status == Placement.Status.IN_POST
    page = response.content.decode()
    assert placement.term_ends_on.isoformat() in page
    assert placement.term_rule in page


def test_a_placement_ends_with_a_reason(client, carol_caseworker, new_case):
    case = new_case(S.IN_POST)
    placement = case.placements.get()
    logged_in(client, carol_caseworker)
    post_follow(
        client,
        url("placement_end", case.code, placement.pk),
        {"reason": "market_job", "ended_on": timezone.localdate().isoformat()},
    )
    case.refresh_from_db()
    placement.refresh_from_db()
    assert case.state == S.EXITED and placement.exit_reason == "market_job"


def test_a_follow_up_visit_is_an_audit_row_on_the_timeline(client, carol_caseworker, new_case):
    case = new_case(S.IN_POST)
    logged_in(client, carol_caseworker)
    response = post_follow(client, url("follow_up", case.code), {"note": ""})
    assert not case.events.filter(action="follow_up").exists() and messages_of(response)
    response = post_follow(client, url("follow_up", case.code), {"note": "工作适应，雇主满意"})
    event = case.events.get(action="follow_up")
    assert event.note == "工作适应，雇主满意" and event.actor == carol_caseworker
    assert "回访" in response.content.decode()


def test_a_follow_up_visit_is_only_for_someone_in_post(client, carol_caseworker, case):
    logged_in(client, carol_caseworker)
    post_follow(client, url("follow_up", case.code), {"note": "回访"})
    assert not CaseEvent.objects.filter(action="follow_up").exists()


def test_the_supervisor_withdraws_a_certification_with_a_reason(
    client, carol_caseworker, sam_supervisor, new_case
):
    case = new_case(S.CERTIFIED)
    logged_in(client, carol_caseworker)
    assert client.post(url("withdraw", case.code), {"reason": "x"}).status_code == 403
    logged_in(client, sam_supervisor)
    post_follow(client, url("withdraw", case.code), {"reason": "提供虚假材料"})
    case.refresh_from_db()
    assert case.state == S.WITHDRAWN and case.decision_reason == "提供虚假材料"


def test_the_caseworker_closes_a_case_with_an_outcome(client, carol_caseworker, new_case):
    case = new_case(S.PLAN_ACTIVE)
    logged_in(client, carol_caseworker)
    post_follow(client, url("close", case.code), {"outcome": "no_longer_needed"})
    case.refresh_from_db()
    assert case.state == S.CLOSED and case.outcome == "no_longer_needed"


def test_certification_waits_for_the_end_of_the_notice(client, sam_supervisor, new_case):
    case = new_case(S.ON_NOTICE)
    logged_in(client, sam_supervisor)
    response = post_follow(client, url("certify", case.code))
    case.refresh_from_db()
    assert case.state == S.ON_NOTICE and messages_of(response)
    after = datetime.datetime.combine(
        case.notice_ends + datetime.timedelta(days=1), datetime.time(10)
    )
    with time_machine.travel(timezone.make_aware(after), tick=False):
        logged_in(client, sam_supervisor)
        post_follow(client, url("certify", case.code))
    case.refresh_from_db()
    assert case.state == S.CERTIFIED and case.approved_by == sam_supervisor


def test_the_case_page_shows_documents_states_and_timeline(client, carol_caseworker, case):
    logged_in(client, carol_caseworker)
    page = client.get(url("detail", case.code)).content.decode()
    for text in ("文书", "办理进度", "办理记录"):
        assert text in page


def test_a_caseworker_with_approve_case_is_told_about_the_two_person_rule(
    client, carol_caseworker, new_case
):
    carol_caseworker.user_permissions.add(Permission.objects.get(codename="approve_case"))
    case = new_case(S.ON_NOTICE)
    logged_in(client, carol_caseworker)
    page = client.get(url("detail", case.code)).content.decode()
    assert "您提出了此认定建议" in page
