"""The wage-dispute statistics and ledger (docs/reports.md, "Wage disputes").

Every figure of a period comes from a few aggregate queries over the disputes of the
markets (``figures`` runs seven), filtered on the timestamp that places a case in the
period: ``received_at`` for intake, ``accepted_at`` for acceptance, ``ended_at`` for
the close, ``Payment.paid_on`` for payments; migration 0005 indexes ``received_at``,
``ended_at`` and ``updated_at`` per market.

Three moments have no field of their own:

* when an agreement later not performed took effect: ``mark_defaulted`` writes the
  default's time over ``ended_at`` (the limitation period restarts then), so for those
  cases the close is the moment the agreement's last mark was recorded (the fourth mark
  makes it effective, Art. 14), read from the joined Settlement;
* when an agreement was performed, and when a case was referred (支付令 or
  arbitration): the ``mark_performed`` and ``refer_*`` events of the audit trail,
  read through its (subject_type, subject_id, seq) index for the few cases that
  changed in the period. Cases written by the bulk loader without a trail count at
  their ``ended_at``.
"""

import datetime
import itertools
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber, TruncDate
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from casework.core.models import CaseEvent, Market
from casework.disputes.models import (
    ArbitrationHandoff,
    Channel,
    ClaimItem,
    ClaimType,
    Dispute,
    Extension,
    Payment,
    Settlement,
)
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports.periods import Period
from casework.reports.registry import (
    Breakdown,
    Indicator,
    LedgerColumn,
    MonthlyTable,
    TableColumn,
    Text,
    Unit,
    Variant,
    WorkflowReport,
    rate,
    register,
)
from casework.surveys import indicators as satisfaction

S = Dispute.State
R = Dispute.Referral

# The agreement took effect, whatever happened to it afterwards (closed comes only
# from performed or referred, so after an effective agreement).
EFFECTIVE_STATES = (S.EFFECTIVE, S.PERFORMED, S.DEFAULTED, S.REFERRED, S.CLOSED)
# The agreement was not performed: ``ended_at`` holds the default's time.
DEFAULTED = Q(state__in=(S.DEFAULTED, S.REFERRED)) | (Q(state=S.CLOSED) & ~Q(referral=""))
PERFORMED = Q(state=S.PERFORMED) | Q(state=S.CLOSED, referral="")
# A mediation ended: the agreement took effect, mediation was terminated, or withdrawn.
MEDIATION_ENDED = Q(state__in=(*EFFECTIVE_STATES, S.TERMINATED, S.WITHDRAWN))

SUCCESS_RATE = "success_rate"
ARBITRATION_CLOSURE_RATE = "arbitration_closure_rate"
AR = ArbitrationHandoff.Result
SUCCESS_ENDED = "ended"
SUCCESS_WITHOUT_WITHDRAWN = "without_withdrawn"
SUCCESS_WITH_WITHDRAWN = "withdrawn_as_success"

MEDIAN, P90 = 0.5, 0.9
CHUNK = 2000
ZERO = Decimal("0.00")


