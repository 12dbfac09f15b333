"""The statistics' monthly outputs (docs/reports.md, "Monthly table and monthly report").

* **The monthly statistics table** (月报表): a workflow's ``monthly_table`` in its fixed
  layout, for one month over one market or several (a row per market, then their sum),
  as .xlsx (``table_xlsx``) and as a sealed PDF: ``issue_table_copy`` records a
  TableCopy, whose document holds the table as its figures stood then.
* **The monthly work report** (月度工作报告): per market and month, every workflow's
  indicators against their targets, the trends and breakdowns drawn as SVG, and the
  month's notable cases. ``issue_monthly_report`` issues it once: the unique
  (market, month) key makes a second run, even one at the same moment, find it issued.
  The beat's daily task and ``manage.py monthly_reports`` call ``issue_monthly_reports``.

Both are the market's records, written in Chinese (LEDGER_LANGUAGE) whoever asks, and
hold figures and case numbers only, never a name, ID or mobile number.
"""

import dataclasses
import io
import logging
from dataclasses import dataclass, field

import xlsxwriter
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.core.models import Market
from casework.documents.formatting import zh_datetime
from casework.documents.models import Document
from casework.documents.services import document_issue
from casework.reports import access, services
from casework.reports.models import MonthlyReport, TableCopy
from casework.reports.periods import Period, current_month, month
from casework.reports.registry import (
    LEDGER_LANGUAGE,
    Breakdown,
    MonthlyTable,
    TableColumn,
    WorkflowReport,
    get_report,
    reports,
)
from casework.reports.templatetags.figures import figure

logger = logging.getLogger(__name__)

# The document kinds (registered in casework/reports/documents.py).
TABLE_KIND = "monthly_table"
REPORT_KIND = "monthly_report"
# Each kind of notable case a monthly report lists, at most.
NOTABLE_LIMIT = 20
# Markets named one by one in a table's heading; more are counted.
NAMED_MARKETS = 3


ZH_NUMERALS = "一二三四五六七八九十"


def zh_month(period: Period) -> str:
    return f"{period.first.year}年{period.first.month}月"


# -- the monthly table -------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadCell:
    """A header cell of the table: its row and column, and the cells it spans."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class TableSheet:
    """The table as printed: headers, a row per market (then their sum), the notes."""

    workflow: str
    title: str
    scope: str
    month: str
    as_of: str
    heads: list[HeadCell]
    depth: int
    keys: list[str]
    rows: list[tuple[str, list[int]]]
    notes: list[str] = field(default_factory=list)

    def values(self, row: int = -1) -> dict[str, int]:
        """Column key -> value of one row (the last: the total, or the only market)."""
        return dict(zip(self.keys, self.rows[row][1], strict=True))


def head_cells(paths: list[tuple[str, ...]]) -> tuple[list[HeadCell], int]:
    """The merged header cells of columns given by their header paths, and the rows they
    take: neighbouring columns sharing a header share its cell, and a column's last
    header reaches down to the bottom row."""
    depth = max(len(path) for path in paths)
    cells = []
    for level in range(depth):
        col = 0
        while col < len(paths):
            path = paths[col]
            if len(path) <= level:
                col += 1
                continue
            end = col + 1
            while end < len(paths) and paths[end][: level + 1] == path[: level + 1]:
                end += 1
            leaf = end - col == 1 and len(path) == level + 1
            cells.append(HeadCell(path[level], level, col, depth - level if leaf else 1, end - col))
            col = end
    return cells, depth


def table_sheet(report: WorkflowReport, markets: QuerySet[Market], period: Period) -> TableSheet:
    """The workflow's monthly table for ``period`` over ``markets``, in Chinese."""
    chosen = list(markets.order_by("code"))
    if not chosen or not report.has_monthly_table:
        raise Http404("No monthly table.")
    with translation.override(LEDGER_LANGUAGE):
        tables = [
            (market.name, report.monthly_table(markets.filter(pk=market.pk), period))
            for market in chosen
        ]
        first = tables[0][1]
        if first is None:
            raise Http404("No monthly table.")
        columns: list[TableColumn] = first.columns
        keys = [column.key for column in columns]
        rows = [(name, _row(table, keys)) for name, table in tables]
        if len(rows) > 1:
            columns_values = zip(*(values for _name, values in rows), strict=True)
            rows.append((_("Total"), [sum(column) for column in columns_values]))
        paths = [(_("Reporting unit"),)] + [tuple(str(h) for h in c.heads) for c in columns]
        heads, depth = head_cells(paths)
        return TableSheet(
            workflow=report.slug,
            title=str(first.title),
            scope=_scope_name(chosen),
            month=zh_month(period),
            as_of=zh_datetime(timezone.now()),
            heads=heads,
            depth=depth,
            keys=keys,
            rows=rows,
            notes=[str(note) for note in first.notes],
        )


