"""Sending text messages through a pluggable backend (SMS_BACKEND).

``send_sms()`` is called after commit (never inside a transaction or a flow
lock, docs/workflows.md, "Locking"). The default backend, meant for development and the demo,
prints each message to the console log and keeps it in the SmsMessage outbox
that staff with ``core.view_smsmessage`` can read. A real gateway is a class
with ``send(message: Sms) -> None`` named in SMS_BACKEND.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    purpose: str
    subject_label: str = ""


class OutboxBackend:
    """Development: the console and the database outbox; nothing leaves the machine."""

    keeps_outbox = True
    demo = True  # check --deploy refuses it (casework.core.checks)

    def send(self, message: Sms) -> None:
        from casework.core.models import SmsMessage

        logger.warning("SMS to %s (%s): %s", message.to, message.purpose, message.text)
        SmsMessage.objects.create(
            to=message.to,
            text=message.text,
            purpose=message.purpose,
            subject_label=message.subject_label,
        )


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def outbox_enabled() -> bool:
    return bool(getattr(import_string(settings.SMS_BACKEND), "keeps_outbox", False))


def send_sms(message: Sms) -> None:
    sms_backend().send(message)
