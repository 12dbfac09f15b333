"""The portal's own records: the one-time codes of the sign-in by text message."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """A code sent to a mobile number to sign in (or to confirm the number for registering).

    Only a keyed hash of the code is stored (portal.accounts.code_hash). A code expires
    after CODE_MINUTES, allows CODE_ATTEMPTS tries and works once; only the latest code
    of a number counts, so asking for a new code retires the previous one (docs/portal.md).
    The row is the subject of the text message that carries the code.
    """

    mobile = models.CharField(_("mobile number"), max_length=11)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["mobile", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]} {self.created_at:%Y-%m-%d %H:%M}"