def _row(table: MonthlyTable | None, keys: list[str]) -> list[int]:
    values = table.values if table is not None else {}
    return [int(values.get(key, 0)) for key in keys]


def _scope_name(markets: list[Market]) -> str:
    if len(markets) <= NAMED_MARKETS:
        return "、".join(market.name for market in markets)
    return _("%(first)s and %(count)s other markets") % {
        "first": markets[0].name,
        "count": len(markets) - 1,
    }


def table_xlsx(sheet: TableSheet) -> bytes:
    """The table as a workbook: title, scope and month, the merged headers, the rows."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    plain = {"border": 1, "valign": "vcenter", "font_name": "SimSun", "font_size": 10}
    formats = {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center"}),
        "line": book.add_format({"font_size": 10}),
        "head": book.add_format({**plain, "bold": True, "align": "center", "text_wrap": True}),
        "name": book.add_format(plain),
        "number": book.add_format({**plain, "num_format": "0"}),
    }
    with translation.override(LEDGER_LANGUAGE):
        _table_worksheet(book, formats, sheet)
    book.close()
    return output.getvalue()


def _table_worksheet(book, formats, sheet: TableSheet) -> None:
    ws = book.add_worksheet(_("Monthly table")[:31])
    last = len(sheet.keys)
    ws.merge_range(0, 0, 0, last, sheet.title, formats["title"])
    line = _("Reporting unit: %(scope)s    Month: %(month)s    As of: %(as_of)s") % {
        "scope": sheet.scope,
        "month": sheet.month,
        "as_of": sheet.as_of,
    }
    ws.merge_range(1, 0, 1, last, line, formats["line"])
    top = 2
    for cell in sheet.heads:
        row, col = top + cell.row, cell.col
        if cell.rowspan == cell.colspan == 1:
            ws.write_string(row, col, cell.text, formats["head"])
        else:
            bottom, right = row + cell.rowspan - 1, col + cell.colspan - 1
            ws.merge_range(row, col, bottom, right, cell.text, formats["head"])
    for level in range(sheet.depth):
        ws.set_row(top + level, 42)
    first_row = top + sheet.depth
    for row, (name, values) in enumerate(sheet.rows, start=first_row):
        ws.write_string(row, 0, name, formats["name"])
        for col, value in enumerate(values, start=1):
            ws.write_number(row, col, value, formats["number"])
    notes_row = first_row + len(sheet.rows) + 1
    for row, note in enumerate([_("Notes:"), *sheet.notes], start=notes_row):
        ws.write_string(row, 0, note, formats["line"])
    ws.set_column(0, 0, 24)
    ws.set_column(1, last, 9)
    ws.freeze_panes(top + sheet.depth, 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top, top + sheet.depth - 1)


# -- the table's sealed copy --------------------------------------------------------------------


def issue_table_copy(
    report: WorkflowReport, markets: QuerySet[Market], period: Period, *, by
) -> TableCopy:
    """Record a copy of the table and issue its sealed document (rendered after commit)."""
    if not report.has_monthly_table or period.kind != "month":
        raise Http404("No monthly table.")
    with transaction.atomic():
        copy = TableCopy.objects.create(
            workflow=report.slug,
            month=period.first,
            requested_by=by if by is not None and by.is_authenticated else None,
        )
        copy.markets.set(markets)
        document_issue(subject=copy, kind=TABLE_KIND, by=by)
    return copy


def table_context(copy: TableCopy) -> dict:
    """The sealed copy's snapshot: the table as its figures stand when it is issued."""
    report = get_report(copy.workflow)
    if report is None:
        raise ValueError(f"no report {copy.workflow!r}")
    period = month(copy.month.year, copy.month.month)
    sheet = table_sheet(report, copy.markets.all(), period)
    rows_of_heads = [
        [dataclasses.asdict(cell) for cell in sheet.heads if cell.row == level]
        for level in range(sheet.depth)
    ]
    return {
        "table": {
            "title": sheet.title,
            "scope": sheet.scope,
            "month": sheet.month,
            "as_of": sheet.as_of,
            "head_rows": rows_of_heads,
            "keys": sheet.keys,
            "rows": [{"name": name, "values": values} for name, values in sheet.rows],
            "notes": sheet.notes,
        }
    }


