"""Confirmation of intent (意愿确认): one-time codes expire, allow a few tries and work once."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase

from agreements import services
from agreements.models import Agreement, Party, SigningCode
from casework.core.audit import Actor
from casework.core.models import SmsMessage
from tests.agreements.fixtures import last_code, send_code, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(new_agreement, verified_parties) -> Agreement:
    return new_agreement(Agreement.State.SENT)


@pytest.fixture
def wang(wang_worker) -> Actor:
    return Actor(user=wang_worker, role="worker", client_ip="10.0.0.9")


def try_code(agreement, actor, code):
    return services.agreement_sign(
        agreement=agreement, party=Party.WORKER, code=code, actor=actor, user_agent="pytest"
    )


def refusals(agreement) -> int:
    return agreement.events.filter(action="signing_code_refused").count()


def test_the_code_goes_to_the_signers_own_phone_and_only_its_hash_is_kept(sent, wang):
    row = send_code(sent, Party.WORKER, wang)
    message = SmsMessage.objects.get()
    assert message.to == sent.worker.mobile
    assert sent.code in message.text and sent.text_hash[:8] in message.text
    code = last_code(sent.worker.mobile)
    assert code not in row.code_hash
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=10)
    assert sent.events.filter(action="signing_code_sent").count() == 1


def test_a_wrong_code_is_refused_and_the_attempt_counted(sent, wang):
    send_code(sent, Party.WORKER, wang)
    good = last_code(sent.worker.mobile)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    with pytest.raises(services.SigningRefused):
        try_code(sent, wang, wrong)
    assert SigningCode.objects.get().attempts == 1
    assert refusals(sent) == 1
    try_code(sent, wang, good)
    sent.refresh_from_db()
    assert sent.state == Agreement.State.PARTLY_SIGNED


def test_five_wrong_tries_end_the_code(sent, wang, settings):
    assert settings.AGREEMENT_CODE_ATTEMPTS == 5
    send_code(sent, Party.WORKER, wang)
    good = last_code(sent.worker.mobile)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _try in range(5):
        with pytest.raises(services.SigningRefused):
            try_code(sent, wang, wrong)
    with pytest.raises(services.SigningRefused, match=r"Too many|输错次数过多"):
        try_code(sent, wang, good)  # even the right code no longer works
    assert SigningCode.objects.get().attempts == 6
    assert refusals(sent) == 6
    assert not sent.signatures.exists()


def test_an_expired_code_is_refused_and_counted(sent, wang):
    row = send_code(sent, Party.WORKER, wang)
    good = last_code(sent.worker.mobile)
    late = row.expires_at + datetime.timedelta(seconds=1)
    with time_machine.travel(late), pytest.raises(services.SigningRefused, match=r"expired|过期"):
        try_code(sent, wang, good)
    assert SigningCode.objects.get().attempts == 1
    assert refusals(sent) == 1


def test_a_code_works_once(new_agreement, verified_parties, wang, hui_hiring):
    agreement = new_agreement(Agreement.State.SENT)
    send_code(agreement, Party.WORKER, wang)
    good = last_code(agreement.worker.mobile)
    try_code(agreement, wang, good)
    # The worker has signed: a replay is refused before any code is looked at.
    with pytest.raises(ValidationError):
        try_code(agreement, wang, good)
    assert agreement.signatures.count() == 1


def test_a_used_code_is_refused_for_the_same_side(sent, wang):
    send_code(sent, Party.WORKER, wang)
    row = SigningCode.objects.get()
    SigningCode.objects.filter(pk=row.pk).update(used_at=row.created_at)
    with pytest.raises(services.SigningRefused, match=r"already been used|已使用"):
        try_code(sent, wang, last_code(sent.worker.mobile))
    assert SigningCode.objects.get().attempts == 1
    assert refusals(sent) == 1


def test_a_new_code_retires_the_previous_one(sent, wang, settings, distinct_codes):
    settings.AGREEMENT_CODE_RESEND_SECONDS = 0
    send_code(sent, Party.WORKER, wang)
    first = last_code(sent.worker.mobile)
    send_code(sent, Party.WORKER, wang)
    second = last_code(sent.worker.mobile)
    assert first != second
    with pytest.raises(services.SigningRefused):
        try_code(sent, wang, first)
    try_code(sent, wang, second)
    sent.refresh_from_db()
    assert sent.state == Agreement.State.PARTLY_SIGNED
    assert SigningCode.objects.exclude(retired_at=None).count() == 1


def test_codes_cannot_be_requested_again_at_once(sent, wang):
    send_code(sent, Party.WORKER, wang)
    with pytest.raises(ValidationError, match=r"seconds|秒"):
        send_code(sent, Party.WORKER, wang)
    assert SmsMessage.objects.count() == 1


def test_without_a_code_nothing_is_signed(sent, wang):
    with pytest.raises(services.SigningRefused):
        try_code(sent, wang, "123456")
    assert refusals(sent) == 1
    assert not sent.signatures.exists()


def test_both_signers_are_told_when_the_agreement_is_in_force(
    new_agreement, verified_parties, hui_hiring
):
    agreement = new_agreement(Agreement.State.PARTLY_SIGNED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sign(agreement, Party.HIRING, hui_hiring)
    notices = SmsMessage.objects.filter(purpose="agreement_signed")
    assert sorted(notices.values_list("to", flat=True)) == sorted(
        [agreement.worker.mobile, hui_hiring.person.mobile]
    )
    assert all(agreement.code in n.text and "下载" in n.text for n in notices)
