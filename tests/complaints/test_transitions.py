"""Every edge of the complaint workflow, without HTTP: state, audit row, flow task, refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from casework.complaints import services
from casework.complaints.models import (
    Complaint,
    NotAcceptedReason,
    Outcome,
    ReferralTarget,
    Sanction,
    tracking_hash,
)
from casework.complaints.penalties import Conduct
from casework.core.flows import open_task
from casework.core.models import CaseEvent
from tests.complaints.fixtures import actor, file_anonymous, interview, public

pytestmark = pytest.mark.usefixtures("in_english")

S = Complaint.State


def task_name(complaint: Complaint) -> str | None:
    task = open_task(complaint)
    return task.flow_task.name if task is not None else None


def last_action(complaint: Complaint) -> str:
    return complaint.events.last().action


# -- intake --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_web_complaint_waits_unowned_in_the_acceptance_queue(market):
    filed = file_anonymous(market)
    complaint = filed.complaint
    assert complaint.state == S.RECEIVED
    assert complaint.owner is None
    assert task_name(complaint) == "acceptance"
    assert open_task(complaint).owner is None
    assert complaint.code.startswith("IC-")


@pytest.mark.django_db
def test_only_the_hash_of_the_tracking_code_is_stored(market):
    filed = file_anonymous(market)
    complaint = Complaint.objects.get(pk=filed.complaint.pk)
    assert complaint.tracking_hash == tracking_hash(filed.tracking_code)
    stored = [
        str(value) for value in Complaint.objects.filter(pk=complaint.pk).values().get().values()
    ]
    assert filed.tracking_code not in " ".join(stored)
    assert services.complaint_by_tracking_code(filed.tracking_code.lower()) == complaint


@pytest.mark.django_db
def test_the_officer_who_receives_a_complaint_at_the_counter_holds_it(
    market, olga_officer, applicant
):
    filed = services.complaint_file(
        market=market,
        channel="counter",
        categories=[Conduct.ID_WITHHELD],
        facts="中介以“保管”为名扣押身份证。",
        conduct_on=timezone.localdate() - datetime.timedelta(days=2),
        respondent_name_given="速聘人力中介",
        complainant=applicant,
        actor=actor(olga_officer),
    )
    complaint = filed.complaint
    assert complaint.owner == olga_officer
    assert complaint.received_by == olga_officer
    assert open_task(complaint).owner == olga_officer
    assert complaint.notice_mobile == applicant.mobile


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": []}, "Choose at least one kind of conduct."),
        ({"conduct_on": datetime.date(2999, 1, 1)}, "future"),
        ({"complainant_name": "张三"}, "anonymous complaint records no complainant"),
        ({"deposit_amount": None}, "deposit"),
        ({"channel": "portal"}, "portal needs the worker"),
        ({"contact_mobile": "12345"}, ""),
    ],
)
def test_bad_intake_saves_nothing(market, overrides, message):
    before = (Complaint.objects.count(), CaseEvent.objects.count())
    with pytest.raises(ValidationError) as raised:
        file_anonymous(market, **overrides)
    assert message in " ".join(raised.value.messages)
    assert (Complaint.objects.count(), CaseEvent.objects.count()) == before


# -- acceptance ----------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_needs_the_holder(make_complaint, market, olga_officer, intermediary):
    complaint = file_anonymous(market).complaint
    with pytest.raises(PermissionDenied):
        services.complaint_accept(complaint=complaint, actor=actor(olga_officer))
    services.complaint_take(complaint=complaint, actor=actor(olga_officer))
    services.respondent_link(
        complaint=complaint, respondent=intermediary, actor=actor(olga_officer)
    )
    services.complaint_accept(complaint=complaint, actor=actor(olga_officer))
    complaint.refresh_from_db()
    assert complaint.state == S.ACCEPTED
    assert complaint.accepted_at is not None
    assert task_name(complaint) == "investigate"
    assert last_action(complaint) == "accept"


@pytest.mark.django_db
def test_a_complaint_without_an_identified_respondent_cannot_be_accepted(make_complaint):
    complaint = make_complaint(respondent=None)
    with pytest.raises(ValidationError, match="Identify the intermediary"):
        services.complaint_accept(complaint=complaint, actor=actor(complaint.owner))
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED


@pytest.mark.django_db
def test_conduct_more_than_two_years_old_cannot_be_accepted(make_complaint):
    old = timezone.localdate() - datetime.timedelta(days=2 * 366)
    complaint = make_complaint(conduct_on=old)
    with pytest.raises(ValidationError, match="more than 2 years"):
        services.complaint_accept(complaint=complaint, actor=actor(complaint.owner))
    services.complaint_not_accept(
        complaint=complaint, reason=NotAcceptedReason.TOO_OLD, actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()
    assert complaint.state == S.NOT_ACCEPTED
    assert task_name(complaint) is None
    assert complaint.process.finished is not None


@pytest.mark.django_db
def test_not_competent_must_name_the_competent_authority(make_complaint):
    complaint = make_complaint()
    with pytest.raises(ValidationError, match="Name the authority"):
        services.complaint_not_accept(
            complaint=complaint,
            reason=NotAcceptedReason.NOT_COMPETENT,
            actor=actor(complaint.owner),
        )
    services.complaint_not_accept(
        complaint=complaint,
        reason=NotAcceptedReason.NOT_COMPETENT,
        authority="测试区市场监督管理局",
        actor=actor(complaint.owner),
    )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.competent_authority) == (
        S.NOT_ACCEPTED,
        "测试区市场监督管理局",
    )


@pytest.mark.django_db
def test_a_supplement_request_waits_then_returns_to_the_acceptance_decision(make_complaint):
    complaint = make_complaint()
    by = actor(complaint.owner)
    services.supplement_request(
        complaint=complaint,
        items=["转账记录"],
        due=timezone.localdate() + datetime.timedelta(days=10),
        actor=by,
    )
    complaint.refresh_from_db()
    assert (complaint.state, task_name(complaint)) == (S.SUPPLEMENT_REQUESTED, "await_supplement")
    services.supplement_receive(complaint=complaint, note="收到转账记录截图", actor=by)
    complaint.refresh_from_db()
    assert (complaint.state, task_name(complaint)) == (S.RECEIVED, "acceptance_again")
    services.complaint_accept(complaint=complaint, actor=by)
    complaint.refresh_from_db()
    assert (complaint.state, task_name(complaint)) == (S.ACCEPTED, "investigate")


@pytest.mark.django_db
def test_a_supplement_that_never_arrives_ends_in_non_acceptance(make_complaint):
    complaint = make_complaint()
    by = actor(complaint.owner)
    services.supplement_request(
        complaint=complaint,
        items=["转账记录"],
        due=timezone.localdate() + datetime.timedelta(days=10),
        actor=by,
    )
    services.complaint_not_accept(
        complaint=complaint, reason=NotAcceptedReason.NO_SUPPLEMENT, actor=by
    )
    complaint.refresh_from_db()
    assert complaint.state == S.NOT_ACCEPTED
    assert complaint.acceptance_paused_on is None
    assert task_name(complaint) is None


# -- investigation, decision, hearing, closing ----------------------------------------


@pytest.mark.django_db
def test_starting_the_investigation_keeps_the_task_with_the_officer(make_complaint):
    complaint = make_complaint(S.INVESTIGATING)
    assert complaint.state == S.INVESTIGATING
    task = open_task(complaint)
    assert task.flow_task.name == "investigate"
    assert task.owner == complaint.owner


@pytest.mark.django_db
def test_a_decision_needs_an_investigation_record(make_complaint):
    complaint = make_complaint(S.INVESTIGATING)
    decision = services.Decision(outcome=Outcome.NO_VIOLATION, findings="未发现收取押金的证据。")
    with pytest.raises(ValidationError, match="investigation record"):
        services.complaint_decide(
            complaint=complaint, decision=decision, actor=actor(complaint.owner)
        )
    interview(complaint, complaint.owner)
    services.complaint_decide(complaint=complaint, decision=decision, actor=actor(complaint.owner))
    complaint.refresh_from_db()
    assert (complaint.state, complaint.outcome, task_name(complaint)) == (
        S.DECIDED,
        Outcome.NO_VIOLATION,
        "hearing",
    )


@pytest.mark.django_db
def test_an_interview_is_recorded_only_while_investigating(make_complaint):
    complaint = make_complaint(S.ACCEPTED)
    with pytest.raises(ValidationError, match="not possible now"):
        interview(complaint, complaint.owner)


@pytest.mark.django_db
def test_the_hearing_needs_a_statement_or_the_note_that_none_was_made(make_complaint):
    complaint = make_complaint(S.DECIDED)
    with pytest.raises(ValidationError, match="statement"):
        services.respondent_hear(
            complaint=complaint, statement=" ", waived=False, actor=actor(complaint.owner)
        )
    services.respondent_hear(
        complaint=complaint, statement="", waived=True, actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.hearing_waived, task_name(complaint)) == (
        S.RESPONDENT_HEARD,
        True,
        "closing",
    )


@pytest.mark.django_db
def test_closing_an_order_to_correct_publishes_the_sanction(make_complaint, intermediary):
    complaint = make_complaint(S.CLOSED)
    assert complaint.state == S.CLOSED
    assert complaint.process.finished is not None
    assert complaint.result_summary.startswith("经调查，被投诉人存在违法行为，已责令其限期改正")
    sanction = Sanction.objects.get(complaint=complaint)
    assert (sanction.intermediary, sanction.conduct, sanction.outcome) == (
        intermediary,
        Conduct.DEPOSIT,
        Outcome.ORDER_TO_CORRECT,
    )


@pytest.mark.django_db
def test_closing_without_a_violation_publishes_nothing(make_complaint):
    decision = services.Decision(outcome=Outcome.NO_VIOLATION, findings="未发现违法行为。")
    complaint = make_complaint(S.CLOSED, decision=decision)
    assert complaint.state == S.CLOSED
    assert not Sanction.objects.filter(complaint=complaint).exists()


@pytest.mark.django_db
def test_a_proposed_penalty_is_recorded_with_its_amount_and_not_published(make_complaint):
    decision = services.Decision(
        outcome=Outcome.PENALTY_PROPOSED,
        conduct_found=Conduct.DEPOSIT,
        workers_affected=3,
        findings="收取三名劳动者押金。",
        measures="退还押金并处罚款。",
        penalty_amount=Decimal("3000"),
    )
    complaint = make_complaint(S.CLOSED, decision=decision)
    assert complaint.penalty_amount == Decimal("3000.00")
    # A proposal, not a decision: the labour administration decides the fine.
    assert not Sanction.objects.filter(complaint=complaint).exists()


# -- referral ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.ACCEPTED, S.INVESTIGATING])
def test_a_complaint_can_be_referred_from_accepted_or_investigating(make_complaint, state):
    # Referred elsewhere than labour inspection, it ends here (test_inspection_feedback).
    complaint = make_complaint(state)
    services.complaint_refer(
        complaint=complaint,
        target=ReferralTarget.MARKET_REGULATION,
        body="测试区市场监督管理局",
        reason="涉及虚假宣传，属市场监督管理职责。",
        actor=actor(complaint.owner),
    )
    complaint.refresh_from_db()
    assert complaint.state == S.REFERRED
    assert complaint.result_summary == "您的投诉已移送测试区市场监督管理局依法处理。"
    assert task_name(complaint) is None


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.RECEIVED, S.DECIDED])
def test_a_complaint_cannot_be_referred_before_acceptance_or_after_the_decision(
    make_complaint, state
):
    complaint = make_complaint(state)
    with pytest.raises(TransitionNotAllowed):
        services.complaint_refer(
            complaint=complaint,
            target=ReferralTarget.POLICE,
            body="测试区公安分局",
            reason="涉嫌诈骗",
            actor=actor(complaint.owner),
        )


# -- who may act ---------------------------------------------------------------------


@pytest.mark.django_db
def test_another_officer_cannot_act_on_a_held_complaint(make_complaint, market):
    from tests.conftest import make_user

    other = make_user("otto", "complaint_officer", markets=[market])
    complaint = make_complaint()
    assert not services.complaint_take(complaint=complaint, actor=actor(other))
    with pytest.raises(PermissionDenied):
        services.complaint_accept(complaint=complaint, actor=actor(other))


@pytest.mark.django_db
def test_a_caseworker_holding_nothing_cannot_take_a_step(make_complaint, carol_caseworker):
    complaint = make_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(owner=carol_caseworker)
    complaint.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.complaint_accept(complaint=complaint, actor=actor(carol_caseworker))


@pytest.mark.django_db
def test_a_supervisor_hands_a_complaint_over_and_the_task_follows(
    make_complaint, market, sam_supervisor
):
    from tests.conftest import make_user

    other = make_user("otto", "complaint_officer", markets=[market])
    complaint = make_complaint()
    services.complaint_reassign(
        complaint=complaint, to=other, actor=actor(sam_supervisor), reason="休假"
    )
    complaint.refresh_from_db()
    assert complaint.owner == other
    assert open_task(complaint).owner == other
    assert last_action(complaint) == "reassigned"


@pytest.mark.django_db
def test_every_step_leaves_an_intact_audit_chain(make_complaint):
    from casework.core.audit import verify_chains

    make_complaint(S.CLOSED)
    count, broken = verify_chains()
    assert count > 0 and not broken


@pytest.mark.django_db
def test_the_public_actor_files_without_a_user(market):
    filed = file_anonymous(market, actor=public())
    first = filed.complaint.events.first()
    assert (first.action, first.actor_id, first.role) == ("filed", None, "public")


@pytest.mark.django_db
def test_only_a_complaint_officer_can_take_a_complaint(market, carol_caseworker):
    complaint = file_anonymous(market).complaint
    with pytest.raises(PermissionDenied):
        services.complaint_take(complaint=complaint, actor=actor(carol_caseworker))
    complaint.refresh_from_db()
    assert complaint.owner is None


@pytest.mark.django_db
def test_a_hand_over_needs_a_supervisor_and_an_officer_of_the_market(
    make_complaint, market, other_market, sam_supervisor, olga_officer
):
    from tests.conftest import make_user

    complaint = make_complaint()
    elsewhere = make_user("otto", "complaint_officer", markets=[other_market])
    with pytest.raises(PermissionDenied):
        services.complaint_reassign(
            complaint=complaint, to=olga_officer, actor=actor(olga_officer), reason="x"
        )
    with pytest.raises(ValidationError, match="this market"):
        services.complaint_reassign(
            complaint=complaint, to=elsewhere, actor=actor(sam_supervisor), reason="休假"
        )
    closed = make_complaint(S.CLOSED)
    here = make_user("hana", "complaint_officer", markets=[market])
    with pytest.raises(ValidationError, match="finished"):
        services.complaint_reassign(
            complaint=closed, to=here, actor=actor(sam_supervisor), reason="休假"
        )


@pytest.mark.django_db
def test_only_the_holder_adds_evidence_later(make_complaint, market):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import make_user

    complaint = make_complaint()
    other = make_user("otto", "complaint_officer", markets=[market])
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        services.evidence_add(complaint=complaint, upload=upload, actor=actor(other))
    item = services.evidence_add(complaint=complaint, upload=upload, actor=actor(complaint.owner))
    assert item.content_type == "application/pdf"
    assert last_action(complaint) == "evidence_added"


@pytest.mark.django_db
def test_a_respondent_registered_on_the_spot_becomes_an_intermediary(make_complaint):
    from casework.parties.models import Organization

    complaint = make_complaint(respondent=None)
    org = Organization(name="新登记劳务中介", credit_code="91330100MA2B00003E", licence_number="无")
    services.respondent_register(
        complaint=complaint, intermediary=org, actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()
    assert complaint.respondent == org
    assert org.kind == Organization.Kind.INTERMEDIARY
