"""Sending text messages through a pluggable backend (SMS_BACKEND).

``send_sms()`` is called after commit (never inside a transaction or a flow
lock, docs/workflows.md, "Locking"). The default backend, meant for development and the demo,
prints each message to the console log and keeps it in the SmsMessage outbox
that staff with ``core.view_smsmessage`` can read. A real gateway is a class
with ``send(message: Sms) -> SendResult`` named in SMS_BACKEND; it raises SmsError
when the provider refuses or cannot be reached (docs/gateways.md).

Chinese providers send only texts from templates registered with them: a message
carries its template (our name for it, ``template``; the provider's code for it comes
from settings.SMS_TEMPLATE_CODES) and the template's parameters in order, besides the
rendered ``text`` the outbox shows.
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
    # Our template's name (the purpose when empty) and its parameters, in order.
    template: str = ""
    params: tuple[tuple[str, str], ...] = ()
    # Unique per event and recipient: a provider that supports it drops a repeat.
    key: str = ""

    @property
    def template_name(self) -> str:
        return self.template or self.purpose


@dataclass(frozen=True)
class SendResult:
    # The provider's identifier of the message (Alibaba's BizId, Tencent's SerialNo).
    provider_id: str = ""


class SmsError(Exception):
    """The provider did not accept the message. ``status``: "throttled", "rejected"
    (template, signature, number, parameters), "failed" (anything else the provider
    answered) or "timeout" (no answer); ``retry``: whether sending again later may
    succeed. ``code`` is the provider's error code."""

    def __init__(self, status: str, code: str = "", detail: str = "", *, retry: bool) -> None:
        super().__init__(f"{status} {code} {detail}".strip())
        self.status, self.code, self.detail, self.retry = status, code, detail, retry


def template_code(message: Sms) -> str:
    """The provider's code of the message's template (settings.SMS_TEMPLATE_CODES)."""
    code = settings.SMS_TEMPLATE_CODES.get(message.template_name, "")
    if not code:
        raise SmsError(
            "rejected",
            "no-template-code",
            f"SMS_TEMPLATE_CODES has no code for {message.template_name!r}",
            retry=False,
        )
    return code


class OutboxBackend:
    """Development: the console and the database outbox; nothing leaves the machine."""

    keeps_outbox = True
    demo = True  # check --deploy refuses it (casework.core.checks)

    def send(self, message: Sms) -> SendResult:
        from casework.core.models import SmsMessage

        logger.warning("SMS to %s (%s): %s", message.to, message.purpose, message.text)
        row = SmsMessage.objects.create(
            to=message.to,
            text=message.text,
            purpose=message.purpose,
            subject_label=message.subject_label,
            template=message.template_name,
            params=[list(pair) for pair in message.params],
        )
        return SendResult(provider_id=f"outbox-{row.pk}")


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def outbox_enabled() -> bool:
    return bool(getattr(import_string(settings.SMS_BACKEND), "keeps_outbox", False))


def send_sms(message: Sms) -> SendResult:
    return sms_backend().send(message)
