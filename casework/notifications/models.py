"""One row per message to one recipient: what is sent, to whom, and what became of it
(docs/notifications.md)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import SubjectLink


class Notification(SubjectLink):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        HELD = "held", _("held for the quiet hours")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # The worker stopped while sending: whether the text left is unknown, and it is
        # not sent again (never twice for one event and recipient).
        UNKNOWN = "unknown", _("outcome unknown")

    class Channel(models.TextChoices):
        SMS = "sms", _("text message")
        # Staff reminders to a user who chose e-mail (StaffProfile.notify_by).
        EMAIL = "email", _("e-mail")

    # The event (its template, the case, the step) and the recipient: unique, so that a
    # step's hook running twice queues one message.
    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(_("template"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    # The template's parameters, in order ([name, value] pairs), and the text they make.
    params = models.JSONField(default=list)
    text = models.TextField(_("text"))
    urgent = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(_("provider's reference"), max_length=100, blank=True)
    error_code = models.CharField(_("error code"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.status}"
