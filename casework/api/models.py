"""What the HTTP API keeps: the parties' tokens, the systems' keys, the log of the
systems' calls and the answers of creating calls by idempotency key (docs/api.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import Market


class PartyToken(models.Model):
    """An access or refresh token of a worker or hiring party, stored as its SHA-256.

    The tokens of one sign-in share a ``family``: refreshing replaces the pair within
    it, and revoking (or a refresh token used twice) ends the whole family."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access token")
        REFRESH = "refresh", _("refresh token")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    family = models.UUIDField(_("sign-in"), db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("party API token")
        verbose_name_plural = _("party API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class SystemKey(models.Model):
    """The key of another government system (provincial pooling, …): the markets whose
    cases it reads and what it may read (``scopes``). Only the key's SHA-256 is kept."""

    class Scope(models.TextChoices):
        CASES = "cases", _("case records without personal data")
        PERSONAL = "personal", _("personal data in case records (names, ID and mobile numbers)")
        STATISTICS = "statistics", _("statistics indicators")

    name = models.CharField(_("system"), max_length=120)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    markets = models.ManyToManyField(Market, related_name="+", verbose_name=_("markets"))
    scopes = models.JSONField(_("scopes"), default=list)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # The ids of its markets, read once per call (tokens.key_for).
    market_ids: frozenset[int] = frozenset()

    class Meta:
        verbose_name = _("system API key")
        verbose_name_plural = _("system API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class SystemCall(models.Model):
    """One call of the system API, answered or refused (every call is logged)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    key = models.ForeignKey(
        SystemKey, on_delete=models.PROTECT, null=True, related_name="calls", verbose_name=_("key")
    )
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    rows = models.PositiveIntegerField(_("records returned"), default=0)
    personal = models.BooleanField(_("with personal data"), default=False)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("system API call")
        verbose_name_plural = _("system API calls")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"


class IdempotentCall(models.Model):
    """A creating call by its ``Idempotency-Key``: the same key again gets the same answer."""

    owner = models.CharField(max_length=40)  # "user:<id>" or "key:<id>"
    key = models.CharField(max_length=100)
    operation = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request body
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(null=True)  # None: still being answered
    body = models.JSONField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_idempotent_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
