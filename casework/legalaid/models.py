"""Legal-aid centres and the referrals of workers to them (docs/domain.md, "Legal aid").

A referral belongs to a case of any workflow (a content type and an id, like a
document's subject); the workflow says in its ``legalaid.py`` which of its cases may
be referred and who their workers are (casework.legalaid.registry).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.core.models import Market, SubjectLink, SubjectQuerySet
from casework.parties.models import Person


class LegalAidCentre(models.Model):
    """A legal-aid centre (法律援助中心) a market refers its workers to; kept in the admin."""

    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="legal_aid_centres", verbose_name=_("market")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40)
    opening_hours = models.CharField(_("opening hours"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("legal-aid centre")
        verbose_name_plural = _("legal-aid centres")
        ordering = ["market", "name"]
        constraints = [
            models.UniqueConstraint(fields=["market", "name"], name="legalaid_centre_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Ground(models.TextChoices):
    """Why the centre may or may not check the worker's economic hardship."""

    WAGES = "wages", _("wage claim: green channel, no hardship check")
    WORK_INJURY = "work_injury", _("work-injury damages: green channel, no hardship check")
    HARDSHIP = "hardship", _("other matter: the centre checks economic hardship")


GREEN_GROUNDS = (Ground.WAGES, Ground.WORK_INJURY)


class Result(models.TextChoices):
    CONCLUDED = "concluded", pgettext_lazy("legal aid", "lawyer assigned, case concluded")
    WON = "won", pgettext_lazy("legal aid", "won")
    SETTLED = "settled", pgettext_lazy("legal aid", "settled")
    WITHDRAWN = "withdrawn", pgettext_lazy("legal aid", "withdrawn")
    OTHER = "other", pgettext_lazy("legal aid", "other")


class ReferralQuerySet(SubjectQuerySet):
    def open(self) -> "ReferralQuerySet":
        return self.filter(state__in=LegalAidReferral.OPEN_STATES)


class LegalAidReferral(SubjectLink):
    """referred -> accepted -> concluded, or referred -> declined."""

    class State(models.TextChoices):
        REFERRED = "referred", _("referred, waiting for the centre")
        ACCEPTED = "accepted", _("accepted by the centre")
        DECLINED = "declined", _("declined by the centre")
        CONCLUDED = "concluded", pgettext_lazy("legal aid", "outcome recorded")

    OPEN_STATES = (State.REFERRED, State.ACCEPTED)

    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market")
    )
    worker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="legal_aid_referrals",
        verbose_name=_("worker"),
    )
    centre = models.ForeignKey(
        LegalAidCentre, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("centre")
    )
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices)
    summary = models.TextField(_("the matter in short"), max_length=1000)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REFERRED, db_index=True
    )
    referred_at = models.DateTimeField(_("referred at"), db_index=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    # The centre's answer.
    answered_on = models.DateField(_("date of the centre's answer"), null=True, blank=True)
    centre_reference = models.CharField(_("centre's reference number"), max_length=60, blank=True)
    decline_reason = models.TextField(_("reason given for declining"), blank=True)
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer recorded by"),
    )
    # The outcome of the legal aid.
    concluded_on = models.DateField(_("date of the outcome"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    result_note = models.TextField(_("note on the outcome"), blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded by"),
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal-aid referral")
        verbose_name_plural = _("legal-aid referrals")
        ordering = ["-referred_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="legalaid_ref_subject"),
            models.Index(fields=["market", "referred_at"], name="legalaid_ref_market_at"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.centre}"

    @property
    def green_channel(self) -> bool:
        return self.ground in GREEN_GROUNDS
