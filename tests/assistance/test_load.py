"""Bulk-loaded hardship cases (seed_load --hardship) are real, consistent assistance cases."""

import datetime
import itertools
import json
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric
from viewflow.workflow.status import STATUS

from assistance import services
from assistance.load import FLOW_PATHS, OPEN_MIX, load_hardship
from assistance.models import (
    AssistanceCase,
    ExitReason,
    Placement,
    PlanItem,
    Post,
    Referral,
    RuleSet,
    SensitiveFacts,
)
from assistance.queues import Tab, tab_items
from assistance.retirement import add_months, retirement_date
from assistance.rules import evaluate, service_tier
from assistance.seed import DEMO_POSTS
from casework.core.audit import Actor, verify_chains
from casework.core.calendar import add_working_days
from casework.core.flows import open_task
from casework.core.invariants import find_violations
from casework.core.models import CodeSequence, Market
from casework.core.roles import Role
from casework.parties.models import Person
from tests.conftest import make_market

S = AssistanceCase.State
OPEN_STATES = {state for state, _way in OPEN_MIX}
FINAL_STATES = set(AssistanceCase.FINAL_STATES)
# The open task waits in a queue for anyone with the permission, not with the case's holder.
QUEUED = {S.APPLIED, S.ON_NOTICE, S.PLACEMENT_PROPOSED}
# What each open state's referral and placement are.
HELD = {
    S.PLACEMENT_PROPOSED: (Referral.Status.RESERVED, Placement.Status.PROPOSED),
    S.PLACED: (Referral.Status.PLACED, Placement.Status.APPROVED),
    S.IN_POST: (Referral.Status.PLACED, Placement.Status.IN_POST),
    S.EXITED: (Referral.Status.RELEASED, Placement.Status.ENDED),
}
COUNT = 300


def seed_load(*args: str) -> dict:
    out = StringIO()
    call_command("seed_load", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().splitlines()[-1])


@pytest.fixture
def loaded(db) -> dict:
    return seed_load("--hardship", str(COUNT), "--seed", "7", "--batch-size", "120")


def actor_of(user: User, role: str) -> Actor:
    return Actor(user=user, role=role)


def staff(market: Market, role: str) -> list[User]:
    users = User.objects.filter(groups__name=role, staff_profile__markets=market)
    return list(users.order_by("pk"))


# -- what is written ---------------------------------------------------------------------


def test_seed_load_prints_the_counts_of_what_it_wrote(loaded):
    report = loaded["hardship"]
    assert loaded["market"] == "cd"
    assert report["cases"] == AssistanceCase.objects.count() == COUNT
    for state, n in report["states"].items():
        assert AssistanceCase.objects.filter(state=state).count() == n, state
    assert set(report["states"]) == set(S.values)  # every state, open and final
    assert report["open"] == sum(n for state, n in report["states"].items() if state in OPEN_STATES)
    assert sum(report["states"][state] for state in FINAL_STATES) > COUNT * 0.9
    assert report["persons"] == Person.objects.count() == COUNT
    assert SensitiveFacts.objects.count() == COUNT  # one per case, as case_apply makes
    assert report["plan_items"] == PlanItem.objects.count()
    assert report["referrals"] == Referral.objects.count()
    assert report["placements"] == Placement.objects.count()
    assert report["posts"] == Post.objects.count()
    assert report["processes"] == report["open"]


def test_loaded_applicants_have_valid_made_up_numbers(loaded):
    for person in Person.objects.all():
        assert ric.is_valid(person.id_number), person.id_number
        assert person.birth_date == ric.get_birth_date(person.id_number)
        assert person.sex == ("M" if int(person.id_number[16]) % 2 else "F")
        assert re.fullmatch(r"1[3-9]\d{9}", person.mobile)
    for facts in SensitiveFacts.objects.filter(disability_certificate=True).select_related(
        "case__person"
    ):
        assert facts.disability_certificate_no.startswith(facts.case.person.id_number)


def test_loaded_codes_are_unique_and_later_cases_continue_after_them(loaded):
    codes = list(AssistanceCase.objects.values_list("code", "created_at"))
    assert len({code for code, _at in codes}) == COUNT
    for code, created in codes:
        assert re.fullmatch(rf"HA-{timezone.localtime(created).year}-\d{{6}}", code)
    year = timezone.localdate().year
    this_year = [int(code[-6:]) for code, _at in codes if code.startswith(f"HA-{year}-")]
    last = CodeSequence.objects.get(prefix="HA", year=year).last
    assert last == max(this_year)


