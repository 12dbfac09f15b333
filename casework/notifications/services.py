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

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from casework.core.models import ChainHead
from casework.core.sms import Sms, SmsError, send_sms
from casework.notifications.models import Notification
from casework.notifications.registry import get_template

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
    step: int | None = None,
) -> Notification | None:
    """Queue the text ``template`` about ``subject`` to ``mobile`` (none without a number).

    ``step`` tells apart two messages of one template about one case (two requests for
    documents): by default the case's latest audit event, which the step has just
    recorded in this transaction. ``sign``: the sender's name shown in 【】 before the text
    (the market's; a real provider adds the signature registered with it)."""
    if not mobile:
        return None
    chosen = get_template(template)
    values = [[name, str(params[name])] for name in chosen.params]
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    if step is None:
        step = _last_step(subject_type, subject.pk)
    row, created = Notification.objects.get_or_create(
        key=f"{template}:{subject_type.pk}:{subject.pk}:{step}:{mobile}",
        defaults={
            "subject_type": subject_type,
            "subject_id": subject.pk,
            "template": template,
            "channel": Notification.Channel.SMS,
            "recipient": mobile,
            "params": values,
            "text": (f"【{sign}】" if sign else "") + chosen.render(dict(values)),
            "urgent": chosen.urgent,
            "next_attempt_at": timezone.now() + SWEEP_AFTER,
        },
    )
    if created:
        transaction.on_commit(lambda: send_delivery(row.pk))
    return row


def _last_step(subject_type: ContentType, subject_id: int) -> int:
    head = ChainHead.objects.filter(subject_type=subject_type, subject_id=subject_id).first()
    return head.seq if head else 0


def send_delivery(pk: int) -> None:
    """Send the delivery task; a broker that cannot take it leaves the row to the sweep."""
    try:
        current_app.tasks[DELIVER_TASK].apply_async((pk,), retry=False)
    except Exception:
        logger.warning("notification %s: not sent to the broker; the sweep sends it", pk)


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
    try:
        result = send_sms(_as_sms(row))
    except SmsError as error:
        return _failed(row, error.status, error.code, error.detail or str(error), error.retry)
    except Exception as error:  # a gateway's bug: recorded, tried again like a failure
        logger.exception("notification %s: the gateway failed", pk)
        return _failed(row, "failed", type(error).__name__, str(error), True)
    _update(row, status=Status.SENT, provider_id=result.provider_id[:100], sent_at=timezone.now())
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
        wait = None if row.urgent else quiet_until(now)
        if wait is not None:
            row.status, row.next_attempt_at = Status.HELD, wait
            row.save(update_fields=["status", "next_attempt_at"])
            return row, False
        row.status, row.attempts = Status.SENDING, row.attempts + 1
        row.next_attempt_at = now + SENDING_LEASE
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
        return row, True


def _as_sms(row: Notification) -> Sms:
    return Sms(
        to=row.recipient,
        text=row.text,
        purpose=row.template,
        subject_label=_label(row),
        template=row.template,
        params=tuple((name, value) for name, value in row.params),
        key=row.key[:64],
    )


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
