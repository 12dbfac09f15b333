"""Every path of the agreement's state diagram, without HTTP (docs/workflows.md, "Tests")."""

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed
from viewflow.workflow.status import STATUS

from agreements import services
from agreements.models import Agreement, Party, PaymentStatus, StandardTerms
from casework.core.audit import Actor, verify_chains
from casework.core.flows import open_task
from tests.agreements.fixtures import past_work, sign, staff_actor

S = Agreement.State
pytestmark = pytest.mark.django_db


def actions(agreement: Agreement) -> list[str]:
    return list(agreement.events.values_list("action", flat=True))


def task_name(agreement: Agreement) -> str | None:
    task = open_task(agreement)
    return task.flow_task.name if task else None


# -- making and sending ----------------------------------------------------------------


def test_a_new_agreement_is_a_draft_made_from_the_active_terms(new_agreement):
    agreement = new_agreement()
    assert agreement.state == S.DRAFT
    assert agreement.code.startswith("GA-")
    assert agreement.terms == StandardTerms.active()
    assert agreement.owner.username == "carol"
    assert task_name(agreement) == "prepare"
    assert actions(agreement) == ["created"]


def test_sending_fixes_the_text_and_its_hash(new_agreement, verified_parties):
    agreement = new_agreement(S.SENT)
    assert agreement.state == S.SENT
    assert agreement.text_hash == hashlib.sha256(agreement.final_text.encode()).hexdigest()
    for clause in agreement.terms.clauses.all():
        assert clause.heading in agreement.final_text
    assert agreement.worker.masked_id in agreement.final_text
    assert agreement.worker.id_number not in agreement.final_text
    assert agreement.sign_deadline > timezone.now()
    assert task_name(agreement) == "collect_signatures"


def test_a_sent_agreement_cannot_be_edited(new_agreement, carol_caseworker):
    agreement = new_agreement(S.SENT)
    with pytest.raises(ValidationError):
        services.agreement_update(
            agreement=agreement,
            particulars={"work_place": "别处"},
            actor=staff_actor(carol_caseworker),
        )


def test_the_terms_version_is_frozen_when_a_new_version_is_published(new_agreement):
    agreement = new_agreement(S.SENT)
    old = agreement.terms
    StandardTerms.objects.filter(pk=old.pk).update(is_active=False)
    newer = StandardTerms.objects.create(
        version="2027版", published_on="2027-01-01", is_active=True
    )
    agreement.refresh_from_db()
    assert agreement.terms == old != newer
    assert old.in_use


@pytest.mark.parametrize("state", [S.DRAFT, S.SENT, S.PARTLY_SIGNED])
def test_an_unsigned_agreement_can_be_cancelled_with_a_reason(
    new_agreement, verified_parties, carol_caseworker, state
):
    agreement = new_agreement(state)
    with pytest.raises(ValidationError):
        services.agreement_cancel(
            agreement=agreement, actor=staff_actor(carol_caseworker), reason=" "
        )
    services.agreement_cancel(
        agreement=agreement, actor=staff_actor(carol_caseworker), reason="用工方取消招工"
    )
    agreement.refresh_from_db()
    assert agreement.state == S.CANCELLED
    assert agreement.end_reason == "用工方取消招工"
    assert open_task(agreement) is None
    assert agreement.process.status == STATUS.DONE


def test_a_signed_agreement_cannot_be_cancelled(new_agreement, verified_parties, carol_caseworker):
    agreement = new_agreement(S.SIGNED)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_cancel(
            agreement=agreement, actor=staff_actor(carol_caseworker), reason="x"
        )


def test_a_worker_cannot_cancel(new_agreement, wang_worker):
    agreement = new_agreement()
    with pytest.raises(PermissionDenied):
        services.agreement_cancel(agreement=agreement, actor=Actor(user=wang_worker), reason="x")


# -- signing -------------------------------------------------------------------------------


def test_either_party_may_sign_first_by_default(
    new_agreement, verified_parties, hui_hiring, wang_worker
):
    agreement = new_agreement(S.SENT)
    sign(agreement, Party.HIRING, hui_hiring)
    agreement.refresh_from_db()
    assert agreement.state == S.PARTLY_SIGNED
    assert task_name(agreement) == "collect_signatures"  # the first signature finishes nothing
    sign(agreement, Party.WORKER, wang_worker)
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED
    assert agreement.signed_at is not None
    assert task_name(agreement) == "in_force"


def test_the_hiring_party_signs_first_when_set(
    new_agreement, verified_parties, wang_worker, hui_hiring
):
    agreement = new_agreement(S.SENT, hiring_party_first=True)
    with pytest.raises(ValidationError, match=r"must sign first|须由用工方先签署"):
        sign(agreement, Party.WORKER, wang_worker)
    sign(agreement, Party.HIRING, hui_hiring)
    sign(agreement, Party.WORKER, wang_worker)
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED


