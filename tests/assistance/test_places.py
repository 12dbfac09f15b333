"""A public-welfare post's places: a referral reserves one while one is free, the rest wait
in order, and a freed place goes to the first referral waiting. The places held (reserved
or placed) never exceed the post's number of places.

The concurrent version, on PostgreSQL, is test_places_concurrency.py.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance import services
from assistance.models import AssistanceCase, ExitReason, Post, Referral
from casework.core.audit import verify_chains
from tests.assistance.fixtures import actor
from tests.assistance.test_rules import id_number
from tests.conftest import make_person

S = AssistanceCase.State
R = Referral.Status
NAMES = ["钱淑芬", "孙玉梅", "李春兰", "周秀云", "吴彩霞", "郑金凤", "王翠华", "冯丽娟"]


def held(post: Post) -> int:
    return post.referrals.filter(status__in=Referral.HOLDING).count()


def status(referral: Referral) -> str:
    referral.refresh_from_db()
    return referral.status


@pytest.fixture
def ready(new_case):
    """ready(n): n certified women of 40-42 (each her own ID number), each with an active plan."""

    def make(n: int) -> list[AssistanceCase]:
        cases = []
        for i in range(n):
            born = datetime.date(1984 + i % 3, 1 + i % 10, 10)
            person = make_person(NAMES[i], id_number(born, "F", serial=i), f"136001370{i:02d}")
            cases.append(new_case(S.PLAN_ACTIVE, person=person))
        return cases

    return make


@pytest.fixture
def post(make_post) -> Post:
    return make_post(places=3)


def refer_all(cases, post, carol) -> list[Referral]:
    referrals = []
    for case in cases:
        referrals.append(services.referral_to_post(case=case, post=post, actor=actor(carol)))
        assert held(post) <= post.places
    return referrals


def place(case: AssistanceCase, carol, sam):
    """Propose, approve and start the placement on the case's reserved referral."""
    referral = case.referrals.get(status=R.RESERVED)
    services.placement_propose(referral=referral, actor=actor(carol))
    placement = services.placement_approve(case=case, actor=actor(sam))
    today = timezone.localdate()
    return services.placement_start(
        placement=placement, starts_on=today, subsidy_approved_on=today, actor=actor(carol)
    )


def test_three_referrals_reserve_the_three_places_and_the_fourth_waits(
    ready, post, carol_caseworker
):
    cases = ready(4)
    referrals = refer_all(cases, post, carol_caseworker)
    assert [r.status for r in referrals] == [R.RESERVED, R.RESERVED, R.RESERVED, R.WAITLISTED]
    assert held(post) == 3
    for case in cases:
        case.refresh_from_db()
        assert case.state == S.REFERRED
    assert [e.action for e in cases[3].events][-1] == "post_waitlisted"


def test_ending_a_placement_moves_the_first_waiting_referral_up(
    ready, post, carol_caseworker, sam_supervisor
):
    cases = ready(5)
    referrals = refer_all(cases, post, carol_caseworker)
    placement = place(cases[0], carol_caseworker, sam_supervisor)
    assert held(post) == 3
    assert [status(r) for r in referrals[3:]] == [R.WAITLISTED, R.WAITLISTED]
    services.placement_end(
        placement=placement,
        reason=ExitReason.MARKET_JOB,
        ended_on=timezone.localdate(),
        actor=actor(carol_caseworker),
    )
    assert [status(r) for r in referrals] == [
        R.RELEASED,
        R.RESERVED,
        R.RESERVED,
        R.RESERVED,  # the first in line
        R.WAITLISTED,
    ]
    assert held(post) == 3
    assert [e.action for e in cases[3].events][-1] == "post_reserved"
    # The one moved up can be proposed for the place.
    services.placement_propose(referral=referrals[3], actor=actor(carol_caseworker))


def test_releasing_a_referral_moves_the_waiting_ones_up_in_order(ready, post, carol_caseworker):
    cases = ready(6)
    referrals = refer_all(cases, post, carol_caseworker)
    assert [status(r) for r in referrals[3:]] == [R.WAITLISTED] * 3
    services.referral_release(referral=referrals[1], actor=actor(carol_caseworker), note="放弃")
    assert [status(r) for r in referrals[3:]] == [R.RESERVED, R.WAITLISTED, R.WAITLISTED]
    services.referral_release(referral=referrals[0], actor=actor(carol_caseworker), note="放弃")
    assert [status(r) for r in referrals[3:]] == [R.RESERVED, R.RESERVED, R.WAITLISTED]
    assert held(post) == 3
    cases[1].refresh_from_db()
    assert cases[1].state == S.PLAN_ACTIVE  # nothing else open: back to the plan