def test_loaded_cases_meet_the_rules_the_services_check(loaded):
    rule_set = RuleSet.active()
    cases = AssistanceCase.objects.select_related("person", "sensitive", "rule_set")
    for case in cases:
        facts = services.facts_of(case)
        assert case.rule_set == rule_set
        assert case.review_due == add_working_days(case.applied_on, rule_set.review_working_days)
        if case.proposed_at is None:  # new, in review, or declined at review: no category
            if case.state == S.DECLINED:
                assert not evaluate(rule_set, facts, timezone.localdate(case.ended_at))
            continue
        day = case.notice_starts
        assert day == timezone.localdate(case.proposed_at)
        matches = evaluate(rule_set, facts, day)
        assert case.proposed_categories == [m.code for m in matches], case.code
        assert case.tier == case.tier_computed == service_tier(rule_set, matches, facts, day)
        assert case.notice_ends == add_working_days(day, rule_set.notice_working_days)
        assert case.proposed_by_id == case.owner_id
        if case.certified_on is None:
            continue
        assert case.certified_on > case.notice_ends  # the public notice was over
        assert case.approved_by_id not in (None, case.proposed_by_id)  # two people
        assert case.certification_expires == add_months(
            case.certified_on, rule_set.certification_months
        )


def test_loaded_dates_follow_each_other_and_final_cases_ended(loaded):
    today = timezone.localdate()
    for case in AssistanceCase.objects.all():
        assert case.created_at <= case.updated_at <= timezone.now()
        assert timezone.localdate(case.created_at) == case.applied_on
        if case.state in FINAL_STATES:
            assert case.process_id is None
            assert case.created_at < case.ended_at < timezone.now() - datetime.timedelta(hours=1)
        else:
            assert case.ended_at is None
        if case.state == S.EXPIRED:
            assert timezone.localdate(case.ended_at) > case.certification_expires
        if case.state in (S.CERTIFIED, S.PLAN_ACTIVE, S.EXITED):  # the beat would expire it
            assert case.certification_expires >= today
        if case.state in (S.DECLINED, S.WITHDRAWN):
            assert case.decision_reason
        if case.state == S.CLOSED:
            assert case.outcome
        for item in case.plan_items.all():
            assert item.status in (PlanItem.Status.OPEN, PlanItem.Status.DONE)
            assert (item.status == PlanItem.Status.DONE) == (item.done_on is not None)
            assert item.done_on is None or item.done_on <= today


def test_loaded_referrals_and_placements_fit_the_person_and_the_state(loaded):
    cases = AssistanceCase.objects.select_related("person").prefetch_related(
        "referrals__post", "placements"
    )
    for case in cases:
        referrals, placements = list(case.referrals.all()), list(case.placements.all())
        assert len(placements) <= 1
        if case.state in (*HELD, S.REFERRED):
            assert len(referrals) == 1
        for referral in referrals:
            day = timezone.localdate(referral.referred_at)
            assert case.certified_on < day <= case.certification_expires  # entitled
            assert referral.referred_by_id == case.owner_id
            if referral.post is not None:
                assert retirement_date(case.person.birth_date, case.retirement_group) > day
                limit = referral.post.age_limit
                assert limit is None or case.person.age_on(day) <= limit
                assert referral.post.market_id == case.market_id
        if case.state in HELD:
            referral_status, placement_status = HELD[case.state]
            assert (referrals[0].status, placements[0].status) == (
                referral_status,
                placement_status,
            )
        if case.state == S.REFERRED:
            assert referrals[0].status in (Referral.Status.RESERVED, Referral.Status.PENDING)
        for placement in placements:
            assert placement.referral == referrals[0]
            assert placement.approved_by_id != placement.proposed_by_id
            if placement.starts_on is None:
                continue
            term = services.placement_term(
                person_birth=case.person.birth_date,
                group=case.retirement_group,
                post_kind=placement.post.kind,
                starts_on=placement.starts_on,
                subsidy_approved_on=placement.subsidy_approved_on,
            )
            assert (placement.term_ends_on, placement.term_rule) == (term.ends_on, term.rule)
            if placement.ended_on:
                assert placement.starts_on <= placement.ended_on <= placement.term_ends_on
                if placement.exit_reason == ExitReason.TERM_ENDED:
                    assert placement.ended_on == placement.term_ends_on
            elif case.state == S.IN_POST:
                assert placement.term_ends_on >= timezone.localdate()


