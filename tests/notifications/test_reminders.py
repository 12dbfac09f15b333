"""Staff reminders (casework/notifications/reminders.py): the holder of a case due within
3 days, once per case and deadline; the supervisors on escalation; by the channel each
user chose (StaffProfile.notify_by)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from casework.core.models import NotifyBy, SmsMessage
from casework.disputes import services as disputes
from casework.disputes.models import Dispute
from casework.notifications import reminders
from casework.notifications.models import Notification

pytestmark = pytest.mark.django_db
Status = Notification.Status
Channel = Notification.Channel


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def held(new_dispute, alice_mediator):
    """A dispute in mediation held by Alice, who has an e-mail address."""
    alice_mediator.email = "alice@example.org"
    alice_mediator.save(update_fields=["email"])
    return new_dispute(Dispute.State.IN_MEDIATION)


def reminders_of(dispute, template=reminders.DEADLINE):
    return list(Notification.objects.filter(subject_id=dispute.pk, template=template))


def test_the_holder_is_reminded_by_email_once_per_case_and_deadline(
    held, django_capture_on_commit_callbacks
):
    assert reminders.remind_staff()["reminded"] == 0  # 15 days left
    soon = at(held.due_date - datetime.timedelta(days=reminders.REMIND_DAYS))
    for hours in (0, 1, 24):  # the beat runs every hour
        with (
            time_machine.travel(soon + datetime.timedelta(hours=hours), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminders.remind_staff()
    (row,) = reminders_of(held)
    assert (row.channel, row.recipient, row.status) == (Channel.EMAIL, "alice@example.org", "sent")
    (email,) = mail.outbox
    assert email.to == ["alice@example.org"] and held.code in email.body
    assert "调解期限" in email.body


def test_a_new_deadline_is_another_reminder(held, alice_mediator):
    soon = at(held.due_date - datetime.timedelta(days=1))
    with time_machine.travel(soon, tick=False):
        reminders.remind_staff()
        Dispute.objects.filter(pk=held.pk).update(
            due_date=held.due_date + datetime.timedelta(days=2)
        )
        reminders.remind_staff()
    assert len(reminders_of(held)) == 2


def test_a_text_by_choice_waits_for_the_end_of_the_quiet_hours_and_an_email_does_not(
    held, alice_mediator, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    profile = alice_mediator.staff_profile
    profile.notify_by, profile.mobile = NotifyBy.SMS, "13912345678"
    profile.save()
    night = at(held.due_date - datetime.timedelta(days=2), hour=23)
    hooks = django_capture_on_commit_callbacks(execute=True)
    with time_machine.travel(night, tick=False), hooks:
        reminders.remind_staff()
    (row,) = reminders_of(held)
    assert (row.channel, row.recipient, row.status) == (Channel.SMS, "13912345678", Status.HELD)
    assert not SmsMessage.objects.exists()

    profile.notify_by = NotifyBy.EMAIL
    profile.save()
    Dispute.objects.filter(pk=held.pk).update(due_date=held.due_date + datetime.timedelta(days=1))
    hooks = django_capture_on_commit_callbacks(execute=True)
    with time_machine.travel(night, tick=False), hooks:
        reminders.remind_staff()
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.status == Status.SENT and len(mail.outbox) == 1


def test_nobody_is_reminded_who_chose_no_reminders_or_has_no_address(held, alice_mediator):
    profile = alice_mediator.staff_profile
    profile.notify_by = NotifyBy.NONE
    profile.save()
    with time_machine.travel(at(held.due_date), tick=False):
        assert reminders.remind_staff()["reminded"] == 0
    profile.notify_by = NotifyBy.SMS  # but no mobile
    profile.save()
    with time_machine.travel(at(held.due_date), tick=False):
        assert reminders.remind_staff()["reminded"] == 0
    assert not reminders_of(held)


def test_the_supervisors_hear_of_an_escalation_once(
    held, sam_supervisor, django_capture_on_commit_callbacks
):
    sam_supervisor.email = "sam@example.org"
    sam_supervisor.save(update_fields=["email"])
    with time_machine.travel(at(held.due_date), tick=False):
        assert disputes.sweep_deadlines().escalated == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.remind_staff()["escalated"] == 1
            reminders.remind_staff()
    (row,) = reminders_of(held, reminders.ESCALATED)
    assert row.recipient == "sam@example.org" and row.status == Status.SENT
    assert held.code in row.text and "经办人：Alice 调解员" in row.text
    assert [m.to for m in mail.outbox if "逾期" in m.body] == [["sam@example.org"]]


def test_staff_choose_how_they_are_reminded_on_their_own_page(client, alice_mediator):
    from django.urls import reverse

    page = reverse("reminder_settings")
    client.force_login(alice_mediator)
    assert client.get(reverse("home")).content.decode().count(page) == 1
    refused = client.post(page, {"notify_by": NotifyBy.SMS, "mobile": ""})
    assert refused.status_code == 200 and "has-errors" in refused.content.decode()
    assert client.post(page, {"notify_by": NotifyBy.SMS, "mobile": "1380013"}).status_code == 200
    done = client.post(page, {"notify_by": NotifyBy.SMS, "mobile": "138 0013 8111"})
    assert done.status_code == 302
    profile = alice_mediator.staff_profile
    profile.refresh_from_db()
    assert (profile.notify_by, profile.mobile) == (NotifyBy.SMS, "13800138111")
    alice_mediator.email = ""
    alice_mediator.save()
    refused = client.post(page, {"notify_by": NotifyBy.EMAIL, "mobile": ""})
    assert refused.status_code == 200
    profile.refresh_from_db()
    assert profile.notify_by == NotifyBy.SMS