def test_the_signature_binds_the_real_name_checks_the_hash_and_the_evidence(
    new_agreement, verified_parties, hiring_org, hui_hiring, worker_person
):
    agreement = new_agreement(S.SIGNED)
    worker_sig = agreement.signatures.get(party=Party.WORKER)
    hiring_sig = agreement.signatures.get(party=Party.HIRING)
    assert worker_sig.real_name_check.person == worker_person
    assert worker_sig.signer_check is None
    assert hiring_sig.real_name_check.organization == hiring_org
    assert hiring_sig.signer_check.person == hui_hiring.person
    assert hiring_sig.organization == hiring_org
    for sig in (worker_sig, hiring_sig):
        assert sig.text_hash == agreement.text_hash
        assert sig.client_ip == "10.0.0.9"
        assert sig.user_agent == "pytest"
        assert sig.code.used_at is not None


def test_an_unverified_worker_can_neither_get_a_code_nor_sign(
    new_agreement, wang_worker, hiring_org
):
    agreement = new_agreement(S.SENT)  # no real-name checks at all
    status = services.party_status(agreement, Party.WORKER)
    assert not status.verified
    with pytest.raises(ValidationError):
        services.signing_code_send(
            agreement=agreement, party=Party.WORKER, actor=Actor(user=wang_worker)
        )
    with pytest.raises(ValidationError):
        services.agreement_sign(
            agreement=agreement, party=Party.WORKER, code="000000", actor=Actor(user=wang_worker)
        )
    assert not agreement.signatures.exists()


def test_a_failed_later_check_makes_a_party_unverified(
    new_agreement, verified_parties, worker_person
):
    agreement = new_agreement(S.SENT)
    assert services.party_status(agreement, Party.WORKER).verified
    worker_person.real_name_checks.create(
        method="id_card_seen", result="failed", note="证件与本人不符"
    )
    assert not services.party_status(agreement, Party.WORKER).verified


def test_an_organisation_needs_its_licence_and_its_handling_person_checked(
    new_agreement, worker_person, hiring_org, hui_hiring
):
    from tests.agreements.fixtures import verify

    agreement = new_agreement(S.SENT)
    verify(worker_person)
    assert len(services.party_status(agreement, Party.HIRING).problems) == 2
    verify(hiring_org)
    assert len(services.party_status(agreement, Party.HIRING).problems) == 1
    verify(hui_hiring.person)
    assert services.party_status(agreement, Party.HIRING).verified


def test_one_party_cannot_sign_for_the_other(
    new_agreement, verified_parties, hui_hiring, li_worker
):
    agreement = new_agreement(S.SENT)
    for user in (hui_hiring, li_worker):
        with pytest.raises(PermissionDenied):
            services.signing_code_send(
                agreement=agreement, party=Party.WORKER, actor=Actor(user=user)
            )


def test_the_identity_service_records_a_check(new_agreement, worker_person, carol_caseworker):
    # The test worker is not a demo person: the demo service refuses and says so.
    check = services.identity_verify(person=worker_person, actor=staff_actor(carol_caseworker))
    assert check.method == "verification_service"
    assert check.result == "failed"
    assert check.note


# -- after signing -------------------------------------------------------------------------


def test_completed_work_is_then_confirmed_paid(new_agreement, verified_parties, wang_worker):
    agreement = new_agreement(S.COMPLETED)
    assert agreement.completed_at is not None
    assert agreement.process.status == STATUS.DONE
    services.payment_report(agreement=agreement, paid=True, actor=Actor(user=wang_worker))
    assert agreement.payment_status == PaymentStatus.PAID
    with pytest.raises(ValidationError):
        services.payment_report(agreement=agreement, paid=False, actor=Actor(user=wang_worker))
    assert actions(agreement)[-1] == "payment_confirmed"


def test_unpaid_work_prefills_a_wage_dispute(
    new_agreement, verified_parties, wang_worker, hiring_org
):
    agreement = new_agreement(S.COMPLETED, **past_work())
    services.payment_report(agreement=agreement, paid=False, actor=Actor(user=wang_worker))
    assert agreement.payment_status == PaymentStatus.UNPAID
    initial = services.dispute_initial(agreement)
    assert initial["respondent"] == hiring_org
    assert initial["amount"] == agreement.pay_total
    assert initial["source_agreement_code"] == agreement.code
    assert agreement.code in initial["reasons"]


def test_pay_is_reported_unpaid_only_after_its_due_date(
    new_agreement, verified_parties, wang_worker
):
    agreement = new_agreement(S.COMPLETED)  # pay due the day after tomorrow
    with pytest.raises(ValidationError):
        services.payment_report(agreement=agreement, paid=False, actor=Actor(user=wang_worker))
    late = agreement.payment_date + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(10))):
        services.payment_report(agreement=agreement, paid=False, actor=Actor(user=wang_worker))
    assert agreement.payment_status == PaymentStatus.UNPAID


def test_payment_is_reported_only_after_completion(new_agreement, verified_parties, wang_worker):
    agreement = new_agreement(S.SIGNED)
    with pytest.raises(ValidationError):
        services.payment_report(agreement=agreement, paid=True, actor=Actor(user=wang_worker))


