"""Queue a message for a step, and deliver it once (docs/notifications.md).

``notify()`` runs inside the step's transaction (the locking rule): it writes the
Notification row, keyed by template, case, step and recipient, and sends the delivery
task after commit. A step whose hook runs twice finds the row and queues nothing more.

``deliver()`` claims the row under its lock (queued or held -> sending, in a
transaction of its own), sends outside any transaction, and records what became of
it. A second task for the same row finds it claimed and does nothing: a message is
never sent twice for one event and recipient. A provider that is throttling or does
not answer leaves the row queued with its next attempt, which the sweep (every minute)
sends; the case's step, committed before, is never undone. A worker killed while
sending leaves the row "sending"; the sweep marks it "outcome unknown" for staff rather
than risk a second text.
"""

import datetime
import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation

from casework.core import broker
from casework.core.models import ChainHead
from casework.core.sms import Sms, SmsError, send_sms
from casework.notifications.models import Notification
from casework.notifications.registry import MASK, get_template

logger = logging.getLogger(__name__)

DELIVER_TASK = "casework.notifications.tasks.deliver"
Status = Notification.Status
# The delay before the next attempt, after each failed one; then it has failed.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A row not delivered this long after it was queued (its task lost) is sent by the sweep.
SWEEP_AFTER = datetime.timedelta(minutes=2)
# A row "sending" this long (beyond any gateway timeout) belonged to a worker that died.
SENDING_LEASE = datetime.timedelta(minutes=10)


def notify(
    template: str,
    subject: models.Model,
    mobile: str,
    params: dict[str, object],
    *,
    sign: str = "",
    step: int | str | None = None,
    channel: str = Notification.Channel.SMS,
) -> Notification | None:
    """Queue the text ``template`` about ``subject`` to ``mobile`` (none without a number).

    ``step`` tells apart two messages of one template about one case (two requests for
    documents): by default the case's latest audit event, which the step has just
    recorded in this transaction; a beat task's message names what it is about (an
    instalment and its due date). ``sign``: the sender's name shown in 【】 before the text
    (the market's; a real provider adds the signature registered with it). ``channel``
    e-mail: ``mobile`` is an e-mail address (staff reminders, ``notify_staff``)."""
    if not mobile:
        return None
    chosen = get_template(template)
    values = [[name, str(params[name])] for name in chosen.params]
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    if step is None:
        step = _last_step(subject_type, subject.pk)
    row, created = Notification.objects.get_or_create(
        key=f"{template}:{subject_type.pk}:{subject.pk}:{step}:{mobile}"[:200],
        defaults={
            "subject_type": subject_type,
            "subject_id": subject.pk,
            "template": template,
            "channel": channel,
            "recipient": mobile,
            "params": values,
            # A secret (a signing code) is in the parameters the gateway needs, never in
            # the text staff read.
            "text": (f"【{sign}】" if sign else "") + chosen.render(chosen.masked(dict(values))),
            "urgent": chosen.urgent,
            "next_attempt_at": timezone.now() + SWEEP_AFTER,
        },
    )
    if created:
        transaction.on_commit(lambda: send_delivery(row.pk))
    return row


def mobile_of(party) -> str:
    """Where a text to a party goes: a person's mobile; an organisation's handling person
    (its first representative with a mobile); "" when there is none."""
    if party is None:
        return ""
    if hasattr(party, "representatives"):
        person = party.representatives.exclude(mobile="").order_by("pk").first()
        return person.mobile if person is not None else ""
    return getattr(party, "mobile", "") or ""


def staff_channel(user) -> tuple[str, str]:
    """How ``user`` gets reminders: (channel, address), or ("", "") for none.

    StaffProfile.notify_by: a text to the profile's mobile, an e-mail to user.email,
    or none; unset, e-mail when the user has an address."""
    from casework.core.models import NotifyBy

    profile = getattr(user, "staff_profile", None)
    choice = profile.notify_by if profile is not None else ""
    if choice == NotifyBy.SMS:
        mobile = profile.mobile if profile is not None else ""
        return (Notification.Channel.SMS, mobile) if mobile else ("", "")
    if choice in (NotifyBy.EMAIL, "") and user.email and user.is_active:
        return Notification.Channel.EMAIL, user.email
    return "", ""


def notify_staff(
    template: str,
    subject: models.Model,
    user,
    params: dict[str, object],
    *,
    sign: str = "",
    step: int | str | None = None,
) -> Notification | None:
    """A reminder to a staff member by the channel they chose (none when they chose none)."""
    if user is None or not user.is_active:
        return None
    channel, address = staff_channel(user)
    if not channel:
        return None
    return notify(
        template,
        subject,
        address,
        params,
        sign=sign if channel == Notification.Channel.SMS else "",
        step=step,
        channel=channel,
    )


def _last_step(subject_type: ContentType, subject_id: int) -> int:
    head = ChainHead.objects.filter(subject_type=subject_type, subject_id=subject_id).first()
    return head.seq if head else 0


def send_delivery(pk: int) -> None:
    """Send the delivery task; a broker that cannot take it leaves the row to the sweep
    (and, with casework.core.broker, no second wait in this request)."""
    broker.send(DELIVER_TASK, (pk,), what=f"notification {pk}")


