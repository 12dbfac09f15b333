"""Notifications (casework.notifications; docs/notifications.md): one message per event
and recipient whatever runs twice, retries after a gateway fails, the quiet hours, and a
worker lost while sending."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from casework.complaints import notifications as notices
from casework.complaints import services as complaints
from casework.core.models import SmsMessage
from casework.core.sms import OutboxBackend, SmsError
from casework.notifications import services
from casework.notifications.models import Notification
from casework.notifications.registry import Template
from casework.notifications.tasks import deliver
from tests.complaints.fixtures import actor

Status = Notification.Status
MOBILE = "13712345678"


class Flaky(OutboxBackend):
    """Times out on the first ``failures`` sends of the process, then delivers."""

    failures = 1
    calls = 0

    def send(self, message):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise SmsError("timeout", detail="no answer in 5 s", retry=True)
        return super().send(message)


class Refusing(OutboxBackend):
    def send(self, message):
        raise SmsError("rejected", "isv.SMS_TEMPLATE_ILLEGAL", "template not approved", retry=False)


@pytest.fixture
def flaky(settings):
    Flaky.calls = 0
    settings.SMS_BACKEND = f"{__name__}.Flaky"
    return Flaky


@pytest.fixture
def complaint(make_complaint):
    return make_complaint(anonymous=False, complainant_name="赵六", contact_mobile=MOBILE)


def accept(complaint, hooks, *, runs: int = 1):
    """Accept the complaint as the page does; run each on-commit hook ``runs`` times."""
    with hooks() as callbacks:
        complaints.complaint_accept(complaint=complaint, actor=actor(complaint.owner))
    for callback in callbacks:
        for _run in range(runs):
            callback()


def outbox(complaint):
    return list(SmsMessage.objects.filter(subject_label=complaint.code))


@pytest.mark.django_db
def test_a_hook_run_twice_and_a_task_run_twice_send_one_text(
    complaint, django_capture_on_commit_callbacks
):
    accept(complaint, django_capture_on_commit_callbacks, runs=2)
    (row,) = Notification.objects.all()
    assert deliver.delay(row.pk).get() == Status.SENT  # a third run, as a retried task
    (text,) = outbox(complaint)
    assert text.to == MOBILE and text.purpose == notices.ACCEPTED
    assert text.text.startswith(f"【{complaint.market.name}】您的投诉（{complaint.code}）已于")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.provider_id) == (Status.SENT, 1, f"outbox-{text.pk}")


@pytest.mark.django_db
def test_the_same_template_for_the_same_case_at_another_step_is_another_message(complaint):
    services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "a"}, step=7)
    services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "a"}, step=7)
    services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "b"}, step=8)
    services.notify(notices.RESULT, complaint, "13800000000", {"code": "X", "result": "a"}, step=7)
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_a_gateway_that_times_out_is_tried_again_and_the_step_stands(
    complaint, flaky, django_capture_on_commit_callbacks
):
    accept(complaint, django_capture_on_commit_callbacks)

    complaint.refresh_from_db()
    assert complaint.accepted_at is not None  # the step stands
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.error_code) == (Status.QUEUED, 1, "timeout:")
    assert outbox(complaint) == []
    # Not before its time; then the sweep sends it.
    assert services.sweep()["sent"] == 0
    later = timezone.now() + services.RETRY_DELAYS[0] + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        assert services.sweep()["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(outbox(complaint)) == 1


@pytest.mark.django_db
def test_a_message_the_provider_refuses_is_not_tried_again(complaint, settings):
    settings.SMS_BACKEND = f"{__name__}.Refusing"
    row = services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "a"})
    assert services.deliver(row.pk) == Status.FAILED
    row.refresh_from_db()
    assert row.error_code == "rejected:isv.SMS_TEMPLATE_ILLEGAL"
    assert row.next_attempt_at is None and services.deliver(row.pk) == Status.FAILED


@pytest.mark.django_db
def test_after_the_last_attempt_the_message_has_failed(complaint, flaky):
    flaky.failures = services.MAX_ATTEMPTS
    row = services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "a"})
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for delay in services.RETRY_DELAYS:
            assert services.deliver(row.pk) == Status.QUEUED
            assert services.deliver(row.pk) == Status.QUEUED  # not yet due: not tried
            clock.shift(delay)
        assert services.deliver(row.pk) == Status.FAILED
    assert Notification.objects.get().attempts == services.MAX_ATTEMPTS


@pytest.mark.django_db
def test_texts_wait_for_the_end_of_the_quiet_hours_but_urgent_ones(complaint, settings):
    settings.NOTIFY_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    night = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    with time_machine.travel(night, tick=False):
        row = services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "a"})
        assert services.deliver(row.pk) == Status.HELD
        row.refresh_from_db()
        morning = (night + datetime.timedelta(days=1)).replace(hour=8, minute=0)
        assert row.next_attempt_at == morning
    with time_machine.travel(morning + datetime.timedelta(minutes=1), tick=False):
        services.sweep()
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_the_quiet_hours_may_cross_midnight_or_not(settings):
    zone = timezone.get_current_timezone()
    at = datetime.datetime(2026, 12, 2, 7, 59, tzinfo=zone)
    settings.NOTIFY_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    assert services.quiet_until(at) == at.replace(hour=8, minute=0)
    assert services.quiet_until(at.replace(hour=8)) is None
    settings.NOTIFY_QUIET_HOURS = (datetime.time(12), datetime.time(14))
    assert services.quiet_until(at.replace(hour=13)) == at.replace(hour=14, minute=0)
    assert services.quiet_until(at) is None
    settings.NOTIFY_QUIET_HOURS = None
    assert services.quiet_until(at.replace(hour=3)) is None


@pytest.mark.django_db
def test_a_worker_lost_while_sending_leaves_the_outcome_unknown_never_a_second_text(complaint):
    row = services.notify(notices.RESULT, complaint, MOBILE, {"code": "X", "result": "a"})
    assert services._claim(row.pk)[1]  # taken for sending; the worker dies here
    assert services.deliver(row.pk) == Status.SENDING  # a second task: nothing

    later = timezone.now() + services.SENDING_LEASE + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        assert services.sweep() == {"sent": 0, "unknown": 1}
    row.refresh_from_db()
    assert row.status == Status.UNKNOWN and outbox(complaint) == []


def test_a_template_names_exactly_its_parameters():
    with pytest.raises(ValueError, match="params"):
        Template("t", "t", "您的{code}于{date}", params=("code",))


@pytest.mark.django_db
def test_the_case_page_shows_staff_each_text_and_what_became_of_it(
    client, complaint, flaky, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    accept(complaint, django_capture_on_commit_callbacks)
    client.force_login(complaint.owner)

    page = client.get(reverse("complaints:detail", args=[complaint.code])).content.decode()

    assert "137****5678" in page and MOBILE not in page.split('id="notifications"')[1]
    assert "已于" in page and "timeout:" in page
