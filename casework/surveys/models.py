"""One invitation per party and closed case, with its answer (docs/surveys.md)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import Market, SubjectLink
from casework.parties.models import Person

# An invitation can be answered for this long after it was sent.
VALID_FOR = datetime.timedelta(days=30)
COMMENT_MAX = 500


class Level(models.IntegerChoices):
    """The five levels of the national 政务服务"好差评" rating, best first."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# The satisfaction rate counts these as satisfied (非常满意 + 满意 + 基本满意).
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)
# The levels at which the party may say what was unsatisfactory.
REASON_LEVELS = (Level.BASICALLY_SATISFIED, Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Reason(models.TextChoices):
    TOO_LONG = "too_long", _("It took too long")
    ATTITUDE = "attitude", _("The staff's attitude")
    RESULT = "result", _("The result")
    COMMUNICATION = "communication", _("I was not kept informed")
    PROCEDURE = "procedure", _("The procedure was unclear")
    OTHER = "other", _("Other")


class SurveyInvitation(SubjectLink):
    """Sent when a case closes to one of its parties; answered once, within 30 days."""

    # The workflow (casework.surveys.registry), the case's market and number, kept here
    # so the results read one table.
    kind = models.CharField(_("kind of case"), max_length=20)
    market = models.ForeignKey(
        Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market")
    )
    case_code = models.CharField(_("case number"), max_length=24)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    mobile = models.CharField(_("mobile number"), max_length=11)
    # The person ("p<id>") or, without a person record, the number ("m<mobile>"): one
    # invitation per case and party.
    party_key = models.CharField(max_length=20, editable=False)
    # The staff member who held the case when it closed.
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("answered"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(
        _("rating"), choices=Level.choices, null=True, blank=True
    )
    reasons = models.JSONField(_("what was unsatisfactory"), default=list, blank=True)
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "party_key"],
                name="surveys_one_invitation_per_party",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(level__isnull=False),
                name="surveys_answer_has_level",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="survey_subject_idx"),
            # The results and the indicators: a market's answers and invitations by time.
            models.Index(fields=["market", "kind", "used_at"], name="survey_answered_idx"),
            models.Index(fields=["market", "created_at"], name="survey_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_code} {self.party_key}"

    @property
    def answered(self) -> bool:
        return self.used_at is not None

    def expired(self, now: datetime.datetime | None = None) -> bool:
        return not self.answered and (now or timezone.now()) >= self.expires_at

    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels.get(r, r)) for r in self.reasons]