def copy_for_user(user, pk: int) -> tuple[TableCopy, Document | None]:
    """The copy and its latest document, for a user who sees the statistics of every
    market it covers; otherwise not found."""
    mine = access.statistics_markets(user)
    copy = TableCopy.objects.filter(pk=pk).first()
    if copy is None or copy.markets.exclude(pk__in=mine.values("pk")).exists():
        raise Http404("No such table.")
    return copy, latest_document(copy, TABLE_KIND)


def latest_document(subject, kind: str) -> Document | None:
    return Document.objects.for_subject(subject).filter(kind=kind).order_by("-version").first()


# -- the monthly work report --------------------------------------------------------------------


def issue_monthly_report(market: Market, period: Period) -> tuple[MonthlyReport, bool]:
    """The market's report for ``period``, issued now if there is none yet; (report,
    whether it is new). Two runs at once: the second INSERT waits for the first to
    commit and fails on the unique key, so the document is issued once."""
    existing = MonthlyReport.objects.filter(market=market, month=period.first).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                market=market, month=period.first, issued_at=timezone.now()
            )
            document_issue(subject=report, kind=REPORT_KIND)
    except IntegrityError:
        logger.info("monthly report of %s for %s: issued by another run", market.code, period.key)
        return MonthlyReport.objects.get(market=market, month=period.first), False
    return report, True


@dataclass
class IssueResult:
    issued: list[str] = field(default_factory=list)  # market codes
    existing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def issue_monthly_reports(
    period: Period | None = None, markets: QuerySet[Market] | None = None
) -> IssueResult:
    """Every market's report for ``period`` (by default the month before this one), for
    the markets that existed before its end. A market whose report fails is logged and
    left for the next run; the others are issued."""
    period = period or current_month().previous()
    _start, end = period.bounds()
    chosen = (Market.objects.all() if markets is None else markets).filter(created_at__lt=end)
    result = IssueResult()
    for market in chosen.order_by("code"):
        try:
            _report, new = issue_monthly_report(market, period)
        except Exception:
            logger.exception("monthly report of %s for %s failed", market.code, period.key)
            result.failed.append(market.code)
            continue
        (result.issued if new else result.existing).append(market.code)
    return result


def report_context(monthly: MonthlyReport) -> dict:
    """The report's snapshot: each workflow's figures, charts and notable cases."""
    period = month(monthly.month.year, monthly.month.month)
    markets = Market.objects.filter(pk=monthly.market_id)
    with translation.override(LEDGER_LANGUAGE):
        sections = [_section(report, markets, period) for report in reports()]
    for number, section in zip(ZH_NUMERALS[1:], sections, strict=False):
        section["number"] = number  # 一、 is the summary
    return {
        "market": monthly.market.name,
        "month": zh_month(period),
        "period": period.key,
        "as_of": zh_datetime(timezone.now()),
        "sections": sections,
    }


def _section(report: WorkflowReport, markets: QuerySet[Market], period: Period) -> dict:
    stats = services.statistics(report, markets, period)
    trend = services.trend(report, markets, period)
    figures = [_figure(f) for f in stats.figures]
    return {
        "title": str(report.title),
        "figures": figures,
        "targeted": sum(1 for f in stats.figures if f.target is not None),
        "met": sum(1 for f in figures if f["met"] is True),
        "missed": sum(1 for f in figures if f["met"] is False),
        "trends": [line_chart(series, trend["months"]) for series in trend["series"]],
        "breakdowns": [bar_chart(b) for b in stats.breakdowns if any(v for _l, v in b.rows)],
        "notable": _notable(report, markets, period),
    }


def _notable(report: WorkflowReport, markets: QuerySet[Market], period: Period) -> list | None:
    """The workflow's notable cases, or None for a workflow that names none."""
    if type(report).notable_cases is WorkflowReport.notable_cases:
        return None
    cases = report.notable_cases(markets, period, limit=NOTABLE_LIMIT)
    return [{"code": code, "text": text} for code, text in cases]


