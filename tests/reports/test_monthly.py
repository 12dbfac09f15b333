"""The monthly statistics table and the sealed monthly work report (casework/reports/
monthly.py) on hand-built cases: the disputes' table and notable cases worked out by
hand, the report issued once per market and month (by the beat's task, the command, two
runs at once on PostgreSQL), and who may get which (another market's staff: 404)."""

import datetime
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from casework.core.models import Market
from casework.core.roles import Role
from casework.disputes import services as dispute_services
from casework.disputes.models import ClaimType, Dispute
from casework.documents.models import Document
from casework.reports import monthly, tasks
from casework.reports.models import MonthlyReport, TableCopy
from casework.reports.periods import current_month, month
from casework.reports.registry import get_report
from tests.conftest import make_market, make_user
from tests.disputes.fixtures import advance

ON_POSTGRES = connection.vendor == "postgresql"
SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Dispute.State
NOVEMBER = month(2025, 11)
TABLE = reverse("reports:monthly_xlsx", args=["disputes"])
LIST = reverse("reports:monthly_reports")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def one(market: Market):
    return Market.objects.filter(pk=market.pk)


@pytest.fixture
def case(new_dispute, alice_mediator):
    """case(state, received, ended): filed at ``received``, every later step at ``ended``."""

    def make(state, received, ended=None, **kwargs) -> Dispute:
        with time_machine.travel(received, tick=False):
            dispute = new_dispute(received_at=received, **kwargs)
        if state != S.RECEIVED:
            with time_machine.travel(ended or received, tick=False):
                advance(dispute, state, alice_mediator)
        dispute.refresh_from_db()
        return dispute

    return make


@pytest.fixture
def november(case, wang_worker, li_worker) -> dict[str, Dispute]:
    return {
        # Open since October, in mediation, its 15 days ran out on 12 Nov: overdue.
        "A": case(S.IN_MEDIATION, at("2025-10-28"), at("2025-10-29")),
        # Open at the start; agreement effective on 5 Nov.
        "C": case(S.EFFECTIVE, at("2025-10-30"), at("2025-11-05")),
        "D": case(S.TERMINATED, at("2025-11-03"), at("2025-11-10")),
        "E": case(S.WITHDRAWN, at("2025-11-04"), at("2025-11-06")),
        "F": case(S.NOT_ACCEPTED, at("2025-11-05"), at("2025-11-07")),
        # A group case of two workers claiming 5,000 yuan of severance, not yet accepted.
        "G": case(
            S.RECEIVED,
            at("2025-11-10"),
            applicants=[wang_worker.person, li_worker.person],
            claims=[dispute_services.Claim(ClaimType.SEVERANCE, Decimal("5000.00"))],
        ),
    }


# -- the disputes' monthly table and notable cases -----------------------------------------------


def test_the_disputes_monthly_table_worked_out_by_hand(market, november):
    table = get_report("disputes").monthly_table(one(market), NOVEMBER)

    values = table.values
    # A and C open at the start; D, E, F, G received; C, D, E, F closed; A and G left.
    assert values["open_at_start"] == 2 and values["received"] == 4
    assert values["closed"] == 4 and values["open_at_end"] == 2
    assert values["open_at_start"] + values["received"] - values["closed"] == values["open_at_end"]
    assert (values["group_cases"], values["group_workers"], values["workers"]) == (1, 2, 5)
    assert values["claim_unpaid_wages"] == 3 and values["claim_severance"] == 1
    assert values["claim_other"] == 0
    ended = ("ended_effective", "ended_terminated", "ended_withdrawn", "not_accepted")
    assert [values[key] for key in ended] == [1, 1, 1, 1]
    assert values["referred_payment_order"] == values["referred_arbitration"] == 0
    assert [c.key for c in table.columns] == list(values)


def test_the_notable_cases_are_the_overdue_and_the_group_cases(market, november):
    overdue_days = (datetime.date(2025, 12, 1) - november["A"].due_date).days

    with translation.override("en"):
        cases = get_report("disputes").notable_cases(one(market), NOVEMBER)

    assert cases == [
        (
            november["A"].code,
            f"Overdue by {overdue_days} days (deadline {november['A'].due_date.isoformat()}); "
            "now: in mediation",
        ),
        (november["G"].code, "Group dispute: 2 workers, 5,000.00 yuan claimed; now: received"),
    ]


