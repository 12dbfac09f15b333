"""Complaints against job intermediaries (黑中介), docs/domain.md, "Complaints".

A complaint is received (at the counter, by phone, in the portal or through the
public form, possibly anonymously), then accepted, not accepted, or held for a
supplement (one notice listing every missing item; the acceptance clock stops
until the items arrive). An accepted complaint is investigated within 60
working days (one extension of 30 with a supervisor's approval), decided, the
respondent heard, and closed; it may be referred to another authority from
accepted or investigating.

Whoever files a complaint gets a tracking code; only its SHA-256 is stored,
so the code is shown once and cannot be read back from the database.
"""

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from casework.complaints.penalties import Conduct, Measure
from casework.core import calendar
from casework.core.dates import DB_FLOOR, DB_FLOOR_MOMENT
from casework.core.models import CaseBase, EvidenceFile
from casework.parties.models import Organization, Person

# 32 letters and digits without 0/O and 1/I: 20 of them are 100 random bits.
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKING_LENGTH = 20


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, TRACKING_LENGTH, 4))


def normalise_tracking_code(value: str) -> str:
    raw = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def tracking_hash(code: str) -> str:
    return hashlib.sha256(normalise_tracking_code(code).encode()).hexdigest()


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Channel(models.TextChoices):
    COUNTER = "counter", _("at the counter")
    PHONE = "phone", _("by phone")
    PORTAL = "portal", _("in the portal")
    WEB = "web", _("public web form")


class NotAcceptedReason(models.TextChoices):
    TOO_OLD = "too_old", _("the conduct is more than 2 years old")
    NO_RESPONDENT = "no_respondent", _("no identified respondent")
    NOT_COMPETENT = "not_competent", _("not within this office's power")
    NO_SUPPLEMENT = "no_supplement", _("the missing material did not arrive")


class Outcome(models.TextChoices):
    ORDER_TO_CORRECT = "order_to_correct", _("order to correct")
    PENALTY_PROPOSED = "penalty_proposed", _("penalty proposed")
    NO_VIOLATION = "no_violation", _("no violation found")
    MINOR_CORRECTED = "minor_corrected", _("closed as minor and corrected")


# Outcomes that put the intermediary on the public list of sanctions when the complaint
# closes: decisions that are final then. A proposed penalty is the market's proposal to
# the labour administration, which decides the fine; a proposal is never published, the
# administration's decision on it is (PenaltyDecision).
SANCTIONING = frozenset({Outcome.ORDER_TO_CORRECT})


class Penalty(models.TextChoices):
    """What the labour administration decided on a proposed penalty (行政处罚决定)."""

    FINE = "fine", _("fine (罚款)")
    WARNING = "warning", _("warning (警告)")
    NONE = "none", _("no penalty (不予处罚)")


class SanctionKind(models.TextChoices):
    """What a row of the public list is: the officer's order, or a decided penalty.

    Its own choices, not Outcome's: the decision form offers Outcome, and an officer
    must not be able to record a penalty as decided.
    """

    ORDER_TO_CORRECT = "order_to_correct", _("order to correct")
    FINE = "fine", _("administrative penalty: fine")
    WARNING = "warning", _("administrative penalty: warning")


# The row the list shows for each decided penalty; no penalty publishes nothing.
PUBLISHED_PENALTIES = {Penalty.FINE: SanctionKind.FINE, Penalty.WARNING: SanctionKind.WARNING}


class ReferralTarget(models.TextChoices):
    LABOUR_INSPECTION = "labour_inspection", _("labour inspection")
    MARKET_REGULATION = "market_regulation", _("market regulation")
    POLICE = "police", _("public security (police)")
    OTHER_MARKET = "other_market", _("another gig market")


class FeedbackResult(models.TextChoices):
    """What labour inspection reports back on a complaint referred to it."""

    HANDLED = "handled", _("case opened and handled")
    NOT_OPENED = "not_opened", _("no case opened")
    TRANSFERRED = "transferred", _("transferred to another body")


