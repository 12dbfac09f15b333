"""The monthly statistics table (casework/reports/monthly.py) on hand-built cases: the
disputes' table worked out by hand, and who may get it (another market's staff: 404)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from casework.core.models import Market
from casework.core.roles import Role
from casework.disputes import services as dispute_services
from casework.disputes.models import ClaimType, Dispute
from casework.reports import monthly
from casework.reports.models import TableCopy
from casework.reports.periods import current_month, month
from casework.reports.registry import get_report
from tests.conftest import make_user
from tests.disputes.fixtures import advance

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Dispute.State
NOVEMBER = month(2025, 11)
TABLE = reverse("reports:monthly_xlsx", args=["disputes"])


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


def test_a_workflow_without_a_monthly_table_has_none():
    assert not get_report("samples").has_monthly_table
    assert get_report("disputes").has_monthly_table


# -- who gets the monthly table --------------------------------------------------------------


@pytest.fixture
def sue_elsewhere(other_market):
    """A supervisor of the other market."""
    return make_user("sue", Role.SUPERVISOR, markets=[other_market])


@pytest.fixture
def regional(market, other_market):
    return make_user("rita", Role.REGIONAL, markets=[market, other_market])


def test_another_markets_staff_get_404(client, sue_elsewhere, market):
    client.force_login(sue_elsewhere)

    assert client.get(TABLE, {"market": market.code}).status_code == 404


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
