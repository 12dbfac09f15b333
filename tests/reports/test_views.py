"""The statistics pages, chart data, ledgers and targets (casework.reports), on the sample
workflow's report (tests/caseapp/reports.py): who sees what, and the exports' contents."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation

from casework.core.models import AccessLog
from casework.reports import services
from casework.reports.models import Target
from casework.reports.periods import current_month
from casework.reports.registry import get_report
from tests.caseapp.models import SampleCase
from tests.conftest import make_user

S = SampleCase.State
PAGE = reverse("reports:workflow", args=["samples"])


@pytest.fixture(autouse=True)
def _sample_readers(db, sam_supervisor, audrey_auditor):
    # The sample workflow's view permission, as a workflow's own grants it to its readers.
    view = Permission.objects.get(codename="view_samplecase")
    for user in (sam_supervisor, audrey_auditor):
        user.user_permissions.add(view)


@pytest.fixture
def cases(market, other_market, alice_mediator):
    """This month in the test market: 4 received, 2 closed, 1 withdrawn; one elsewhere."""
    alice_mediator.first_name = "刘明"
    alice_mediator.save()
    made = []
    for state in (S.CLOSED, S.CLOSED, S.WITHDRAWN, S.RECEIVED):
        case = SampleCase.objects.create(market=market, owner=alice_mediator, resolution="=1+1")
        SampleCase.objects.filter(pk=case.pk).update(state=state)
        made.append(case)
    SampleCase.objects.create(market=other_market)
    return made


@pytest.fixture
def regional(market, other_market):
    return make_user("rita", "regional", markets=[market, other_market], full_name="区人社局")


def figures_of(response) -> dict:
    return {f.indicator.slug: f.value for f in response.context["stats"].figures}


def test_a_supervisor_sees_the_markets_figures_against_the_targets(client, sam_supervisor, cases):
    client.force_login(sam_supervisor)

    response = client.get(PAGE)

    assert response.status_code == 200
    # 2 closed of 4 received = 50.0% (withdrawn not counted by the default formula).
    assert figures_of(response) == {
        "received": 4,
        "closed": 2,
        "closed_rate": Decimal("50.0"),
        "open_now": 1,
    }
    page = response.content.decode()
    assert "≥ 50.0%" in page and "status-met" in page
    assert "closed ÷ received" in page  # the formula, as a tooltip and in the list


def test_a_market_chooses_its_formula_and_the_page_names_it(client, sam_supervisor, cases, market):
    client.force_login(sam_supervisor)
    url = reverse("reports:targets", args=["samples"]) + f"?market={market.code}"
    client.post(url, {"target_closed_rate": "80", "variant_closed_rate": "with_withdrawn"})

    response = client.get(PAGE + f"?market={market.code}")

    # (2 closed + 1 withdrawn) of 4 = 75.0%, short of the market's 80.
    figure = next(f for f in response.context["stats"].figures if f.indicator.slug == "closed_rate")
    assert (
        figure.value == Decimal("75.0") and figure.target == Decimal("80") and figure.met is False
    )
    assert "withdrawn too" in response.content.decode()
    assert Target.objects.get(market=market, indicator="closed_rate").updated_by == sam_supervisor


def test_a_case_at_2359_on_the_last_day_counts_in_that_month(client, sam_supervisor, market):
    zone = timezone.get_default_timezone()
    late = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=zone)
    case = SampleCase.objects.create(market=market)
    SampleCase.objects.filter(pk=case.pk).update(created_at=late)
    client.force_login(sam_supervisor)

    october = figures_of(client.get(PAGE + "?period=2026-10"))
    november = figures_of(client.get(PAGE + "?period=2026-11"))

    assert october["received"] == 1 and november["received"] == 0


@pytest.mark.parametrize("period", ["2026-13", "soon", "2026-03-01..2026-01-01", "9" * 40])
def test_a_bad_period_shows_why_in_chinese_and_the_current_month(
    client, sam_supervisor, cases, period
):
    client.force_login(sam_supervisor)
    with translation.override("zh-hans"):
        response = client.get(PAGE, {"period": period})

    assert response.status_code == 200
    assert response.context["stats"].period == current_month()
    assert response.context["period_error"]
    assert "期间" in response.context["period_error"] or "范围" in response.context["period_error"]


def test_periods_of_every_kind_are_read(client, sam_supervisor, cases):
    client.force_login(sam_supervisor)
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for key in (f"{year}", f"{year}-Q{quarter}", f"{year}-01-01..{year}-12-31"):
        assert figures_of(client.get(PAGE, {"period": key}))["received"] == 4, key


def test_another_markets_staff_get_404_and_staff_without_statistics_403(
    client, oscar_outsider, alice_mediator, market, cases
):
    oscar_outsider.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    client.force_login(oscar_outsider)
    assert client.get(PAGE, {"market": market.code}).status_code == 404
    client.force_login(alice_mediator)
    assert client.get(PAGE).status_code == 403


def test_the_chart_data_has_the_figures_the_trend_and_the_breakdowns(client, sam_supervisor, cases):
    client.force_login(sam_supervisor)

    data = client.get(reverse("reports:data", args=["samples"])).json()

    assert {i["slug"]: i["value"] for i in data["indicators"]}["closed_rate"] == 50.0
    [series] = data["trend"]["series"]  # the one indicator with a target
    assert series["slug"] == "closed_rate" and series["target"] == 50.0
    assert len(data["trend"]["months"]) == 12 and series["values"][-1] == 50.0
    assert data["breakdowns"][0]["rows"] == [["closed", 2], ["received", 1], ["withdrawn", 1]]


# --- ledgers --------------------------------------------------------------------------------


def test_the_excel_ledger_opens_and_its_totals_are_the_pages(client, sam_supervisor, cases):
    client.force_login(sam_supervisor)
    page = figures_of(client.get(PAGE))

    response = client.get(reverse("reports:ledger_xlsx", args=["samples"]))

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ledger, summary = book.worksheets
    rows = list(ledger.iter_rows(min_row=2, values_only=True))
    assert [cell.value for cell in ledger[1]] == [
        "Case number",
        "Created",
        "Holder",
        "State",
        "Resolution",
    ]
    assert ledger.freeze_panes == "A2"
    assert len(rows) == page["received"]
    assert sum(1 for row in rows if row[3] == S.CLOSED) == page["closed"]
    totals = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert totals["received"] == page["received"] and totals["closed"] == page["closed"]
    assert Decimal(str(totals["closed rate"])) == page["closed_rate"]
    # A formula typed into a field stays text.
    assert rows[0][4] == "=1+1" and ledger["E2"].data_type == "s"


def test_a_full_data_export_is_logged_and_a_masked_one_is_not(
    client, sam_supervisor, audrey_auditor, cases
):
    client.force_login(sam_supervisor)
    full = client.get(reverse("reports:ledger_csv", args=["samples"]))
    text = b"".join(full.streaming_content).decode("utf-8-sig")
    assert "刘明" in text
    assert AccessLog.objects.filter(user=sam_supervisor, action="export").count() == 1

    client.force_login(audrey_auditor)
    masked = b"".join(client.get(reverse("reports:ledger_csv", args=["samples"])).streaming_content)
    rows = list(csv.reader(io.StringIO(masked.decode("utf-8-sig"))))
    assert "刘明" not in masked.decode("utf-8-sig") and rows[1][2].startswith("刘")
    assert rows[1][4] == "'=1+1"  # no formula in a CSV cell
    assert not AccessLog.objects.filter(user=audrey_auditor).exists()


# --- the regional role ----------------------------------------------------------------------


def test_the_regional_role_compares_markets_but_gets_no_ledger(client, regional, cases, market):
    client.force_login(regional)

    compare = client.get(reverse("reports:compare", args=["samples"]))
    rows = {m.code: s for m, s in compare.context["rows"]}

    assert compare.status_code == 200 and set(rows) == {"other", market.code}
    assert rows[market.code].figures[0].value == 4 and rows["other"].figures[0].value == 1
    assert client.get(reverse("reports:ledger_xlsx", args=["samples"])).status_code == 403
    assert client.get(reverse("reports:targets", args=["samples"])).status_code == 403


def test_the_regional_page_sums_all_its_markets(client, regional, cases):
    client.force_login(regional)
    assert figures_of(client.get(PAGE))["received"] == 5


def test_targets_are_edited_by_the_markets_supervisor_only(client, audrey_auditor, market):
    client.force_login(audrey_auditor)
    url = reverse("reports:targets", args=["samples"]) + f"?market={market.code}"
    assert client.post(url, {"target_closed_rate": "1"}).status_code == 403
    assert not Target.objects.exists()


def test_an_empty_target_goes_back_to_the_default(client, sam_supervisor, market):
    Target.objects.create(market=market, workflow="samples", indicator="closed_rate", value=90)
    client.force_login(sam_supervisor)
    url = reverse("reports:targets", args=["samples"]) + f"?market={market.code}"
    client.post(url, {"target_closed_rate": "", "variant_closed_rate": "plain"})

    report = get_report("samples")
    assert services.targets(report, market)["closed_rate"] == Decimal(50)
