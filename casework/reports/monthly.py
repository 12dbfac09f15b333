"""The statistics' monthly outputs (docs/reports.md, "Monthly table and monthly report").

**The monthly statistics table** (月报表): a workflow's ``monthly_table`` in its fixed
layout, for one month over one market or several (a row per market, then their sum),
as .xlsx (``table_xlsx``) and as a sealed PDF: ``issue_table_copy`` records a
TableCopy, whose document holds the table as its figures stood then.

It is the market's record, written in Chinese (LEDGER_LANGUAGE) whoever asks, and
holds figures only, never a name, ID or mobile number.
"""

import dataclasses
import io
from dataclasses import dataclass, field

import xlsxwriter
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.core.models import Market
from casework.documents.formatting import zh_datetime
from casework.documents.models import Document
from casework.documents.services import document_issue
from casework.reports import access
from casework.reports.models import TableCopy
from casework.reports.periods import Period, month
from casework.reports.registry import (
    LEDGER_LANGUAGE,
    MonthlyTable,
    TableColumn,
    WorkflowReport,
    get_report,
)

# The document kind (registered in casework/reports/documents.py).
TABLE_KIND = "monthly_table"
# Markets named one by one in a table's heading; more are counted.
NAMED_MARKETS = 3


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
