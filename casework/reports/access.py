"""Who sees which markets' statistics and ledgers (docs/architecture.md, "Statistics").

Supervisors and auditors see their markets' statistics; the regional role (a county's
or city's office) sees every market on its staff profile and compares them, but no
ledger: its pages carry figures only, never a name, ID or mobile number. A ledger is
for staff who may see the workflow's cases in that market; full personal data in it
needs the permission to see full numbers, and every such export is logged.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from casework.core.models import Market, markets_for
from casework.reports.registry import WorkflowReport

ALL = "all"
VIEW = "reports.view_statistics"
COMPARE = "reports.view_regional_statistics"
FULL_DATA = "parties.view_full_personal_data"


def statistics_markets(user) -> QuerySet[Market]:
    if not user.has_perm(VIEW):
        raise PermissionDenied
    return Market.objects.all() if user.is_superuser else markets_for(user)


def selected_markets(user, code: str | None) -> QuerySet[Market]:
    """The markets a page covers: one by code, or all the user's (``all``, the default
    for those with several). A market outside the user's is not found (404)."""
    mine = statistics_markets(user).order_by("code")
    if not code:
        code = ALL if mine.count() > 1 else (mine.values_list("code", flat=True).first() or "")
    if code == ALL:
        return mine
    chosen = mine.filter(code=code)
    if not chosen.exists():
        raise Http404("No such market.")
    return chosen


def may_compare(user) -> bool:
    return user.has_perm(COMPARE)


def may_export_ledger(user, report: WorkflowReport) -> bool:
    opts = report.model._meta
    return user.has_perm(VIEW) and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def full_data(user) -> bool:
    return user.has_perm(FULL_DATA)
