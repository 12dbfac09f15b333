"""Every transition path of a dispute, without HTTP: state, flow task and audit row together."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed
from viewflow.workflow.status import PROCESS, STATUS

from casework.disputes import flows, services
from casework.disputes.models import ClaimType, Dispute
from tests.disputes.fixtures import actor, pay_all, settle

S = Dispute.State


def open_node(dispute: Dispute) -> str | None:
    task = flows.open_task(dispute)
    return task.flow_task.name if task else None


def last_action(dispute: Dispute) -> str:
    return dispute.events.last().action


def test_a_filed_dispute_is_received_with_its_review_task_waiting(new_dispute):
    dispute = new_dispute()
    assert dispute.state == S.RECEIVED
    assert open_node(dispute) == "review_intake"
    assert [e.action for e in dispute.events] == ["filed"]


def test_accepting_moves_the_case_to_the_mediators_queue(new_dispute, alice_mediator):
    dispute = new_dispute()
    services.dispute_accept(dispute=dispute, actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.ACCEPTED and dispute.accepted_at
    assert dispute.owner is None
    task = flows.open_task(dispute)
    assert task.flow_task.name == "mediate" and task.status == STATUS.NEW
    assert last_action(dispute) == "accept"


def test_refusing_needs_a_reason_and_ends_the_process(new_dispute, alice_mediator):
    dispute = new_dispute()
    with pytest.raises(ValidationError):
        services.dispute_refuse(dispute=dispute, actor=actor(alice_mediator), reason=" ")
    services.dispute_refuse(dispute=dispute, actor=actor(alice_mediator), reason="不属于劳动争议")
    dispute.refresh_from_db()
    assert dispute.state == S.NOT_ACCEPTED
    assert dispute.decision_reason == "不属于劳动争议"
    assert open_node(dispute) is None
    assert dispute.process.status == PROCESS.DONE


def test_someone_without_the_accept_permission_cannot_accept(new_dispute, carol_caseworker):
    dispute = new_dispute()
    with pytest.raises(PermissionDenied):
        services.dispute_accept(dispute=dispute, actor=actor(carol_caseworker))
    dispute.refresh_from_db()
    assert dispute.state == S.RECEIVED
    assert open_node(dispute) == "review_intake"


def test_taking_assigns_the_case_and_its_task_to_the_mediator(new_dispute, alice_mediator):
    dispute = new_dispute(S.ACCEPTED)
    assert services.dispute_take(dispute=dispute, actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.IN_MEDIATION and dispute.owner == alice_mediator
    task = flows.open_task(dispute)
    assert (task.flow_task.name, task.status, task.owner) == (
        "mediate",
        STATUS.ASSIGNED,
        alice_mediator,
    )
    assert [e.action for e in dispute.events][-2:] == ["claimed", "start_mediation"]


def test_a_taken_case_cannot_be_taken_again(new_dispute, alice_mediator, bob_mediator):
    dispute = new_dispute(S.ACCEPTED)
    assert services.dispute_take(dispute=dispute, actor=actor(alice_mediator))
    assert not services.dispute_take(dispute=dispute, actor=actor(bob_mediator))
    dispute.refresh_from_db()
    assert dispute.owner == alice_mediator


def test_settling_needs_instalments_that_add_up(new_dispute, alice_mediator):
    dispute = new_dispute(S.IN_MEDIATION)
    assert not can_proceed(dispute.settle)
    with pytest.raises(ValidationError) as refused:
        services.settlement_record(
            dispute=dispute,
            amount=Decimal("3000"),
            method="cash",
            terms="",
            instalments=[(timezone.localdate(), Decimal("1000"))],
            actor=actor(alice_mediator),
        )
    assert "1000.00" in refused.value.messages[0] and "3000.00" in refused.value.messages[0]
    settle(dispute, actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.SETTLED
    assert open_node(dispute) == "collect_marks"


def test_a_mediator_cannot_record_the_outcome_of_a_case_another_holds(new_dispute, bob_mediator):
    dispute = new_dispute(S.IN_MEDIATION)  # held by alice
    with pytest.raises(PermissionDenied):
        settle(dispute, actor(bob_mediator))
    with pytest.raises(PermissionDenied):
        services.dispute_terminate(
            dispute=dispute, reason="no_agreement", note="", actor=actor(bob_mediator)
        )
    dispute.refresh_from_db()
    assert dispute.state == S.IN_MEDIATION


def test_revising_the_terms_returns_the_case_to_mediation(new_dispute, alice_mediator):
    dispute = new_dispute(S.SETTLED)
    services.settlement_revise(dispute=dispute, actor=actor(alice_mediator), note="金额调整")
    dispute.refresh_from_db()
    assert dispute.state == S.IN_MEDIATION
    task = flows.open_task(dispute)
    assert task.flow_task.name == "mediate_again" and task.owner == alice_mediator
    settle(dispute, actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.SETTLED


def test_the_agreement_takes_effect_only_with_all_four_marks(new_dispute, alice_mediator):
    dispute = new_dispute(S.SETTLED)
    me = actor(alice_mediator)
    for mark in ("applicant_signed_at", "respondent_signed_at", "mediator_signed_at"):
        services.mark_record(dispute=dispute, mark=mark, actor=me)
        dispute.refresh_from_db()
        assert dispute.state == S.SETTLED
    assert not can_proceed(dispute.make_effective)
    with pytest.raises(ValidationError):
        services.mark_record(dispute=dispute, mark="mediator_signed_at", actor=me)
    services.mark_record(dispute=dispute, mark="body_sealed_at", actor=me)
    dispute.refresh_from_db()
    assert dispute.state == S.EFFECTIVE
    assert dispute.settlement.mediator == alice_mediator
    assert open_node(dispute) == "follow_up"


@pytest.mark.parametrize("start", [S.IN_MEDIATION, S.SETTLED])
def test_mediation_can_be_terminated_without_agreement(new_dispute, alice_mediator, start):
    dispute = new_dispute(start)
    services.dispute_terminate(
        dispute=dispute,
        reason="party_refused",
        note="被申请人拒绝调解",
        actor=actor(alice_mediator),
    )
    dispute.refresh_from_db()
    assert dispute.state == S.TERMINATED
    assert dispute.termination_reason == "party_refused"
    assert dispute.outcome_note == "被申请人拒绝调解"
    assert dispute.process.status == PROCESS.DONE


def test_termination_for_the_deadline_waits_for_the_deadline(new_dispute, alice_mediator):
    dispute = new_dispute(S.IN_MEDIATION)
    with pytest.raises(ValidationError):
        services.dispute_terminate(
            dispute=dispute, reason="deadline_passed", note="", actor=actor(alice_mediator)
        )
    with time_machine.travel(dispute.due_date + datetime.timedelta(days=1)):
        services.dispute_terminate(
            dispute=dispute, reason="deadline_passed", note="", actor=actor(alice_mediator)
        )
    dispute.refresh_from_db()
    assert dispute.state == S.TERMINATED


@pytest.mark.parametrize("start", [S.RECEIVED, S.ACCEPTED, S.IN_MEDIATION, S.SETTLED])
def test_the_applicant_may_withdraw_before_the_agreement_is_effective(
    new_dispute, wang_worker, start
):
    dispute = new_dispute(start)
    services.dispute_withdraw(dispute=dispute, reason="已和解", actor=actor(wang_worker))
    dispute.refresh_from_db()
    assert dispute.state == S.WITHDRAWN
    assert open_node(dispute) is None


def test_an_effective_agreement_cannot_be_withdrawn(new_dispute, wang_worker):
    dispute = new_dispute(S.EFFECTIVE)
    with pytest.raises(TransitionNotAllowed):
        services.dispute_withdraw(dispute=dispute, reason="x", actor=actor(wang_worker))


def test_paying_every_instalment_performs_the_agreement(new_dispute, alice_mediator):
    dispute = new_dispute(S.EFFECTIVE)
    me = actor(alice_mediator)
    first, second = dispute.settlement.instalments.all()
    services.payment_record(
        dispute=dispute,
        instalment=first,
        amount=Decimal("1500"),
        paid_on=timezone.localdate(),
        note="",
        actor=me,
    )
    dispute.refresh_from_db()
    assert dispute.state == S.EFFECTIVE
    with pytest.raises(ValidationError):  # more than is owed
        services.payment_record(
            dispute=dispute,
            instalment=second,
            amount=Decimal("1500.01"),
            paid_on=timezone.localdate(),
            note="",
            actor=me,
        )
    pay_all(dispute, me)
    dispute.refresh_from_db()
    assert dispute.state == S.PERFORMED
    services.dispute_close(dispute=dispute, actor=me)
    dispute.refresh_from_db()
    assert dispute.state == S.CLOSED
    assert dispute.process.status == PROCESS.DONE


def test_default_needs_a_missed_instalment(new_dispute, alice_mediator):
    dispute = new_dispute(S.EFFECTIVE)
    assert not can_proceed(dispute.mark_defaulted)
    first = dispute.settlement.instalments.first()
    with time_machine.travel(first.due_date + datetime.timedelta(days=1)):
        assert can_proceed(dispute.mark_defaulted)
        services.dispute_mark_defaulted(dispute=dispute, actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.DEFAULTED
    assert open_node(dispute) == "refer"


def test_a_default_on_wages_is_referred_for_a_payment_order_then_closed(
    new_dispute, alice_mediator
):
    dispute = new_dispute(S.REFERRED)
    assert dispute.referral == Dispute.Referral.PAYMENT_ORDER
    services.dispute_close(dispute=dispute, actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.CLOSED


def test_a_default_on_other_claims_can_only_go_to_arbitration(new_dispute, alice_mediator):
    dispute = new_dispute(S.EFFECTIVE, claims=[services.Claim(ClaimType.OTHER, Decimal("800"))])
    first = dispute.settlement.instalments.first()
    with time_machine.travel(first.due_date + datetime.timedelta(days=1)):
        services.dispute_mark_defaulted(dispute=dispute, actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert not can_proceed(dispute.refer_payment_order)
    with pytest.raises(TransitionNotAllowed):
        services.dispute_refer(
            dispute=dispute, referral="payment_order", actor=actor(alice_mediator)
        )
    services.dispute_refer(dispute=dispute, referral="arbitration", actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == S.REFERRED and dispute.referral == Dispute.Referral.ARBITRATION


def test_an_extension_needs_both_parties_and_moves_the_deadline(new_dispute, alice_mediator):
    dispute = new_dispute(S.IN_MEDIATION)
    me = actor(alice_mediator)
    later = dispute.due_date + datetime.timedelta(days=10)
    with pytest.raises(ValidationError):
        services.extension_record(
            dispute=dispute,
            new_due=later,
            applicant_agreed=True,
            respondent_agreed=False,
            note="",
            actor=me,
        )
    services.extension_record(
        dispute=dispute,
        new_due=later,
        applicant_agreed=True,
        respondent_agreed=True,
        note="双方在笔录上签字同意延期",
        actor=me,
    )
    dispute.refresh_from_db()
    assert dispute.due_date == later and dispute.extended
    assert dispute.extensions.get().previous_due == dispute.mediation_due
    assert last_action(dispute) == "extended"


def test_every_step_leaves_a_valid_audit_chain(new_dispute):
    from casework.core.audit import verify_chains

    new_dispute(S.CLOSED)
    checked, broken = verify_chains()
    assert checked and not broken


def test_wage_arrears_and_group_cases_come_first(new_dispute, wang_worker, li_worker):
    single_other = new_dispute(claims=[services.Claim(ClaimType.OTHER, Decimal("500"))])
    single_wages = new_dispute()
    group_wages = new_dispute(applicants=[wang_worker.person, li_worker.person])
    assert (single_other.priority, single_wages.priority, group_wages.priority) == (0, 1, 2)
    ordered = list(Dispute.objects.in_queue_order())
    assert ordered[0] == group_wages and ordered[-1] == single_other