def test_no_post_ever_has_more_referrals_holding_a_place_than_places(loaded):
    """A referral holds its post's place from the day it is made until it is released."""
    ends = dict(Placement.objects.values_list("referral_id", "ended_on"))
    spans = defaultdict(list)
    for referral in Referral.objects.filter(kind=Referral.Kind.POST):
        first = timezone.localdate(referral.referred_at)
        last = datetime.date.max
        if referral.status == Referral.Status.RELEASED:
            released = ends.get(referral.pk)
            last = released or timezone.localdate(referral.outcome_at)
        spans[referral.post_id].append((first, last))
    assert spans
    for post in Post.objects.filter(pk__in=spans):
        changes = sorted(
            [(first, 1) for first, _last in spans[post.pk]]
            + [
                (last + datetime.timedelta(days=1), -1)
                for _first, last in spans[post.pk]
                if last != datetime.date.max
            ],
            key=lambda change: (change[0], change[1]),
        )
        held = most = 0
        for _day, change in changes:
            held += change
            most = max(most, held)
        assert most <= post.places, post
    titles = set(Post.objects.values_list("title", flat=True))
    assert not titles & {post.title for post in DEMO_POSTS}  # seed_demo finds its own by title


# -- open cases: their flow and trail -------------------------------------------------------


def test_open_cases_have_the_open_task_and_trail_the_services_leave(loaded):
    for case in AssistanceCase.objects.exclude(state__in=FINAL_STATES):
        assert case.process.artifact_object_id == case.pk
        task = open_task(case)
        assert task.flow_task.name == FLOW_PATHS[case.state][-1]
        if case.state in QUEUED:
            assert (task.status, task.owner_id) == (STATUS.NEW, None)
        else:
            assert (task.status, task.owner_id) == (STATUS.ASSIGNED, case.owner_id)
        assert (case.owner_id is None) == (case.state == S.APPLIED)
        events = list(case.events.order_by("seq"))
        assert events[0].action == "applied"
        assert events[-1].to_state == case.state
        assert all(e.at <= f.at for e, f in itertools.pairwise(events))
    rows, broken = verify_chains()
    assert rows > 0
    assert broken == []


def test_the_invariant_checker_finds_nothing_wrong(loaded):
    assert find_violations() == []


# -- the services carry on with loaded cases ------------------------------------------------


def test_a_caseworker_takes_a_loaded_application_from_the_queue_and_it_is_certified(loaded):
    market = Market.objects.get(code="cd")
    caseworker = staff(market, Role.CASEWORKER)[0]
    me = actor_of(caseworker, Role.CASEWORKER)
    case = tab_items(Tab.NEW, caseworker).first()

    services.review_start(case=case, actor=me)
    services.certification_propose(case=case, actor=me)

    case.refresh_from_db()
    supervisor = staff(market, Role.SUPERVISOR)[0]
    after = datetime.datetime.combine(
        case.notice_ends + datetime.timedelta(days=1), datetime.time(10)
    )
    with time_machine.travel(timezone.make_aware(after), tick=False):
        services.certification_approve(case=case, actor=actor_of(supervisor, Role.SUPERVISOR))
    case.refresh_from_db()
    assert (case.state, case.owner) == (S.CERTIFIED, caseworker)
    assert open_task(case).flow_task.name == "support"
    assert verify_chains()[1] == []
    assert find_violations() == []


