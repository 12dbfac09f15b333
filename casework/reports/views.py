"""Statistics pages, their chart data, the ledgers and the targets, the monthly table
and the monthly work reports (docs/reports.md)."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.core.audit import log_access
from casework.core.formtokens import one_time_form
from casework.core.models import AccessLog
from casework.documents.access import documents_visible_to
from casework.documents.services import document_file_name
from casework.reports import access, exports, monthly, services
from casework.reports.forms import TargetForm
from casework.reports.periods import KINDS, PeriodError, parse
from casework.reports.registry import get_report, reports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(slug: str):
    report = get_report(slug)
    if report is None:
        raise Http404("No such statistics.")
    return report


def _scope(request):
    """(markets, period, error): what the query string selects; a bad period falls back
    to the current month with the reason shown, rather than a 500 or a blank page."""
    markets = access.selected_markets(request.user, request.GET.get("market"))
    try:
        return markets, parse(request.GET.get("period")), ""
    except PeriodError as error:
        return markets, parse(""), str(error)


@login_required
def index(request):
    access.statistics_markets(request.user)  # 403 without the permission
    available = reports()
    if not available:
        raise Http404("No workflow reports statistics.")
    query = request.GET.urlencode()
    target = reverse("reports:workflow", args=[available[0].slug])
    return redirect(f"{target}?{query}" if query else target)


@login_required
def workflow(request, slug: str):
    report = _report(slug)
    markets, period, error = _scope(request)
    stats = services.statistics(report, markets, period)
    context = {
        "report": report,
        "reports": reports(),
        "stats": stats,
        "trend": services.trend_rows(services.trend(report, markets, period)),
        "markets": access.statistics_markets(request.user).order_by("code"),
        "market": request.GET.get("market") or _default_market(markets),
        "selected": markets,
        "period_error": error,
        "kinds": KINDS,
        "query": request.GET.urlencode(),
        "previous_query": _with_period(request, stats.period.previous()),
        "next_query": _with_period(request, stats.period.next()),
        "may_export": access.may_export_ledger(request.user, report),
        "may_compare": access.may_compare(request.user),
        "may_edit_targets": _single(markets) is not None
        and request.user.has_perm("reports.change_target"),
        "may_see_monthly_reports": monthly.may_see_monthly_reports(request.user),
    }
    return render(request, "reports/workflow.html", context)


def _with_period(request, period) -> str:
    query = request.GET.copy()
    query["period"] = period.key
    return query.urlencode()


def _default_market(markets) -> str:
    single = _single(markets)
    return single.code if single else access.ALL


def _single(markets):
    return services.single_market(markets)


@login_required
def chart_data(request, slug: str):
    report = _report(slug)
    markets, period, _error = _scope(request)
    stats = services.statistics(report, markets, period)
    data = services.as_json(stats, services.trend(report, markets, period))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
def ledger(request, slug: str, fmt: str):
    report = _report(slug)
    if not access.may_export_ledger(request.user, report):
        raise PermissionDenied
    markets, period, _error = _scope(request)
    full = access.full_data(request.user)
    if full:
        # Full names and numbers leave the system: who, when, which market and period.
        for market in markets:
            note = _("ledger %(workflow)s %(period)s") % {
                "workflow": report.slug,
                "period": period.key,
            }
            log_access(request, market, note, action=AccessLog.Action.EXPORT)
    rows = report.ledger_rows(markets, period, full_data=full)
    name = f"{report.slug}-ledger-{period.key}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_ledger(report.ledger_columns, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    stats = services.statistics(report, markets, period)
    title = f"{report.title} {period.label}"
    handle = exports.xlsx_ledger(report.ledger_columns, rows, stats, title)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@permission_required(access.COMPARE, raise_exception=True)
def compare(request, slug: str):
    """The same indicators for each market of the region, side by side (figures only)."""
    report = _report(slug)
    markets, period, error = _scope(request)
    rows = [
        (market, services.statistics(report, markets.filter(pk=market.pk), period))
        for market in markets
    ]
    context = {
        "report": report,
        "reports": reports(),
        "rows": rows,
        "period": period,
        "period_error": error,
        "kinds": KINDS,
        "query": request.GET.urlencode(),
        # The oldest of the markets' figures: the page is as of then at least.
        "as_of": min((stats.as_of for _market, stats in rows), default=timezone.now()),
    }
    return render(request, "reports/compare.html", context)


@login_required
@permission_required("reports.change_target", raise_exception=True)
def targets(request, slug: str):
    report = _report(slug)
    markets = access.selected_markets(request.user, request.GET.get("market"))
    market = services.single_market(markets)
    if market is None:
        raise Http404("Targets are set per market: choose one.")
    form = TargetForm(request.POST or None, report=report, market=market, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The targets are saved."))
        return redirect(f"{reverse('reports:workflow', args=[slug])}?market={market.code}")
    context = {"report": report, "market": market, "form": form}
    return render(request, "reports/targets.html", context)


# -- the monthly table and the monthly work reports ------------------------------------------


def _monthly_scope(request, slug: str):
    """(report, markets, month) of a monthly table: a workflow that has one, and a month."""
    report = _report(slug)
    if not report.has_monthly_table:
        raise Http404("This workflow has no monthly table.")
    markets, period, error = _scope(request)
    if error or period.kind != "month":
        raise Http404("The monthly table is for one month.")
    return report, markets, period


@login_required
def monthly_xlsx(request, slug: str):
    report, markets, period = _monthly_scope(request, slug)
    data = monthly.table_xlsx(monthly.table_sheet(report, markets, period))
    name = f"{report.slug}-monthly-{period.key}.xlsx"
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_POST
@one_time_form
def monthly_pdf(request, slug: str):
    """Issue a sealed copy of the monthly table; its page offers the PDF once rendered."""
    report, markets, period = _monthly_scope(request, slug)
    copy = monthly.issue_table_copy(report, markets, period, by=request.user)
    return redirect("reports:monthly_copy", pk=copy.pk)


@login_required
def monthly_copy(request, pk: int):
    copy, doc = monthly.copy_for_user(request.user, pk)
    context = {"copy": copy, "doc": doc, "report": get_report(copy.workflow)}
    return render(request, "reports/monthly_copy.html", context)


@login_required
def monthly_copy_pdf(request, pk: int):
    _copy, doc = monthly.copy_for_user(request.user, pk)
    if doc is None or not doc.is_ready or not doc.file:
        raise Http404("The PDF is not ready.")
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=document_file_name(doc),
        content_type="application/pdf",
    )


@login_required
def monthly_reports(request):
    """The sealed monthly work reports of the markets the page covers, newest first."""
    if not monthly.may_see_monthly_reports(request.user):
        raise PermissionDenied
    markets = access.selected_markets(request.user, request.GET.get("market"))
    page = Paginator(monthly.monthly_reports(markets), 24).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": monthly.with_documents(list(page), documents_visible_to(request.user)),
        "markets": access.statistics_markets(request.user).order_by("code"),
        "market": request.GET.get("market") or _default_market(markets),
    }
    return render(request, "reports/monthly_reports.html", context)
