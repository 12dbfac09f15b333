"""What the statistics show of gig agreements (casework.reports; docs/reports.md,
"Gig agreements").

Every figure is an aggregate over the agreements of the markets, counted by the moment
it happened (signed_at, completed_at) within the period's bounds in Asia/Shanghai.
An agreement that ended in a wage dispute is read from its own audit trail (the
``dispute_opened`` event ``dispute_open()`` writes), not from the disputes app: the
workflows stay independent of each other (pyproject.toml, import-linter "workflows").
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, PaymentStatus, PayUnit, Trade
from casework.core.models import CaseEvent, Market
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports.periods import Period
from casework.reports.registry import (
    Breakdown,
    Indicator,
    LedgerColumn,
    WorkflowReport,
    choice_labels,
    register,
    user_name,
)

# The action dispute_open() records in the agreement's trail; its note is the dispute's code.
DISPUTE_OPENED = "dispute_opened"
# The ledger is a Chinese document, whatever language the user reads the site in.
# Local days are Asia/Shanghai's (settings.TIME_ZONE), as the periods' bounds are.
ZONE = timezone.get_default_timezone()

S = Agreement.State
# The states a signed agreement can be in.
AFTER_SIGNING = (S.SIGNED, S.COMPLETED, S.TERMINATED, S.SUPERSEDED)


class AgreementReport(WorkflowReport):
    slug = "agreements"
    title = _("Gig agreements")
    model = Agreement
    indicators = [
        Indicator(
            "signed",
            _("Agreements signed"),
            _(
                "Agreements signed by both parties (in force) in the period, whatever "
                "became of them later."
            ),
        ),
        Indicator(
            "workers_covered",
            _("Workers covered"),
            _("Different workers among the agreements signed in the period."),
        ),
        Indicator(
            "completed",
            _("Work completed"),
            _("Agreements whose work was marked completed in the period."),
        ),
        Indicator(
            "ended_in_dispute",
            _("Ended in a wage dispute"),
            _(
                "Agreements from which the worker opened a wage dispute in the period "
                "(the moment the agreement's audit trail records it)."
            ),
            better="lower",
        ),
    ]
    ledger_columns = [
        LedgerColumn(_("Agreement number"), 18),
        LedgerColumn(_("Signed on"), 12),
        LedgerColumn(_("Trade"), 16),
        LedgerColumn(_("Worker"), 10, personal=True),
        LedgerColumn(_("Worker's ID number"), 20, personal=True),
        LedgerColumn(_("Worker's mobile number"), 14, personal=True),
        # An organisation's name, or an individual's (masked like any name).
        LedgerColumn(_("Hiring party"), 26, personal=True),
        LedgerColumn(_("Intermediary"), 20),
        LedgerColumn(_("Place of work"), 26),
        LedgerColumn(_("First day of work"), 12),
        LedgerColumn(_("Last day of work"), 12),
        LedgerColumn(_("Pay rate (yuan)"), 10),
        LedgerColumn(_("Pay unit"), 8),
        LedgerColumn(_("Total pay (yuan)"), 12),
        LedgerColumn(_("Payment date"), 12),
        LedgerColumn(_("Payment"), 16),
        LedgerColumn(_("Wage dispute"), 18),
        LedgerColumn(_("Holder"), 12),
        LedgerColumn(_("State"), 14),
        LedgerColumn(_("Ended on"), 12),
        LedgerColumn(_("Days in force"), 10),
    ]

    def figures(
        self, markets: QuerySet[Market], period: Period, *, variants: dict[str, str]
    ) -> dict[str, Decimal | int | None]:
        start, end = period.bounds()
        agreements = Agreement.objects.filter(market__in=markets)
        # One query per timestamp, each on its index (migration 0004): an OR of the two
        # ranges would read every agreement of the markets.
        totals: dict[str, Decimal | int | None] = agreements.filter(
            signed_at__gte=start, signed_at__lt=end
        ).aggregate(
            signed=Count("pk"),
            workers_covered=Count("worker", distinct=True),
        )
        totals["completed"] = agreements.filter(
            completed_at__gte=start, completed_at__lt=end
        ).count()
        # Few agreements have a dispute: each one's trail is read through its index.
        opened = CaseEvent.objects.filter(
            subject_type=_content_type(),
            subject_id=OuterRef("pk"),
            action=DISPUTE_OPENED,
            at__gte=start,
            at__lt=end,
        )
        totals["ended_in_dispute"] = (
            agreements.filter(dispute_id__isnull=False).filter(Exists(opened)).count()
        )
        return totals

    def breakdowns(self, markets: QuerySet[Market], period: Period) -> list[Breakdown]:
        start, end = period.bounds()
        by_trade: Counter[str] = Counter()
        by_state: Counter[str] = Counter()
        for trade, state, n in (
            Agreement.objects.filter(market__in=markets, signed_at__gte=start, signed_at__lt=end)
            .order_by()
            .values_list("trade", "state")
            .annotate(n=Count("pk"))
        ):
            by_trade[trade] += n
            by_state[state] += n
        return [
            Breakdown(
                "by_trade",
                _("Agreements signed by trade"),
                [(str(label), by_trade[value]) for value, label in Trade.choices],
            ),
            Breakdown(
                "since_signed",
                _("What became of the agreements signed in the period"),
                [(str(S(state).label), by_state[state]) for state in AFTER_SIGNING],
                chart="pie",
            ),
        ]

    def ledger_rows(
        self, markets: QuerySet[Market], period: Period, *, full_data: bool
    ) -> Iterator[list]:
        """The agreements signed in the period, in the order they were signed."""
        start, end = period.bounds()
        trades = choice_labels(Trade.choices)
        units = choice_labels(PayUnit.choices)
        payments = choice_labels(PaymentStatus.choices)
        states = choice_labels(S.choices)
        dispute_code = Subquery(
            CaseEvent.objects.filter(
                subject_type=_content_type(), subject_id=OuterRef("pk"), action=DISPUTE_OPENED
            )
            .order_by("-seq")
            .values("note")[:1]
        )
        rows = (
            Agreement.objects.filter(market__in=markets, signed_at__gte=start, signed_at__lt=end)
            .annotate(
                dispute_code=Case(
                    When(dispute_id__isnull=False, then=dispute_code),
                    default=Value(""),
                    output_field=TextField(),
                )
            )
            .order_by("signed_at", "pk")
            .values_list(
                "code",
                "signed_at",
                "trade",
                "worker__name",
                "worker__id_number",
                "worker__mobile",
                "hiring_organization__name",
                "hiring_person__name",
                "intermediary__name",
                "work_place",
                "start_date",
                "end_date",
                "pay_rate",
                "pay_unit",
                "pay_total",
                "payment_date",
                "payment_status",
                "dispute_code",
                "owner__first_name",
                "owner__last_name",
                "owner__username",
                "state",
                "completed_at",
                "ended_at",
            )
        )
        for (
            code,
            signed_at,
            trade,
            worker,
            worker_id,
            worker_mobile,
            organization,
            individual,
            intermediary,
            work_place,
            start_date,
            end_date,
            pay_rate,
            pay_unit,
            pay_total,
            payment_date,
            payment_status,
            dispute,
            first_name,
            last_name,
            username,
            state,
            completed_at,
            ended_at,
        ) in rows.iterator(chunk_size=2000):
            signed_on = timezone.localdate(signed_at, ZONE)
            ended_on = _local_date(completed_at or ended_at)
            # An organisation's name as it is; an individual's masked like any name.
            hiring = organization or (individual if full_data else mask_name(individual or ""))
            yield [
                code,
                signed_on,
                trades.get(trade, trade),
                worker if full_data else mask_name(worker),
                worker_id if full_data else mask_id(worker_id),
                worker_mobile if full_data else mask_phone(worker_mobile),
                hiring,
                intermediary or "",
                work_place,
                start_date,
                end_date,
                pay_rate,
                units.get(pay_unit, pay_unit),
                pay_total,
                payment_date,
                payments.get(payment_status, "") if payment_status else "",
                dispute or "",
                user_name(first_name, last_name, username),
                states.get(state, state),
                ended_on,
                (ended_on - signed_on).days if ended_on else None,
            ]


def _content_type() -> ContentType:
    return ContentType.objects.get_for_model(Agreement, for_concrete_model=True)


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment, ZONE) if moment else None


register(AgreementReport())
