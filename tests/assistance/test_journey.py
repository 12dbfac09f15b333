"""From the application at the counter to a person in a public-welfare post, through the
pages only, and the two-person rule: nobody approves their own proposal."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from assistance.models import AssistanceCase, Placement, Referral
from tests.assistance.fixtures import APPLICANT_ID

S = AssistanceCase.State


def url(name: str, *args) -> str:
    return reverse(f"assistance:{name}", args=args)


def the_day_after(day: datetime.date):
    moment = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(10))
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def apply_and_propose(client, caseworker, market) -> AssistanceCase:
    """The caseworker records the application at the counter, takes it and proposes it."""
    client.force_login(caseworker)
    registered = (timezone.localdate() - datetime.timedelta(days=500)).isoformat()
    response = client.post(
        url("apply"),
        {
            "market": market.pk,
            "applied_on": timezone.localdate().isoformat(),
            "person-name": "赵桂芳",
            "person-id_number": APPLICANT_ID,
            "person-mobile": "13600136001",
            "unemployment_registered_on": registered,
            "dibao_family": "on",
            "dibao_reference": "DB-2026-0007",
        },
    )
    case = AssistanceCase.objects.get()
    assert response.url == url("detail", case.code) and case.state == S.APPLIED
    queue = client.get(url("queue"), {"tab": "new"}).content.decode()
    assert case.code in queue
    client.post(url("take", case.code))
    client.post(url("propose", case.code), {"tier": ""})
    case.refresh_from_db()
    assert case.state == S.ON_NOTICE and case.proposed_by == caseworker
    return case


def plan_and_refer(client, caseworker, case, post) -> Referral:
    client.force_login(caseworker)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    client.post(
        url("plan_item_add", case.code),
        {"kind": "post_referral", "description": "推荐公益性岗位", "due_on": due},
    )
    client.post(url("plan_start", case.code))
    response = client.post(url("refer_post", case.code), {"post": post.pk}, follow=True)
    assert any("预留名额" in m for m in messages_of(response))
    referral = case.referrals.get()
    assert referral.status == Referral.Status.RESERVED
    client.post(url("placement_propose", case.code, referral.pk))
    case.refresh_from_db()
    assert case.state == S.PLACEMENT_PROPOSED
    return referral


def test_from_the_counter_to_a_person_in_post(
    client, market, carol_caseworker, sam_supervisor, make_post
):
    post = make_post(places=3)
    case = apply_and_propose(client, carol_caseworker, market)

    # The supervisor cannot certify while the notice runs; after it, they can.
    client.force_login(sam_supervisor)
    response = client.post(url("certify", case.code), follow=True)
    assert any("公示期至" in m for m in messages_of(response))
    with the_day_after(case.notice_ends):
        client.force_login(sam_supervisor)
        page = client.get(url("detail", case.code)).content.decode()
        assert url("certify", case.code) in page
        client.post(url("certify", case.code))
    case.refresh_from_db()
    assert case.state == S.CERTIFIED and case.approved_by == sam_supervisor

    plan_and_refer(client, carol_caseworker, case, post)
    # The caseworker may not approve; the supervisor is shown the buttons and approves.
    assert client.post(url("placement_approve", case.code)).status_code == 403
    client.force_login(sam_supervisor)
    page = client.get(url("detail", case.code)).content.decode()
    assert url("placement_approve", case.code) in page
    client.post(url("placement_approve", case.code))
    case.refresh_from_db()
    assert case.state == S.PLACED

    client.force_login(carol_caseworker)
    today = timezone.localdate()
    placement = case.placements.get()
    client.post(
        url("placement_start", case.code, placement.pk),
        {"starts_on": today.isoformat(), "subsidy_approved_on": today.isoformat()},
    )
    case.refresh_from_db()
    placement.refresh_from_db()
    assert case.state == S.IN_POST and placement.status == Placement.Status.IN_POST
    assert placement.term_ends_on is not None and placement.term_rule
    page = client.get(url("detail", case.code)).content.decode()
    assert "在岗" in page
    assert placement.term_ends_on.isoformat() in page and placement.term_rule in page
    # The post now holds the place.
    posts = client.get(url("post", post.pk)).content.decode()
    assert "赵桂芳" in posts and "已占用 1 个" in posts


@pytest.mark.parametrize("with_approve_permission", [False, True])
def test_the_caseworker_cannot_approve_their_own_certification(
    client, market, carol_caseworker, with_approve_permission
):
    if with_approve_permission:
        carol_caseworker.user_permissions.add(Permission.objects.get(codename="approve_case"))
    case = apply_and_propose(client, carol_caseworker, market)
    with the_day_after(case.notice_ends):
        client.force_login(carol_caseworker)
        response = client.post(url("certify", case.code), follow=True)
        if with_approve_permission:
            assert response.status_code == 200
            assert "须由提出人以外的人员审批。" in messages_of(response)
            page = response.content.decode()
            assert "您提出了此认定建议" in page
            assert url("certify", case.code) not in page
        else:
            assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == S.ON_NOTICE and case.approved_by is None


@pytest.mark.parametrize("with_approve_permission", [False, True])
def test_the_caseworker_cannot_approve_their_own_placement(
    client, market, carol_caseworker, sam_supervisor, make_post, with_approve_permission
):
    case = apply_and_propose(client, carol_caseworker, market)
    with the_day_after(case.notice_ends):
        client.force_login(sam_supervisor)
        client.post(url("certify", case.code))
    if with_approve_permission:
        carol_caseworker.user_permissions.add(Permission.objects.get(codename="approve_case"))
    plan_and_refer(client, carol_caseworker, case, make_post())
    client.force_login(carol_caseworker)
    response = client.post(url("placement_approve", case.code), follow=True)
    if with_approve_permission:
        assert "须由提出人以外的人员审批。" in messages_of(response)
        page = response.content.decode()
        assert "您提出了此安置建议" in page
        assert url("placement_approve", case.code) not in page
        # Refusing one's own proposal is a decision on it too.
        client.post(url("placement_refuse", case.code), {"reason": "撤回"})
    else:
        assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == S.PLACEMENT_PROPOSED
    assert case.placements.get().approved_by is None