def test_a_workflow_without_a_monthly_table_has_none():
    samples = get_report("samples")
    assert not samples.has_monthly_table and get_report("disputes").has_monthly_table
    assert samples.notable_cases(Market.objects.none(), NOVEMBER) == []


# -- the monthly work report ---------------------------------------------------------------------


def documents_of(report: MonthlyReport) -> list[Document]:
    return list(Document.objects.for_subject(report).filter(kind=monthly.REPORT_KIND))


def test_the_report_is_issued_once_per_market_and_month(market, other_market):
    first = monthly.issue_monthly_reports(current_month())
    again = monthly.issue_monthly_reports(current_month())

    assert first.issued == ["other", "test"] and first.existing == []
    assert again.issued == [] and again.existing == ["other", "test"]
    assert MonthlyReport.objects.count() == 2
    for report in MonthlyReport.objects.all():
        [doc] = documents_of(report)
        assert doc.seal and doc.market_name == report.market.name
        assert doc.context["period"] == current_month().key


def test_the_report_holds_the_figures_and_notable_cases_but_no_personal_data(
    market, november, wang_worker, li_worker
):
    report, new = monthly.issue_monthly_report(market, NOVEMBER)

    [doc] = documents_of(report)
    sections = {section["title"]: section for section in doc.context["sections"]}
    with translation.override(settings.LANGUAGE_CODE):
        disputes = sections[str(get_report("disputes").title)]
    assert new and doc.context["month"] == "2025年11月"
    assert [case["code"] for case in disputes["notable"]] == [
        november["A"].code,
        november["G"].code,
    ]
    # One trend per targeted indicator: mediation success, on-time closing, 仲裁结案率.
    assert {chart["title"] for chart in disputes["trends"]} and len(disputes["trends"]) == 3
    assert disputes["met"] + disputes["missed"] <= disputes["targeted"] == 3
    snapshot = json.dumps(doc.context, ensure_ascii=False)
    for person in (wang_worker.person, li_worker.person):
        for value in (person.name, person.id_number, person.mobile):
            assert value not in snapshot


def test_the_beat_task_issues_last_months_report_on_the_first(market, other_market):
    this_month = current_month()
    first_of_next = at(this_month.next().first.isoformat(), hour=0).replace(minute=30)

    with time_machine.travel(first_of_next, tick=False):
        latecomer = make_market(code="late", name="新设零工市场")
        issued = tasks.issue_monthly_reports()
    with time_machine.travel(first_of_next + datetime.timedelta(days=1), tick=False):
        later = tasks.issue_monthly_reports()

    assert issued == {"issued": ["other", "test"], "existing": [], "failed": []}
    assert later == {"issued": [], "existing": ["other", "test"], "failed": []}
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {this_month.first}
    assert not MonthlyReport.objects.filter(market=latecomer).exists()  # none before it existed
    entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly-reports"]
    assert entry["task"] == tasks.issue_monthly_reports.name
    assert entry["schedule"] == datetime.timedelta(days=1)


def test_a_market_whose_report_fails_does_not_stop_the_others(market, other_market, monkeypatch):
    issue = monthly.issue_monthly_report

    def failing(chosen, period):
        if chosen.code == "other":
            raise RuntimeError("boom")
        return issue(chosen, period)

    monkeypatch.setattr(monthly, "issue_monthly_report", failing)

    result = monthly.issue_monthly_reports(current_month())

    assert (result.issued, result.failed) == (["test"], ["other"])


def test_the_command_issues_a_month_by_hand(market, other_market):
    out = StringIO()
    key = current_month().key

    call_command("monthly_reports", "--month", key, stdout=out)
    call_command("monthly_reports", "--month", key, "--market", "test", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [f"Issued for {key}: other, test", f"Already issued for {key}: test"]
    with pytest.raises(CommandError):
        call_command("monthly_reports", "--month", "2026-Q4", stdout=out)
    with pytest.raises(CommandError):
        call_command("monthly_reports", "--market", "nowhere", stdout=out)


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL row locks; runs in make test-services"
)
def test_two_runs_at_once_issue_one_report_per_market_and_month(market, other_market):
    period = current_month()
    start = threading.Barrier(2)

    def run(_index: int) -> monthly.IssueResult:
        try:
            start.wait()
            return monthly.issue_monthly_reports(period)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, range(2)))

    assert sorted(code for result in results for code in result.issued) == ["other", "test"]
    assert sorted(code for result in results for code in result.existing) == ["other", "test"]
    assert not any(result.failed for result in results)
    assert MonthlyReport.objects.count() == 2
    for report in MonthlyReport.objects.all():
        assert len(documents_of(report)) == 1