def _figure(f: services.Figure) -> dict:
    unit = f.indicator.unit
    target = ""
    if f.target is not None:
        target = f"{'≤' if f.indicator.better == 'lower' else '≥'} {figure(f.target, unit)}"
    return {
        "title": str(f.indicator.title),
        "value": figure(f.value, unit),
        "previous": figure(f.previous, unit),
        "target": target,
        "met": f.met,
    }


# -- charts as SVG (drawn by templates/pdf/reports/_*_chart.html from these numbers) -------------

# Two charts side by side fill the width of an A4 page's text (about 640 px).
LINE = {"width": 310, "height": 140, "left": 36, "right": 8, "top": 10, "bottom": 22}
BAR = {"width": 310, "label": 112, "row": 18, "value": 40}


def _ceiling(value: float, unit: str) -> float:
    """A round top for a chart's scale: 100 for rates, else 1, 2 or 5 times a power of 10."""
    if unit == "percent":
        return 100.0
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 < value:
        scale *= 10
    while scale > value * 10:
        scale /= 10
    return next(step * scale for step in (1, 2, 5, 10) if step * scale >= value)


def line_chart(series: dict, months: list[str]) -> dict:
    """One indicator's last 12 months as a line, with its target as a dashed line."""
    values, target, unit = series["values"], series["target"], series["unit"]
    top = _ceiling(max([v for v in values if v is not None] + [target or 0]), unit)
    g = LINE
    plot_w = g["width"] - g["left"] - g["right"]
    plot_h = g["height"] - g["top"] - g["bottom"]
    step = plot_w / max(len(months) - 1, 1)

    def y(value: float) -> float:
        return round(g["top"] + plot_h * (1 - value / top), 1)

    points = [
        {"x": round(g["left"] + i * step, 1), "y": y(v), "value": v}
        for i, v in enumerate(values)
        if v is not None
    ]
    bottom = g["height"] - g["bottom"]
    return {
        "title": series["title"],
        "geometry": g,
        "bottom": bottom,
        "right": g["width"] - g["right"],
        "tick_x": g["left"] - 4,
        "month_y": bottom + 13,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "points": points,
        "target_y": None if target is None else y(target),
        "ticks": [{"y": y(top * k / 2), "label": _tick(top * k / 2)} for k in range(3)],
        "months": [
            {"x": round(g["left"] + i * step, 1), "label": f"{int(key[5:])}月"}
            for i, key in enumerate(months)
        ],
        "target": target,
        "last": figure(values[-1], unit) if values else "",
    }


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def bar_chart(breakdown: Breakdown) -> dict:
    """A breakdown as horizontal bars, one row per label, its value at the bar's end."""
    g = BAR
    longest = max((value for _label, value in breakdown.rows), default=0) or 1
    room = g["width"] - g["label"] - g["value"]
    bars = [
        {
            "label": label,
            "value": value,
            "y": index * g["row"],
            "text_y": index * g["row"] + 12,
            "width": round(room * value / longest, 1),
            "value_x": round(g["label"] + room * value / longest + 4, 1),
        }
        for index, (label, value) in enumerate(breakdown.rows)
    ]
    return {
        "title": str(breakdown.title),
        "geometry": g,
        "height": len(bars) * g["row"] + 4,
        "bars": bars,
    }


# -- who sees the issued reports ----------------------------------------------------------------

DOCUMENT_READERS = "documents.view_document"


def may_see_monthly_reports(user) -> bool:
    """Supervisors and auditors: they see their markets' statistics and documents. (The
    regional role, which sees no case, does not: a report names the month's cases.)"""
    return user.has_perm(access.VIEW) and user.has_perm(DOCUMENT_READERS)


def monthly_reports(markets: QuerySet[Market]) -> QuerySet[MonthlyReport]:
    return (
        MonthlyReport.objects.filter(market__in=markets)
        .select_related("market")
        .order_by("-month", "market__code")
    )


def with_documents(rows: list[MonthlyReport], visible: QuerySet[Document]) -> list[tuple]:
    """(report, its latest sealed document the user may open, or None) for each row."""
    documents = visible.filter(
        kind=REPORT_KIND,
        subject_type=ContentType.objects.get_for_model(MonthlyReport),
        subject_id__in=[row.pk for row in rows],
    ).order_by("version")
    latest = {doc.subject_id: doc for doc in documents}
    return [(row, latest.get(row.pk)) for row in rows]
