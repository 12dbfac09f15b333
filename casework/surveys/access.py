"""Who sees the survey results (docs/surveys.md).

The results page is for those who see the markets' statistics (casework.reports.access:
supervisors and auditors their markets, the regional role its markets). The regional
role sees figures only, never a case or a staff member; the parties' comments are
read by the market's supervisors only."""

from django.db.models import QuerySet

from casework.core.models import Market
from casework.reports import access as statistics

VIEW = statistics.VIEW


def results_markets(user, code: str | None) -> QuerySet[Market]:
    """The markets the page covers (403 without the statistics permission, 404 for a
    market that is not the user's)."""
    return statistics.selected_markets(user, code)


def may_see_cases(user) -> bool:
    """Per case and per staff member: not for the regional role."""
    return user.is_superuser or not statistics.may_compare(user)


def comment_markets(user) -> set[int]:
    """The markets whose parties' comments the user reads: those the user supervises."""
    if user.is_superuser:
        return set(Market.objects.values_list("pk", flat=True))
    if not user.is_authenticated:
        return set()
    return set(user.supervised_markets.values_list("pk", flat=True))
