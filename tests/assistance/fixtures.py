"""Assistance fixtures, shared by every test package (tests/conftest.py loads this module as
a plugin). Factories: a hardship applicant, a public-welfare post, and cases brought to any
state the way users do (carol the caseworker proposes, sam the supervisor approves)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from assistance import services
from assistance.models import AssistanceCase, PlanItem, Post
from casework.core.audit import Actor
from casework.parties.models import Organization
from tests.conftest import make_person

S = AssistanceCase.State
# A woman born 1982-06-15 (GB 11643 check digit computed): 44 in 2026, "4050" by age;
# her statutory retirement (women workers, after the reform) is 2036-03-15.
APPLICANT_ID = "110101198206150025"
POST_EMPLOYER_USCC = "12330102MB0000000G"


def actor(user) -> Actor:
    return Actor(user=user, role=",".join(g.name for g in user.groups.all()), client_ip="10.0.0.7")


@pytest.fixture
def applicant(db):
    return make_person("赵桂芳", APPLICANT_ID, "13600136001")


@pytest.fixture
def post_employer(db) -> Organization:
    return Organization.objects.create(
        kind=Organization.Kind.EMPLOYER,
        name="测试区城市管理服务中心",
        credit_code=POST_EMPLOYER_USCC,
    )


@pytest.fixture
def make_post(market, post_employer):
    def make(places: int = 3, kind: str = Post.Kind.REGULAR, **extra) -> Post:
        return Post.objects.create(
            market=market,
            employer=post_employer,
            title=extra.pop("title", "社区保洁员"),
            place="测试区幸福社区",
            kind=kind,
            places=places,
            monthly_subsidy=Decimal("1800.00"),
            **extra,
        )

    return make


@pytest.fixture
def new_case(market, applicant, carol_caseworker, sam_supervisor, make_post):
    """new_case(state) applies for ``applicant`` and brings the case to ``state``."""

    def make(state: str = S.APPLIED, *, person=None, facts=None, sensitive=None) -> AssistanceCase:
        carol, sam = actor(carol_caseworker), actor(sam_supervisor)
        case = services.case_apply(
            market=market,
            person=person or applicant,
            actor=carol,
            facts=facts
            or {"unemployment_registered_on": timezone.localdate() - datetime.timedelta(days=400)},
            sensitive=sensitive or {},
        )
        order = [
            S.UNDER_REVIEW,
            S.ON_NOTICE,
            S.CERTIFIED,
            S.PLAN_ACTIVE,
            S.REFERRED,
            S.PLACEMENT_PROPOSED,
            S.PLACED,
            S.IN_POST,
        ]
        steps = order[: order.index(state) + 1] if state in order else []
        post = None
        for step in steps:
            if step == S.UNDER_REVIEW:
                services.review_start(case=case, actor=carol)
            elif step == S.ON_NOTICE:
                services.certification_propose(case=case, actor=carol)
            elif step == S.CERTIFIED:
                case.refresh_from_db()
                after = datetime.datetime.combine(
                    case.notice_ends + datetime.timedelta(days=1), datetime.time(10)
                )
                with time_machine.travel(timezone.make_aware(after), tick=False):
                    services.certification_approve(case=case, actor=sam)
            elif step == S.PLAN_ACTIVE:
                services.plan_item_add(
                    case=case,
                    kind=PlanItem.Kind.POST_REFERRAL,
                    description="推荐公益性岗位",
                    due_on=timezone.localdate() + datetime.timedelta(days=30),
                    actor=carol,
                )
                services.plan_start(case=case, actor=carol)
            elif step == S.REFERRED:
                post = make_post()
                services.referral_to_post(case=case, post=post, actor=carol)
            elif step == S.PLACEMENT_PROPOSED:
                services.placement_propose(referral=case.referrals.get(), actor=carol)
            elif step == S.PLACED:
                services.placement_approve(case=case, actor=sam)
            elif step == S.IN_POST:
                services.placement_start(
                    placement=case.placements.get(),
                    starts_on=timezone.localdate(),
                    subsidy_approved_on=timezone.localdate(),
                    actor=carol,
                )
            case.refresh_from_db()
        return case

    return make
