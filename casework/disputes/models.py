"""Wage disputes through mediation (劳动争议调解仲裁法, docs/domain.md, "Wage disputes").

The dispute's legal state is one protected FSM field; its transitions are run
by the flow (flows.py) through casework.core.transitions.perform(). The
deadline fields are stored so the queue can sort and filter on them.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from casework.core.calendar import add_calendar_days, deadline_calendar_days
from casework.core.dates import DB_FLOOR_MOMENT
from casework.core.models import CaseBase, EvidenceFile
from casework.core.models import evidence_path as core_evidence_path
from casework.parties.models import Organization, Person

MEDIATION_DAYS = 15  # Art. 14: from the body's receipt of the application
LIMITATION_YEARS = 1  # Art. 27


class ClaimType(models.TextChoices):
    UNPAID_WAGES = "unpaid_wages", _("unpaid wages")
    INJURY_MEDICAL = "injury_medical", _("work-injury medical costs")
    SEVERANCE = "severance", _("economic compensation (severance)")
    DAMAGES = "damages", _("compensation for damages")
    OTHER = "other", _("other")


# Art. 16: an unperformed agreement on these lets the worker apply for a 支付令.
PAYMENT_ORDER_TYPES = frozenset(
    {ClaimType.UNPAID_WAGES, ClaimType.INJURY_MEDICAL, ClaimType.SEVERANCE, ClaimType.DAMAGES}
)


class Channel(models.TextChoices):
    WRITTEN = "written", _("written application at the counter")
    ORAL = "oral", _("oral application at the counter")
    ONLINE = "online", _("online through the portal")
    AGREEMENT = "agreement", _("from a gig agreement")


class DisputeQuerySet(models.QuerySet):
    def in_queue_order(self) -> "DisputeQuerySet":
        return self.order_by("-priority", "due_date", "pk")

    def unassigned(self) -> "DisputeQuerySet":
        """Accepted cases waiting in the mediators' queue."""
        return self.filter(state=Dispute.State.ACCEPTED, owner__isnull=True)

    def open(self) -> "DisputeQuerySet":
        return self.filter(state__in=Dispute.OPEN_STATES)

    def for_party(self, user) -> "DisputeQuerySet":
        """Disputes a portal user is a party to: as applicant, respondent or its handling person."""
        person = getattr(user, "person", None) if user.is_authenticated else None
        if person is None:
            return self.none()
        # Three indexed look-ups in one subquery: OR-ing the joins (with DISTINCT) read the
        # whole table, two seconds at a million disputes (bench api).
        applied = Dispute.applicants.through.objects.filter(person=person).values("dispute_id")
        answering = Dispute.objects.filter(respondent_person=person).values("pk")
        represented = Dispute.objects.filter(
            respondent_organization__in=person.organizations.values("pk")
        ).values("pk")
        return self.filter(pk__in=applied.union(answering, represented))


# The states of cases still somebody's work, for the partial indexes of the queue order:
# the tabs of work to do read only these, and the index skips the millions closed.
OPEN_ORDER_STATES = [
    "received",
    "accepted",
    "in_mediation",
    "settled",
    "effective",
    "defaulted",
    "performed",
    "referred",
]


