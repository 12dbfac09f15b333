"""The monthly statistics table (劳动人事争议调解月报表) on the demo data
(casework/reports/monthly.py): its figures reconcile, a region's table sums its markets,
the .xlsx holds the same figures in the form's layout, and the sealed PDF reads in
Chinese; the monthly work report of the demo market renders with its charts."""

import io
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from casework.core.models import Market
from casework.documents.models import Document
from casework.documents.services import document_render
from casework.reports import monthly
from casework.reports.models import TableCopy
from casework.reports.periods import Period, current_month
from casework.reports.registry import get_report
from tests.conftest import make_market
from tests.formtoken_client import FormTokenClient

DISPUTES = "disputes"
# The demo's cases were received from today back to 90 days ago.
MONTHS_BACK = 4


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    return Market.objects.get(code="cd")


def one(market: Market):
    return Market.objects.filter(pk=market.pk)


def months() -> list[Period]:
    periods = [current_month()]
    while len(periods) < MONTHS_BACK:
        periods.append(periods[-1].previous())
    return periods


def sheet_of(markets, period: Period) -> monthly.TableSheet:
    return monthly.table_sheet(get_report(DISPUTES), markets, period)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "table.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.parametrize("back", range(MONTHS_BACK))
def test_the_table_reconciles_in_the_current_and_past_months(demo, back):
    period = months()[back]

    values = sheet_of(one(demo), period).values()

    assert values["open_at_start"] + values["received"] - values["closed"] == values["open_at_end"]
    results = ("ended_effective", "ended_terminated", "ended_withdrawn", "not_accepted")
    assert values["closed"] == sum(values[key] for key in results)
    assert values["group_cases"] <= values["received"]
    assert values["group_workers"] <= values["workers"]
    # The table's figures are the statistics page's.
    figures = get_report(DISPUTES).figures(one(demo), period, variants={})
    assert {key: figures[key] for key in values if key in figures} == {
        key: value for key, value in values.items() if key in figures
    }


def test_the_demo_months_are_not_empty(demo):
    tables = [sheet_of(one(demo), period).values() for period in months()]

    assert sum(t["received"] for t in tables) > 10
    assert sum(t["closed"] for t in tables) > 3
    assert any(t["open_at_start"] for t in tables) and any(t["group_cases"] for t in tables)
    # Each received case has at least one claim, so some cause of dispute counts it.
    for table in tables:
        causes = sum(value for key, value in table.items() if key.startswith("claim_"))
        assert causes >= table["received"]


def test_a_regions_table_has_a_row_per_market_and_their_sum(demo):
    empty = make_market(code="xq", name="西区零工市场")
    region = Market.objects.filter(pk__in=[demo.pk, empty.pk])

    sheet = sheet_of(region, current_month())

    names = [name for name, _values in sheet.rows]
    assert names[:2] == ["城东区零工市场", "西区零工市场"] and len(names) == 3
    assert sheet.rows[0][1] == sheet.rows[2][1]  # the empty market adds nothing
    assert set(sheet.rows[1][1]) == {0}
    assert sheet.values() == sheet_of(one(demo), current_month()).values()
    assert "城东区零工市场" in sheet.scope and "西区零工市场" in sheet.scope


def test_the_header_cells_merge_as_on_the_form(demo):
    sheet = sheet_of(one(demo), current_month())

    assert sheet.depth == 3
    by_text = {cell.text: cell for cell in sheet.heads}
    # Every column is covered by exactly one cell at the bottom of its header.
    covered = sorted(
        col
        for cell in sheet.heads
        if cell.row + cell.rowspan == sheet.depth
        for col in range(cell.col, cell.col + cell.colspan)
    )
    assert covered == list(range(len(sheet.keys) + 1))
    first = next(cell for cell in sheet.heads if cell.col == 0)
    assert first.rowspan == 3 and first.row == 0
    top = [cell for cell in sheet.heads if cell.row == 0]
    assert sum(cell.colspan for cell in top) == len(sheet.keys) + 1
    assert any(cell.colspan == 3 for cell in top)  # received: total, group cases, workers
    assert by_text  # texts are plain strings


@pytest.fixture
def regional(demo, client):
    assert client.login(username="regional", password="demo12345")
    return client


def test_the_regional_role_downloads_the_xlsx_and_it_holds_the_figures(demo, regional):
    period = current_month().previous()
    url = reverse("reports:monthly_xlsx", args=[DISPUTES]) + f"?period={period.key}"

    response = regional.get(url)

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = book.worksheets[0]
    sheet = sheet_of(one(demo), period)
    assert ws.cell(1, 1).value == sheet.title
    assert "城东区零工市场" in ws.cell(2, 1).value and sheet.month in ws.cell(2, 1).value
    first_data_row = 3 + sheet.depth
    assert ws.cell(first_data_row, 1).value == "城东区零工市场"
    row = [ws.cell(first_data_row, col).value for col in range(2, len(sheet.keys) + 2)]
    assert dict(zip(sheet.keys, row, strict=True)) == sheet.values()
    merged = {str(cell_range) for cell_range in ws.merged_cells.ranges}
    assert f"A3:A{2 + sheet.depth}" in merged  # the reporting unit spans the header rows
    for cell in sheet.heads:
        assert ws.cell(3 + cell.row, 1 + cell.col).value == cell.text


def test_a_sealed_copy_of_the_table_reads_in_chinese(demo, tmp_path):
    client = FormTokenClient()
    assert client.login(username="regional", password="demo12345")
    period = current_month()
    url = reverse("reports:monthly_pdf", args=[DISPUTES]) + f"?period={period.key}"

    response = client.post(url)

    copy = TableCopy.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:monthly_copy", args=[copy.pk]
    )
    assert list(copy.markets.all()) == [demo] and copy.month == period.first
    doc = Document.objects.for_subject(copy).get()
    assert doc.seal and doc.kind == monthly.TABLE_KIND and doc.market_name == demo.name
    assert 'http-equiv="refresh"' in client.get(response["Location"]).content.decode()
    document_render(doc.pk)
    page = client.get(response["Location"]).content.decode()
    pdf_url = reverse("reports:monthly_copy_pdf", args=[copy.pk])
    assert pdf_url in page
    data = b"".join(client.get(pdf_url).streaming_content)
    text = pdf_text(data, tmp_path)
    assert "填报单位" in text and "统计月份" in text and "城东区零工市场" in text
    assert f"{period.first.year}年{period.first.month}月" in text
    values = sheet_of(one(demo), period).values()
    assert str(values["received"]) in text


def test_the_monthly_work_report_of_the_demo_market_renders_with_charts(demo, tmp_path):
    period = current_month().previous()
    report, new = monthly.issue_monthly_report(demo, period)
    doc = Document.objects.for_subject(report).get()

    document_render(doc.pk)

    doc.refresh_from_db()
    assert new and doc.is_ready and doc.seal
    sections = {section["title"]: section for section in doc.context["sections"]}
    disputes = next(s for s in doc.context["sections"] if s["trends"] and s["notable"] is not None)
    # The success, on-time and arbitration closure rates have targets.
    assert len(disputes["trends"]) == 3
    assert all(len(chart["months"]) == 12 for chart in disputes["trends"])
    assert len(sections) == len(doc.context["sections"])
    text = pdf_text(doc.file.read(), tmp_path)
    assert "月度工作报告" in text and "近12个月" in text and "是否达标" in text
    for case in disputes["notable"]:
        assert case["code"] in text