class ComplaintQuerySet(models.QuerySet):
    def accepted_since(self, day: datetime.date) -> "ComplaintQuerySet":
        since = datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        return self.filter(accepted_at__gte=since)


def feedback_late(day: datetime.date) -> Q:
    """Referred to labour inspection, whose feedback was due before ``day``."""
    return Q(state="awaiting_feedback", feedback_recorded_at__isnull=True, feedback_due__lt=day)


def _owner_acts(instance: "Complaint", user) -> bool:
    return user.has_perm("complaints.work_complaint") and instance.owner_id == user.pk


class Complaint(CaseBase):
    CODE_PREFIX = "IC"

    class State(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("complaint state", "received")
        SUPPLEMENT_REQUESTED = (
            "supplement_requested",
            pgettext_lazy("complaint state", "supplement requested"),
        )
        ACCEPTED = "accepted", pgettext_lazy("complaint state", "accepted")
        NOT_ACCEPTED = "not_accepted", pgettext_lazy("complaint state", "not accepted")
        INVESTIGATING = "investigating", pgettext_lazy("complaint state", "investigating")
        DECIDED = "decided", pgettext_lazy("complaint state", "decided")
        RESPONDENT_HEARD = "respondent_heard", pgettext_lazy("complaint state", "respondent heard")
        CLOSED = "closed", pgettext_lazy("complaint state", "closed")
        REFERRED = "referred", pgettext_lazy("complaint state", "referred")
        AWAITING_FEEDBACK = (
            "awaiting_feedback",
            pgettext_lazy("complaint state", "referred: awaiting inspection feedback"),
        )

    FINAL_STATES = (State.NOT_ACCEPTED, State.CLOSED, State.REFERRED)
    ACCEPTANCE_STATES = (State.RECEIVED, State.SUPPLEMENT_REQUESTED)
    INVESTIGATION_STATES = (State.ACCEPTED, State.INVESTIGATING)

    state = FSMField(
        _("state"), default=State.RECEIVED, choices=State.choices, protected=True, db_index=True
    )
    channel = models.CharField(_("received through"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    # Who complains: a registered person, someone who left a name and a number, or nobody.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("complainant"),
    )
    complainant_name = models.CharField(_("complainant's name"), max_length=60, blank=True)
    contact_mobile = models.CharField(_("mobile number for notices"), max_length=11, blank=True)
    tracking_hash = models.CharField(max_length=64, unique=True, editable=False)
    # What happened.
    categories = models.JSONField(_("conduct complained of"), default=list)
    facts = models.TextField(_("facts"))
    conduct_on = models.DateField(_("when it happened"))
    deposit_amount = models.DecimalField(
        _("deposit taken (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deposit_workers = models.PositiveIntegerField(
        _("workers who paid a deposit"), null=True, blank=True
    )
    # The respondent as named by the complainant, and as identified in the registry.
    respondent_name_given = models.CharField(_("intermediary as named"), max_length=120)
    respondent_details_given = models.CharField(
        _("address, phone or where it advertised"), max_length=300, blank=True
    )
    respondent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("respondent"),
        limit_choices_to={"kind": Organization.Kind.INTERMEDIARY},
    )
    # Acceptance (5 working days from receipt; paused while a supplement is outstanding).
    acceptance_due = models.DateField(_("acceptance decision due"))
    acceptance_paused_on = models.DateField(_("acceptance clock paused on"), null=True, blank=True)
    supplement_items = models.JSONField(_("missing items"), default=list, blank=True)
    supplement_due = models.DateField(_("supplement due"), null=True, blank=True)
    supplement_requested_at = models.DateTimeField(_("supplement requested"), null=True, blank=True)
    supplement_received_at = models.DateTimeField(_("supplement received"), null=True, blank=True)
    supplement_note = models.TextField(_("what arrived"), blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, db_index=True)
    not_accepted_reason = models.CharField(
        _("reason for not accepting"), max_length=20, choices=NotAcceptedReason.choices, blank=True
    )
    competent_authority = models.CharField(_("competent authority"), max_length=120, blank=True)
    not_accepted_note = models.TextField(_("explanation"), blank=True)
    # Investigation (60 working days from acceptance, +30 once with approval).
    investigation_due = models.DateField(_("investigation due"), null=True, blank=True)
    extended = models.BooleanField(_("investigation extended"), default=False)
    # Decision.
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    conduct_found = models.CharField(
        _("conduct found"), max_length=20, choices=Conduct.choices, blank=True
    )
    workers_affected = models.PositiveIntegerField(_("workers affected"), null=True, blank=True)
    findings = models.TextField(_("facts found"), blank=True)
    measures = models.TextField(_("measures ordered"), blank=True)
    correction_due = models.DateField(_("correct by"), null=True, blank=True)
    penalty_amount = models.DecimalField(
        _("proposed fine (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    penalty_justification = models.TextField(_("why outside the statutory range"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # The respondent's statement and defence (陈述、申辩) on the decision.
    hearing_statement = models.TextField(_("respondent's statement"), blank=True)
    hearing_waived = models.BooleanField(_("the respondent made no statement"), default=False)
    heard_at = models.DateTimeField(_("heard"), null=True, blank=True)
    # Referral.
    referral_target = models.CharField(
        pgettext_lazy("complaint", "referred to"),
        max_length=20,
        choices=ReferralTarget.choices,
        blank=True,
    )
    referral_body = models.CharField(_("receiving body"), max_length=120, blank=True)
    referral_reason = models.TextField(_("why it is referred"), blank=True)
    referred_at = models.DateTimeField(
        pgettext_lazy("complaint", "referred"), null=True, blank=True
    )
    # The end, as the complainant is told it.
    result_summary = models.TextField(_("result as told to the complainant"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Labour inspection's feedback on a complaint referred to it (docs/domain.md,
    # "Complaints"): due COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS after the referral.
    feedback_due = models.DateField(_("inspection feedback due"), null=True, blank=True)
    feedback_on = models.DateField(_("feedback dated"), null=True, blank=True)
    feedback_result = models.CharField(
        _("feedback"), max_length=20, choices=FeedbackResult.choices, blank=True
    )
    feedback_reference = models.CharField(
        _("inspection's reference number"), max_length=60, blank=True
    )
    feedback_note = models.TextField(_("what the inspection reported"), blank=True)
    feedback_recorded_at = models.DateTimeField(_("feedback recorded"), null=True, blank=True)
    escalated_on = models.DateField(_("overdue reported on"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("work_complaint", _("Can handle complaints against intermediaries")),
            ("approve_extension", _("Can approve extending an investigation")),
            ("reassign_complaint", _("Can hand a complaint over to another officer")),
        ]
        constraints = [
            # The queues sort and count days on it: no absurd year (casework.core.dates).
            models.CheckConstraint(
                condition=Q(received_at__gte=DB_FLOOR_MOMENT),
                name="complaints_complaint_received_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "state", "acceptance_due"], name="complaint_accept_idx"),
            models.Index(
                fields=["market", "state", "investigation_due"], name="complaint_invest_idx"
            ),
            models.Index(fields=["respondent", "accepted_at"], name="complaint_repeat_idx"),
            models.Index(fields=["market", "state", "feedback_due"], name="complaint_feedback_idx"),
            # The system API's sync (casework/api/system.py) pages a market's cases by
            # (updated_at, id): a page is one range of this index, however deep.
            models.Index(fields=["market", "updated_at", "id"], name="complaint_updated_idx"),
        ]

    # -- reading ---------------------------------------------------------------

    @property
    def complainant_label(self) -> str:
        if self.anonymous:
            return str(_("anonymous"))
        if self.complainant_id:
            return self.complainant.name
        return self.complainant_name

    @property
    def notice_mobile(self) -> str:
        """Where notices go: none for an anonymous complainant who left no number."""
        if self.complainant_id and not self.anonymous:
            return self.complainant.mobile
        return self.contact_mobile

    def acceptance_days_left(
        self, today: datetime.date | None = None, cal: calendar.WorkCalendar | None = None
    ) -> int | None:
        """Working days left to decide on acceptance; frozen while a supplement is awaited.

        A page listing many complaints passes one ``cal`` for all of them.
        """
        if self.state not in self.ACCEPTANCE_STATES:
            return None
        since = self.acceptance_paused_on or today or timezone.localdate()
        return (cal or calendar.WorkCalendar()).working_days_between(since, self.acceptance_due)

    def investigation_days_left(
        self, today: datetime.date | None = None, cal: calendar.WorkCalendar | None = None
    ) -> int | None:
        if self.state not in self.INVESTIGATION_STATES or self.investigation_due is None:
            return None
        since = today or timezone.localdate()
        return (cal or calendar.WorkCalendar()).working_days_between(since, self.investigation_due)

    def current_due(self) -> datetime.date | None:
        if self.state == self.State.RECEIVED:
            return self.acceptance_due
        if self.state in self.INVESTIGATION_STATES:
            return self.investigation_due
        if self.awaits_feedback():
            return self.feedback_due
        return None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        due = self.current_due()
        return due is not None and (today or timezone.localdate()) > due

    def pending_extension(self) -> "ExtensionRequest | None":
        return self.extension_requests.filter(approved__isnull=True).first()

    def awaits_penalty_decision(self) -> bool:
        """Closed with a proposed penalty on which the administration's decision is not
        yet recorded."""
        return (
            self.state == self.State.CLOSED
            and self.outcome == Outcome.PENALTY_PROPOSED
            and not PenaltyDecision.objects.filter(complaint_id=self.pk).exists()
        )

    # -- conditions ------------------------------------------------------------

    def supplement_not_requested(self) -> bool:
        return self.supplement_requested_at is None

    def has_respondent(self) -> bool:
        return self.respondent_id is not None

    def within_two_years(self) -> bool:
        received = timezone.localdate(self.received_at)
        return self.conduct_on >= months_before(received, 24)

    def has_interview(self) -> bool:
        return self.interviews.exists()

    def awaits_feedback(self) -> bool:
        """Referred to labour inspection, whose feedback is not recorded yet."""
        return self.state == self.State.AWAITING_FEEDBACK and self.feedback_recorded_at is None

    def feedback_in(self) -> bool:
        """Closing needs labour inspection's feedback on a complaint referred to it."""
        return not self.awaits_feedback()

    # -- transitions -------------------------------------------------------------

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.SUPPLEMENT_REQUESTED,
        permission=_owner_acts,
        conditions=[supplement_not_requested],
        custom={"label": _("Ask for the missing material (one notice)")},
    )
    def request_supplement(self, *, items: list[str], due: datetime.date) -> None:
        self.supplement_items = items
        self.supplement_due = due
        self.supplement_requested_at = timezone.now()
        self.acceptance_paused_on = timezone.localdate()

    @transition(
        field=state,
        source=State.SUPPLEMENT_REQUESTED,
        target=State.RECEIVED,
        permission=_owner_acts,
        custom={"label": _("Record the supplement")},
    )
    def receive_supplement(self, *, received: str) -> None:
        today = timezone.localdate()
        self.acceptance_due = calendar.resume_after_pause(
            self.acceptance_due, self.acceptance_paused_on, today
        )
        self.acceptance_paused_on = None
        self.supplement_received_at = timezone.now()
        self.supplement_note = received

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.ACCEPTED,
        permission=_owner_acts,
        conditions=[has_respondent, within_two_years],
        custom={"label": _("Accept")},
    )
    def accept(self) -> None:
        self.accepted_at = timezone.now()
        self.investigation_due = calendar.add_working_days(
            timezone.localdate(self.accepted_at), settings.COMPLAINT_INVESTIGATION_WORKING_DAYS
        )

    @transition(
        field=state,
        source=[State.RECEIVED, State.SUPPLEMENT_REQUESTED],
        target=State.NOT_ACCEPTED,
        permission=_owner_acts,
        custom={"label": _("Do not accept")},
    )
    def not_accept(self, *, reason: str, authority: str = "", explanation: str = "") -> None:
        self.not_accepted_reason = reason
        self.competent_authority = authority
        self.not_accepted_note = explanation
        self.acceptance_paused_on = None
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=State.ACCEPTED,
        target=State.INVESTIGATING,
        permission=_owner_acts,
        custom={"label": _("Start the investigation")},
    )
    def start_investigation(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.ACCEPTED, State.INVESTIGATING],
        target=State.REFERRED,
        permission=_owner_acts,
        custom={"label": _("Refer to another authority")},
    )
    def refer(self, *, target: str, body: str, reason: str, result: str) -> None:
        self.referral_target = target
        self.referral_body = body
        self.referral_reason = reason
        self.referred_at = timezone.now()
        self.result_summary = result
        self.closed_at = self.referred_at

    @transition(
        field=state,
        source=[State.ACCEPTED, State.INVESTIGATING],
        target=State.AWAITING_FEEDBACK,
        permission=_owner_acts,
        custom={"label": _("Refer to labour inspection")},
    )
    def refer_to_inspection(self, *, target: str, body: str, reason: str, due) -> None:
        """Referred, but not finished: the complaint closes on the inspection's feedback."""
        self.referral_target = target
        self.referral_body = body
        self.referral_reason = reason
        self.referred_at = timezone.now()
        self.feedback_due = due

    @transition(
        field=state,
        source=State.AWAITING_FEEDBACK,
        target=State.AWAITING_FEEDBACK,
        permission=_owner_acts,
        conditions=[awaits_feedback],
        custom={"label": _("Record the inspection's feedback")},
    )
    def record_feedback(
        self, *, day: datetime.date, result: str, reference: str, summary: str
    ) -> None:
        self.feedback_on = day
        self.feedback_result = result
        self.feedback_reference = reference
        self.feedback_note = summary
        self.feedback_recorded_at = timezone.now()

    @transition(
        field=state,
        source=State.INVESTIGATING,
        target=State.DECIDED,
        permission=_owner_acts,
        conditions=[has_interview],
        custom={"label": _("Record the decision")},
    )
    def decide(self, *, by, **decision) -> None:
        for name, value in decision.items():
            setattr(self, name, value)
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(
        field=state,
        source=State.DECIDED,
        target=State.RESPONDENT_HEARD,
        permission=_owner_acts,
        custom={"label": _("Record the respondent's statement")},
    )
    def hear_respondent(self, *, statement: str, waived: bool) -> None:
        self.hearing_statement = statement
        self.hearing_waived = waived
        self.heard_at = timezone.now()

    @transition(
        field=state,
        source=[State.RESPONDENT_HEARD, State.AWAITING_FEEDBACK],
        target=State.CLOSED,
        permission=_owner_acts,
        conditions=[feedback_in],
        custom={"label": _("Close and tell the complainant")},
    )
    def close(self, *, result: str) -> None:
        self.result_summary = result
        self.closed_at = timezone.now()


class DecisionItem(models.Model):
    """One conduct found in a complaint's decision, with what is ordered or proposed for it.

    A decision lists one or more; the complaint's own ``conduct_found`` and
    ``workers_affected`` repeat the first item's, and ``penalty_amount`` is the total
    fine proposed, so that the lists and figures that read one conduct per decision
    keep working.
    """

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="decision_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    conduct = models.CharField(_("conduct found"), max_length=20, choices=Conduct.choices)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    workers_affected = models.PositiveIntegerField(_("workers affected"), null=True, blank=True)
    amount = models.DecimalField(
        _("proposed fine (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    justification = models.TextField(_("why outside the statutory range"), blank=True)

    class Meta:
        verbose_name = _("conduct in a decision")
        verbose_name_plural = _("conducts in a decision")
        ordering = ["complaint", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint.code} {self.conduct}"

    def measure_labels(self) -> list[str]:
        labels = dict(Measure.choices)
        return [str(labels.get(m, m)) for m in self.measures]


class ComplaintEvidence(EvidenceFile):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")

    class Meta(EvidenceFile.Meta):
        pass


class Interview(models.Model):
    """One questioning during the investigation; its record is the 调查笔录."""

    class Role(models.TextChoices):
        RESPONDENT = "respondent", _("the intermediary (respondent)")
        COMPLAINANT = "complainant", _("the complainant")
        WITNESS = "witness", _("a witness")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="interviews")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    interviewee_role = models.CharField(_("questioned"), max_length=20, choices=Role.choices)
    interviewee_name = models.CharField(_("name of the person questioned"), max_length=60)
    interviewee_position = models.CharField(
        _("position (for the intermediary's representative)"), max_length=60, blank=True
    )
    investigators = models.CharField(_("investigators present"), max_length=200)
    record = models.TextField(_("questions and answers"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("investigation record")
        verbose_name_plural = _("investigation records")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint.code} {self.interviewee_name}"

    @property
    def market(self):
        return self.complaint.market


class ExtensionRequest(models.Model):
    """Asking for the one 30-working-day extension; a supervisor other than the asker decides."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="extension_requests"
    )
    reason = models.TextField(_("why more time is needed"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    previous_due = models.DateField(_("previous deadline"))
    new_due = models.DateField(_("new deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(approved__isnull=True),
                name="complaints_one_pending_extension",
            ),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(approved=True),
                name="complaints_one_approved_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint.code} +{settings.COMPLAINT_EXTENSION_WORKING_DAYS}"


class PenaltyDecision(models.Model):
    """The labour administration's decision (行政处罚决定) on a penalty the market proposed.

    Recorded once per complaint, after it closed with ``Outcome.PENALTY_PROPOSED``; a
    fine or a warning is then published on the list of sanctions with the amount decided,
    which may differ from the amount proposed.
    """

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="penalty_decision"
    )
    authority = models.CharField(_("deciding authority"), max_length=120)
    document_number = models.CharField(_("decision number (处罚决定书文号)"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    penalty = models.CharField(_("penalty decided"), max_length=10, choices=Penalty.choices)
    amount = models.DecimalField(
        _("fine decided (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("penalty decision")
        verbose_name_plural = _("penalty decisions")
        constraints = [
            # A fine has its amount, anything else none: the public list shows it as is.
            models.CheckConstraint(
                condition=(Q(penalty="fine") & Q(amount__gt=0))
                | (~Q(penalty="fine") & Q(amount__isnull=True)),
                name="complaints_penaltydecision_amount_iff_fine",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__gte=DB_FLOOR),
                name="complaints_penaltydecision_decided_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint.code} {self.document_number}"

    @property
    def market(self):
        return self.complaint.market


class Sanction(models.Model):
    """A final decision against an intermediary, as the public list of sanctions shows it:
    an order to correct, or a penalty the labour administration decided."""

    intermediary = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sanctions"
    )
    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="sanction")
    market = models.ForeignKey("core.Market", on_delete=models.PROTECT, related_name="+")
    conduct = models.CharField(_("conduct"), max_length=20, choices=Conduct.choices)
    outcome = models.CharField(_("decision"), max_length=20, choices=SanctionKind.choices)
    measures = models.TextField(_("measures"), blank=True)
    amount = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # For a decided penalty: who decided it and the decision's number, as published.
    authority = models.CharField(_("deciding authority"), max_length=120, blank=True)
    document_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.intermediary} {self.decided_on}"