def notifications_of(subject: models.Model) -> models.QuerySet[Notification]:
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    return Notification.objects.filter(subject_type=subject_type, subject_id=subject.pk)


# -- delivery ---------------------------------------------------------------------------------


def deliver(pk: int) -> str:
    """Send one queued message if it is due and not taken; returns its status after."""
    row, claimed = _claim(pk)
    if row is None:
        return "missing"
    if not claimed:
        return row.status
    if row.channel == Notification.Channel.EMAIL:
        return _send_email(row)
    try:
        result = send_sms(message_of(row))
    except SmsError as error:
        return _failed(row, error.status, error.code, error.detail or str(error), error.retry)
    except Exception as error:  # a gateway's bug: recorded, tried again like a failure
        logger.exception("notification %s: the gateway failed", pk)
        return _failed(row, "failed", type(error).__name__, str(error), True)
    _update(
        row,
        status=Status.SENT,
        provider_id=result.provider_id[:100],
        sent_at=timezone.now(),
        params=_scrubbed(row),
    )
    return Status.SENT


def _send_email(row: Notification) -> str:
    """An e-mail reminder to staff: the template's title as the subject, the text as body."""
    title = get_template(row.template).title
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(title)
    try:
        send_mail(subject, row.text, None, [row.recipient])
    except Exception as error:  # the mail server refused or did not answer: tried again
        return _failed(row, "failed", type(error).__name__, str(error), True)
    _update(row, status=Status.SENT, sent_at=timezone.now())
    return Status.SENT


def _claim(pk: int) -> tuple[Notification | None, bool]:
    """The row, and whether this call took it for sending (queued or held, due, and not
    in the quiet hours)."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.status not in (Status.QUEUED, Status.HELD):
            return row, False
        now = timezone.now()
        if row.attempts and row.next_attempt_at and row.next_attempt_at > now:
            return row, False  # a failed attempt's retry, not yet due
        # E-mail waits for nobody: only texts are held in the quiet hours.
        quiet = row.urgent or row.channel == Notification.Channel.EMAIL
        wait = None if quiet else quiet_until(now)
        if wait is not None:
            row.status, row.next_attempt_at = Status.HELD, wait
            row.save(update_fields=["status", "next_attempt_at"])
            return row, False
        row.status, row.attempts = Status.SENDING, row.attempts + 1
        row.next_attempt_at = now + SENDING_LEASE
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
        return row, True


def message_of(row: Notification) -> Sms:
    """The message a row sends, as the gateway gets it (with its secret parameters)."""
    return Sms(
        to=row.recipient,
        text=_full_text(row),
        purpose=row.template,
        subject_label=_label(row),
        template=row.template,
        params=tuple((name, value) for name, value in row.params),
        key=row.key[:64],
    )


def _full_text(row: Notification) -> str:
    """The text as the recipient gets it: with its secret parameters, if any."""
    chosen = get_template(row.template)
    if not chosen.secret:
        return row.text
    values = {name: value for name, value in row.params}
    return row.text.replace(chosen.render(chosen.masked(values)), chosen.render(values))


def _scrubbed(row: Notification) -> list:
    """The row's parameters without their secrets (kept only until the message has gone)."""
    chosen = get_template(row.template)
    return [[name, MASK if name in chosen.secret else value] for name, value in row.params]


def _label(row: Notification) -> str:
    subject = row.subject
    return str(getattr(subject, "code", "") or "")[:60]


def _failed(row: Notification, status: str, code: str, detail: str, retry: bool) -> str:
    again = retry and row.attempts < MAX_ATTEMPTS
    logger.warning(
        "notification %s (%s): %s %s, attempt %s%s",
        row.pk,
        row.template,
        status,
        code,
        row.attempts,
        ", will try again" if again else ", given up",
    )
    _update(
        row,
        status=Status.QUEUED if again else Status.FAILED,
        next_attempt_at=timezone.now() + RETRY_DELAYS[row.attempts - 1] if again else None,
        error_code=f"{status}:{code}"[:100],
        error=detail[:255],
        **({} if again else {"params": _scrubbed(row)}),
    )
    return Status.QUEUED if again else Status.FAILED


def _update(row: Notification, **fields) -> None:
    Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(**fields)


def quiet_until(now: datetime.datetime) -> datetime.datetime | None:
    """The end of the quiet hours (settings.NOTIFY_QUIET_HOURS, local time) when ``now``
    falls in them, else None."""
    quiet = settings.NOTIFY_QUIET_HOURS
    if not quiet:
        return None
    start, end = quiet
    local = timezone.localtime(now)
    at = local.time()
    inside = (start <= at < end) if start < end else (at >= start or at < end)
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > local else until + datetime.timedelta(days=1)


# -- the sweep --------------------------------------------------------------------------------


def sweep(now: datetime.datetime | None = None) -> dict:
    """Send the messages due again (retries, the end of the quiet hours, lost tasks) and
    mark as unknown those whose worker died while sending."""
    now = now or timezone.now()
    lost = Notification.objects.filter(status=Status.SENDING, next_attempt_at__lte=now)
    unknown = lost.update(status=Status.UNKNOWN, next_attempt_at=None)
    due: Sequence[int] = list(
        Notification.objects.filter(
            status__in=[Status.QUEUED, Status.HELD], next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        send_delivery(pk)
    return {"sent": len(due), "unknown": unknown}