def test_the_waiting_list_is_in_the_order_of_referral_not_of_application(
    ready, post, carol_caseworker
):
    cases = ready(5)
    first_three = refer_all(cases[:3], post, carol_caseworker)
    # The case that applied last is referred first.
    later, earlier = refer_all([cases[4], cases[3]], post, carol_caseworker)
    services.referral_release(referral=first_three[2], actor=actor(carol_caseworker))
    assert (status(later), status(earlier)) == (R.RESERVED, R.WAITLISTED)


def test_releasing_a_waiting_referral_moves_nobody(ready, post, carol_caseworker):
    cases = ready(5)
    referrals = refer_all(cases, post, carol_caseworker)
    services.referral_release(referral=referrals[3], actor=actor(carol_caseworker))
    assert [status(r) for r in referrals] == [R.RESERVED] * 3 + [R.RELEASED, R.WAITLISTED]
    assert held(post) == 3


def test_a_released_referral_cannot_be_released_again(ready, post, carol_caseworker):
    [case] = ready(1)
    [referral] = refer_all([case], post, carol_caseworker)
    services.referral_release(referral=referral, actor=actor(carol_caseworker))
    with pytest.raises(ValidationError):
        services.referral_release(
            referral=Referral.objects.get(pk=referral.pk), actor=actor(carol_caseworker)
        )


def test_a_second_release_of_the_same_referral_is_refused(ready, post, carol_caseworker):
    [case] = ready(1)
    [referral] = refer_all([case], post, carol_caseworker)
    same = Referral.objects.get(pk=referral.pk)  # what a second, concurrent request holds
    services.referral_release(referral=referral, actor=actor(carol_caseworker))
    with pytest.raises(ValidationError):
        services.referral_release(referral=same, actor=actor(carol_caseworker))


def test_an_approved_placement_keeps_its_place_and_leaves_the_other_lists(
    ready, make_post, post, carol_caseworker, sam_supervisor
):
    cases = ready(4)
    other = make_post(places=1, title="公园管护员")
    refer_all(cases[1:], post, carol_caseworker)  # post full
    first_here = services.referral_to_post(case=cases[0], post=post, actor=actor(carol_caseworker))
    assert first_here.status == R.WAITLISTED
    there = services.referral_to_post(case=cases[0], post=other, actor=actor(carol_caseworker))
    assert there.status == R.RESERVED
    services.placement_propose(referral=there, actor=actor(carol_caseworker))
    services.placement_approve(case=cases[0], actor=actor(sam_supervisor))
    assert status(there) == R.PLACED and held(other) == 1
    assert status(first_here) == R.RELEASED  # no longer waiting for the other post
    assert held(post) == 3


def test_places_held_never_exceed_places_through_a_busy_day(
    ready, post, carol_caseworker, sam_supervisor
):
    cases = ready(7)
    carol = actor(carol_caseworker)
    referrals = refer_all(cases, post, carol_caseworker)

    def check():
        assert held(post) <= post.places
        waiting = post.referrals.filter(status=R.WAITLISTED).exists()
        assert not waiting or held(post) == post.places  # nobody waits for a free place

    placements = [place(case, carol_caseworker, sam_supervisor) for case in cases[:2]]
    check()
    services.referral_release(referral=referrals[2], actor=carol)
    check()
    for placement in placements:
        services.placement_end(
            placement=placement,
            reason=ExitReason.TERM_ENDED,
            ended_on=timezone.localdate(),
            actor=carol,
        )
        check()
    services.case_close(case=cases[3], outcome="no_longer_needed", actor=carol)
    check()
    services.certification_withdraw(case=cases[4], actor=actor(sam_supervisor), reason="不实")
    check()
    assert [status(r) for r in referrals] == [
        R.RELEASED,
        R.RELEASED,
        R.RELEASED,
        R.RELEASED,
        R.RELEASED,
        R.RESERVED,
        R.RESERVED,
    ]
    assert verify_chains()[1] == []


def test_a_post_not_taking_referrals_refuses_them(ready, make_post, carol_caseworker):
    [case] = ready(1)
    closed = make_post(is_open=False)
    with pytest.raises(ValidationError):
        services.referral_to_post(case=case, post=closed, actor=actor(carol_caseworker))
    assert not closed.referrals.exists()
