"""Every edge of the assistance case's state diagram, without HTTP: the state, the open
viewflow task and the audit row after each step, and the two-person rule.

    applied → under_review → on_notice → certified → plan_active ⇄ referred
    → placement_proposed → placed → in_post → exited → plan_active … → closed
    declined (from the first three), withdrawn (any certified state), expired.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed, has_transition_perm
from viewflow.workflow.status import PROCESS, STATUS

from assistance import flows, services
from assistance.models import (
    AssistanceCase,
    ExitReason,
    Outcome,
    Placement,
    PlanItem,
    Referral,
    Tier,
)
from casework.core.audit import verify_chains
from casework.core.calendar import add_working_days
from casework.core.flows import open_task
from casework.core.roles import Role
from casework.parties.models import Organization
from tests.assistance.fixtures import actor
from tests.assistance.test_rules import id_number
from tests.conftest import EMPLOYER_USCC, make_person, make_user

S = AssistanceCase.State


@pytest.fixture(autouse=True)
def _chains_stay_intact(db):
    yield
    _count, broken = verify_chains()
    assert broken == []


@pytest.fixture
def dora_caseworker(market):
    return make_user("dora", Role.CASEWORKER, markets=[market])


@pytest.fixture
def tom_supervisor(market):
    user = make_user("tom", Role.SUPERVISOR, markets=[market])
    market.supervisors.add(user)
    return user


@pytest.fixture
def employer(db) -> Organization:
    return Organization.objects.create(
        kind=Organization.Kind.EMPLOYER, name="城东顺达物业服务有限公司", credit_code=EMPLOYER_USCC
    )


def task_of(case: AssistanceCase) -> tuple | None:
    task = open_task(case)
    if task is None:
        return None
    return task.flow_task.name, task.status, task.owner


def actions(case: AssistanceCase) -> list[str]:
    return list(case.events.values_list("action", flat=True))


def after_notice(case: AssistanceCase) -> datetime.datetime:
    day = case.notice_ends + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def reload(case: AssistanceCase) -> AssistanceCase:
    case.refresh_from_db()
    return case


# -- application and first review ----------------------------------------------------------------


def test_an_application_waits_in_the_caseworkers_queue(new_case):
    case = new_case()
    assert case.state == S.APPLIED and case.owner is None
    assert case.rule_set.code == "default-2025"
    assert case.review_due == add_working_days(case.applied_on, 7)
    assert case.sensitive is not None
    assert task_of(case) == ("review", STATUS.NEW, None)
    assert actions(case) == ["applied"]


def test_a_person_with_an_open_case_cannot_apply_again(
    new_case, market, applicant, carol_caseworker
):
    new_case(S.CERTIFIED)
    with pytest.raises(ValidationError):
        services.case_apply(market=market, person=applicant, actor=actor(carol_caseworker))


def test_taking_the_application_assigns_the_case_and_its_task(
    new_case, carol_caseworker, dora_caseworker
):
    case = new_case()
    services.review_start(case=case, actor=actor(carol_caseworker))
    reload(case)
    assert case.state == S.UNDER_REVIEW and case.owner == carol_caseworker
    assert task_of(case) == ("review", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-1] == "start_review"
    with pytest.raises(ValidationError):
        services.review_start(case=case, actor=actor(dora_caseworker))
    assert reload(case).owner == carol_caseworker


def test_proposing_publishes_the_notice_and_waits_for_a_supervisor(new_case, carol_caseworker):
    case = new_case(S.UNDER_REVIEW)
    services.certification_propose(case=case, actor=actor(carol_caseworker))
    reload(case)
    today = timezone.localdate()
    assert case.state == S.ON_NOTICE
    # The applicant is 44 and registered unemployed 400 days ago.
    assert case.proposed_categories == ["older", "long_unemployed"]
    assert case.tier == case.tier_computed == Tier.B and case.tier_reason == ""
    assert case.proposed_by == carol_caseworker and case.proposed_at
    assert case.notice_starts == today
    assert case.notice_ends == add_working_days(today, 5)
    assert task_of(case) == ("decide", STATUS.NEW, None)
    assert actions(case)[-1] == "publish_notice"


def test_someone_else_cannot_propose_on_the_reviewers_case(new_case, dora_caseworker):
    case = new_case(S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        services.certification_propose(case=case, actor=actor(dora_caseworker))
    assert reload(case).state == S.UNDER_REVIEW


def test_a_person_meeting_no_category_cannot_be_proposed(new_case, carol_caseworker):
    young = make_person("吴小龙", id_number(datetime.date(1996, 3, 3), "M"), "13600136010")
    case = new_case(S.UNDER_REVIEW, person=young, facts={"land_requisitioned": False})
    with pytest.raises(ValidationError):
        services.certification_propose(case=case, actor=actor(carol_caseworker))
    assert reload(case).state == S.UNDER_REVIEW
    assert task_of(case) == ("review", STATUS.ASSIGNED, case.owner)


def test_a_service_level_other_than_the_rules_needs_a_reason(new_case, carol_caseworker):
    case = new_case(S.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        services.certification_propose(case=case, actor=actor(carol_caseworker), tier=Tier.A)
    services.certification_propose(
        case=case, actor=actor(carol_caseworker), tier=Tier.A, tier_reason="独自抚养两名子女"
    )
    reload(case)
    assert (case.tier, case.tier_computed, case.tier_reason) == (Tier.A, Tier.B, "独自抚养两名子女")


# -- certification and the two-person rule ------------------------------------------------------


def test_certification_waits_for_the_end_of_the_notice(new_case, sam_supervisor, carol_caseworker):
    case = new_case(S.ON_NOTICE)
    with pytest.raises(ValidationError):
        services.certification_approve(case=case, actor=actor(sam_supervisor))
    last_day = timezone.make_aware(datetime.datetime.combine(case.notice_ends, datetime.time(23)))
    with time_machine.travel(last_day, tick=False), pytest.raises(ValidationError):
        services.certification_approve(case=case, actor=actor(sam_supervisor))
    assert reload(case).state == S.ON_NOTICE
    with time_machine.travel(after_notice(case), tick=False):
        services.certification_approve(case=case, actor=actor(sam_supervisor))
        today = timezone.localdate()
    reload(case)
    assert case.state == S.CERTIFIED
    assert case.certified_on == today and case.approved_by == sam_supervisor
    assert case.certification_expires > today
    assert task_of(case) == ("support", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-1] == "certify"


def test_a_caseworker_cannot_approve_their_own_proposal(new_case, carol_caseworker):
    case = new_case(S.ON_NOTICE)
    with time_machine.travel(after_notice(case), tick=False):
        with pytest.raises(PermissionDenied):
            services.certification_approve(case=case, actor=actor(carol_caseworker))
        # The transition's own permission says the same to any other caller.
        assert not has_transition_perm(case.certify, carol_caseworker)
    assert reload(case).state == S.ON_NOTICE
    assert task_of(case)[0] == "decide"


def test_a_supervisor_who_proposed_cannot_approve_it_but_another_can(
    new_case, sam_supervisor, tom_supervisor
):
    case = new_case()
    sam = actor(sam_supervisor)
    services.review_start(case=case, actor=sam)
    services.certification_propose(case=case, actor=sam)
    reload(case)
    assert sam_supervisor.has_perm("assistance.approve_case")
    with time_machine.travel(after_notice(case), tick=False):
        with pytest.raises(PermissionDenied):
            services.certification_approve(case=case, actor=sam)
        assert not has_transition_perm(case.certify, sam_supervisor)
        with pytest.raises(PermissionDenied):
            flows.run_step(case, "certify", actor=sam)
        reload(case)
        assert case.state == S.ON_NOTICE
        assert has_transition_perm(case.certify, tom_supervisor)
        services.certification_approve(case=case, actor=actor(tom_supervisor))
    reload(case)
    assert case.state == S.CERTIFIED and case.approved_by == tom_supervisor
    assert task_of(case) == ("support", STATUS.ASSIGNED, sam_supervisor)


@pytest.mark.parametrize("state", [S.APPLIED, S.UNDER_REVIEW, S.ON_NOTICE])
def test_declining_needs_a_reason_and_ends_the_process(new_case, carol_caseworker, state):
    case = new_case(state)
    carol = actor(carol_caseworker)
    with pytest.raises(ValidationError):
        services.case_decline(case=case, actor=carol, reason="  ")
    assert reload(case).state == state
    services.case_decline(case=case, actor=carol, reason="已在企业稳定就业，不符合认定条件")
    reload(case)
    assert case.state == S.DECLINED and case.ended_at
    assert case.decision_reason == "已在企业稳定就业，不符合认定条件"
    assert task_of(case) is None
    assert case.process.status == PROCESS.DONE
    assert actions(case)[-1] == "decline"


def test_a_certified_case_cannot_be_declined(new_case, carol_caseworker):
    case = new_case(S.CERTIFIED)
    with pytest.raises(TransitionNotAllowed):
        services.case_decline(case=case, actor=actor(carol_caseworker), reason="改变主意")


# -- the support plan and point-to-point matching -------------------------------------------------


def test_the_plan_starts_once_it_has_an_item(new_case, carol_caseworker):
    case = new_case(S.CERTIFIED)
    carol = actor(carol_caseworker)
    with pytest.raises(TransitionNotAllowed):
        services.plan_start(case=case, actor=carol)
    item = services.plan_item_add(
        case=case,
        kind=PlanItem.Kind.GUIDANCE,
        description="职业指导一次",
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        actor=carol,
    )
    services.plan_start(case=case, actor=carol)
    reload(case)
    assert case.state == S.PLAN_ACTIVE
    assert task_of(case) == ("support", STATUS.ASSIGNED, carol_caseworker)
    services.plan_item_done(item=item, actor=carol, note="已完成")
    item.refresh_from_db()
    assert item.status == PlanItem.Status.DONE and item.done_on == timezone.localdate()
    assert [a for a in actions(case) if a.startswith(("plan", "start_plan"))] == [
        "plan_item_added",
        "start_plan",
        "plan_item_done",
    ]


def test_a_plan_is_not_made_before_certification(new_case, carol_caseworker):
    case = new_case(S.ON_NOTICE)
    with pytest.raises(ValidationError):
        services.plan_item_add(
            case=case,
            kind=PlanItem.Kind.TRAINING,
            description="家政培训",
            due_on=timezone.localdate(),
            actor=actor(carol_caseworker),
        )


def test_a_hire_through_matching_closes_the_case_as_employed(
    new_case, make_post, carol_caseworker, employer
):
    case = new_case(S.PLAN_ACTIVE)
    carol = actor(carol_caseworker)
    held = services.referral_to_post(case=case, post=make_post(), actor=carol)
    job = services.referral_to_employer(
        case=case, employer=employer, job_title="小区保洁员", actor=carol
    )
    reload(case)
    assert case.state == S.REFERRED and job.status == Referral.Status.PENDING
    assert task_of(case) == ("support", STATUS.ASSIGNED, carol_caseworker)
    services.referral_outcome(referral=job, hired=True, actor=carol, note="签订一年劳动合同")
    reload(case)
    assert case.state == S.CLOSED and case.outcome == Outcome.EMPLOYED and case.ended_at
    job.refresh_from_db()
    held.refresh_from_db()
    assert job.status == Referral.Status.HIRED
    assert held.status == Referral.Status.RELEASED  # the post's place goes back
    assert task_of(case) is None
    assert case.process.status == PROCESS.DONE
    with pytest.raises(ValidationError):
        services.referral_outcome(referral=job, hired=False, actor=carol)


def test_not_hired_returns_to_the_plan(new_case, carol_caseworker, employer):
    case = new_case(S.PLAN_ACTIVE)
    carol = actor(carol_caseworker)
    job = services.referral_to_employer(case=case, employer=employer, job_title="保安", actor=carol)
    services.referral_outcome(referral=job, hired=False, actor=carol, note="年龄不符")
    reload(case)
    job.refresh_from_db()
    assert job.status == Referral.Status.NOT_HIRED
    assert case.state == S.PLAN_ACTIVE
    assert task_of(case) == ("support", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-4:] == [
        "refer",
        "referred_to_employer",
        "referral_outcome",
        "referral_ended",
    ]


def test_referrals_are_made_only_while_the_plan_is_active(
    new_case, make_post, carol_caseworker, employer
):
    case = new_case(S.CERTIFIED)
    carol = actor(carol_caseworker)
    with pytest.raises(ValidationError):
        services.referral_to_employer(case=case, employer=employer, job_title="保安", actor=carol)
    with pytest.raises(ValidationError):
        services.referral_to_post(case=case, post=make_post(), actor=carol)


def test_referring_to_a_post_reserves_a_place(new_case, make_post, carol_caseworker):
    case = new_case(S.PLAN_ACTIVE)
    post = make_post(places=1)
    referral = services.referral_to_post(case=case, post=post, actor=actor(carol_caseworker))
    reload(case)
    assert case.state == S.REFERRED
    assert (referral.kind, referral.status, referral.post) == (
        Referral.Kind.POST,
        Referral.Status.RESERVED,
        post,
    )
    assert actions(case)[-2:] == ["refer", "post_reserved"]
    with pytest.raises(ValidationError):
        services.referral_to_post(case=case, post=post, actor=actor(carol_caseworker))


def test_releasing_the_last_referral_returns_to_the_plan(new_case, carol_caseworker):
    case = new_case(S.REFERRED)
    services.referral_release(
        referral=case.referrals.get(), actor=actor(carol_caseworker), note="本人放弃"
    )
    reload(case)
    assert case.state == S.PLAN_ACTIVE
    assert case.referrals.get().status == Referral.Status.RELEASED


# -- placements ------------------------------------------------------------------------------------


def test_proposing_a_placement_waits_for_a_supervisor(new_case, carol_caseworker):
    case = new_case(S.REFERRED)
    placement = services.placement_propose(
        referral=case.referrals.get(), actor=actor(carol_caseworker)
    )
    reload(case)
    assert case.state == S.PLACEMENT_PROPOSED
    assert placement.status == Placement.Status.PROPOSED
    assert placement.proposed_by == carol_caseworker
    assert task_of(case) == ("approve_placement", STATUS.NEW, None)
    assert actions(case)[-1] == "propose_placement"


def test_a_waitlisted_referral_cannot_become_a_placement(new_case, make_post, carol_caseworker):
    case = new_case(S.PLAN_ACTIVE)
    post = make_post(places=1)
    other = new_case(
        S.PLAN_ACTIVE,
        person=make_person("郑桂兰", id_number(datetime.date(1980, 5, 5), "F"), "13600136011"),
    )
    services.referral_to_post(case=other, post=post, actor=actor(carol_caseworker))
    waiting = services.referral_to_post(case=case, post=post, actor=actor(carol_caseworker))
    assert waiting.status == Referral.Status.WAITLISTED
    with pytest.raises(ValidationError):
        services.placement_propose(referral=waiting, actor=actor(carol_caseworker))


def test_approving_the_placement_turns_the_reserved_place_into_it(
    new_case, carol_caseworker, sam_supervisor
):
    case = new_case(S.PLACEMENT_PROPOSED)
    with pytest.raises(PermissionDenied):
        services.placement_approve(case=case, actor=actor(carol_caseworker))
    assert reload(case).state == S.PLACEMENT_PROPOSED
    placement = services.placement_approve(case=case, actor=actor(sam_supervisor))
    reload(case)
    assert case.state == S.PLACED
    assert placement.status == Placement.Status.APPROVED
    assert placement.approved_by == sam_supervisor and placement.approved_at
    assert placement.referral.status == Referral.Status.PLACED
    assert task_of(case) == ("in_post", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-1] == "approve_placement"


def test_a_supervisor_who_proposed_a_placement_cannot_approve_it(
    new_case, make_post, sam_supervisor, tom_supervisor
):
    case = new_case()
    sam = actor(sam_supervisor)
    services.review_start(case=case, actor=sam)
    services.certification_propose(case=case, actor=sam)
    reload(case)
    with time_machine.travel(after_notice(case), tick=False):
        services.certification_approve(case=case, actor=actor(tom_supervisor))
    reload(case)
    services.plan_item_add(
        case=case,
        kind=PlanItem.Kind.POST_REFERRAL,
        description="推荐公益性岗位",
        due_on=timezone.localdate(),
        actor=sam,
    )
    services.plan_start(case=case, actor=sam)
    referral = services.referral_to_post(case=case, post=make_post(), actor=sam)
    services.placement_propose(referral=referral, actor=sam)
    reload(case)
    with pytest.raises(PermissionDenied):
        services.placement_approve(case=case, actor=sam)
    assert not has_transition_perm(case.approve_placement, sam_supervisor)
    with pytest.raises(PermissionDenied):
        services.placement_refuse(case=case, actor=sam, reason="自己提议的")
    services.placement_approve(case=case, actor=actor(tom_supervisor))
    assert reload(case).state == S.PLACED


def test_refusing_a_placement_needs_a_reason_and_returns_to_referred(
    new_case, carol_caseworker, sam_supervisor
):
    case = new_case(S.PLACEMENT_PROPOSED)
    with pytest.raises(ValidationError):
        services.placement_refuse(case=case, actor=actor(sam_supervisor), reason="")
    with pytest.raises(PermissionDenied):
        services.placement_refuse(case=case, actor=actor(carol_caseworker), reason="不合适")
    services.placement_refuse(
        case=case, actor=actor(sam_supervisor), reason="岗位要求夜班，本人需照顾老人"
    )
    reload(case)
    assert case.state == S.REFERRED
    assert case.decision_reason == "岗位要求夜班，本人需照顾老人"
    assert case.placements.get().status == Placement.Status.REFUSED
    # The place stays reserved until the caseworker releases the referral.
    assert case.referrals.get().status == Referral.Status.RESERVED
    assert task_of(case) == ("support_again", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-1] == "refuse_placement"


def test_after_a_refusal_the_same_reserved_place_can_be_proposed_again(
    new_case, carol_caseworker, sam_supervisor
):
    case = new_case(S.PLACEMENT_PROPOSED)
    services.placement_refuse(case=case, actor=actor(sam_supervisor), reason="材料不全")
    services.placement_propose(referral=case.referrals.get(), actor=actor(carol_caseworker))
    assert reload(case).state == S.PLACEMENT_PROPOSED


def test_starting_fixes_the_term_and_keeps_the_in_post_task(new_case, carol_caseworker):
    case = new_case(S.PLACED)
    placement = case.placements.get()
    today = timezone.localdate()
    placement = services.placement_start(
        placement=placement,
        starts_on=today,
        subsidy_approved_on=today,
        actor=actor(carol_caseworker),
    )
    reload(case)
    assert case.state == S.IN_POST
    assert placement.status == Placement.Status.IN_POST
    assert placement.starts_on == today and placement.term_ends_on > today and placement.term_rule
    assert task_of(case) == ("in_post", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-1] == "start_post"
    with pytest.raises(ValidationError):
        services.placement_start(
            placement=placement,
            starts_on=today,
            subsidy_approved_on=today,
            actor=actor(carol_caseworker),
        )


def test_only_an_approved_placement_starts(new_case, carol_caseworker):
    case = new_case(S.PLACEMENT_PROPOSED)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.placement_start(
            placement=case.placements.get(),
            starts_on=today,
            subsidy_approved_on=today,
            actor=actor(carol_caseworker),
        )


def test_leaving_the_post_returns_to_support_and_frees_the_place(new_case, carol_caseworker):
    case = new_case(S.IN_POST)
    placement = case.placements.get()
    services.placement_end(
        placement=placement,
        reason=ExitReason.RESIGNED,
        ended_on=timezone.localdate(),
        actor=actor(carol_caseworker),
    )
    reload(case)
    placement.refresh_from_db()
    assert case.state == S.EXITED
    assert (placement.status, placement.exit_reason) == (
        Placement.Status.ENDED,
        ExitReason.RESIGNED,
    )
    assert placement.referral.status == Referral.Status.RELEASED
    assert task_of(case) == ("support_again", STATUS.ASSIGNED, carol_caseworker)
    assert actions(case)[-1] == "exit_post"


def test_after_leaving_the_plan_resumes_and_the_case_can_be_referred_again(
    new_case, make_post, carol_caseworker
):
    case = new_case(S.IN_POST)
    carol = actor(carol_caseworker)
    services.placement_end(
        placement=case.placements.get(),
        reason=ExitReason.TERM_ENDED,
        ended_on=timezone.localdate(),
        actor=carol,
    )
    services.plan_start(case=case, actor=carol)
    reload(case)
    assert case.state == S.PLAN_ACTIVE
    assert task_of(case) == ("support_again", STATUS.ASSIGNED, carol_caseworker)
    services.referral_to_post(case=case, post=make_post(title="社区公共设施巡查员"), actor=carol)
    assert reload(case).state == S.REFERRED


@pytest.mark.parametrize(
    ("state", "outcome"),
    [
        (S.CERTIFIED, Outcome.NO_LONGER_NEEDED),
        (S.PLAN_ACTIVE, Outcome.NO_LONGER_NEEDED),
        (S.REFERRED, Outcome.NO_LONGER_NEEDED),
    ],
)
def test_closing_ends_the_process_and_releases_held_places(
    new_case, carol_caseworker, state, outcome
):
    case = new_case(state)
    services.case_close(case=case, outcome=outcome, actor=actor(carol_caseworker))
    reload(case)
    assert case.state == S.CLOSED and case.outcome == outcome and case.ended_at
    assert not case.referrals.filter(status__in=Referral.OPEN).exists()
    assert task_of(case) is None
    assert case.process.status == PROCESS.DONE
    assert actions(case)[-1] == "close"


def test_closing_after_leaving_the_post(new_case, carol_caseworker):
    case = new_case(S.IN_POST)
    carol = actor(carol_caseworker)
    services.placement_end(
        placement=case.placements.get(),
        reason=ExitReason.TERM_ENDED,
        ended_on=timezone.localdate(),
        actor=carol,
    )
    services.case_close(case=case, outcome=Outcome.EXITED, actor=carol)
    reload(case)
    assert (case.state, case.outcome) == (S.CLOSED, Outcome.EXITED)
    assert task_of(case) is None


@pytest.mark.parametrize("state", [S.PLACEMENT_PROPOSED, S.PLACED, S.IN_POST])
def test_a_case_with_a_placement_under_way_cannot_simply_be_closed(
    new_case, carol_caseworker, state
):
    case = new_case(state)
    with pytest.raises(TransitionNotAllowed):
        services.case_close(case=case, outcome=Outcome.EXITED, actor=actor(carol_caseworker))
    assert reload(case).state == state


# -- withdrawal and expiry -----------------------------------------------------------------------


@pytest.mark.parametrize("state", list(AssistanceCase.ENTITLED_STATES))
def test_a_supervisor_withdraws_a_certification_from_any_entitled_state(
    new_case, carol_caseworker, sam_supervisor, state
):
    case = new_case(S.IN_POST if state == S.EXITED else state)
    if state == S.EXITED:
        services.placement_end(
            placement=case.placements.get(),
            reason=ExitReason.RESIGNED,
            ended_on=timezone.localdate(),
            actor=actor(carol_caseworker),
        )
    with pytest.raises(PermissionDenied):
        services.certification_withdraw(case=case, actor=actor(carol_caseworker), reason="虚假材料")
    with pytest.raises(ValidationError):
        services.certification_withdraw(case=case, actor=actor(sam_supervisor), reason="")
    services.certification_withdraw(
        case=case, actor=actor(sam_supervisor), reason="提供的失业登记材料不实"
    )
    reload(case)
    assert case.state == S.WITHDRAWN and case.ended_at
    assert case.decision_reason == "提供的失业登记材料不实"
    assert not case.referrals.filter(status__in=Referral.OPEN).exists()
    assert task_of(case) is None
    assert case.process.status == PROCESS.DONE
    assert actions(case)[-1] == "withdraw"


def test_withdrawal_releases_a_held_place_to_the_next_in_line(
    new_case, make_post, carol_caseworker, sam_supervisor
):
    post = make_post(places=1)
    first = new_case(S.PLAN_ACTIVE)
    second = new_case(
        S.PLAN_ACTIVE,
        person=make_person("郑桂兰", id_number(datetime.date(1980, 5, 5), "F"), "13600136011"),
    )
    carol = actor(carol_caseworker)
    held = services.referral_to_post(case=first, post=post, actor=carol)
    waiting = services.referral_to_post(case=second, post=post, actor=carol)
    assert waiting.status == Referral.Status.WAITLISTED
    services.certification_withdraw(case=first, actor=actor(sam_supervisor), reason="已死亡")
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.status == Referral.Status.RELEASED
    assert waiting.status == Referral.Status.RESERVED
    assert actions(second)[-1] == "post_reserved"


@pytest.mark.parametrize(
    "state",
    [
        S.REFERRED,
        S.PLACEMENT_PROPOSED,
        S.PLACED,
        S.IN_POST,
    ],
)
def test_withdrawal_frees_every_place_the_person_holds(new_case, sam_supervisor, state):
    case = new_case(state)
    post = case.referrals.get().post
    services.certification_withdraw(case=case, actor=actor(sam_supervisor), reason="本人申请退出")
    assert not post.referrals.filter(status__in=Referral.HOLDING).exists()
    assert not case.placements.filter(
        status__in=[Placement.Status.PROPOSED, Placement.Status.APPROVED, Placement.Status.IN_POST]
    ).exists()


@pytest.mark.parametrize("state", [S.CERTIFIED, S.PLAN_ACTIVE, S.EXITED])
def test_a_lapsed_certification_expires_through_the_beat_task(new_case, carol_caseworker, state):
    case = new_case(S.IN_POST if state == S.EXITED else state)
    if state == S.EXITED:
        services.placement_end(
            placement=case.placements.get(),
            reason=ExitReason.TERM_ENDED,
            ended_on=timezone.localdate(),
            actor=actor(carol_caseworker),
        )
    day = case.certification_expires + datetime.timedelta(days=1)
    with time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(3)))):
        assert services.expire_certifications() == 1
    reload(case)
    assert case.state == S.EXPIRED
    assert task_of(case) is None
    assert case.process.status == PROCESS.DONE
    event = case.events.last()
    assert (event.action, event.from_state, event.to_state) == ("expire", state, S.EXPIRED)


@pytest.mark.parametrize("state", [S.REFERRED, S.IN_POST])
def test_a_person_referred_or_in_post_does_not_expire_mid_placement(new_case, state):
    case = new_case(state)
    day = case.certification_expires + datetime.timedelta(days=1)
    with time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(3)))):
        assert services.expire_certifications() == 0
    assert reload(case).state == state


def test_expiry_is_not_a_step_anyone_can_take_early(new_case, sam_supervisor):
    case = new_case(S.CERTIFIED)
    with pytest.raises(TransitionNotAllowed):
        flows.run_step(case, "expire", actor=actor(sam_supervisor))


# -- one case along the whole way ----------------------------------------------------------------


def test_one_case_from_application_to_closing_leaves_an_intact_audit_chain(
    new_case, make_post, carol_caseworker, sam_supervisor, employer
):
    case = new_case(S.IN_POST)
    carol = actor(carol_caseworker)
    services.placement_end(
        placement=case.placements.get(),
        reason=ExitReason.TERM_ENDED,
        ended_on=timezone.localdate(),
        actor=carol,
    )
    services.plan_start(case=case, actor=carol)
    job = services.referral_to_employer(case=case, employer=employer, job_title="保洁", actor=carol)
    services.referral_outcome(referral=job, hired=True, actor=carol)
    reload(case)
    assert case.state == S.CLOSED
    # State changes only: other events record the state they leave the case in, with no
    # from_state (the application is the one change that starts from nothing).
    transitions = [
        e.action
        for e in case.events
        if e.from_state != e.to_state and e.to_state and (e.from_state or e.action == "applied")
    ]
    assert transitions == [
        "applied",
        "start_review",
        "publish_notice",
        "certify",
        "start_plan",
        "refer",
        "propose_placement",
        "approve_placement",
        "start_post",
        "exit_post",
        "start_plan",
        "refer",
        "close",
    ]
    count, broken = verify_chains()
    assert count >= len(transitions) and broken == []
