"""Real SMS and identity gateways behind the pluggable interfaces (docs/gateways.md).

SMS_BACKEND may name ``casework.core.gateways.aliyun_sms.AliyunSmsBackend`` or
``casework.core.gateways.tencent_sms.TencentSmsBackend``; IDENTITY_VERIFICATION_BACKEND
may name ``casework.parties.tencent_identity.TencentIdentityBackend``.

Each gateway signs its requests itself (Alibaba Cloud's RPC signature, Tencent Cloud's
TC3-HMAC-SHA256) and posts them with the standard library's http.client: the providers'
SDKs would bring a dozen packages for one call each. This module holds what they share:
settings, the HTTP call with its timeout, phone numbers and the one log line a failure
writes.
"""

import http.client
import json
import logging
import ssl
from dataclasses import dataclass

from django.conf import settings

from casework.core.logs import mask_personal_data
from casework.core.sms import Sms, SmsError

logger = logging.getLogger(__name__)


def setting(name: str, default: str | float = "") -> str | float:
    return getattr(settings, name, default)


class NoAnswer(Exception):
    """The provider could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict


def post(host: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
    """POST to the provider; raises NoAnswer on a timeout, refusal or broken connection.

    GATEWAY_SCHEME is "https" in production (certificates verified); the tests' local
    fake servers speak plain "http". GATEWAY_TIMEOUT_SECONDS bounds the connection and
    each read, so a silent provider cannot hold a worker for long.
    """
    timeout = float(setting("GATEWAY_TIMEOUT_SECONDS", 5))
    if setting("GATEWAY_SCHEME", "https") == "http":
        connection: http.client.HTTPConnection = http.client.HTTPConnection(host, timeout=timeout)
    else:
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(host, timeout=timeout, context=context)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as error:  # TimeoutError is an OSError
        raise NoAnswer(f"{type(error).__name__}: {error}") from error
    finally:
        connection.close()
    try:
        data = json.loads(raw)
    except ValueError:  # an HTML error page from a proxy: the status decides
        data = {}
    return Reply(response.status, data if isinstance(data, dict) else {})


def national_number(number: str) -> str:
    """A mainland mobile number's 11 digits, without +86, 0086 or 86."""
    digits = "".join(ch for ch in number if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def mask_phone(number: str) -> str:
    """138****5678: enough to find the message, not to call the person."""
    digits = national_number(number)
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def scrub(text: str, number: str) -> str:
    """The provider's message without the recipient's number (some repeat it)."""
    digits = national_number(number)
    if digits:
        text = text.replace(digits, mask_phone(digits))
    return mask_personal_data(text)[:300]


def log_failure(provider: str, message: Sms, error: SmsError) -> None:
    """The one line a failed send writes: no text, no parameters, the number masked."""
    logger.warning(
        "sms %s %s: code=%s retry=%s key=%s to=%s: %s",
        provider,
        error.status,
        error.code or "-",
        error.retry,
        message.key or "-",
        mask_phone(message.to),
        error.detail,
    )
