"""Who calls: a party with an access token, or a system with its key (docs/api.md)."""

from django.conf import settings
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer
from ninja.throttling import SimpleRateThrottle

from casework.api import tokens
from casework.api.errors import ApiError
from casework.api.models import SystemCall, SystemKey
from casework.core.audit import client_ip


class PartyAuth(HttpBearer):
    """``Authorization: Bearer <access token>`` of a worker or hiring party.

    The request then carries the user as ``request.user``, so the services and the
    access rules see exactly what the portal pages would."""

    def authenticate(self, request, token: str):
        user = tokens.user_for_access(token.strip())
        if user is None:
            return None
        request.user = user
        request.api_owner = f"user:{user.pk}"
        return user


class SystemAuth(APIKeyHeader):
    """``X-API-Key: <key>`` of another government system."""

    param_name = "X-API-Key"

    def authenticate(self, request, key: str | None):
        found = tokens.key_for((key or "").strip())
        if found is None:
            return None
        request.system_key = found
        request.api_owner = f"key:{found.pk}"
        return found


def system_key(request) -> SystemKey:
    return request.system_key


def require_scope(request, scope: str) -> SystemKey:
    """The caller's key, which must hold ``scope`` (403 otherwise)."""
    key = system_key(request)
    if not key.allows(scope):
        raise ApiError(403, code="scope_missing")
    return key


def log_system_call(request, status: int) -> None:
    """Every call to the system API, answered or refused, with the key when it was valid."""
    key = getattr(request, "system_key", None)
    SystemCall.objects.create(
        key=key,
        method=request.method[:8],
        path=request.get_full_path()[:300],
        status=status,
        rows=getattr(request, "api_rows", 0),
        personal=getattr(request, "api_personal", False),
        client_ip=client_ip(request),
    )
    if key is not None:
        SystemKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


class CallerThrottle(SimpleRateThrottle):
    """Requests per caller (a party, a system key, else the client address) and minute:
    ``API_RATE_PARTY``, ``API_RATE_SYSTEM``, ``API_RATE_ANONYMOUS`` (read at each call)."""

    scope = "api"

    def __init__(self) -> None:
        super().__init__(rate="1/min")  # replaced by the setting at each call

    def allow_request(self, request) -> bool:
        owner = getattr(request, "api_owner", "")
        setting = {"user": "API_RATE_PARTY", "key": "API_RATE_SYSTEM"}.get(
            owner.split(":")[0], "API_RATE_ANONYMOUS"
        )
        self.rate = getattr(settings, setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        ident = getattr(request, "api_owner", "") or f"ip:{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
