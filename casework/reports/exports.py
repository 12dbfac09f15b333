"""Ledgers (台账) as Excel and CSV, one row per case, streamed (docs/reports.md).

Both are in Chinese (LEDGER_LANGUAGE), whatever the exporting user's language. The .xlsx
is written by XlsxWriter in constant-memory mode to a temporary file, so a 100,000-row
ledger never sits in memory; its second sheet holds the page's figures for
the same period, so the ledger and the page can be checked against each other. The
CSV is streamed as it is produced, with a byte-order mark so Excel reads it as UTF-8.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

import xlsxwriter
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.reports.registry import LEDGER_LANGUAGE, Unit
from casework.reports.services import Statistics

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_ledger(columns, rows: Iterable[list], stats: Statistics, title: str):
    """A temporary file (rewound) holding the workbook: the ledger, then the figures."""
    # Closed by the FileResponse that sends it (or below, if writing fails).
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        book = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
        formats = {
            "head": book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
            "date": book.add_format({"num_format": DATE_FORMAT}),
            "amount": book.add_format({"num_format": AMOUNT_FORMAT}),
        }
        with translation.override(LEDGER_LANGUAGE):
            _ledger_sheet(book, formats, columns, rows, title)
            _figures_sheet(book, formats, stats)
        book.close()
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def _ledger_sheet(book, formats, columns, rows, title: str) -> None:
    sheet = book.add_worksheet(_("Ledger")[:31])
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, str(column.title), formats["head"])
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            _write(sheet, formats, count, index, value)
    sheet.autofilter(0, 0, count, max(len(columns) - 1, 0))
    sheet.set_header(f"&C{title}")


def _write(sheet, formats, row: int, col: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_string(row, col, _moment(value))
    elif isinstance(value, datetime.date):
        sheet.write_datetime(
            row, col, datetime.datetime.combine(value, datetime.time.min), formats["date"]
        )
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), formats["amount"])
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _figures_sheet(book, formats, stats: Statistics) -> None:
    sheet = book.add_worksheet(_("Figures")[:31])
    heads = [_("Indicator"), _("Value"), _("Target"), _("Formula")]
    for index, (head, width) in enumerate(zip(heads, (30, 14, 10, 80), strict=True)):
        sheet.set_column(index, index, width)
        sheet.write_string(0, index, head, formats["head"])
    sheet.freeze_panes(1, 0)
    for row, figure in enumerate(stats.figures, start=1):
        sheet.write_string(row, 0, str(figure.indicator.title))
        _write(sheet, formats, row, 1, _plain(figure.value, figure.indicator.unit))
        _write(sheet, formats, row, 2, _plain(figure.target, figure.indicator.unit))
        formula = figure.variant.formula if figure.variant else figure.indicator.formula
        sheet.write_string(row, 3, str(formula))


def _plain(value, unit: str):
    # Counts stay integers; rates and days keep their decimal.
    if isinstance(value, Decimal) and unit == Unit.COUNT:
        return int(value)
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_ledger(columns, rows: Iterable[list]) -> Iterator[str]:
    # Streamed after the view returned: the ledger's language is set here, per chunk.
    writer = csv.writer(_Echo())
    with translation.override(LEDGER_LANGUAGE):
        yield "\ufeff" + writer.writerow([str(column.title) for column in columns])
    rows = iter(rows)
    while True:
        # The row is produced inside the override too (its labels are looked up then).
        with translation.override(LEDGER_LANGUAGE):
            row = next(rows, None)
            if row is None:
                return
            line = writer.writerow([_csv_value(value) for value in row])
        yield line


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _moment(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    # A cell starting like a formula (a name typed as "=HYPERLINK(...)") stays text in Excel.
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def _moment(value: datetime.datetime) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return local.strftime("%Y-%m-%d %H:%M")
