import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.core.models import SubjectLink, SubjectQuerySet

# Crockford-style alphabet without 0/O, 1/I/L: easy to read aloud and type from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class DocumentImmutable(Exception):
    pass


class DocumentQuerySet(SubjectQuerySet):
    def for_subject(self, subject: models.Model) -> "DocumentQuerySet":
        return super().for_subject(subject).order_by("kind", "-version")


class Document(SubjectLink):
    """One PDF produced for a case (or another subject). Immutable once ready.

    pending -> rendering -> ready, or back to pending (an error, a lost render:
    the sweep sends it again) or failed (given up; staff may retry it, which makes
    it pending again). See casework.documents.services.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        # The same words for the reader: the difference is only the worker's.
        RENDERING = "rendering", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    # Not ready yet but on its way (the pages refresh, a referral may cite it).
    IN_PROGRESS = (Status.PENDING, Status.RENDERING)

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=120)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    context = models.JSONField(_("content"), default=dict)
    seal = models.BooleanField(_("sealed"), default=False)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    verification_code = models.CharField(
        _("verification code"),
        max_length=CODE_LENGTH,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    market_name = models.CharField(_("market"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While rendering: the claim ends here. A worker's hard time limit ends every
    # render before it, so a rendering row past it was lost (a killed worker) and
    # may be claimed again. Also the claim's fencing token (services._finish).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # While pending: when the sweep sends the render again if the row is still pending
    # (a message that never reached the broker or was lost, a retry after an error).
    resend_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "version"],
                name="documents_document_version_unique",
            )
        ]
        indexes = [
            # The sweep's two queries, every few seconds, over a table of millions.
            models.Index(fields=["status", "resend_at"], name="documents_due_idx"),
            models.Index(fields=["status", "lease_expires_at"], name="documents_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        # A ready document is what its verification code vouches for; a correction
        # is a new version. Status changes go through services' conditional updates.
        if getattr(self, "_loaded_status", None) == self.Status.READY:
            raise DocumentImmutable(f"{self} is ready and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if getattr(self, "_loaded_status", None) == self.Status.READY:
            raise DocumentImmutable(f"{self} is ready and cannot be deleted")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        # Remembers the status as loaded, for the immutability guard in save().
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_pending(self) -> bool:
        """Not ready yet but on its way (pending or rendering)."""
        return self.status in self.IN_PROGRESS

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
