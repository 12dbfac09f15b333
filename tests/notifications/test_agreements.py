"""Gig agreements' texts (agreements/notifications.py): ready to sign, in force, and the
signing code, which is urgent, and secret in everything staff read."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from agreements import notifications as notices
from agreements import services
from agreements.models import Agreement, Party
from casework.core.models import SmsMessage
from casework.notifications.models import Notification
from casework.notifications.registry import MASK
from casework.notifications.tasks import deliver
from tests.agreements.fixtures import CODE_RE, last_code, staff_actor

pytestmark = pytest.mark.django_db
Status = Notification.Status
WANG, HUI = "13800138000", "13700137000"


def rows(agreement, template):
    return list(
        Notification.objects.filter(subject_id=agreement.pk, template=template).order_by("pk")
    )


def test_both_signers_are_asked_to_sign_once_whatever_runs_twice(
    new_agreement, carol_caseworker, twice
):
    agreement = new_agreement()
    with twice():
        services.agreement_send(agreement=agreement, actor=staff_actor(carol_caseworker))
    ready = rows(agreement, notices.READY_TO_SIGN)
    assert sorted(r.recipient for r in ready) == sorted([WANG, HUI])
    for row in ready:
        assert deliver.delay(row.pk).get() == Status.SENT
    sent = SmsMessage.objects.filter(template=notices.READY_TO_SIGN)
    assert sent.count() == 2 and all(agreement.code in m.text for m in sent)


def test_the_signing_code_is_sent_at_night_and_kept_secret_from_staff(
    new_agreement, verified_parties, carol_caseworker, settings, twice
):
    settings.NOTIFY_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    agreement = new_agreement(Agreement.State.SENT)
    night = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    with time_machine.travel(night, tick=False), twice():
        services.signing_code_send(
            agreement=agreement, party=Party.WORKER, actor=staff_actor(carol_caseworker)
        )
    (row,) = rows(agreement, notices.SIGNING_CODE)
    assert row.urgent and row.status == Status.SENT  # not held for the quiet hours
    code = last_code(WANG)  # the phone got the code
    assert code not in row.text and MASK in row.text  # staff see it masked
    assert ["otp", MASK] in row.params  # and it is not kept once sent
    assert SmsMessage.objects.filter(template=notices.SIGNING_CODE).count() == 1


def test_a_caller_in_one_long_transaction_reads_the_code_as_the_seed_does(
    new_agreement, verified_parties, carol_caseworker
):
    agreement = new_agreement(Agreement.State.SENT)
    seen = []
    with transaction.atomic():
        services.signing_code_send(
            agreement=agreement,
            party=Party.WORKER,
            actor=staff_actor(carol_caseworker),
            deliver=seen.append,
        )
        (message,) = seen
        code = CODE_RE.search(message.text).group(1)
        services.agreement_sign(
            agreement=agreement,
            party=Party.WORKER,
            code=code,
            actor=staff_actor(carol_caseworker),
            channel="counter",
        )
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.PARTLY_SIGNED
    assert message.template == notices.SIGNING_CODE and message.to == WANG


def test_the_agreement_in_force_is_told_to_both_signers(
    new_agreement, verified_parties, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = new_agreement(Agreement.State.SIGNED)
    signed = rows(agreement, notices.SIGNED)
    assert sorted(r.recipient for r in signed) == sorted([WANG, HUI])
    assert all(r.status == Status.SENT for r in signed)


def test_a_gateway_that_times_out_leaves_the_agreement_sent(
    new_agreement, carol_caseworker, timing_out, django_capture_on_commit_callbacks
):
    agreement = new_agreement()
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_send(agreement=agreement, actor=staff_actor(carol_caseworker))
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.SENT
    assert {r.status for r in rows(agreement, notices.READY_TO_SIGN)} == {Status.QUEUED}
    assert not SmsMessage.objects.exists()