# -- who gets what ------------------------------------------------------------------------------


@pytest.fixture
def sue_elsewhere(other_market):
    """A supervisor of the other market."""
    return make_user("sue", Role.SUPERVISOR, markets=[other_market])


@pytest.fixture
def regional(market, other_market):
    return make_user("rita", Role.REGIONAL, markets=[market, other_market])


@pytest.fixture
def issued(market) -> Document:
    report, _new = monthly.issue_monthly_report(market, current_month())
    return documents_of(report)[0]


def test_supervisors_and_auditors_see_their_markets_reports(
    client, sam_supervisor, audrey_auditor, issued
):
    detail = reverse("documents:detail", args=[issued.pk])
    for user in (sam_supervisor, audrey_auditor):
        client.force_login(user)
        page = client.get(LIST).content.decode()
        assert detail in page and current_month().first.strftime("%Y-%m") in page
        assert client.get(detail).status_code == 200
        statistics = client.get(reverse("reports:workflow", args=["disputes"])).content.decode()
        assert LIST in statistics


def test_another_markets_staff_get_404(client, sue_elsewhere, market, issued):
    client.force_login(sue_elsewhere)

    assert client.get(LIST, {"market": market.code}).status_code == 404
    assert issued.verification_code not in client.get(LIST).content.decode()
    assert client.get(reverse("documents:detail", args=[issued.pk])).status_code == 404
    assert client.get(TABLE, {"market": market.code}).status_code == 404


def test_the_regional_role_and_case_staff_see_no_report(client, regional, alice_mediator, issued):
    client.force_login(regional)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("documents:detail", args=[issued.pk])).status_code == 404
    page = client.get(reverse("reports:workflow", args=["disputes"])).content.decode()
    assert LIST not in page
    client.force_login(alice_mediator)
    assert client.get(LIST).status_code == 403


# -- who gets the monthly table --------------------------------------------------------------


def test_the_table_is_for_a_month_of_a_workflow_that_has_one(client, sam_supervisor):
    client.force_login(sam_supervisor)

    assert client.get(TABLE, {"period": current_month().key}).status_code == 200
    assert client.get(TABLE, {"period": "2026-Q4"}).status_code == 404
    samples = reverse("reports:monthly_xlsx", args=["samples"])
    assert client.get(samples).status_code == 404
    disputes = client.get(reverse("reports:workflow", args=["disputes"])).content.decode()
    assert TABLE in disputes and reverse("reports:monthly_pdf", args=["disputes"]) in disputes
    other = client.get(reverse("reports:workflow", args=["samples"])).content.decode()
    assert "monthly.xlsx" not in other


def test_a_copy_is_for_those_who_see_every_market_it_covers(
    client, sam_supervisor, sue_elsewhere, regional, alice_mediator, market
):
    copy = monthly.issue_table_copy(
        get_report("disputes"), one(market), current_month(), by=sam_supervisor
    )
    page = reverse("reports:monthly_copy", args=[copy.pk])
    pdf = reverse("reports:monthly_copy_pdf", args=[copy.pk])

    client.force_login(sue_elsewhere)
    assert client.get(page).status_code == 404 and client.get(pdf).status_code == 404
    client.force_login(alice_mediator)
    assert client.get(page).status_code == 403
    client.force_login(regional)
    assert client.get(page).status_code == 200
    assert client.get(pdf).status_code == 404  # not rendered yet
    assert TableCopy.objects.get().requested_by == sam_supervisor


def test_the_sealed_copy_is_asked_for_by_post_only(client, sam_supervisor):
    client.force_login(sam_supervisor)

    assert client.get(reverse("reports:monthly_pdf", args=["disputes"])).status_code == 405
    assert not TableCopy.objects.exists()
