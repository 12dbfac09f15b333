"""Issue the markets' sealed monthly work reports now, if the daily beat job has not
(docs/reports.md, "Monthly table and monthly report")."""

from django.core.management.base import BaseCommand, CommandError

from casework.core.models import Market
from casework.reports.monthly import issue_monthly_reports
from casework.reports.periods import PeriodError, current_month, parse


class Command(BaseCommand):
    help = (
        "Issue each market's sealed monthly work report for a month (by default the month "
        "before this one); a report already issued is left as it is."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="the month, e.g. 2026-11 (default: last month)")
        parser.add_argument("--market", help="one market's code (default: every market)")

    def handle(self, *args, **options) -> None:
        period = self._month(options["month"])
        markets = None
        if options["market"]:
            markets = Market.objects.filter(code=options["market"])
            if not markets.exists():
                raise CommandError(f"No market with the code {options['market']!r}.")
        result = issue_monthly_reports(period, markets)
        for label, codes in (
            ("Issued", result.issued),
            ("Already issued", result.existing),
            ("Failed (see the log)", result.failed),
        ):
            if codes:
                self.stdout.write(f"{label} for {period.key}: {', '.join(codes)}")
        if not (result.issued or result.existing or result.failed):
            self.stdout.write(f"No market existed in {period.key}.")
        if result.failed:
            raise CommandError(f"{len(result.failed)} report(s) could not be issued.")

    def _month(self, key: str | None):
        if not key:
            return current_month().previous()
        try:
            period = parse(key)
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if period.kind != "month":
            raise CommandError(f"{key!r} is not a month: use e.g. 2026-11.")
        return period
