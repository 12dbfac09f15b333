"""Demo hardship-assistance cases (seed_demo) are real cases, made the way staff make them."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from stdnum.cn import ric, uscc

from assistance.models import (
    AssistanceCase,
    Placement,
    PlanItem,
    Post,
    Referral,
    SensitiveFacts,
)
from assistance.seed import DEMO_APPLICANTS, DEMO_POSTS, EMPLOYERS
from casework.core.audit import verify_chains
from casework.core.demo import resident_id
from casework.core.flows import open_task
from casework.core.models import CaseEvent, Market

S = AssistanceCase.State
OPEN_TASK = {
    S.APPLIED: "review",
    S.UNDER_REVIEW: "review",
    S.ON_NOTICE: "decide",
    S.CERTIFIED: "support",
    S.PLAN_ACTIVE: "support",
    S.REFERRED: "support",
    S.PLACEMENT_PROPOSED: "approve_placement",
    S.PLACED: "in_post",
    S.IN_POST: "in_post",
    S.EXITED: "support_again",
}


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    # seed_demo runs once for this module (tests/seeded.py); its on-commit callbacks
    # (PDF renders, text messages) do not run.
    return Market.objects.get(code="cd")


def test_the_demo_identifiers_are_valid():
    for applicant in DEMO_APPLICANTS:
        assert ric.is_valid(resident_id(applicant.body)), applicant.name
    for employer in EMPLOYERS.values():
        assert uscc.is_valid(employer["credit_code"]), employer["name"]


def test_seed_demo_makes_assistance_cases_in_every_state(demo):
    cases = AssistanceCase.objects.filter(market=demo)
    assert set(cases.values_list("state", flat=True)) == set(S.values)
    assert cases.count() == len(DEMO_APPLICANTS)


def test_running_seed_demo_again_adds_nothing(demo):
    models = (AssistanceCase, Post, Referral, Placement, PlanItem, SensitiveFacts, CaseEvent)

    def counts():
        return [model.objects.count() for model in models]

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_the_demo_cases_are_worked_by_the_demo_staff_through_the_flow(demo):
    cases = AssistanceCase.objects.filter(market=demo)
    owners = set(cases.exclude(owner=None).values_list("owner__username", flat=True))
    assert owners == {"caseworker"}
    assert set(cases.exclude(proposed_by=None).values_list("proposed_by__username", flat=True)) == {
        "caseworker"
    }
    assert set(cases.exclude(approved_by=None).values_list("approved_by__username", flat=True)) == {
        "supervisor"
    }
    for case in cases:
        task = open_task(case)
        if case.state in OPEN_TASK:
            assert task.flow_task.name == OPEN_TASK[case.state], case.code
        else:
            assert task is None, case.code
    placements = Placement.objects.filter(case__market=demo).exclude(approved_by=None)
    assert set(placements.values_list("approved_by__username", flat=True)) == {"supervisor"}
    assert verify_chains()[1] == []
    call_command("verify_audit", stdout=StringIO())  # exits non-zero on a broken chain


def test_the_demo_posts_and_the_full_one_with_one_waiting(demo):
    posts = {post.title: post for post in Post.objects.filter(market=demo)}
    assert set(posts) == {post.title for post in DEMO_POSTS}
    kinds = {post.kind for post in posts.values()}
    assert kinds == set(Post.Kind.values)
    road = posts["乡村道路养护员"]
    assert road.kind == Post.Kind.RURAL and road.age_limit == 60
    cleaner = posts["社区保洁员"]
    assert cleaner.places == 3
    assert cleaner.referrals.filter(status__in=Referral.HOLDING).count() == 3
    assert cleaner.referrals.filter(status=Referral.Status.WAITLISTED).count() == 1
    for post in posts.values():
        assert post.referrals.filter(status__in=Referral.HOLDING).count() <= post.places


def test_the_demo_has_sensitive_facts_and_the_kinds_of_due_work(demo):
    sensitive = SensitiveFacts.objects.filter(case__market=demo)
    both = sensitive.filter(disability_certificate=True, dibao_family=True)
    assert both.count() >= 1
    case = both.first().case
    assert {"disability", "dibao"} <= set(case.proposed_categories)
    today = timezone.localdate()
    assert PlanItem.objects.filter(
        case__market=demo, status=PlanItem.Status.OPEN, due_on__lt=today
    ).exists()
    ending = Placement.objects.filter(
        case__market=demo,
        status=Placement.Status.IN_POST,
        term_ends_on__lte=today + datetime.timedelta(days=60),
    )
    assert ending.exists()
    expired = AssistanceCase.objects.get(market=demo, state=S.EXPIRED)
    assert expired.certification_expires < today
    assert expired.events.last().action == "expire"
    declined = AssistanceCase.objects.get(market=demo, state=S.DECLINED)
    withdrawn = AssistanceCase.objects.get(market=demo, state=S.WITHDRAWN)
    assert declined.decision_reason and withdrawn.decision_reason
    closed = AssistanceCase.objects.get(market=demo, state=S.CLOSED)
    assert closed.outcome == "employed"
    assert closed.referrals.get().status == Referral.Status.HIRED


def test_the_demo_notices_ran_before_certification(demo):
    for case in AssistanceCase.objects.filter(market=demo).exclude(certified_on=None):
        assert case.notice_starts < case.notice_ends < case.certified_on, case.code
        assert case.applied_on <= case.notice_starts, case.code
