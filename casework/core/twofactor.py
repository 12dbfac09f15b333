"""The second factor for the staff who approve and read the most (docs/architecture.md,
"Staff logins").

A time-based one-time code (TOTP, RFC 6238) from an authenticator app, with ten
one-time backup codes for a lost phone, both from django-otp. ``settings.
TWO_FACTOR_ROLES`` names the roles that must pass it ("superuser" stands for
superusers). Until such a user's session has passed it, TwoFactorMiddleware lets it
reach only the two-factor pages, logout, the language switch and the health probes.

The demo's logins may skip it (settings.TWO_FACTOR_DEMO_EXEMPT, set by ``make run``
only): a session logged in with the published demo password is exempt. With that
setting on, ``check --deploy`` fails (core.E013).
"""

import logging
import math
from base64 import b32encode
from urllib.parse import quote

import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.core.formfields import nfkc
from casework.core.roles import access_of

logger = logging.getLogger("casework.security")

SUPERUSER = "superuser"
BACKUP_CODE_COUNT = 10
DEMO_EXEMPT_SESSION_KEY = "two_factor_demo_exempt"
APP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"

# Views a session that still owes its second factor may reach (by URL name).
OPEN_VIEWS = frozenset(
    {
        "two_factor",
        "two_factor_enrol",
        "login",
        "admin_login",
        "logout",
        "set_language",
        "healthz",
        "readyz",
    }
)


def required_for(user) -> bool:
    """Whether ``user`` must pass a second factor (settings.TWO_FACTOR_ROLES)."""
    if not user.is_authenticated:
        return False
    roles = set(settings.TWO_FACTOR_ROLES)
    if SUPERUSER in roles and user.is_superuser:
        return True
    roles.discard(SUPERUSER)
    # The user's groups as every staff page reads them: cached (roles.access_of).
    return bool(roles & access_of(user).groups)


def owes_second_factor(request) -> bool:
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    if settings.TWO_FACTOR_DEMO_EXEMPT and request.session.get(DEMO_EXEMPT_SESSION_KEY):
        return False
    return required_for(user)


class TwoFactorMiddleware:
    """Sends a session that owes its second factor to the two-factor page, whatever it asks.

    After django-otp's OTPMiddleware, which tells whether the session passed it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Read by base.html: no menu of pages the session cannot open yet.
        request.owes_second_factor = owes_second_factor(request)
        if request.resolver_match.url_name in OPEN_VIEWS or not request.owes_second_factor:
            return None
        target = reverse("two_factor")
        return redirect(f"{target}?next={quote(request.get_full_path())}")


# --- devices ----------------------------------------------------------------------------


def app_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The authenticator being enrolled: the same key until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def enrolment_qr(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code in a data: URL (allowed by the CSP)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def readable_key(device: TOTPDevice) -> str:
    """The key in base32 in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def clean_code(raw: str) -> str:
    """A code as typed: full-width digits, spaces and hyphens allowed, any case."""
    return "".join(ch for ch in nfkc(raw) if ch.isalnum()).lower()


def confirm_enrolment(request, code: str) -> list[str] | None:
    """Confirm the pending authenticator with its first code; None if the code is wrong.

    On success the authenticator replaces any earlier one, the backup codes are new
    (returned, to be shown once) and the session has passed its second factor.
    """
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(clean_code(code)):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_backup_codes(user)
    otp_login(request, device)
    logger.info("two-factor enrolled", extra={"user_id": user.pk})
    return codes


def verify(request, code: str) -> bool:
    """Pass the session's second factor with an app code or an unused backup code."""
    user = request.user
    code = clean_code(code)
    # Six digits are the app's; anything else can only be a backup code. Trying only
    # the one device keeps a mistyped backup code from slowing the app's next code.
    device = app_device(user) if len(code) == 6 and code.isdigit() else backup_device(user)
    verified = device and verify_token(user, device.persistent_id, code)
    if not verified:
        logger.warning("two-factor code refused", extra={"user_id": user.pk})
        return False
    otp_login(request, verified)
    logger.info("two-factor passed", extra={"user_id": user.pk, "device": verified.name})
    return True


def login_devices(user) -> list:
    """The devices that pass a login: the authenticator and the backup codes, if any."""
    return [device for device in (app_device(user), backup_device(user)) if device]


def wait_seconds(devices) -> int:
    """Seconds until ``devices`` take codes again after wrong ones; 0 if they do now.

    django-otp doubles the wait after each wrong code (1, 2, 4 ... seconds), per device.
    """
    waits = [0]
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and "locked_until" in data:
            waits.append(math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    return max(waits)


# --- backup codes -----------------------------------------------------------------------


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()


def remaining_backup_codes(user) -> int:
    device = backup_device(user)
    return device.token_set.count() if device else 0


def new_backup_codes(user) -> list[str]:
    """Fresh backup codes for ``user``; the earlier ones stop working."""
    with transaction.atomic():
        return _replace_backup_codes(user)


def _replace_backup_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.select_for_update().get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
