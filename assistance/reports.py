"""What the statistics show of hardship assistance (casework.reports; docs/reports.md,
"Hardship assistance").

Flows (applications, certifications, placements, exits) count what happened in the
period: dates compare with the period's local days, timestamps with its bounds in
Asia/Shanghai. Stocks (people in post, post occupancy, the waiting list) are the state
at the end of the period's last day, rebuilt from the placements' and cases' dates, so a
past month shows what it was then. A support plan's start has no date of its own: it is
the ``start_plan`` event of the case's audit trail.

Disability and 低保 status never appear: the ledger lists only the categories that are
not sensitive (Category.sensitive) and reads nothing of SensitiveFacts.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import AssistanceCase, Category, ExitReason, Outcome, Placement, Post, Tier
from casework.core.models import CaseEvent, Market
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports.periods import Period
from casework.reports.registry import (
    Breakdown,
    Indicator,
    LedgerColumn,
    Unit,
    WorkflowReport,
    choice_labels,
    percentile,
    rate,
    register,
    user_name,
)
from casework.surveys import indicators as satisfaction

S = AssistanceCase.State
# The transition that starts a support plan (from certified, or again after leaving a post).
PLAN_STARTED = "start_plan"
# The ledger is a Chinese document, whatever language the user reads the site in.
CATEGORY_SEPARATOR = "、"
# Local days are Asia/Shanghai's (settings.TIME_ZONE), as the periods' bounds are.
ZONE = timezone.get_default_timezone()


class AssistanceReport(WorkflowReport):
    slug = "assistance"
    title = _("Hardship assistance")
    model = AssistanceCase
    indicators = [
        Indicator(
            "applications",
            _("Applications"),
            _("Applications for certification as a hardship worker made in the period."),
        ),
        Indicator(
            "certified",
            _("Certified"),
            _("Applicants certified as hardship workers in the period."),
        ),
        Indicator(
            "refused",
            _("Not certified"),
            _("Applications refused certification in the period."),
            better="lower",
        ),
        Indicator(
            "plans_started",
            _("Support plans started"),
            _(
                "Support plans started in the period (a plan started again after leaving "
                "a post counts again)."
            ),
        ),
        Indicator(
            "placements",
            _("Placements"),
            _("People who started in a public-welfare post in the period."),
        ),
        Indicator(
            "in_post",
            _("People in post"),
            _(
                "People in a public-welfare post at the end of the period's last day: "
                "started on or before it and not left by then."
            ),
            stock=True,
        ),
        Indicator(
            "post_occupancy",
            _("Post occupancy"),
            _(
                "People in post ÷ places of the markets' public-welfare posts at the end "
                "of the period's last day."
            ),
            unit=Unit.PERCENT,
            stock=True,
        ),
        Indicator(
            "waiting",
            _("Waiting list"),
            _(
                "People certified and still entitled at the end of the period's last day "
                "without an approved placement they had not left."
            ),
            better="lower",
            stock=True,
        ),
        Indicator(
            "days_to_placement",
            _("Days from certification to placement (median)"),
            _(
                "Median of the days from certification to the start in the post, over the "
                "placements started in the period."
            ),
            unit=Unit.DAYS,
            better="lower",
        ),
        Indicator(
            "exits",
            _("Exits from posts"),
            _("People who left a public-welfare post in the period, for any reason."),
        ),
        *satisfaction.INDICATORS,
    ]
    ledger_columns = [
        LedgerColumn(_("Case number"), 18),
        LedgerColumn(_("Applied on"), 12),
        LedgerColumn(_("Applicant"), 10, personal=True),
        LedgerColumn(_("ID number"), 20, personal=True),
        LedgerColumn(_("Mobile number"), 14, personal=True),
        # Only the categories that are not sensitive personal data.
        LedgerColumn(_("Categories"), 26),
        LedgerColumn(_("Service level"), 12),
        LedgerColumn(_("Certified on"), 12),
        LedgerColumn(_("Certification expires"), 12),
        LedgerColumn(_("Public-welfare post"), 26),
        LedgerColumn(_("Started in post"), 12),
        LedgerColumn(_("Left the post"), 12),
        LedgerColumn(_("Reason for leaving"), 14),
        LedgerColumn(_("Holder"), 12),
        LedgerColumn(_("State"), 14),
        LedgerColumn(_("Outcome"), 16),
        LedgerColumn(_("Ended on"), 12),
        LedgerColumn(_("Days to the certification decision"), 10),
    ]

    def figures(
        self, markets: QuerySet[Market], period: Period, *, variants: dict[str, str]
    ) -> dict[str, Decimal | int | None]:
        start, end = period.bounds()
        first, last, after = period.first, period.last, period.after
        cases = AssistanceCase.objects.filter(market__in=markets)
        # A placement approved by the end and not left by then: the person is not waiting.
        held = Placement.objects.filter(case=OuterRef("pk"), approved_at__lt=end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=last)
        )
        entitled_at_end = Q(certified_on__lte=last) & (
            Q(ended_at__isnull=True) | Q(ended_at__gte=end)
        )
        figures: dict[str, Decimal | int | None] = cases.aggregate(
            applications=Count("pk", filter=Q(applied_on__gte=first, applied_on__lt=after)),
            certified=Count("pk", filter=Q(certified_on__gte=first, certified_on__lt=after)),
            refused=Count("pk", filter=Q(state=S.DECLINED, ended_at__gte=start, ended_at__lt=end)),
            waiting=Count("pk", filter=entitled_at_end & Q(~Exists(held))),
        )
        figures["plans_started"] = CaseEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(AssistanceCase),
            subject_id__in=cases.values("pk"),
            action=PLAN_STARTED,
            at__gte=start,
            at__lt=end,
        ).count()
        placements = Placement.objects.filter(case__market__in=markets)
        started = list(
            placements.filter(starts_on__gte=first, starts_on__lt=after).values_list(
                "starts_on", "case__certified_on"
            )
        )
        figures["placements"] = len(started)
        stock = placements.aggregate(
            in_post=Count(
                "pk",
                filter=Q(starts_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=last)),
            ),
            exits=Count(
                "pk",
                filter=Q(status=Placement.Status.ENDED, ended_on__gte=first, ended_on__lt=after),
            ),
        )
        places = Post.objects.filter(market__in=markets, created_at__lt=end).aggregate(
            n=Sum("places")
        )["n"]
        figures["in_post"] = stock["in_post"]
        figures["post_occupancy"] = rate(stock["in_post"], places)
        figures["days_to_placement"] = percentile(
            ((starts - certified).days for starts, certified in started if starts and certified),
            0.5,
        )
        figures["exits"] = stock["exits"]
        figures.update(satisfaction.satisfaction_figures(self.slug, markets, period))
        return figures

    def breakdowns(self, markets: QuerySet[Market], period: Period) -> list[Breakdown]:
        first, after = period.first, period.after
        exits = dict(
            Placement.objects.filter(
                case__market__in=markets,
                status=Placement.Status.ENDED,
                ended_on__gte=first,
                ended_on__lt=after,
            )
            .order_by()
            .values_list("exit_reason")
            .annotate(n=Count("pk"))
        )
        in_post = Placement.objects.filter(case=OuterRef("pk"), starts_on__isnull=False)
        cohort = AssistanceCase.objects.filter(
            market__in=markets, applied_on__gte=first, applied_on__lt=after
        ).aggregate(
            applied=Count("pk"),
            certified=Count("pk", filter=Q(certified_on__isnull=False)),
            placed=Count("pk", filter=Q(Exists(in_post))),
        )
        return [
            Breakdown(
                "exits_by_reason",
                _("Exits from posts by reason"),
                [(str(label), exits.get(value, 0)) for value, label in ExitReason.choices],
            ),
            Breakdown(
                "applications_funnel",
                _("The period's applications so far"),
                [
                    (str(_("applied")), cohort["applied"]),
                    (str(_("certified")), cohort["certified"]),
                    (str(_("started in a post")), cohort["placed"]),
                ],
                chart="funnel",
            ),
        ]

    def ledger_rows(
        self, markets: QuerySet[Market], period: Period, *, full_data: bool
    ) -> Iterator[list]:
        """The applications made in the period, oldest first, with their latest placement."""
        tiers = choice_labels(Tier.choices)
        states = choice_labels(S.choices)
        outcomes = choice_labels(Outcome.choices)
        reasons = choice_labels(ExitReason.choices)
        # Only the categories that are not sensitive personal data (个人信息保护法 Art. 28).
        categories = {
            (rule_set, code): name
            for rule_set, code, name, test, fact in Category.objects.values_list(
                "rule_set_id", "code", "name", "test", "fact"
            )
            if not Category(test=test, fact=fact).sensitive
        }
        latest = Placement.objects.filter(case=OuterRef("pk")).exclude(
            status=Placement.Status.REFUSED
        )
        latest = latest.order_by("-proposed_at", "-pk")
        rows = (
            AssistanceCase.objects.filter(
                market__in=markets, applied_on__gte=period.first, applied_on__lt=period.after
            )
            .annotate(
                post_title=Subquery(latest.values("post__title")[:1]),
                post_employer=Subquery(latest.values("post__employer__name")[:1]),
                post_starts=Subquery(latest.values("starts_on")[:1]),
                post_ended=Subquery(latest.values("ended_on")[:1]),
                post_exit=Subquery(latest.values("exit_reason")[:1]),
            )
            .order_by("applied_on", "pk")
            .values_list(
                "code",
                "applied_on",
                "person__name",
                "person__id_number",
                "person__mobile",
                "rule_set_id",
                "proposed_categories",
                "tier",
                "certified_on",
                "certification_expires",
                "post_title",
                "post_employer",
                "post_starts",
                "post_ended",
                "post_exit",
                "owner__first_name",
                "owner__last_name",
                "owner__username",
                "state",
                "outcome",
                "ended_at",
            )
        )
        for (
            code,
            applied_on,
            name,
            id_number,
            mobile,
            rule_set,
            proposed,
            tier,
            certified_on,
            expires,
            post_title,
            post_employer,
            post_starts,
            post_ended,
            post_exit,
            first_name,
            last_name,
            username,
            state,
            outcome,
            ended_at,
        ) in rows.iterator(chunk_size=2000):
            ended_on = timezone.localdate(ended_at, ZONE) if ended_at else None
            decided_on = certified_on or (ended_on if state == S.DECLINED else None)
            shown = [categories[rule_set, c] for c in proposed or [] if (rule_set, c) in categories]
            yield [
                code,
                applied_on,
                name if full_data else mask_name(name),
                id_number if full_data else mask_id(id_number),
                mobile if full_data else mask_phone(mobile),
                CATEGORY_SEPARATOR.join(shown),
                tiers.get(tier, "") if tier else "",
                certified_on,
                expires,
                f"{post_title}（{post_employer}）" if post_title else "",
                post_starts,
                post_ended,
                reasons.get(post_exit, "") if post_exit else "",
                user_name(first_name, last_name, username),
                states.get(state, state),
                outcomes.get(outcome, "") if outcome else "",
                ended_on,
                (decided_on - applied_on).days if decided_on else None,
            ]


register(AssistanceReport())