class Dispute(CaseBase):
    CODE_PREFIX = "WD"

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        ACCEPTED = "accepted", _("accepted, waiting for a mediator")
        NOT_ACCEPTED = "not_accepted", _("not accepted")
        IN_MEDIATION = "in_mediation", _("in mediation")
        SETTLED = "settled", _("terms agreed, collecting signatures")
        EFFECTIVE = "effective", _("agreement effective")
        PERFORMED = "performed", _("performed")
        DEFAULTED = "defaulted", _("not performed")
        TERMINATED = "terminated", _("mediation terminated")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REFERRED = "referred", _("referred")
        CLOSED = "closed", _("closed")

    class TerminationReason(models.TextChoices):
        NO_AGREEMENT = "no_agreement", _("no agreement reached")
        PARTY_REFUSED = "party_refused", _("a party refused mediation")
        DEADLINE_PASSED = "deadline_passed", _("15 days passed without an agreed extension")

    class Referral(models.TextChoices):
        PAYMENT_ORDER = "payment_order", _("application to a court for a payment order (支付令)")
        ARBITRATION = "arbitration", _("application for labour dispute arbitration")

    OPEN_STATES = (State.RECEIVED, State.ACCEPTED, State.IN_MEDIATION, State.SETTLED)
    FINAL_STATES = (State.NOT_ACCEPTED, State.TERMINATED, State.WITHDRAWN, State.CLOSED)
    # States in which the 15-day clock runs and the reminder and escalation apply.
    CLOCK_STATES = (State.ACCEPTED, State.IN_MEDIATION, State.SETTLED)

    state = FSMField(
        _("state"), default=State.RECEIVED, choices=State.choices, protected=True, db_index=True
    )
    applicants = models.ManyToManyField(
        Person, related_name="disputes_applied", verbose_name=_("applicants (workers)")
    )
    respondent_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes_as_respondent",
        verbose_name=_("respondent (organisation)"),
    )
    respondent_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes_as_respondent",
        verbose_name=_("respondent (individual)"),
    )
    mediation_body = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="disputes_mediated",
        limit_choices_to={"kind": Organization.Kind.MEDIATION_BODY},
        verbose_name=_("mediation body"),
    )
    channel = models.CharField(_("intake channel"), max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField(_("time of receipt"))
    applicant_details = models.TextField(
        _("applicant's basic details"),
        blank=True,
        help_text=_("For an oral application: name, sex, age, address, phone, employer."),
    )
    matter = models.TextField(_("matter in dispute"))
    reasons = models.TextField(_("facts and reasons"))
    knew_of_infringement_on = models.DateField(
        _("date the worker knew of the infringement"), null=True, blank=True
    )
    employment_ended_on = models.DateField(_("date employment ended"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    total_claimed = models.DecimalField(
        _("total claimed (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    claim_types = models.CharField(_("claim types"), max_length=120, blank=True, editable=False)
    mediation_due = models.DateField(_("mediation deadline (15 days)"))
    due_date = models.DateField(_("current deadline"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    mediation_started_at = models.DateTimeField(_("mediation started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("mediation ended"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for not accepting"), blank=True)
    termination_reason = models.CharField(
        _("termination reason"), max_length=20, choices=TerminationReason.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    referral = models.CharField(_("referral"), max_length=20, choices=Referral.choices, blank=True)
    reminded_on = models.DateField(_("deadline reminder sent"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated to supervisor"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    source_agreement_code = models.CharField(_("gig agreement number"), max_length=24, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("wage dispute")
        verbose_name_plural = _("wage disputes")
        permissions = [
            ("accept_dispute", _("Can accept or refuse disputes")),
            ("mediate_dispute", _("Can mediate disputes")),
            ("reassign_dispute", _("Can reassign disputes")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(respondent_organization__isnull=False, respondent_person__isnull=True)
                    | Q(respondent_organization__isnull=True, respondent_person__isnull=False)
                ),
                name="disputes_dispute_one_respondent",
            ),
            # The queues sort and count days on it: no absurd year (casework.core.dates).
            models.CheckConstraint(
                condition=Q(received_at__gte=DB_FLOOR_MOMENT),
                name="disputes_dispute_received_plausible",
            ),
        ]
        indexes = [
            # The queue tabs: unassigned / mine / due soon, in priority then deadline order.
            models.Index(
                fields=["market", "state", "owner", "-priority", "due_date", "id"],
                name="dispute_queue_idx",
            ),
            models.Index(
                fields=["owner", "state", "-priority", "due_date", "id"], name="dispute_mine_idx"
            ),
            # Due soon / overdue read only this index.
            models.Index(
                fields=["market", "state", "due_date", "priority", "id"], name="dispute_due_idx"
            ),
            # The supervisors' "all" tab, in queue order.
            models.Index(fields=["market", "-priority", "due_date", "id"], name="dispute_all_idx"),
            # The unassigned tab and take next: an index in their order, with no owner.
            models.Index(
                fields=["market", "state", "-priority", "due_date", "id"],
                condition=Q(owner__isnull=True),
                name="dispute_unassigned_idx",
            ),
            # The statistics read a market's disputes by receipt, end and last change
            # (casework/disputes/reports.py).
            models.Index(fields=["market", "received_at"], name="dispute_received_idx"),
            # Without the market: a regional supervisor's view orders the cases of many
            # markets at once, which the indexes above cannot give in order (an IN list of
            # markets), so the first page read and sorted all of them (0.7 s at 5 million).
            # The queue order is wanted of open cases only (the tabs of work to do): an
            # index of those skips the millions closed.
            models.Index(fields=["-received_at", "-id"], name="dispute_newest_idx"),
            models.Index(
                fields=["market", "-priority", "due_date", "id"],
                condition=models.Q(state__in=OPEN_ORDER_STATES),
                name="dispute_open_market_order_idx",
            ),
            models.Index(
                fields=["-priority", "due_date", "id"],
                condition=models.Q(state__in=OPEN_ORDER_STATES),
                name="dispute_open_order_idx",
            ),
            models.Index(fields=["market", "ended_at"], name="dispute_ended_idx"),
            # The statistics (by last change) and the system API's sync (casework/api/system.py),
            # which pages a market's cases by (updated_at, id): a page is one range of it.
            models.Index(fields=["market", "updated_at", "id"], name="dispute_market_updated_idx"),
            # One holder's cases by last change (the all tab's holder filter): walking the
            # market's index by time skipped every other mediator's cases (9 ms at 1M).
            models.Index(fields=["owner", "-updated_at", "-id"], name="dispute_holder_updated_idx"),
        ]

    # -- derived facts -------------------------------------------------------

    @property
    def respondent(self) -> Organization | Person:
        return self.respondent_organization or self.respondent_person

    @property
    def claim_type_set(self) -> set[str]:
        return set(filter(None, self.claim_types.split(",")))

    @property
    def payment_order_possible(self) -> bool:
        return bool(self.claim_type_set & PAYMENT_ORDER_TYPES)

    @property
    def extended(self) -> bool:
        return self.due_date != self.mediation_due

    def compute_deadlines(self) -> None:
        self.mediation_due = deadline_calendar_days(self.received_at, MEDIATION_DAYS)
        if not self.due_date or self.due_date < self.mediation_due:
            self.due_date = self.mediation_due

    def limitation_date(self) -> datetime.date | None:
        """The arbitration limitation date (Art. 27), for information.

        Unpaid wages while employment lasts have no limit; after it ends, one year
        from its end. Otherwise one year from when the worker knew of the
        infringement. Applying to mediation is a claim for relief that interrupts
        the period, which starts again from the day mediation ended.
        """
        if ClaimType.UNPAID_WAGES in self.claim_type_set and self.employment_ended_on is None:
            return None
        starts = [self.employment_ended_on, self.knew_of_infringement_on]
        if self.ended_at:
            starts.append(timezone.localdate(self.ended_at))
        start = max((day for day in starts if day), default=None)
        if start is None:
            return None
        # 民法典 Art. 202: a period in years ends on the corresponding day (28 February
        # for 29 February); Art. 203 moves a last day that is a rest day.
        try:
            last_day = start.replace(year=start.year + LIMITATION_YEARS)
        except ValueError:
            last_day = start.replace(year=start.year + LIMITATION_YEARS, day=28)
        return add_calendar_days(last_day, 0)

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days

    def refresh_claims(self) -> None:
        """Store the total and types of the claim items, which the queue filters on."""
        items = list(self.claims.all())
        self.total_claimed = sum((item.amount for item in items), Decimal("0"))
        self.claim_types = ",".join(sorted({item.claim_type for item in items}))

    def compute_priority(self, applicant_count: int) -> int:
        wages = ClaimType.UNPAID_WAGES in self.claim_type_set
        group = applicant_count >= settings.DISPUTE_GROUP_SIZE
        return int(wages) + int(group)

    @property
    def priority_reasons(self) -> list[str]:
        """What the priority counted (compute_priority), in words: a number alone means nothing."""
        wages = ClaimType.UNPAID_WAGES in self.claim_type_set
        reasons = [str(_("wage arrears"))] if wages else []
        if self.priority > int(wages):
            reasons.append(str(_("group case")))
        return reasons

    # -- conditions ----------------------------------------------------------

    def has_settlement(self) -> bool:
        return hasattr(self, "settlement") and self.settlement.instalments.exists()

    def all_marks_recorded(self) -> bool:
        return hasattr(self, "settlement") and self.settlement.marks_complete

    def all_paid(self) -> bool:
        return hasattr(self, "settlement") and self.settlement.fully_paid

    def has_missed_instalment(self) -> bool:
        return hasattr(self, "settlement") and self.settlement.missed_instalments().exists()

    def can_apply_for_payment_order(self) -> bool:
        return self.payment_order_possible

    # -- transitions ---------------------------------------------------------

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.ACCEPTED,
        permission="disputes.accept_dispute",
        custom={"label": _("Accept")},
    )
    def accept(self) -> None:
        self.accepted_at = timezone.now()

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.NOT_ACCEPTED,
        permission="disputes.accept_dispute",
        custom={"label": _("Do not accept")},
    )
    def refuse(self, *, reason: str) -> None:
        self.decision_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=State.ACCEPTED,
        target=State.IN_MEDIATION,
        permission="disputes.mediate_dispute",
        custom={"label": _("Take for mediation")},
    )
    def start_mediation(self) -> None:
        self.mediation_started_at = timezone.now()

    @transition(
        field=state,
        source=State.IN_MEDIATION,
        target=State.SETTLED,
        permission="disputes.mediate_dispute",
        conditions=[has_settlement],
        custom={"label": _("Record the agreed terms")},
    )
    def settle(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SETTLED,
        target=State.IN_MEDIATION,
        permission="disputes.mediate_dispute",
        custom={"label": _("Revise the terms")},
    )
    def revise(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SETTLED,
        target=State.EFFECTIVE,
        permission="disputes.mediate_dispute",
        conditions=[all_marks_recorded],
        custom={"label": _("Agreement takes effect")},
    )
    def make_effective(self) -> None:
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=[State.IN_MEDIATION, State.SETTLED],
        target=State.TERMINATED,
        permission="disputes.mediate_dispute",
        custom={"label": _("Terminate mediation")},
    )
    def terminate(self, *, reason: str, outcome: str = "") -> None:
        self.termination_reason = reason
        self.outcome_note = outcome
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=[State.RECEIVED, State.ACCEPTED, State.IN_MEDIATION, State.SETTLED],
        target=State.WITHDRAWN,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self, *, reason: str) -> None:
        self.withdrawal_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=State.EFFECTIVE,
        target=State.PERFORMED,
        permission="disputes.mediate_dispute",
        conditions=[all_paid],
        custom={"label": _("Performed")},
    )
    def mark_performed(self) -> None:
        pass

    @transition(
        field=state,
        source=State.EFFECTIVE,
        target=State.DEFAULTED,
        permission="disputes.mediate_dispute",
        conditions=[has_missed_instalment],
        custom={"label": _("Not performed")},
    )
    def mark_defaulted(self) -> None:
        # Non-performance restarts the limitation period (Art. 27): count it from today.
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=State.DEFAULTED,
        target=State.REFERRED,
        permission="disputes.mediate_dispute",
        conditions=[can_apply_for_payment_order],
        custom={"label": _("Prepare the payment order packet")},
    )
    def refer_payment_order(self) -> None:
        self.referral = self.Referral.PAYMENT_ORDER

    @transition(
        field=state,
        source=State.DEFAULTED,
        target=State.REFERRED,
        permission="disputes.mediate_dispute",
        custom={"label": _("Refer to arbitration")},
    )
    def refer_arbitration(self) -> None:
        self.referral = self.Referral.ARBITRATION

    @transition(
        field=state,
        source=[State.PERFORMED, State.REFERRED],
        target=State.CLOSED,
        permission="disputes.mediate_dispute",
        custom={"label": _("Close")},
    )
    def close(self) -> None:
        pass


class ClaimItem(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="claims")
    claim_type = models.CharField(_("claim type"), max_length=20, choices=ClaimType.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    description = models.CharField(_("details"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_claim_type_display()} ¥{self.amount}"

    def clean(self) -> None:
        if self.amount is not None and self.amount > settings.DISPUTE_MAX_CLAIM:
            raise ValidationError(
                {
                    "amount": _(
                        "An amount above ¥%(max)s is not plausible for one claim; check the figure."
                    )
                    % {"max": f"{settings.DISPUTE_MAX_CLAIM:,}"}
                }
            )
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


# Kept for migration 0001, which names it; new rows use casework.core.models.evidence_path.
evidence_path = core_evidence_path


class Evidence(EvidenceFile):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    description = models.CharField(_("what it shows"), max_length=200, blank=True)

    class Meta(EvidenceFile.Meta):
        pass


class Session(models.Model):
    """A mediation session and its notes (调解笔录, Art. 13)."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    place = models.CharField(_("place or meeting link"), max_length=200)
    attendees = models.TextField(_("attendees"))
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute.code} {timezone.localtime(self.held_at):%Y-%m-%d %H:%M}"

    @property
    def market(self):
        return self.dispute.market


class ScheduledSession(models.Model):
    """A mediation session fixed in advance: the parties are told its date and place."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="scheduled_sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Session.Mode.choices)
    place = models.CharField(_("place or meeting link"), max_length=200)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled mediation session")
        verbose_name_plural = _("scheduled mediation sessions")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute.code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """Both parties agreed to mediate past the 15 days, until ``new_due``."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="extensions")
    previous_due = models.DateField(_("previous deadline"))
    new_due = models.DateField(_("new deadline"))
    applicant_agreed = models.BooleanField(_("the applicant agreed"))
    respondent_agreed = models.BooleanField(_("the respondent agreed"))
    note = models.CharField(_("how the agreement was given"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.dispute.code} → {self.new_due}"


class Settlement(models.Model):
    """The agreed terms and the four marks that make the 调解协议书 effective (Art. 14)."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        CASH = "cash", _("cash at the mediation body")
        MOBILE = "mobile", _("mobile payment")

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="settlement")
    amount = models.DecimalField(
        _("agreed amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    method = models.CharField(_("payment method"), max_length=20, choices=Method.choices)
    terms = models.TextField(_("other terms"), blank=True)
    applicant_signed_at = models.DateTimeField(_("applicant signed"), null=True, blank=True)
    respondent_signed_at = models.DateTimeField(
        _("respondent signed or sealed"), null=True, blank=True
    )
    mediator_signed_at = models.DateTimeField(_("mediator signed"), null=True, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing mediator"),
    )
    body_sealed_at = models.DateTimeField(_("mediation body's seal affixed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    MARKS = ("applicant_signed_at", "respondent_signed_at", "mediator_signed_at", "body_sealed_at")

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.dispute.code} ¥{self.amount}"

    @property
    def marks_complete(self) -> bool:
        return all(getattr(self, mark) for mark in self.MARKS)

    @property
    def paid_total(self) -> Decimal:
        return sum((i.paid for i in self.instalments.all()), Decimal("0"))

    @property
    def fully_paid(self) -> bool:
        instalments = list(self.instalments.all())
        return bool(instalments) and all(i.is_paid for i in instalments)

    def missed_instalments(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.instalments.filter(due_date__lt=today, paid__lt=models.F("amount"))


class Instalment(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid = models.DecimalField(
        _("paid (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "seq"], name="disputes_instalment_seq")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.due_date} ¥{self.amount}"

    @property
    def is_paid(self) -> bool:
        return self.paid >= self.amount

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid, Decimal("0"))


class Payment(models.Model):
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]

    def __str__(self) -> str:
        return f"¥{self.amount} {self.paid_on}"


# -- the hand-off to labour dispute arbitration (casework/disputes/arbitration.py) -------

# 劳动争议调解仲裁法 Art. 43: the tribunal ends a case within 45 days of the committee's
# acceptance of the application; with the committee chair's approval it may extend by
# at most 15 days, telling the parties in writing.
ARBITRATION_DAYS = 45
ARBITRATION_EXTENSION_DAYS = 15


class ArbitrationCommittee(models.Model):
    """A labour dispute arbitration committee (劳动人事争议仲裁委员会) a market hands cases to."""

    market = models.ForeignKey(
        "core.Market",
        on_delete=models.PROTECT,
        related_name="arbitration_committees",
        verbose_name=_("market"),
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("arbitration committee")
        verbose_name_plural = _("arbitration committees")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["market", "name"], name="disputes_committee_name")
        ]

    def __str__(self) -> str:
        return self.name


class ArbitrationHandoffQuerySet(models.QuerySet):
    def awaiting_outcome(self) -> "ArbitrationHandoffQuerySet":
        """Filed with the committee, no result recorded yet: the 45 (60) days run."""
        return self.filter(filed_on__isnull=False, result="")


class ArbitrationHandoff(models.Model):
    """A dispute handed to an arbitration committee, and what the committee did with it.

    One per dispute. The filing (the committee's case number and acceptance date) and the
    result are recorded later, in that order (casework/disputes/arbitration.py).
    """

    class Result(models.TextChoices):
        AWARD = "award", _("arbitral award")
        MEDIATION = "mediation", _("arbitral mediation statement")
        WITHDRAWN = "withdrawn", _("application withdrawn")
        NOT_ACCEPTED = "not_accepted", _("not accepted by the committee")

    dispute = models.OneToOneField(
        Dispute, on_delete=models.PROTECT, related_name="arbitration", verbose_name=_("dispute")
    )
    committee = models.ForeignKey(
        ArbitrationCommittee,
        on_delete=models.PROTECT,
        related_name="handoffs",
        verbose_name=_("arbitration committee"),
    )
    handed_off_at = models.DateTimeField(_("handed off"))
    handed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handed off by"),
    )
    note = models.TextField(_("note to the committee"), blank=True)
    committee_case_number = models.CharField(
        _("arbitration case number"), max_length=60, blank=True
    )
    filed_on = models.DateField(_("accepted by the committee on"), null=True, blank=True)
    extended = models.BooleanField(_("extension approved by the committee's chair"), default=False)
    due_date = models.DateField(_("arbitration due by"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    closed_on = models.DateField(_("closed by the committee on"), null=True, blank=True)
    result_note = models.TextField(_("result details"), blank=True)

    objects = ArbitrationHandoffQuerySet.as_manager()

    class Meta:
        verbose_name = _("arbitration hand-off")
        verbose_name_plural = _("arbitration hand-offs")
        ordering = ["pk"]
        indexes = [
            # The list awaiting an outcome and the closure rate read these.
            models.Index(fields=["result", "due_date"], name="arbitration_due_idx"),
            models.Index(fields=["filed_on"], name="arbitration_filed_idx"),
            models.Index(fields=["closed_on"], name="arbitration_closed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("filed_on")),
                name="disputes_arbitration_closed_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute.code} → {self.committee}"

    @property
    def market(self):
        return self.dispute.market

    @property
    def is_filed(self) -> bool:
        return self.filed_on is not None

    @property
    def is_closed(self) -> bool:
        return bool(self.result)

    def compute_due_date(self) -> None:
        """45 days from the acceptance, 60 with the chair's extension (Art. 43), counted
        as every calendar-day period (a last day on a rest day moves to the next workday)."""
        if self.filed_on is None:
            self.due_date = None
            return
        days = ARBITRATION_DAYS + (ARBITRATION_EXTENSION_DAYS if self.extended else 0)
        self.due_date = add_calendar_days(self.filed_on, days)

    def days_left(self, today: datetime.date | None = None) -> int | None:
        if self.due_date is None:
            return None
        return (self.due_date - (today or timezone.localdate())).days