def test_loaded_approvals_and_placements_go_on_through_the_services(loaded):
    market = Market.objects.get(code="cd")
    supervisor = actor_of(staff(market, Role.SUPERVISOR)[0], Role.SUPERVISOR)

    proposed = AssistanceCase.objects.filter(state=S.PLACEMENT_PROPOSED).first()
    services.placement_approve(case=proposed, actor=supervisor)

    referred = AssistanceCase.objects.filter(
        state=S.REFERRED, referrals__status=Referral.Status.RESERVED
    ).first()
    holder = actor_of(referred.owner, Role.CASEWORKER)
    services.placement_propose(referral=referred.referrals.get(), actor=holder)

    in_post = AssistanceCase.objects.filter(state=S.IN_POST).first()
    holder = actor_of(in_post.owner, Role.CASEWORKER)
    services.follow_up_record(case=in_post, note="回访：在岗正常。", actor=holder)
    services.placement_end(
        placement=in_post.placements.get(),
        reason=ExitReason.RESIGNED,
        ended_on=timezone.localdate(),
        actor=holder,
    )

    for case, state in (
        (proposed, S.PLACED),
        (referred, S.PLACEMENT_PROPOSED),
        (in_post, S.EXITED),
    ):
        case.refresh_from_db()
        assert case.state == state
    assert verify_chains()[1] == []
    assert find_violations() == []


def test_the_queue_and_the_case_page_show_loaded_cases(client, loaded):
    market = Market.objects.get(code="cd")
    client.force_login(staff(market, Role.CASEWORKER)[0])
    for tab in (Tab.NEW, Tab.REVIEWS, Tab.NOTICES, Tab.PLAN, Tab.EXIT, Tab.FOLLOW_UP, Tab.ALL):
        response = client.get(reverse("assistance:queue"), {"tab": tab})
        assert response.status_code == 200, tab
    for state in (S.APPLIED, S.IN_POST, S.EXITED, S.CLOSED, S.WITHDRAWN):
        case = AssistanceCase.objects.filter(state=state).first()
        response = client.get(reverse("assistance:detail", args=[case.code]))
        assert response.status_code == 200, state
        assert case.person.name in response.content.decode()


# -- loading again ---------------------------------------------------------------------------


def test_loading_again_and_into_another_market_collides_with_nothing(db):
    first = make_market("m1", "第一零工市场")
    second = make_market("m2", "第二零工市场")
    # The same seed in the same market draws the same numbers again: none is taken twice.
    for market in (first, first, second):
        load_hardship(120, market=market, seed=5, batch_size=50)
    assert AssistanceCase.objects.count() == Person.objects.count() == 360
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert len(set(numbers)) == 360
    assert all(ric.is_valid(number) for number in numbers)
    codes = list(AssistanceCase.objects.values_list("code", flat=True))
    assert len(set(codes)) == 360
    counts = Counter(AssistanceCase.objects.values_list("market__code", flat=True))
    assert counts == {"m1": 240, "m2": 120}
    # Each market's posts and staff are its own.
    for case in AssistanceCase.objects.exclude(owner=None).select_related("market"):
        assert case.owner.staff_profile.markets.filter(pk=case.market_id).exists()
    for placement in Placement.objects.select_related("post", "case"):
        assert placement.post.market_id == placement.case.market_id
    assert verify_chains()[1] == []
    assert find_violations() == []


def test_a_province_load_spreads_hardship_cases_and_resumes(db):
    """seed_load --markets: each market's share, beside the disputes' people; run again,
    nothing is missing."""
    report = seed_load("--markets", "3", "--disputes", "90", "--hardship", "90", "--seed", "3")

    assert report["hardship"]["cases"] == AssistanceCase.objects.count() == 90
    counts = Counter(AssistanceCase.objects.values_list("market__code", flat=True))
    assert counts["p001"] > counts["p002"] > counts["p003"] > 0
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 90 + report["disputes"]["persons"]
    again = seed_load("--markets", "3", "--hardship", "90", "--seed", "3")
    assert again["hardship"] == {"wanted": 90, "already_there": 90}
    assert find_violations() == []


def test_an_unseeded_load_needs_an_active_rule_set(db):
    RuleSet.objects.update(is_active=False)
    with pytest.raises(RuntimeError, match="rule set"):
        load_hardship(10, market=make_market())


def test_the_temporary_term_follows_the_setting(db, settings):
    settings.ASSISTANCE_TEMPORARY_MONTHS = 4
    load_hardship(200, market=make_market(), seed=11)
    temporary = Placement.objects.filter(post__kind=Post.Kind.TEMPORARY).exclude(starts_on=None)
    assert temporary.exists()
    for placement in temporary:
        assert placement.term_ends_on <= add_months(placement.starts_on, 4)
