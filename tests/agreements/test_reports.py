"""The statistics of gig agreements (agreements/reports.py): every indicator on hand-built
agreements, with the expected figure worked out by hand in each test.

The period is last month (Asia/Shanghai), so the dates stay plausible whenever the tests
run; agreements are made at the counter and their timestamps then set with .update().
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from agreements import services
from agreements.models import Agreement, PaymentStatus, Trade
from agreements.reports import AgreementReport
from casework.core.audit import Actor
from casework.core.models import Market
from casework.disputes.models import ClaimType
from casework.disputes.services import Claim
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports import periods
from casework.reports.registry import get_report
from tests.agreements.fixtures import past_work
from tests.conftest import LI_ID, WANG_ID

S = Agreement.State
pytestmark = pytest.mark.django_db

REPORT = AgreementReport()
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def last_month() -> periods.Period:
    return periods.current_month().previous()


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of a local day in Asia/Shanghai (UTC+8, no summer time)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def markets(*chosen: Market):
    return Market.objects.filter(pk__in=[m.pk for m in chosen])


@pytest.fixture
def agreement(new_agreement, verified_parties, market):
    """agreement(signed_at=..., ...): a draft made at the counter, then set as given."""

    def make(*, trade=Trade.MOVING, **fields) -> Agreement:
        made = new_agreement(S.DRAFT, trade=trade)
        Agreement.objects.filter(pk=made.pk).update(**fields)
        made.refresh_from_db()
        return made

    return make


def open_dispute(agreement: Agreement, moment: datetime.datetime, user, mediation_body):
    """The worker opens a wage dispute from the unpaid agreement at ``moment``."""
    Agreement.objects.filter(pk=agreement.pk).update(payment_status=PaymentStatus.UNPAID)
    agreement.refresh_from_db()
    with time_machine.travel(moment, tick=False):
        return services.dispute_open(
            agreement=agreement,
            actor=Actor(user=user, role="party", client_ip="10.0.0.9"),
            market=agreement.market,
            mediation_body=mediation_body,
            matter="拖欠零工报酬",
            reasons="搬运两天，约定日薪300元，至今未付。",
            claims=[Claim(ClaimType.UNPAID_WAGES, Decimal("600.00"))],
        )


def test_the_report_is_registered():
    assert isinstance(get_report("agreements"), AgreementReport)
    assert [i.slug for i in REPORT.indicators] == [
        "signed",
        "workers_covered",
        "completed",
        "ended_in_dispute",
    ]
    assert all(str(i.formula) for i in REPORT.indicators)


def test_signed_workers_and_completed_count_by_the_local_day(
    agreement, market, other_market, li_worker
):
    period = last_month()
    first, last, after = period.first, period.last, period.after
    li = li_worker.person
    # Signed on the first day, its work completed at 23:59 on the last day: both count.
    agreement(signed_at=at(first, 9), completed_at=at(last, 23, 59), state=S.COMPLETED)
    # Signed at 23:59 on the last day (15:59 UTC): counts in the period.
    agreement(signed_at=at(last, 23, 59), state=S.SIGNED, trade=Trade.HOUSEKEEPING)
    # Li's, signed mid-month, completed next month: signed counts, completed does not.
    agreement(
        signed_at=at(first + datetime.timedelta(days=10)),
        completed_at=at(after, 8),
        state=S.COMPLETED,
        worker=li,
    )
    # Signed at 00:00 on the first day of the next month: not in the period.
    agreement(signed_at=at(after, 0, 0), state=S.SIGNED, worker=li)
    # Signed the month before, completed at 00:00 on the first day: completed counts.
    agreement(
        signed_at=at(first - datetime.timedelta(days=3)),
        completed_at=at(first, 0, 0),
        state=S.COMPLETED,
    )
    # Never signed.
    agreement(state=S.CANCELLED, ended_at=at(first, 12))
    # Another market's, signed and completed in the period: not counted.
    agreement(
        signed_at=at(first, 11), completed_at=at(last, 11), state=S.COMPLETED, market=other_market
    )

    figures = REPORT.figures(markets(market), period, variants={})

    # signed: the first day's, the last day's 23:59 and li's mid-month one = 3.
    # workers: wang (two of them) and li = 2.
    # completed: 23:59 on the last day and 00:00 on the first day = 2.
    assert figures == {"signed": 3, "workers_covered": 2, "completed": 2, "ended_in_dispute": 0}
    # Both markets: the other market's agreement adds 1 signed, 1 completed, no new worker.
    both = REPORT.figures(markets(market, other_market), period, variants={})
    assert (both["signed"], both["workers_covered"], both["completed"]) == (4, 2, 3)
    # The month after: the 00:00 one and li's completion; li is the only worker.
    after_figures = REPORT.figures(markets(market), period.next(), variants={})
    assert (after_figures["signed"], after_figures["workers_covered"]) == (1, 1)
    assert after_figures["completed"] == 1


def test_an_empty_period_counts_zero(market):
    figures = REPORT.figures(markets(market), last_month(), variants={})
    assert figures == {"signed": 0, "workers_covered": 0, "completed": 0, "ended_in_dispute": 0}
    assert REPORT.figures(Market.objects.none(), last_month(), variants={})["signed"] == 0


def test_an_agreement_ends_in_a_dispute_when_its_dispute_is_opened(
    agreement, market, other_market, wang_worker, mediation_body
):
    period = last_month()
    work = past_work()
    done = {"state": S.COMPLETED, **work}
    in_period = agreement(signed_at=at(period.first), completed_at=at(period.first, 18), **done)
    next_month = agreement(signed_at=at(period.first), completed_at=at(period.first, 18), **done)
    elsewhere = agreement(
        signed_at=at(period.first), completed_at=at(period.first, 18), market=other_market, **done
    )
    # Opened at 23:59 on the last day: counts. At 00:01 on the next month's first day: not.
    dispute = open_dispute(in_period, at(period.last, 23, 59), wang_worker, mediation_body)
    open_dispute(next_month, at(period.after, 0, 1), wang_worker, mediation_body)
    # Another market's agreement, its dispute opened in the period: not counted here.
    open_dispute(elsewhere, at(period.last, 12), wang_worker, mediation_body)

    # 1 in the period for the market; 2 with the other market; 1 the month after.
    assert REPORT.figures(markets(market), period, variants={})["ended_in_dispute"] == 1
    both = markets(market, other_market)
    assert REPORT.figures(both, period, variants={})["ended_in_dispute"] == 2
    assert REPORT.figures(markets(market), period.next(), variants={})["ended_in_dispute"] == 1
    in_period.refresh_from_db()
    assert in_period.dispute == dispute


def test_breakdowns_by_trade_and_by_what_became_of_them(agreement, market, other_market):
    period = last_month()
    first, last = period.first, period.last
    agreement(signed_at=at(first), trade=Trade.MOVING, state=S.SIGNED)
    agreement(signed_at=at(last, 23, 59), trade=Trade.MOVING, state=S.COMPLETED)
    agreement(signed_at=at(first), trade=Trade.CATERING, state=S.TERMINATED, ended_at=at(last))
    agreement(state=S.CANCELLED, ended_at=at(first, 8))  # never signed
    agreement(signed_at=at(period.after, 0, 0), state=S.SIGNED)  # next month
    agreement(signed_at=at(first), trade=Trade.DELIVERY, state=S.SIGNED, market=other_market)

    by_trade, since_signed = REPORT.breakdowns(markets(market), period)

    # Signed in the period: moving 2 (one at 23:59 on the last day), catering 1; every
    # trade listed, in the choices' order.
    assert by_trade.slug == "by_trade"
    assert by_trade.rows == [
        (str(label), {Trade.MOVING: 2, Trade.CATERING: 1}.get(value, 0))
        for value, label in Trade.choices
    ]
    # Of those 3: in force 1, completed 1, terminated 1, replaced 0.
    assert since_signed.chart == "pie"
    assert since_signed.rows == [
        (str(S.SIGNED.label), 1),
        (str(S.COMPLETED.label), 1),
        (str(S.TERMINATED.label), 1),
        (str(S.SUPERSEDED.label), 0),
    ]


def ledger(period, market, *, full_data: bool) -> list[list]:
    return list(REPORT.ledger_rows(markets(market), period, full_data=full_data))


def test_the_ledger_lists_the_period_s_agreements_with_personal_data_masked(
    agreement, market, other_market, hui_hiring, wang_worker, mediation_body, carol_caseworker
):
    period = last_month()
    first, last = period.first, period.last
    late = agreement(signed_at=at(last, 23, 59), state=S.SIGNED)
    early = agreement(
        signed_at=at(first, 9),
        completed_at=at(first + datetime.timedelta(days=4), 18),
        state=S.COMPLETED,
        **past_work(),
    )
    dispute = open_dispute(early, at(last, 12), wang_worker, mediation_body)
    # An individual hiring party: a name, so masked like the worker's.
    Agreement.objects.filter(pk=late.pk).update(
        hiring_organization=None, hiring_signer=None, hiring_person=hui_hiring.person
    )
    agreement(signed_at=at(period.after, 0, 0), state=S.SIGNED)  # next month
    agreement(signed_at=at(first, 10), state=S.SIGNED, market=other_market)

    masked = ledger(period, market, full_data=False)
    full = ledger(period, market, full_data=True)

    assert len(REPORT.ledger_columns) == len(masked[0]) == len(full[0])
    # Oldest first: the first day's, then 23:59 on the last day.
    assert [row[0] for row in masked] == [early.code, late.code]
    first_row, last_row = masked
    assert first_row[1] == first and last_row[1] == last
    assert first_row[3:6] == [mask_name("王小明"), mask_id(WANG_ID), mask_phone("13800138000")]
    assert first_row[3:6] == ["王**", "110105********002X", "138****8000"]
    assert first_row[6] == "测试搬家服务有限公司"  # an organisation's name is not masked
    assert last_row[6] == "惠**"
    assert full[0][3:6] == ["王小明", WANG_ID, "13800138000"]
    assert full[1][6] == "惠老板"
    # The rest: the dispute's number, the holder, the state in Chinese, ended on, days.
    with translation.override("zh-hans"):
        completed, signed = str(S.COMPLETED.label), str(S.SIGNED.label)
        moving = str(Trade.MOVING.label)
    assert first_row[2] == moving == "搬运装卸"
    assert first_row[16] == dispute.code
    assert last_row[16] == ""
    assert first_row[17] == carol_caseworker.username
    assert (first_row[18], last_row[18]) == (completed, signed)
    assert first_row[19] == first + datetime.timedelta(days=4)
    assert first_row[20] == 4  # signed on the first day, completed 4 days later
    assert last_row[19:] == [None, None]
    assert isinstance(first_row[11], Decimal)
    assert LI_ID not in str(full)


def test_the_ledger_streams_in_a_fixed_number_of_queries(
    agreement, market, django_assert_max_num_queries
):
    period = last_month()
    for day in range(3):
        agreement(signed_at=at(period.first + datetime.timedelta(days=day)), state=S.SIGNED)
    rows = REPORT.ledger_rows(markets(market), period, full_data=False)

    assert isinstance(rows, Iterator) and not isinstance(rows, list)
    with django_assert_max_num_queries(2):
        assert len(list(rows)) == 3


def test_a_moment_at_midnight_utc_is_the_local_morning():
    # 16:00 UTC on the last day is 00:00 of the next local day: bounds are local midnights.
    period = periods.month(2026, 10)
    start, end = period.bounds()
    assert start == datetime.datetime(2026, 9, 30, 16, 0, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 10, 31, 16, 0, tzinfo=datetime.UTC)
    assert timezone.localdate(at(datetime.date(2026, 10, 31), 23, 59)) == period.last
