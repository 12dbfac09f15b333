"""What the statistics show of complaints against intermediaries (casework.reports;
docs/reports.md, "Complaints against intermediaries").

Each figure counts what happened in the period, by its own timestamp (received_at,
accepted_at, decided_at, referred_at) within the period's bounds in Asia/Shanghai, or
by its date (a penalty decision's decided_on). A deadline is a local day: a step is on
time when its local date is on or before the deadline the complaint stores
(acceptance_due, moved on by a supplement's wait; investigation_due, moved on by the
approved extension). Repeat offenders follow the intermediary pages' rule
(services.repeat_offender_ids), taken at the end of the period instead of today.

An anonymous complainant is never named in the ledger, not even with full data.
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from casework.complaints import services
from casework.complaints.models import (
    Channel,
    Complaint,
    DecisionItem,
    NotAcceptedReason,
    Outcome,
    Penalty,
    PenaltyDecision,
    ReferralTarget,
)
from casework.complaints.penalties import Conduct
from casework.core.models import Market
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports.periods import Period
from casework.reports.registry import (
    LEDGER_LANGUAGE,
    Breakdown,
    Indicator,
    LedgerColumn,
    Unit,
    WorkflowReport,
    choice_labels,
    rate,
    register,
    user_name,
)
from casework.surveys import indicators as satisfaction

S = Complaint.State
# The ledger is a Chinese document, whatever language the user reads the site in.
LIST_SEPARATOR = "、"
# Local days are Asia/Shanghai's (settings.TIME_ZONE), as the periods' bounds are.
ZONE = timezone.get_default_timezone()


class ComplaintReport(WorkflowReport):
    slug = "complaints"
    title = _("Complaints against intermediaries")
    model = Complaint
    indicators = [
        Indicator(
            "received",
            _("Complaints received"),
            _("Complaints received in the period, through any channel."),
        ),
        Indicator(
            "anonymous",
            _("of which anonymous"),
            _("Complaints received in the period whose complainant stayed anonymous."),
        ),
        Indicator(
            "accepted",
            _("Accepted"),
            _("Complaints accepted in the period."),
        ),
        Indicator(
            "accepted_on_time",
            _("Accepted within 5 working days"),
            _(
                "Complaints accepted in the period on or before their acceptance deadline "
                "(5 working days from receipt, the wait for a supplement not counted) ÷ "
                "complaints accepted in the period."
            ),
            unit=Unit.PERCENT,
        ),
        Indicator(
            "investigations_closed",
            _("Investigations closed"),
            _("Investigations ended in the period by a decision or a referral."),
        ),
        Indicator(
            "investigations_on_time",
            _("Investigations closed on time"),
            _(
                "Investigations ended in the period on or before their deadline (60 "
                "working days from acceptance, 90 with the approved extension) ÷ "
                "investigations ended in the period."
            ),
            unit=Unit.PERCENT,
        ),
        Indicator(
            "decisions",
            _("Decisions"),
            _("Complaints decided in the period after an investigation, whatever the decision."),
        ),
        Indicator(
            "fines",
            _("Fines decided"),
            _(
                "Fines the labour administration decided in the period (the date of its "
                "decision) on the penalties these markets proposed."
            ),
        ),
        Indicator(
            "fines_amount",
            _("Fines decided: total"),
            _("The sum of the fines decided in the period, in yuan."),
            unit=Unit.YUAN,
        ),
        Indicator(
            "referrals",
            _("Referred to another authority"),
            _("Complaints referred to another authority in the period."),
        ),
        Indicator(
            "repeat_offenders",
            _("Repeat offenders"),
            format_lazy(
                _(
                    "Intermediaries with a complaint accepted in these markets in the {months} "
                    "months up to the period's last day that had at least {count} complaints "
                    "accepted in those months, wherever made (the intermediary pages' rule)."
                ),
                months=settings.COMPLAINT_REPEAT_MONTHS,
                count=settings.COMPLAINT_REPEAT_COUNT,
            ),
            better="lower",
            stock=True,
        ),
        *satisfaction.INDICATORS,
    ]
    ledger_columns = [
        LedgerColumn(_("Case number"), 18),
        LedgerColumn(_("Received on"), 12),
        LedgerColumn(_("Channel"), 12),
        # An anonymous complainant is shown as such, even with full data.
        LedgerColumn(_("Complainant"), 10, personal=True),
        LedgerColumn(_("Complainant's ID number"), 20, personal=True),
        LedgerColumn(_("Complainant's mobile number"), 14, personal=True),
        # The intermediary: a business, as the registry or the complainant names it.
        LedgerColumn(_("Respondent"), 24),
        LedgerColumn(_("Conduct complained of"), 26),
        LedgerColumn(_("Deposit taken (yuan)"), 12),
        LedgerColumn(_("Acceptance due"), 12),
        LedgerColumn(_("Accepted on"), 12),
        LedgerColumn(_("Investigation due"), 12),
        LedgerColumn(_("Holder"), 12),
        LedgerColumn(_("State"), 12),
        LedgerColumn(_("Result"), 26),
        LedgerColumn(_("Conduct found"), 16),
        LedgerColumn(_("Fine decided (yuan)"), 12),
        LedgerColumn(_("Ended on"), 12),
        LedgerColumn(_("Days taken"), 10),
    ]

    def figures(
        self, markets: QuerySet[Market], period: Period, *, variants: dict[str, str]
    ) -> dict[str, Decimal | int | None]:
        start, end = period.bounds()
        received = Q(received_at__gte=start, received_at__lt=end)
        accepted = Q(accepted_at__gte=start, accepted_at__lt=end)
        decided = Q(decided_at__gte=start, decided_at__lt=end)
        referred = Q(referred_at__gte=start, referred_at__lt=end)
        # A complaint is decided or referred, never both: either ends the investigation.
        ended = decided | (referred & Q(decided_at__isnull=True))
        counts = (
            Complaint.objects.filter(market__in=markets)
            .filter(received | accepted | decided | referred)
            .alias(
                accepted_day=TruncDate("accepted_at", tzinfo=ZONE),
                ended_day=TruncDate(Coalesce("decided_at", "referred_at"), tzinfo=ZONE),
            )
            .aggregate(
                received=Count("pk", filter=received),
                anonymous=Count("pk", filter=received & Q(anonymous=True)),
                accepted=Count("pk", filter=accepted),
                accepted_in_time=Count(
                    "pk", filter=accepted & Q(accepted_day__lte=F("acceptance_due"))
                ),
                investigations_closed=Count("pk", filter=ended),
                investigations_in_time=Count(
                    "pk", filter=ended & Q(ended_day__lte=F("investigation_due"))
                ),
                decisions=Count("pk", filter=decided),
                referrals=Count("pk", filter=referred),
            )
        )
        fines = PenaltyDecision.objects.filter(
            complaint__market__in=markets,
            penalty=Penalty.FINE,
            decided_on__gte=period.first,
            decided_on__lt=period.after,
        ).aggregate(n=Count("pk"), total=Sum("amount"))
        return {
            "received": counts["received"],
            "anonymous": counts["anonymous"],
            "accepted": counts["accepted"],
            "accepted_on_time": rate(counts["accepted_in_time"], counts["accepted"]),
            "investigations_closed": counts["investigations_closed"],
            "investigations_on_time": rate(
                counts["investigations_in_time"], counts["investigations_closed"]
            ),
            "decisions": counts["decisions"],
            "fines": fines["n"],
            "fines_amount": fines["total"] or Decimal("0.00"),
            "referrals": counts["referrals"],
            "repeat_offenders": _repeat_offenders(markets, period),
            **satisfaction.satisfaction_figures(self.slug, markets, period),
        }

    def breakdowns(self, markets: QuerySet[Market], period: Period) -> list[Breakdown]:
        start, end = period.bounds()
        complaints = Complaint.objects.filter(market__in=markets).order_by()
        decided = complaints.filter(decided_at__gte=start, decided_at__lt=end)
        # Each conduct a decision found: the first is the complaint's own conduct_found,
        # the others its further items.
        by_conduct: Counter[str] = Counter(
            dict(decided.values_list("conduct_found").annotate(n=Count("pk")))
        )
        by_conduct.update(
            dict(
                DecisionItem.objects.filter(complaint__in=decided, position__gt=0)
                .order_by()
                .values_list("conduct")
                .annotate(n=Count("pk"))
            )
        )
        # A closed complaint ended by its decision; one not accepted or referred, by that.
        # One closed without a decision was referred to labour inspection and closed on
        # its feedback: it finished as referred.
        finished: Counter[str] = Counter()
        for state, outcome, n in (
            complaints.filter(closed_at__gte=start, closed_at__lt=end)
            .values_list("state", "outcome")
            .annotate(n=Count("pk"))
        ):
            finished[(outcome or S.REFERRED) if state == S.CLOSED else state] += n
        by_target = dict(
            complaints.filter(referred_at__gte=start, referred_at__lt=end)
            .values_list("referral_target")
            .annotate(n=Count("pk"))
        )
        results = [(str(label), finished[value]) for value, label in Outcome.choices]
        results += [
            (str(S(state).label), finished[state]) for state in (S.NOT_ACCEPTED, S.REFERRED)
        ]
        return [
            Breakdown(
                "decisions_by_conduct",
                _("Decisions by the conduct found"),
                [(str(label), by_conduct.get(value, 0)) for value, label in Conduct.choices],
            ),
            Breakdown(
                "results",
                _("How the complaints finished in the period ended"),
                results,
                chart="pie",
            ),
            Breakdown(
                "referrals_by_target",
                _("Referrals by the receiving authority"),
                [(str(label), by_target.get(value, 0)) for value, label in ReferralTarget.choices],
            ),
        ]

    def ledger_rows(
        self, markets: QuerySet[Market], period: Period, *, full_data: bool
    ) -> Iterator[list]:
        """The complaints received in the period, in the order they were received."""
        start, end = period.bounds()
        channels = choice_labels(Channel.choices)
        conducts = choice_labels(Conduct.choices)
        states = choice_labels(S.choices)
        outcomes = choice_labels(Outcome.choices)
        reasons = choice_labels(NotAcceptedReason.choices)
        targets = choice_labels(ReferralTarget.choices)
        with translation.override(LEDGER_LANGUAGE):
            anonymous_label = str(_("anonymous"))
        rows = (
            Complaint.objects.filter(
                market__in=markets, received_at__gte=start, received_at__lt=end
            )
            .order_by("received_at", "pk")
            .values_list(
                "code",
                "received_at",
                "channel",
                "anonymous",
                "complainant__name",
                "complainant__id_number",
                "complainant__mobile",
                "complainant_name",
                "contact_mobile",
                "respondent__name",
                "respondent_name_given",
                "categories",
                "deposit_amount",
                "acceptance_due",
                "accepted_at",
                "investigation_due",
                "owner__first_name",
                "owner__last_name",
                "owner__username",
                "state",
                "outcome",
                "not_accepted_reason",
                "referral_target",
                "referral_body",
                "conduct_found",
                "penalty_decision__amount",
                "closed_at",
            )
        )
        for (
            code,
            received_at,
            channel,
            anonymous,
            person_name,
            person_id,
            person_mobile,
            given_name,
            given_mobile,
            respondent,
            respondent_given,
            categories,
            deposit,
            acceptance_due,
            accepted_at,
            investigation_due,
            first_name,
            last_name,
            username,
            state,
            outcome,
            not_accepted_reason,
            referral_target,
            referral_body,
            conduct_found,
            fine,
            closed_at,
        ) in rows.iterator(chunk_size=2000):
            received_on = timezone.localdate(received_at, ZONE)
            closed_on = timezone.localdate(closed_at, ZONE) if closed_at else None
            if anonymous:
                name, id_number, mobile = anonymous_label, "", ""
            else:
                name = person_name or given_name or ""
                id_number = person_id or ""
                mobile = person_mobile or given_mobile or ""
                if not full_data:
                    name, id_number, mobile = (
                        mask_name(name),
                        mask_id(id_number),
                        mask_phone(mobile),
                    )
            if outcome:
                result = outcomes.get(outcome, outcome)
            elif not_accepted_reason:
                result = reasons.get(not_accepted_reason, not_accepted_reason)
            elif referral_target:
                result = f"{targets.get(referral_target, referral_target)} {referral_body}".strip()
            else:
                result = ""
            yield [
                code,
                received_on,
                channels.get(channel, channel),
                name,
                id_number,
                mobile,
                respondent or respondent_given,
                LIST_SEPARATOR.join(conducts.get(c, c) for c in categories or []),
                deposit,
                acceptance_due,
                timezone.localdate(accepted_at, ZONE) if accepted_at else None,
                investigation_due,
                user_name(first_name, last_name, username),
                states.get(state, state),
                result,
                conducts.get(conduct_found, "") if conduct_found else "",
                fine,
                closed_on,
                (closed_on - received_on).days if closed_on else None,
            ]


def _repeat_offenders(markets: QuerySet[Market], period: Period) -> int:
    """The intermediary pages' rule (services.repeat_offender_ids) at the period's end:
    intermediaries with a complaint accepted in ``markets`` within the window that have
    at least COMPLAINT_REPEAT_COUNT accepted in it, wherever made."""
    last = min(period.last, timezone.localdate(timezone=ZONE))
    until = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=ZONE
    )
    window = (
        Complaint.objects.accepted_since(services.repeat_since(last))
        .filter(accepted_at__lt=until)
        .exclude(respondent=None)
        .order_by()
    )
    local = window.filter(market__in=markets).values("respondent_id")
    return (
        window.filter(respondent_id__in=local)
        .values("respondent_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.COMPLAINT_REPEAT_COUNT)
        .count()
    )


register(ComplaintReport())