class DisputeReport(WorkflowReport):
    slug = "disputes"
    title = _("Wage disputes")
    model = Dispute

    indicators = [
        Indicator(
            "open_at_start",
            _("Open at the start"),
            _(
                "Cases received before the period's first day and not yet closed (not "
                "accepted, agreement effective, terminated or withdrawn) at its start."
            ),
            better="lower",
            stock=True,
        ),
        Indicator(
            "received",
            _("Received"),
            _("Cases whose time of receipt falls in the period."),
        ),
        Indicator(
            "accepted",
            _("Accepted"),
            _("Cases accepted in the period (time of acceptance in the period)."),
        ),
        Indicator(
            "not_accepted",
            _("Not accepted"),
            _("Applications the body decided in the period not to accept."),
            better="lower",
        ),
        Indicator(
            "group_cases",
            _("Group cases"),
            format_lazy(
                _(
                    "Cases received in the period with at least {size} applicants "
                    "(the size from which a case gets a group case's priority)."
                ),
                size=settings.DISPUTE_GROUP_SIZE,
            ),
        ),
        Indicator(
            "group_workers",
            _("Workers in group cases"),
            _("The applicants of the group cases received in the period."),
        ),
        Indicator(
            "workers",
            _("Workers involved"),
            _(
                "The applicants of all cases received in the period (a worker in two "
                "cases counts twice)."
            ),
        ),
        Indicator(
            "amount_claimed",
            _("Amount claimed"),
            _("The sum of the claims of the cases received in the period, in yuan."),
            unit=Unit.YUAN,
        ),
        Indicator(
            "ended_effective",
            _("Agreements effective"),
            _(
                "Mediations ended in the period by an agreement taking effect (all four "
                "marks recorded), whether it was performed later or not."
            ),
        ),
        Indicator(
            "ended_terminated",
            _("Mediations terminated"),
            _("Mediations terminated in the period without an agreement."),
            better="lower",
        ),
        Indicator(
            "ended_withdrawn",
            _("Withdrawn"),
            _("Applications withdrawn in the period (before or during mediation)."),
        ),
        Indicator(
            "closed",
            _("Closed"),
            _(
                "Cases closed in the period: not accepted + agreements effective + "
                "terminated + withdrawn; open at the start + received − closed = open at the end."
            ),
        ),
        Indicator(
            "referred_payment_order",
            _("Referred for a payment order"),
            _(
                "Unperformed agreements referred in the period to a court for a payment "
                "order (支付令)."
            ),
        ),
        Indicator(
            "referred_arbitration",
            _("Referred to arbitration"),
            _("Unperformed agreements referred in the period to labour dispute arbitration."),
        ),
        Indicator(
            SUCCESS_RATE,
            _("Mediation success rate"),
            _(
                "Agreements effective ÷ mediations ended in the period (agreements "
                "effective + terminated + withdrawn), in per cent."
            ),
            unit=Unit.PERCENT,
            default_target=Decimal(60),
        ),
        Indicator(
            "on_time_rate",
            _("On-time closure rate"),
            _(
                "Mediations ended in the period on or before their deadline (the extended "
                "deadline when both parties agreed to extend) ÷ mediations ended in the "
                "period, in per cent; a case counts by the local date it ended."
            ),
            unit=Unit.PERCENT,
            default_target=Decimal(92),
        ),
        Indicator(
            "days_median",
            _("Median days to close"),
            _(
                "The median of the days from receipt to the end of mediation, over the "
                "mediations ended in the period (nearest rank, one decimal)."
            ),
            unit=Unit.DAYS,
            better="lower",
        ),
        Indicator(
            "days_p90",
            _("90th percentile of days to close"),
            _(
                "The 90th percentile of the days from receipt to the end of mediation, "
                "over the mediations ended in the period (nearest rank, one decimal)."
            ),
            unit=Unit.DAYS,
            better="lower",
        ),
        Indicator(
            "overdue",
            _("Overdue"),
            _(
                "Accepted cases still open past their deadline (the one in force then) at "
                "the period's end, or now for the current period: the earlier of the two."
            ),
            better="lower",
            stock=True,
        ),
        Indicator(
            "amount_agreed",
            _("Amount agreed"),
            _("The sum of the agreements that took effect in the period, in yuan."),
            unit=Unit.YUAN,
        ),
        Indicator(
            "amount_paid",
            _("Amount paid"),
            _("The sum of the payments under agreements dated in the period, in yuan."),
            unit=Unit.YUAN,
        ),
        Indicator(
            "performance_rate",
            _("Performance rate of agreements"),
            _(
                "Agreements fully performed in the period ÷ (agreements performed + "
                "agreements marked not performed in the period), in per cent."
            ),
            unit=Unit.PERCENT,
        ),
        Indicator(
            "open_at_end",
            _("Open at the end"),
            _(
                "Cases received before the period's end and not yet closed (not accepted, "
                "agreement effective, terminated or withdrawn) at its end."
            ),
            better="lower",
            stock=True,
        ),
        Indicator(
            "arbitration_handed_off",
            _("Handed to arbitration"),
            _(
                "Disputes handed to a labour dispute arbitration committee in the period "
                "(time of the hand-off), after a terminated mediation or an agreement not "
                "performed."
            ),
        ),
        Indicator(
            "arbitration_filed",
            _("Accepted for arbitration"),
            _("Handed-off cases the committee accepted in the period (its acceptance date)."),
        ),
        Indicator(
            "arbitration_open_at_start",
            _("Arbitration cases open at the start"),
            _(
                "Handed-off cases the committee accepted before the period's first day and "
                "had not closed by then."
            ),
            better="lower",
            stock=True,
        ),
        Indicator(
            "arbitration_closed",
            _("Arbitration cases closed"),
            _(
                "Handed-off cases the committee closed in the period (its closing date), by "
                "award, arbitral mediation, withdrawal or not accepting them."
            ),
        ),
        *(
            Indicator(
                f"arbitration_{result.value}",
                format_lazy(_("Arbitration closed: {result}"), result=result.label),
                format_lazy(
                    _("Arbitration cases closed in the period with the result: {result}."),
                    result=result.label,
                ),
            )
            for result in AR
        ),
        Indicator(
            ARBITRATION_CLOSURE_RATE,
            _("Arbitration closure rate"),
            _(
                "Arbitration cases closed in the period ÷ (cases the committee accepted in "
                "the period + cases accepted before it and still open at its start), in per "
                "cent."
            ),
            unit=Unit.PERCENT,
            default_target=Decimal(92),
        ),
        *satisfaction.INDICATORS,
    ]

    variants = {
        SUCCESS_RATE: [
            Variant(
                SUCCESS_ENDED,
                _("Withdrawals count as mediations ended"),
                _(
                    "Agreements effective ÷ (agreements effective + terminated + withdrawn) "
                    "in the period."
                ),
            ),
            Variant(
                SUCCESS_WITHOUT_WITHDRAWN,
                _("Withdrawals not counted"),
                _(
                    "Agreements effective ÷ (agreements effective + terminated) in the "
                    "period; withdrawals are left out of both."
                ),
            ),
            Variant(
                SUCCESS_WITH_WITHDRAWN,
                _("Withdrawals count as successes"),
                _(
                    "(Agreements effective + withdrawn) ÷ (agreements effective + "
                    "terminated + withdrawn) in the period: a withdrawal usually follows a "
                    "settlement between the parties."
                ),
            ),
        ]
    }

    ledger_columns = [
        LedgerColumn(_("Case number"), 16),
        LedgerColumn(_("Received on"), 12),
        LedgerColumn(_("Channel"), 16),
        LedgerColumn(_("Applicants"), 20, personal=True),
        LedgerColumn(_("ID numbers"), 22, personal=True),
        LedgerColumn(_("Mobile numbers"), 16, personal=True),
        LedgerColumn(_("Workers"), 8),
        # An organisation's name, or a hiring individual's name (masked like the others).
        LedgerColumn(_("Respondent"), 26, personal=True),
        LedgerColumn(_("Amount claimed (yuan)"), 14),
        LedgerColumn(_("Claims"), 24),
        LedgerColumn(_("Holder"), 12),
        LedgerColumn(_("State"), 18),
        LedgerColumn(_("Result"), 26),
        LedgerColumn(_("Ended on"), 12),
        LedgerColumn(_("Days taken"), 10),
        LedgerColumn(_("Amount agreed (yuan)"), 14),
        LedgerColumn(_("Amount paid (yuan)"), 14),
    ]

    # -- figures --------------------------------------------------------------------------

    def figures(
        self, markets: QuerySet[Market], period: Period, *, variants: dict[str, str]
    ) -> dict[str, Decimal | int | None]:
        ids = _market_ids(markets)
        main = _main_counts(ids, period)
        later = _later_counts(ids, period)
        workers = _worker_counts(ids, period)
        paid = _amount_paid(ids, period)
        arbitration = _arbitration_counts(ids, period)

        effective, terminated = main["effective"], main["terminated"]
        withdrawn = main["withdrawn"]
        ended = effective + terminated + withdrawn
        if variants.get(SUCCESS_RATE) == SUCCESS_WITHOUT_WITHDRAWN:
            success = rate(effective, effective + terminated)
        elif variants.get(SUCCESS_RATE) == SUCCESS_WITH_WITHDRAWN:
            success = rate(effective + withdrawn, ended)
        else:
            success = rate(effective, ended)
        median, p90 = _days_to_close(ids, period, ended)
        performed = later["performed"]
        return {
            "open_at_start": main["open_at_start"],
            "received": main["received"],
            "accepted": main["accepted"],
            "not_accepted": main["not_accepted"],
            "group_cases": workers["group_cases"] or 0,
            "group_workers": workers["group_workers"] or 0,
            "workers": workers["workers"] or 0,
            "amount_claimed": main["amount_claimed"] or ZERO,
            "ended_effective": effective,
            "ended_terminated": terminated,
            "ended_withdrawn": withdrawn,
            "closed": main["not_accepted"] + ended,
            "referred_payment_order": later["payment_order"],
            "referred_arbitration": later["arbitration"],
            SUCCESS_RATE: success,
            "on_time_rate": rate(main["on_time"], ended),
            "days_median": median,
            "days_p90": p90,
            "overdue": main["overdue"],
            "amount_agreed": main["amount_agreed"] or ZERO,
            "amount_paid": paid or ZERO,
            "performance_rate": rate(performed, performed + main["defaulted"]),
            "open_at_end": main["open_at_end"],
            **arbitration,
            ARBITRATION_CLOSURE_RATE: rate(
                arbitration["arbitration_closed"],
                arbitration["arbitration_filed"] + arbitration["arbitration_open_at_start"],
            ),
            **satisfaction.satisfaction_figures(self.slug, ids, period),
        }

    # -- charts ---------------------------------------------------------------------------

    def breakdowns(self, markets: QuerySet[Market], period: Period) -> list[Breakdown]:
        ids = _market_ids(markets)
        main = _main_counts(ids, period)
        results = Breakdown(
            "results",
            _("Results in the period"),
            [
                (str(S.EFFECTIVE.label), main["effective"]),
                (str(S.TERMINATED.label), main["terminated"]),
                (str(S.WITHDRAWN.label), main["withdrawn"]),
                (str(S.NOT_ACCEPTED.label), main["not_accepted"]),
            ],
            chart="pie",
        )
        start, end = period.bounds()
        received = Dispute.objects.filter(
            market__in=ids, received_at__gte=start, received_at__lt=end
        )
        reached = received.aggregate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            mediation=Count("pk", filter=Q(mediation_started_at__isnull=False)),
            effective=Count("pk", filter=Q(state__in=EFFECTIVE_STATES)),
            performed=Count("pk", filter=PERFORMED),
        )
        funnel = Breakdown(
            "funnel",
            _("How far the cases received in the period got"),
            [
                (str(S.RECEIVED.label), reached["received"]),
                (str(_("accepted")), reached["accepted"]),
                (str(S.IN_MEDIATION.label), reached["mediation"]),
                (str(S.EFFECTIVE.label), reached["effective"]),
                (str(S.PERFORMED.label), reached["performed"]),
            ],
            chart="funnel",
        )
        by_type = dict(
            ClaimItem.objects.filter(dispute__in=received)
            .order_by()
            .values("claim_type")
            .annotate(cases=Count("dispute", distinct=True))
            .values_list("claim_type", "cases")
        )
        claims = Breakdown(
            "claim_types",
            _("Cases received in the period by claim type"),
            [(str(kind.label), by_type.get(kind.value, 0)) for kind in ClaimType],
            chart="bar",
        )
        return [results, funnel, claims]

    # -- the ledger -----------------------------------------------------------------------

    def ledger_rows(
        self, markets: QuerySet[Market], period: Period, *, full_data: bool
    ) -> Iterator[list]:
        """One row per case received in the period (a county's hand ledger lists cases as
        they come in), oldest first.

        The cases stream as plain values in chunks of CHUNK rows (a server-side cursor on
        PostgreSQL), and each chunk's applicants come in one query: no model instances,
        no query per row, memory bounded by a chunk."""
        start, end = period.bounds()
        paid = (
            Payment.objects.filter(instalment__settlement__dispute=OuterRef("pk"))
            .order_by()
            .values("instalment__settlement__dispute")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        cases = (
            Dispute.objects.filter(
                market__in=_market_ids(markets), received_at__gte=start, received_at__lt=end
            )
            .annotate(
                closed_at=_closed_at(),
                agreed=F("settlement__amount"),
                paid_total=Subquery(
                    paid, output_field=DecimalField(max_digits=14, decimal_places=2)
                ),
            )
            .order_by("received_at", "pk")
            .values_list(*LEDGER_FIELDS, named=True)
        )
        labels = _Labels()
        rows = cases.iterator(chunk_size=CHUNK)
        while chunk := list(itertools.islice(rows, CHUNK)):
            people = _applicants([case.pk for case in chunk], full_data)
            for case in chunk:
                yield _ledger_row(case, people.get(case.pk, []), labels, full_data)

    # -- the monthly table and the monthly work report ------------------------------------

    def monthly_table(self, markets: QuerySet[Market], period: Period) -> MonthlyTable:
        """劳动人事争议调解月报表: the period's figures (keyed by their indicators' slugs)
        in the form's layout, and the cases received by claim type (争议原因)."""
        ids = _market_ids(markets)
        main = _main_counts(ids, period)
        later = _later_counts(ids, period)
        workers = _worker_counts(ids, period)
        claims = _claim_type_cases(ids, period)
        ended = main["effective"] + main["terminated"] + main["withdrawn"]
        values = {
            "open_at_start": main["open_at_start"],
            "received": main["received"],
            "group_cases": workers["group_cases"] or 0,
            "group_workers": workers["group_workers"] or 0,
            "workers": workers["workers"] or 0,
            **{f"claim_{kind.value}": claims.get(kind.value, 0) for kind in ClaimType},
            "closed": main["not_accepted"] + ended,
            "ended_effective": main["effective"],
            "ended_terminated": main["terminated"],
            "ended_withdrawn": main["withdrawn"],
            "not_accepted": main["not_accepted"],
            "referred_payment_order": later["payment_order"],
            "referred_arbitration": later["arbitration"],
            "open_at_end": main["open_at_end"],
        }
        return MonthlyTable(
            title=_("Labour dispute mediation: monthly statistics"),
            columns=MONTHLY_COLUMNS,
            values=values,
            notes=_monthly_notes(),
        )

    def notable_cases(
        self, markets: QuerySet[Market], period: Period, *, limit: int = 20
    ) -> list[tuple[str, str]]:
        """The cases overdue at the period's end (or now), then the group cases received in
        the period: case number, days overdue or workers and amount, and the state now."""
        ids = _market_ids(markets)
        return _overdue_cases(ids, period, limit) + _group_cases(ids, period, limit)


# -- the queries ------------------------------------------------------------------------------


def _market_ids(markets: QuerySet[Market]) -> list[int]:
    """The markets' keys, read once: a list of literals lets the planner use the
    (market, timestamp) indexes, which a subquery on the markets hides from it."""
    return list(markets.order_by().values_list("pk", flat=True))


def _event_at(*actions: str) -> Subquery:
    """The time of the case's first audit event of one of ``actions``."""
    events = CaseEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Dispute),
        subject_id=OuterRef("pk"),
        action__in=actions,
    ).order_by("seq")
    return Subquery(events.values("at")[:1], output_field=DateTimeField())