def test_the_worker_cannot_mark_the_work_completed(
    new_agreement, verified_parties, wang_worker, hui_hiring
):
    agreement = new_agreement(S.SIGNED)
    with pytest.raises(PermissionDenied):
        services.agreement_complete(agreement=agreement, actor=Actor(user=wang_worker))
    services.agreement_complete(agreement=agreement, actor=Actor(user=hui_hiring))
    assert agreement.state == S.COMPLETED


def test_a_signed_agreement_is_terminated_with_a_reason(
    new_agreement, verified_parties, carol_caseworker, hui_hiring
):
    agreement = new_agreement(S.SIGNED)
    with pytest.raises(PermissionDenied):
        services.agreement_terminate(agreement=agreement, actor=Actor(user=hui_hiring), reason="x")
    services.agreement_terminate(
        agreement=agreement, actor=staff_actor(carol_caseworker), reason="双方协商一致解除"
    )
    agreement.refresh_from_db()
    assert agreement.state == S.TERMINATED
    assert agreement.process.status == STATUS.DONE


def test_a_change_after_signing_is_a_new_agreement_that_replaces_the_old_one(
    new_agreement, verified_parties, carol_caseworker, wang_worker, hui_hiring
):
    old = new_agreement(S.SIGNED)
    by = staff_actor(carol_caseworker)
    new = services.agreement_change(agreement=old, actor=by, particulars={"pay_rate": 350})
    assert new.supersedes == old
    assert new.state == S.DRAFT
    with pytest.raises(ValidationError):
        services.agreement_change(agreement=old, actor=by, particulars={})
    services.agreement_send(agreement=new, actor=by)
    assert f"取代协议{old.code}" in new.final_text
    old.refresh_from_db()
    assert old.state == S.SIGNED  # still in force until the change is signed
    sign(new, Party.WORKER, wang_worker)
    sign(new, Party.HIRING, hui_hiring)
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.state == S.SIGNED
    assert old.state == S.SUPERSEDED
    assert old.end_reason == new.code
    assert old.superseded_by == new


# -- expiry ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.SENT, S.PARTLY_SIGNED])
def test_an_agreement_not_signed_by_its_deadline_expires(new_agreement, verified_parties, state):
    agreement = new_agreement(state)
    assert services.expire_unsigned() == 0
    with time_machine.travel(agreement.sign_deadline + datetime.timedelta(minutes=1)):
        assert services.expire_unsigned() == 1
        assert services.expire_unsigned() == 0
    agreement.refresh_from_db()
    assert agreement.state == S.EXPIRED
    assert agreement.process.status == STATUS.DONE


def test_nobody_signs_after_the_deadline(new_agreement, verified_parties, wang_worker):
    agreement = new_agreement(S.SENT)
    late = agreement.sign_deadline + datetime.timedelta(seconds=1)
    with time_machine.travel(late), pytest.raises(ValidationError):
        sign(agreement, Party.WORKER, wang_worker)


def test_every_audit_chain_stays_intact(new_agreement, verified_parties):
    new_agreement(S.COMPLETED)
    _count, broken = verify_chains()
    assert broken == []


def test_a_change_that_is_cancelled_makes_room_for_another(
    new_agreement, verified_parties, carol_caseworker
):
    old = new_agreement(S.SIGNED)
    by = staff_actor(carol_caseworker)
    first = services.agreement_change(agreement=old, actor=by, particulars={"pay_rate": 350})
    services.agreement_cancel(agreement=first, actor=by, reason="金额填错")
    assert old.superseded_by is None
    second = services.agreement_change(agreement=old, actor=by, particulars={"pay_rate": 320})
    assert old.superseded_by == second
    assert set(old.changes.all()) == {first, second}


def test_the_work_is_not_marked_completed_before_its_first_day(
    new_agreement, verified_parties, hui_hiring
):
    start = timezone.localdate() + datetime.timedelta(days=1)
    agreement = new_agreement(
        S.SIGNED, start_date=start, end_date=start + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        services.agreement_complete(agreement=agreement, actor=Actor(user=hui_hiring))
    agreement.refresh_from_db()

    # The message names the first day (in whichever language is active).
    [message] = refused.value.messages
    assert str(start) in message
    assert agreement.state == S.SIGNED
    assert not agreement.events.filter(action="complete").exists()


def test_the_work_is_marked_completed_on_its_first_day(new_agreement, verified_parties, hui_hiring):
    start = timezone.localdate() + datetime.timedelta(days=1)
    agreement = new_agreement(
        S.SIGNED, start_date=start, end_date=start + datetime.timedelta(days=1)
    )
    first_morning = datetime.datetime.combine(start, datetime.time(0, 5))
    with time_machine.travel(timezone.make_aware(first_morning), tick=False):
        services.agreement_complete(agreement=agreement, actor=Actor(user=hui_hiring))

    assert agreement.state == S.COMPLETED
