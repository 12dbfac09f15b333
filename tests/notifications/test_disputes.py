"""Wage disputes' texts (casework/disputes/notifications.py): one per event and recipient,
whatever runs twice; a gateway that times out leaves the step standing."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from casework.core.models import SmsMessage
from casework.disputes import notifications as notices
from casework.disputes import services
from casework.disputes.models import Dispute
from casework.notifications.models import Notification
from casework.notifications.tasks import deliver
from tests.disputes.fixtures import actor

pytestmark = pytest.mark.django_db
Status = Notification.Status
WANG, HUI = "13800138000", "13700137000"  # the worker; the employer's handling person


def rows(dispute, template):
    return list(
        Notification.objects.filter(subject_id=dispute.pk, template=template).order_by("pk")
    )


def texts(dispute):
    return SmsMessage.objects.filter(subject_label=dispute.code)


def test_acceptance_hook_run_twice_and_task_retried_send_one_text(
    new_dispute, alice_mediator, twice
):
    dispute = new_dispute()
    with twice():
        services.dispute_accept(dispute=dispute, actor=actor(alice_mediator))
    (row,) = rows(dispute, notices.ACCEPTED)
    assert deliver.delay(row.pk).get() == Status.SENT  # the retried task: nothing more
    (text,) = texts(dispute)
    assert text.to == WANG and text.template == notices.ACCEPTED
    assert text.text.startswith(f"【{dispute.market.name}】您的劳动争议调解申请（{dispute.code}）")
    assert [
        "due",
        f"{dispute.due_date.year}年{dispute.due_date.month}月{dispute.due_date.day}日",
    ] in text.params


def test_a_refusal_tells_the_applicant_why(new_dispute, alice_mediator, twice):
    dispute = new_dispute()
    with twice():
        services.dispute_refuse(
            dispute=dispute, actor=actor(alice_mediator), reason="不属于劳动争议"
        )
    (text,) = texts(dispute)
    assert text.template == notices.NOT_ACCEPTED and "原因：不属于劳动争议" in text.text


def test_a_scheduled_session_tells_both_parties_its_date_and_place(
    new_dispute, alice_mediator, twice
):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    starts = timezone.now() + datetime.timedelta(days=2)
    with twice():
        services.session_schedule(
            dispute=dispute,
            starts_at=starts,
            mode="in_person",
            place="市场调解室二",
            actor=actor(alice_mediator),
        )
    sent = texts(dispute).filter(template=notices.SESSION_SCHEDULED)
    assert sorted(text.to for text in sent) == sorted([WANG, HUI])
    local = timezone.localtime(starts)
    day = f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"
    assert all(f"定于{day}在市场调解室二进行调解" in text.text for text in sent)


def test_a_session_is_not_scheduled_in_the_past(new_dispute, alice_mediator):
    from django.core.exceptions import ValidationError

    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    with pytest.raises(ValidationError):
        services.session_schedule(
            dispute=dispute,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            mode="in_person",
            place="市场调解室二",
            actor=actor(alice_mediator),
        )
    assert not dispute.scheduled_sessions.exists() and not rows(dispute, notices.SESSION_SCHEDULED)


def test_agreed_terms_and_the_agreement_in_force_go_to_both_parties(
    new_dispute, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = new_dispute(Dispute.State.EFFECTIVE)
    for template in (notices.SETTLEMENT_READY, notices.EFFECTIVE):
        assert sorted(r.recipient for r in rows(dispute, template)) == sorted([WANG, HUI])
    effective = texts(dispute).filter(template=notices.EFFECTIVE).first()
    assert "约定金额3000.00元" in effective.text
    assert rows(dispute, notices.ACCEPTED)[0].status == Status.SENT


def test_a_payment_is_reported_to_the_worker_with_what_is_still_owed(
    new_dispute, alice_mediator, twice
):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    first = dispute.settlement.instalments.first()
    with twice():
        services.payment_record(
            dispute=dispute,
            instalment=first,
            amount=Decimal("1000.00"),
            paid_on=timezone.localdate(),
            note="",
            actor=actor(alice_mediator),
        )
    (text,) = texts(dispute).filter(template=notices.PAYMENT_RECORDED)
    assert text.to == WANG
    assert "已登记付款1000.00元（第1期" in text.text and "尚欠2000.00元" in text.text


def test_a_referral_tells_the_worker_what_they_may_do(new_dispute):
    dispute = new_dispute(Dispute.State.REFERRED)  # to a payment order
    (row,) = rows(dispute, notices.REFERRED)
    assert row.recipient == WANG and "支付令" in row.text


def test_the_payer_is_reminded_once_of_an_instalment_due_in_three_days(
    new_dispute, django_capture_on_commit_callbacks
):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    first = dispute.settlement.instalments.first()  # due in 7 days
    assert services.remind_instalments() == 0
    day = timezone.make_aware(
        datetime.datetime.combine(first.due_date - datetime.timedelta(days=3), datetime.time(9))
    )
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_instalments() == 1
        services.remind_instalments()  # the beat runs again
    with time_machine.travel(day + datetime.timedelta(days=1), tick=False):
        services.remind_instalments()  # and the next day
    (row,) = rows(dispute, notices.INSTALMENT_DUE)
    assert row.recipient == HUI and row.status == Status.SENT
    assert "第1期款项1500.00元" in row.text
    assert texts(dispute).filter(template=notices.INSTALMENT_DUE).count() == 1


def test_a_gateway_that_times_out_leaves_the_step_and_the_text_queued(
    new_dispute, alice_mediator, timing_out, django_capture_on_commit_callbacks
):
    dispute = new_dispute()
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_accept(dispute=dispute, actor=actor(alice_mediator))
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.ACCEPTED  # the step stands
    (row,) = rows(dispute, notices.ACCEPTED)
    assert (row.status, row.attempts, row.error_code) == (Status.QUEUED, 1, "timeout:")
    assert row.next_attempt_at > timezone.now()
    assert not texts(dispute).exists()