def _closed_at() -> Case:
    """When the case left the open states (received … settled): ``ended_at``, except for an
    agreement later not performed, whose ``ended_at`` the default overwrote: it took
    effect when its last mark was recorded (Art. 14; mark_record() makes it effective
    with the fourth mark)."""
    marks = Greatest(*(f"settlement__{mark}" for mark in Settlement.MARKS))
    return Case(
        When(DEFAULTED, then=Coalesce(marks, F("ended_at"))),
        default=F("ended_at"),
        output_field=DateTimeField(),
    )


def _live(ids: list[int], period: Period) -> QuerySet[Dispute]:
    """The cases open at some moment of the period or closed in it: received before its
    end and not ended before its start (``ended_at`` is never before the case closed)."""
    start, end = period.bounds()
    zone = timezone.get_default_timezone()
    return (
        Dispute.objects.filter(market__in=ids, received_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .alias(closed_at=_closed_at())
        .alias(closed_on=TruncDate("closed_at", tzinfo=zone))
    )


def _between(field: str, start: datetime.datetime, end: datetime.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _open_at(moment: datetime.datetime) -> Q:
    return Q(received_at__lt=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))


def _main_counts(ids: list[int], period: Period) -> dict:
    """Intake, results, the open cases at both ends and the overdue ones: one query."""
    start, end = period.bounds()
    zone = timezone.get_default_timezone()
    moment = min(end, timezone.now())
    # The deadline in force at ``moment``: the last extension recorded before it (looked
    # up only for an extended case).
    extension = (
        Extension.objects.filter(dispute=OuterRef("pk"), recorded_at__lt=moment)
        .order_by("-recorded_at", "-pk")
        .values("new_due")[:1]
    )
    deadline = Case(
        When(due_date=F("mediation_due"), then=F("mediation_due")),
        default=Coalesce(Subquery(extension, output_field=DateField()), F("mediation_due")),
        output_field=DateField(),
    )
    received = _between("received_at", start, end)
    closed = _between("closed_at", start, end)
    return (
        _live(ids, period)
        .alias(deadline=deadline)
        .aggregate(
            received=Count("pk", filter=received),
            amount_claimed=Sum("total_claimed", filter=received),
            accepted=Count("pk", filter=_between("accepted_at", start, end)),
            not_accepted=Count("pk", filter=Q(state=S.NOT_ACCEPTED) & closed),
            effective=Count("pk", filter=Q(state__in=EFFECTIVE_STATES) & closed),
            terminated=Count("pk", filter=Q(state=S.TERMINATED) & closed),
            withdrawn=Count("pk", filter=Q(state=S.WITHDRAWN) & closed),
            on_time=Count("pk", filter=MEDIATION_ENDED & closed & Q(closed_on__lte=F("due_date"))),
            amount_agreed=Sum("settlement__amount", filter=Q(state__in=EFFECTIVE_STATES) & closed),
            defaulted=Count("pk", filter=DEFAULTED & _between("ended_at", start, end)),
            open_at_start=Count("pk", filter=_open_at(start)),
            open_at_end=Count("pk", filter=_open_at(end)),
            overdue=Count(
                "pk",
                filter=_open_at(moment)
                & Q(accepted_at__lt=moment)
                & Q(deadline__lt=timezone.localdate(moment, zone)),
            ),
        )
    )


def _later_counts(ids: list[int], period: Period) -> dict:
    """Agreements performed and cases referred in the period (moments from the trail).

    Both come after the agreement took effect (``ended_at``, or the default that
    overwrote it), and both saved the case, so ``updated_at`` is no earlier (a minute of
    slack covers the save coming just before the event it writes). The trail is read
    once per remaining case, in a subquery the counts read from."""
    start, end = period.bounds()
    referred = ~Q(referral="")
    # A case is either performed or referred, never both: one look-up in its trail.
    decided = _event_at("mark_performed", "refer_payment_order", "refer_arbitration")
    return (
        Dispute.objects.filter(
            market__in=ids,
            ended_at__lt=end,
            updated_at__gte=start - datetime.timedelta(minutes=1),
        )
        .filter(referred | PERFORMED)
        # Cases loaded in bulk without a trail: their last recorded end.
        .annotate(decided_at=Coalesce(decided, F("ended_at")))
        # Counting ``decided_at`` itself (never null) makes Django compute it once per
        # case in a subquery that the counts read, instead of once per count.
        .aggregate(
            payment_order=Count(
                "decided_at",
                filter=Q(referral=R.PAYMENT_ORDER) & _between("decided_at", start, end),
            ),
            arbitration=Count(
                "decided_at", filter=Q(referral=R.ARBITRATION) & _between("decided_at", start, end)
            ),
            performed=Count("decided_at", filter=PERFORMED & _between("decided_at", start, end)),
        )
    )


def _arbitration_counts(ids: list[int], period: Period) -> dict:
    """Hand-offs, acceptances and closings by the arbitration committees: one query.

    The committee's days (``filed_on``, ``closed_on``) are local dates, compared with the
    period's days; the hand-off is a moment, compared with its bounds."""
    start, end = period.bounds()
    first, after = period.first, period.after
    closed = Q(closed_on__gte=first, closed_on__lt=after)
    return ArbitrationHandoff.objects.filter(dispute__market__in=ids).aggregate(
        arbitration_handed_off=Count("pk", filter=_between("handed_off_at", start, end)),
        arbitration_filed=Count("pk", filter=Q(filed_on__gte=first, filed_on__lt=after)),
        arbitration_open_at_start=Count(
            "pk",
            filter=Q(filed_on__lt=first) & (Q(closed_on__isnull=True) | Q(closed_on__gte=first)),
        ),
        arbitration_closed=Count("pk", filter=closed),
        **{
            f"arbitration_{result.value}": Count("pk", filter=closed & Q(result=result))
            for result in AR
        },
    )


def _worker_counts(ids: list[int], period: Period) -> dict:
    """Applicants of the cases received in the period, and of the group cases among them
    (each case's applicants counted through the link table's index on the case)."""
    start, end = period.bounds()
    links = Dispute.applicants.through.objects.filter(dispute=OuterRef("pk"))
    people = Subquery(
        links.order_by().values("dispute").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )
    group = Q(people__gte=settings.DISPUTE_GROUP_SIZE)
    return (
        Dispute.objects.filter(market__in=ids, received_at__gte=start, received_at__lt=end)
        .annotate(people=people)
        .aggregate(
            workers=Sum("people"),
            group_cases=Count("pk", filter=group),
            group_workers=Sum("people", filter=group),
        )
    )


def _amount_paid(ids: list[int], period: Period) -> Decimal | None:
    return Payment.objects.filter(
        instalment__settlement__dispute__market__in=ids,
        paid_on__gte=period.first,
        paid_on__lt=period.after,
    ).aggregate(total=Sum("amount"))["total"]


def _days_to_close(
    ids: list[int], period: Period, ended: int
) -> tuple[Decimal | None, Decimal | None]:
    """The median and 90th percentile (nearest rank, as ``registry.percentile``) of the days
    from receipt to the end of the ``ended`` mediations ended in the period: the database
    sorts them once and returns the two rows at those ranks."""
    if not ended:
        return None, None
    start, end = period.bounds()
    # As registry.percentile ranks.
    ranks = [max(1, int(-(-ended * fraction // 1))) for fraction in (MEDIAN, P90)]
    took = ExpressionWrapper(F("closed_at") - F("received_at"), DurationField())
    rows = dict(
        _live(ids, period)
        .filter(MEDIATION_ENDED & _between("closed_at", start, end))
        .annotate(took=took)
        .annotate(rank=Window(RowNumber(), order_by=[F("took").asc(), F("pk").asc()]))
        .filter(rank__in=ranks)
        .values_list("rank", "took")
    )
    values: list[Decimal | None] = []
    for rank in ranks:
        # Days as registry.days_between counts them, rounded as registry.percentile does;
        # a case closed since the counts were taken can leave a rank empty.
        days = rows[rank].total_seconds() / 86400 if rank in rows else None
        values.append(None if days is None else Decimal(str(days)).quantize(Decimal("0.1")))
    return values[0], values[1]


# -- the ledger's cells -----------------------------------------------------------------------

LEDGER_FIELDS = (
    "pk",
    "code",
    "received_at",
    "channel",
    "total_claimed",
    "claim_types",
    "state",
    "termination_reason",
    "referral",
    "closed_at",
    "agreed",
    "paid_total",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "respondent_organization__name",
    "respondent_person__name",
)


class _Labels:
    """The choices' labels in the active language, translated once per ledger."""

    def __init__(self) -> None:
        self.channel = {value: str(label) for value, label in Channel.choices}
        self.claim = {value: str(label) for value, label in ClaimType.choices}
        self.state = {value: str(label) for value, label in S.choices}
        self.termination = {value: str(label) for value, label in Dispute.TerminationReason.choices}
        self.referral = {value: str(label) for value, label in R.choices}
        self.terminated_because = str(_("%(result)s: %(reason)s"))
        self.then_referred = str(_("%(result)s; %(referral)s"))


def _applicants(pks: list[int], full_data: bool) -> dict[int, list[tuple[str, str, str]]]:
    """Each case's applicants (name, ID number, mobile), masked unless ``full_data``, in
    the order they were entered."""
    links = (
        Dispute.applicants.through.objects.filter(dispute_id__in=pks)
        .order_by("dispute_id", "pk")
        .values_list("dispute_id", "person__name", "person__id_number", "person__mobile")
    )
    people: dict[int, list[tuple[str, str, str]]] = {}
    for dispute_id, name, id_number, mobile in links:
        if not full_data:
            name, id_number, mobile = mask_name(name), mask_id(id_number), mask_phone(mobile)
        people.setdefault(dispute_id, []).append((name, id_number, mobile))
    return people


def _ledger_row(case, people: list[tuple[str, str, str]], labels: _Labels, full_data: bool):
    zone = timezone.get_default_timezone()
    received_on = timezone.localdate(case.received_at, zone)
    ended_on = timezone.localdate(case.closed_at, zone) if case.closed_at else None
    agreed = case.agreed if case.state in EFFECTIVE_STATES else None
    # As User.get_full_name(), else the username (documents.formatting.staff_name).
    holder = f"{case.owner__first_name or ''} {case.owner__last_name or ''}".strip()
    if case.respondent_organization__name is not None:
        respondent = case.respondent_organization__name
    else:
        name = case.respondent_person__name or ""
        respondent = name if full_data else mask_name(name)
    kinds = sorted(filter(None, case.claim_types.split(",")))
    return [
        case.code,
        received_on,
        labels.channel.get(case.channel, case.channel),
        ", ".join(person[0] for person in people),
        ", ".join(person[1] for person in people),
        ", ".join(person[2] for person in people),
        len(people),
        respondent,
        case.total_claimed,
        ", ".join(labels.claim.get(kind, kind) for kind in kinds),
        holder or case.owner__username or "",
        labels.state.get(case.state, case.state),
        _result(case, labels),
        ended_on,
        (ended_on - received_on).days if ended_on else None,
        agreed,
        case.paid_total or (ZERO if agreed is not None else None),
    ]


def _result(case, labels: _Labels) -> str:
    """How the mediation ended, and where an unperformed agreement went."""
    if case.state in (S.NOT_ACCEPTED, S.WITHDRAWN):
        return labels.state[case.state]
    if case.state == S.TERMINATED:
        result = labels.state[S.TERMINATED]
        reason = labels.termination.get(case.termination_reason, "")
        return (
            labels.terminated_because % {"result": result, "reason": reason} if reason else result
        )
    if case.state in EFFECTIVE_STATES:
        result = labels.state[S.EFFECTIVE]
        if case.referral:
            referral = labels.referral.get(case.referral, case.referral)
            return labels.then_referred % {"result": result, "referral": referral}
        return result
    return ""


# -- the monthly table's layout and the notable cases -------------------------------------------

RECEIVED_HEAD = _("Cases received this month")
GROUP_HEAD = _("Of which group disputes")
CLOSED_HEAD = _("How cases were closed")
NOT_PERFORMED_HEAD = _("Agreement not performed")

MONTHLY_COLUMNS = [
    TableColumn("open_at_start", (_("Cases open from the previous month"),)),
    TableColumn("received", (RECEIVED_HEAD, _("Total"))),
    TableColumn("group_cases", (RECEIVED_HEAD, GROUP_HEAD, _("Number of cases"))),
    TableColumn("group_workers", (RECEIVED_HEAD, GROUP_HEAD, _("Number of workers"))),
    TableColumn("workers", (_("Workers who are parties"),)),
    *(
        TableColumn(f"claim_{kind.value}", (_("Causes of dispute"), kind.label))
        for kind in ClaimType
    ),
    TableColumn("closed", (CLOSED_HEAD, _("Total"))),
    TableColumn("ended_effective", (CLOSED_HEAD, _("Mediated: agreement effective"))),
    TableColumn("ended_terminated", (CLOSED_HEAD, _("Mediation terminated"))),
    TableColumn("ended_withdrawn", (CLOSED_HEAD, _("Application withdrawn"))),
    TableColumn("not_accepted", (CLOSED_HEAD, _("Not accepted"))),
    TableColumn(
        "referred_payment_order",
        (CLOSED_HEAD, NOT_PERFORMED_HEAD, _("Referred for a payment order")),
    ),
    TableColumn(
        "referred_arbitration", (CLOSED_HEAD, NOT_PERFORMED_HEAD, _("Referred to arbitration"))
    ),
    TableColumn("open_at_end", (_("Cases open at the end of the month"),)),
]


def _monthly_notes() -> list[Text]:
    return [
        _(
            "Cases received this month: every application received in the month, those "
            "later not accepted included (they close as “not accepted”)."
        ),
        _("Group disputes: cases with at least %(size)s workers as applicants.")
        % {"size": settings.DISPUTE_GROUP_SIZE},
        _("A case with claims of several kinds counts once under each cause of dispute."),
        _(
            "Cases open from the previous month + cases received this month − cases closed "
            "(total) = cases open at the end of the month."
        ),
        _(
            "Agreement not performed: agreements referred this month, those that took effect "
            "in earlier months included; not part of the cases closed."
        ),
    ]


def _claim_type_cases(ids: list[int], period: Period) -> dict[str, int]:
    """Claim type -> the cases received in the period with a claim of it (the
    breakdown "claim_types")."""
    start, end = period.bounds()
    items = ClaimItem.objects.filter(
        dispute__market__in=ids, dispute__received_at__gte=start, dispute__received_at__lt=end
    )
    return dict(
        items.order_by()
        .values("claim_type")
        .annotate(cases=Count("dispute", distinct=True))
        .values_list("claim_type", "cases")
    )


def _deadline_at(moment: datetime.datetime) -> Case:
    """The deadline in force at ``moment``, as _main_counts computes it for "overdue"."""
    extension = (
        Extension.objects.filter(dispute=OuterRef("pk"), recorded_at__lt=moment)
        .order_by("-recorded_at", "-pk")
        .values("new_due")[:1]
    )
    return Case(
        When(due_date=F("mediation_due"), then=F("mediation_due")),
        default=Coalesce(Subquery(extension, output_field=DateField()), F("mediation_due")),
        output_field=DateField(),
    )


def _overdue_cases(ids: list[int], period: Period, limit: int) -> list[tuple[str, str]]:
    """The cases the indicator "overdue" counts, longest overdue first."""
    _start, end = period.bounds()
    moment = min(end, timezone.now())
    today = timezone.localdate(moment, timezone.get_default_timezone())
    rows = (
        _live(ids, period)
        .annotate(deadline=_deadline_at(moment))
        .filter(_open_at(moment) & Q(accepted_at__lt=moment) & Q(deadline__lt=today))
        .order_by("deadline", "pk")
        .values_list("code", "deadline", "state")[:limit]
    )
    states = dict(S.choices)
    text = _("Overdue by %(days)s days (deadline %(deadline)s); now: %(state)s")
    return [
        (
            code,
            text
            % {
                "days": (today - deadline).days,
                "deadline": deadline.isoformat(),
                "state": states.get(state, state),
            },
        )
        for code, deadline, state in rows
    ]


def _group_cases(ids: list[int], period: Period, limit: int) -> list[tuple[str, str]]:
    """The group cases received in the period, in the order they came in."""
    start, end = period.bounds()
    links = Dispute.applicants.through.objects.filter(dispute=OuterRef("pk"))
    people = Subquery(
        links.order_by().values("dispute").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )
    rows = (
        Dispute.objects.filter(market__in=ids, received_at__gte=start, received_at__lt=end)
        .annotate(people=people)
        .filter(people__gte=settings.DISPUTE_GROUP_SIZE)
        .order_by("received_at", "pk")
        .values_list("code", "people", "total_claimed", "state")[:limit]
    )
    states = dict(S.choices)
    text = _("Group dispute: %(workers)s workers, %(amount)s yuan claimed; now: %(state)s")
    return [
        (
            code,
            text
            % {
                "workers": workers,
                "amount": f"{amount or ZERO:,.2f}",
                "state": states.get(state, state),
            },
        )
        for code, workers, amount, state in rows
    ]


register(DisputeReport())
