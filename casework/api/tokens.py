"""The parties' tokens and the systems' keys (docs/api.md, "Signing in").

Tokens and keys are random strings shown once; only their SHA-256 is stored. An access
token lives ``API_ACCESS_TOKEN_SECONDS`` (15 minutes by default), a refresh token
``API_REFRESH_TOKEN_SECONDS`` (30 days). Refreshing gives a new pair and retires the
refresh token used; a retired refresh token used again ends the whole sign-in (its
family), as it can only mean that it was copied.
"""

import datetime
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework.api.models import PartyToken, SystemKey
from casework.core.roles import is_portal_user

ACCESS_PREFIX = "lga_"
REFRESH_PREFIX = "lgr_"
KEY_PREFIX = "lgk_"
Kind = PartyToken.Kind


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def access_seconds() -> int:
    return int(getattr(settings, "API_ACCESS_TOKEN_SECONDS", 900))


def refresh_seconds() -> int:
    return int(getattr(settings, "API_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600))


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    token_type: str = "Bearer"  # noqa: S105 (the scheme's name, not a secret)


def _new(user, kind: str, family: uuid.UUID, seconds: int, client_ip: str | None) -> str:
    prefix = ACCESS_PREFIX if kind == Kind.ACCESS else REFRESH_PREFIX
    secret = prefix + secrets.token_urlsafe(32)
    now = timezone.now()
    PartyToken.objects.create(
        user=user,
        kind=kind,
        family=family,
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=seconds),
        client_ip=client_ip,
    )
    return secret


def issue(user, *, client_ip: str | None = None, family: uuid.UUID | None = None) -> TokenPair:
    """A new pair for a portal user who has just proved their phone."""
    family = family or uuid.uuid4()
    access, refresh = access_seconds(), refresh_seconds()
    return TokenPair(
        access_token=_new(user, Kind.ACCESS, family, access, client_ip),
        refresh_token=_new(user, Kind.REFRESH, family, refresh, client_ip),
        expires_in=access,
        refresh_expires_in=refresh,
    )


def user_for_access(secret: str):
    """The portal user of a live access token, or None."""
    if not secret.startswith(ACCESS_PREFIX):
        return None
    row = (
        PartyToken.objects.select_related("user")
        .filter(token_hash=digest(secret), kind=Kind.ACCESS, revoked_at=None)
        .first()
    )
    if row is None or row.expires_at <= timezone.now() or not is_portal_user(row.user):
        return None
    return row.user


def refresh(secret: str, *, client_ip: str | None = None) -> TokenPair | None:
    """A new pair for a live refresh token, which is retired; None when it is not live.

    A refresh token used a second time revokes its whole family."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            PartyToken.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=digest(secret), kind=Kind.REFRESH)
            .first()
        )
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if row.used_at is not None:
            _revoke_family(row.family, now)
            return None
        if not is_portal_user(row.user):
            return None
        PartyToken.objects.filter(pk=row.pk).update(used_at=now)
        # The old access tokens of the family end with the refresh.
        PartyToken.objects.filter(family=row.family, kind=Kind.ACCESS, revoked_at=None).update(
            revoked_at=now
        )
        return issue(row.user, client_ip=client_ip, family=row.family)


def revoke(secret: str, *, user=None) -> bool:
    """End the sign-in of this access or refresh token (of ``user``, when given)."""
    rows = PartyToken.objects.filter(token_hash=digest(secret))
    if user is not None:
        rows = rows.filter(user=user)
    row = rows.first()
    if row is None:
        return False
    _revoke_family(row.family, timezone.now())
    return True


def revoke_user(user) -> int:
    """End every sign-in of ``user`` (a lost phone, a login switched off)."""
    return PartyToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def _revoke_family(family: uuid.UUID, now: datetime.datetime) -> None:
    PartyToken.objects.filter(family=family, revoked_at=None).update(revoked_at=now)


# -- the systems' keys ---------------------------------------------------------------------


def key_create(*, name: str, markets, scopes: list[str], created_by=None, contact: str = ""):
    """A new key: (the row, the secret to hand over once)."""
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = SystemKey.objects.create(
            name=name,
            prefix=prefix,
            key_hash=digest(secret),
            scopes=sorted(set(scopes)),
            created_by=created_by,
            contact=contact,
        )
        key.markets.set(markets)
    return key, secret


def key_for(secret: str) -> SystemKey | None:
    """The live key of this secret, with its markets' ids, or None."""
    if not secret.startswith(KEY_PREFIX):
        return None
    key = SystemKey.objects.filter(key_hash=digest(secret), revoked_at=None).first()
    if key is None:
        return None
    key.market_ids = frozenset(key.markets.values_list("pk", flat=True))
    return key


def key_revoke(key: SystemKey) -> None:
    SystemKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=timezone.now())
