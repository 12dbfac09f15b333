"""The sample workflow's statistics: proves a workflow plugs into casework.reports with
one module of its own (autodiscovered), and gives the reports app's tests a small report."""

from decimal import Decimal

from django.db.models import Count, Q

from casework.parties.identifiers import mask_name
from casework.reports.registry import (
    Breakdown,
    Indicator,
    LedgerColumn,
    Unit,
    Variant,
    WorkflowReport,
    rate,
    register,
)
from tests.caseapp.models import SampleCase

S = SampleCase.State


class SampleReport(WorkflowReport):
    slug = "samples"
    title = "Sample cases"
    model = SampleCase
    indicators = [
        Indicator("received", "received", "cases created in the period"),
        Indicator("closed", "closed", "cases created in the period and closed"),
        Indicator(
            "closed_rate",
            "closed rate",
            "closed ÷ received",
            unit=Unit.PERCENT,
            default_target=Decimal(50),
        ),
        Indicator("open_now", "open now", "cases not closed", better="lower", stock=True),
    ]
    variants = {
        "closed_rate": [
            Variant("plain", "closed only", "closed ÷ received"),
            Variant("with_withdrawn", "withdrawn too", "(closed + withdrawn) ÷ received"),
        ]
    }
    ledger_columns = [
        LedgerColumn("Case number"),
        LedgerColumn("Created"),
        LedgerColumn("Holder", personal=True),
        LedgerColumn("State"),
        LedgerColumn("Resolution", width=30),
    ]

    def _cases(self, markets, period):
        start, end = period.bounds()
        return SampleCase.objects.filter(
            market__in=markets, created_at__gte=start, created_at__lt=end
        )

    def figures(self, markets, period, *, variants):
        counts = self._cases(markets, period).aggregate(
            received=Count("pk"),
            closed=Count("pk", filter=Q(state=S.CLOSED)),
            withdrawn=Count("pk", filter=Q(state=S.WITHDRAWN)),
        )
        done = counts["closed"]
        if variants.get("closed_rate") == "with_withdrawn":
            done += counts["withdrawn"]
        open_now = SampleCase.objects.filter(market__in=markets).exclude(
            state__in=[S.CLOSED, S.WITHDRAWN]
        )
        return {
            "received": counts["received"],
            "closed": counts["closed"],
            "closed_rate": rate(done, counts["received"]),
            "open_now": open_now.count(),
        }

    def breakdowns(self, markets, period):
        rows = self._cases(markets, period).values_list("state").annotate(n=Count("pk"))
        return [Breakdown("states", "by state", sorted(rows), chart="pie")]

    def ledger_rows(self, markets, period, *, full_data):
        cases = self._cases(markets, period).select_related("owner").order_by("created_at", "pk")
        for case in cases.iterator(chunk_size=2000):
            holder = case.owner.get_full_name() if case.owner else ""
            yield [
                case.code,
                case.created_at.date(),
                holder if full_data else mask_name(holder),
                case.state,
                case.resolution,
            ]


register(SampleReport())
