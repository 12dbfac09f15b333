"""The statistics of complaints against intermediaries (casework/complaints/reports.py):
every indicator on hand-built complaints, with the expected figure worked out by hand.

The period is last month (Asia/Shanghai). Complaints are filed and taken through the
services (make_complaint), then their dates, deadlines and states set with .update();
the labour administration's decisions are written as penalty_decision_record() leaves
them.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from casework.complaints.models import (
    Complaint,
    NotAcceptedReason,
    Outcome,
    Penalty,
    PenaltyDecision,
    ReferralTarget,
    months_before,
)
from casework.complaints.penalties import Conduct
from casework.complaints.reports import ComplaintReport
from casework.core.models import Market
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports import periods
from casework.reports.registry import get_report
from tests.complaints.fixtures import SECOND_INTERMEDIARY_USCC, make_intermediary
from tests.conftest import WANG_ID

S = Complaint.State
pytestmark = pytest.mark.django_db

REPORT = ComplaintReport()
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DAY = datetime.timedelta(days=1)
THIRD_INTERMEDIARY_USCC = "91330100MA2B00003E"
ANONYMOUS_MOBILE = "13911112222"


def last_month() -> periods.Period:
    return periods.current_month().previous()


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of a local day in Asia/Shanghai (UTC+8, no summer time)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def markets(*chosen: Market):
    return Market.objects.filter(pk__in=[m.pk for m in chosen])


@pytest.fixture
def complaint(make_complaint, intermediary):
    """complaint(**fields): an anonymous web complaint taken by olga against the
    intermediary (or ``respondent``), its fields then set as given."""

    def make(*, respondent=intermediary, filing=None, **fields) -> Complaint:
        made = make_complaint(S.RECEIVED, respondent=respondent, **(filing or {}))
        Complaint.objects.filter(pk=made.pk).update(**fields)
        made.refresh_from_db()
        return made

    return make


def decide(complaint: Complaint, penalty: str, decided_on: datetime.date, amount=None, *, by):
    return PenaltyDecision.objects.create(
        complaint=complaint,
        authority="测试区人力资源和社会保障局",
        document_number=f"测人社罚〔2026〕{complaint.pk}号",
        decided_on=decided_on,
        penalty=penalty,
        amount=amount,
        recorded_by=by,
    )


def test_the_report_is_registered():
    assert isinstance(get_report("complaints"), ComplaintReport)
    assert [i.slug for i in REPORT.indicators if i.stock] == ["repeat_offenders"]
    assert all(str(i.formula) for i in REPORT.indicators)
    assert "12" in str(REPORT.indicator("repeat_offenders").formula)


@pytest.fixture
def month_of_complaints(
    complaint, market, other_market, intermediary, olga_officer, wang_worker
) -> periods.Period:
    """The complaints every figure below is worked out on (k1 … k10 in the market)."""
    period = last_month()
    F, L, N = period.first, period.last, period.after
    second = make_intermediary("诚信劳务中介", SECOND_INTERMEDIARY_USCC)
    third = make_intermediary("顺达职业介绍所", THIRD_INTERMEDIARY_USCC)
    named = {"anonymous": False, "complainant_name": "张三丰", "contact_mobile": "13912345678"}

    # k1: anonymous (left a mobile), received on the first day, accepted the next day
    # (due on day 6), decided at 23:59 on the last day (due long after): all on time.
    complaint(
        filing={"contact_mobile": ANONYMOUS_MOBILE},
        received_at=at(F, 9),
        acceptance_due=F + 5 * DAY,
        accepted_at=at(F + DAY),
        investigation_due=L + 50 * DAY,
        decided_at=at(L, 23, 59),
        outcome=Outcome.ORDER_TO_CORRECT,
        conduct_found=Conduct.DEPOSIT,
        state=S.DECIDED,
    )
    # k2: named, received at 23:59 on the last day, not yet accepted.
    complaint(filing=named, received_at=at(L, 23, 59))
    # k3: received at 00:00 on the next month's first day.
    complaint(received_at=at(N, 0, 0))
    # k4: received before; accepted on day 3 though due on day 2 (late); referred to the
    # police at noon on the last day though its investigation was due the day before.
    complaint(
        received_at=at(F - 10 * DAY),
        acceptance_due=F + DAY,
        accepted_at=at(F + 2 * DAY),
        investigation_due=L - DAY,
        referred_at=at(L, 12),
        closed_at=at(L, 12),
        referral_target=ReferralTarget.POLICE,
        referral_body="测试区公安分局",
        state=S.REFERRED,
    )
    # k5: accepted long before; decided at 00:00 on the first day, the day its extended
    # investigation was due (on time); closed; the administration fined it ¥5,000 on the
    # last day.
    k5 = complaint(
        received_at=at(F - 60 * DAY),
        acceptance_due=F - 55 * DAY,
        accepted_at=at(F - 58 * DAY),
        investigation_due=F,
        extended=True,
        decided_at=at(F, 0, 0),
        closed_at=at(F + 3 * DAY),
        outcome=Outcome.PENALTY_PROPOSED,
        conduct_found=Conduct.FRAUD,
        state=S.CLOSED,
    )
    decide(k5, Penalty.FINE, L, Decimal("5000.00"), by=olga_officer)
    # k6: the other market's: received, accepted, decided, fined in the period.
    k6 = complaint(
        respondent=second,
        received_at=at(F, 11),
        acceptance_due=F + 5 * DAY,
        accepted_at=at(F + DAY),
        investigation_due=L + 50 * DAY,
        decided_at=at(F + 5 * DAY),
        closed_at=at(F + 8 * DAY),
        outcome=Outcome.PENALTY_PROPOSED,
        conduct_found=Conduct.DEPOSIT,
        state=S.CLOSED,
        market=other_market,
    )
    decide(k6, Penalty.FINE, L, Decimal("3000.00"), by=olga_officer)
    # k7: accepted at 07:00 on the first day (23:00 the day before in UTC), due the day
    # before: late by the local day, though on time by the UTC date.
    complaint(
        received_at=at(F - 8 * DAY),
        acceptance_due=F - DAY,
        accepted_at=at(F, 7),
        investigation_due=L + 40 * DAY,
        state=S.INVESTIGATING,
    )
    # k8: wang's, received at noon on the first day, not accepted on day 4.
    complaint(
        filing={"anonymous": False, "complainant": wang_worker.person},
        received_at=at(F, 12),
        not_accepted_reason=NotAcceptedReason.TOO_OLD,
        closed_at=at(F + 3 * DAY, 16),
        state=S.NOT_ACCEPTED,
    )
    # k9: a fine decided on the next month's first day; k10: a warning in the period.
    for decided_on, penalty, amount in (
        (N, Penalty.FINE, Decimal("800.00")),
        (L, Penalty.WARNING, None),
    ):
        closed = complaint(
            received_at=at(F - 90 * DAY),
            acceptance_due=F - 85 * DAY,
            accepted_at=at(F - 88 * DAY),
            decided_at=at(F - 30 * DAY),
            closed_at=at(F - 20 * DAY),
            outcome=Outcome.PENALTY_PROPOSED,
            conduct_found=Conduct.FALSE_AD,
            state=S.CLOSED,
        )
        decide(closed, penalty, decided_on, amount, by=olga_officer)
    # Repeat offenders: the second intermediary has 2 more complaints accepted in the
    # other market (3 there with k6); the third has 2 accepted in this market within 12
    # months and 1 accepted the day before the window opens.
    for _ in range(2):
        complaint(
            respondent=second,
            received_at=at(F - 100 * DAY),
            acceptance_due=F - 95 * DAY,
            accepted_at=at(F - 99 * DAY),
            state=S.ACCEPTED,
            market=other_market,
        )
    window_opens = months_before(L, 12)
    for accepted in (at(F - 30 * DAY), at(F - 20 * DAY), at(window_opens - DAY, 23, 59)):
        complaint(
            respondent=third,
            received_at=accepted - 2 * DAY,
            acceptance_due=accepted.date() + 3 * DAY,
            accepted_at=accepted,
            state=S.ACCEPTED,
        )
    return period


def test_every_indicator_of_the_month(month_of_complaints, market):
    figures = REPORT.figures(markets(market), month_of_complaints, variants={})

    assert figures == {
        # Received: k1 (first day), k2 (23:59 on the last day), k8 = 3; k3 is next month's.
        "received": 3,
        # Anonymous among them: k1 only (k2 left a name, k8 is wang's).
        "anonymous": 1,
        # Accepted in the period: k1, k4, k7 = 3.
        "accepted": 3,
        # On time: k1 only (k4 a day late, k7 late by the local day): 1 ÷ 3 = 33.3%.
        "accepted_on_time": Decimal("33.3"),
        # Investigations ended: k1 decided at 23:59 on the last day, k4 referred, k5
        # decided at 00:00 on the first day = 3.
        "investigations_closed": 3,
        # On time: k1 and k5 (on its extended due day), not k4: 2 ÷ 3 = 66.7%.
        "investigations_on_time": Decimal("66.7"),
        # Decided: k1 and k5 = 2.
        "decisions": 2,
        # Fines decided in the period: k5's ¥5,000 (k9's is next month's, k10 a warning,
        # k6's in the other market).
        "fines": 1,
        "fines_amount": Decimal("5000.00"),
        # Referred: k4 = 1.
        "referrals": 1,
        # The intermediary: k1, k4, k5, k7, k9, k10 accepted within 12 months = 6 ≥ 3.
        # The third: 2 within the window (the third a day before it opens): not one.
        # The second: 3, but none in this market.
        "repeat_offenders": 1,
        # No satisfaction survey answered (casework.surveys; tested in tests/surveys).
        "survey_answers": 0,
        "satisfaction_rate": None,
    }


def test_the_other_market_alone_and_both_markets(month_of_complaints, market, other_market):
    period = month_of_complaints
    alone = REPORT.figures(markets(other_market), period, variants={})
    # k6: received and accepted on time, decided on time, fined ¥3,000; the second
    # intermediary has 3 accepted there.
    assert alone["received"] == alone["accepted"] == alone["decisions"] == 1
    assert alone["accepted_on_time"] == alone["investigations_on_time"] == Decimal("100.0")
    assert (alone["fines"], alone["fines_amount"]) == (1, Decimal("3000.00"))
    assert alone["repeat_offenders"] == 1
    both = REPORT.figures(markets(market, other_market), period, variants={})
    # 3 + 1 received, 2 of 4 accepted on time = 50.0%, fines 5000 + 3000, 2 offenders.
    assert (both["received"], both["accepted_on_time"]) == (4, Decimal("50.0"))
    assert (both["fines"], both["fines_amount"]) == (2, Decimal("8000.00"))
    assert both["repeat_offenders"] == 2


def test_rates_over_zero_are_none(market):
    figures = REPORT.figures(markets(market), last_month(), variants={})
    assert figures["accepted_on_time"] is None
    assert figures["investigations_on_time"] is None
    assert figures["received"] == figures["fines"] == figures["repeat_offenders"] == 0
    assert figures["fines_amount"] == Decimal("0.00")


def test_the_repeat_offender_count_uses_the_setting(month_of_complaints, market, settings):
    # With 7 accepted complaints needed, the intermediary's 6 are not enough.
    settings.COMPLAINT_REPEAT_COUNT = 7
    assert (
        REPORT.figures(markets(market), month_of_complaints, variants={})["repeat_offenders"] == 0
    )
    # With 2, the third intermediary's 2 in the window are.
    settings.COMPLAINT_REPEAT_COUNT = 2
    assert (
        REPORT.figures(markets(market), month_of_complaints, variants={})["repeat_offenders"] == 2
    )


def test_breakdowns(month_of_complaints, market):
    by_conduct, results, targets = REPORT.breakdowns(markets(market), month_of_complaints)

    # Decided in the period: k1 a deposit, k5 fraud.
    assert dict(by_conduct.rows) == {
        str(label): {Conduct.DEPOSIT: 1, Conduct.FRAUD: 1}.get(value, 0)
        for value, label in Conduct.choices
    }
    # Finished in the period: k5 closed (penalty proposed), k8 not accepted, k4 referred.
    assert results.chart == "pie"
    assert dict(results.rows) == {
        str(Outcome.ORDER_TO_CORRECT.label): 0,
        str(Outcome.PENALTY_PROPOSED.label): 1,
        str(Outcome.NO_VIOLATION.label): 0,
        str(Outcome.MINOR_CORRECTED.label): 0,
        str(S.NOT_ACCEPTED.label): 1,
        str(S.REFERRED.label): 1,
    }
    assert dict(targets.rows)[str(ReferralTarget.POLICE.label)] == 1


def test_the_ledger_never_names_an_anonymous_complainant(month_of_complaints, market):
    period = month_of_complaints
    rows = REPORT.ledger_rows(markets(market), period, full_data=False)
    assert isinstance(rows, Iterator)
    masked = list(rows)
    full = list(REPORT.ledger_rows(markets(market), period, full_data=True))

    assert len(masked[0]) == len(REPORT.ledger_columns)
    # Received in the period, oldest first: k1 (09:00), k8 (12:00) on the first day, k2.
    k1, k8, k2 = masked
    assert [row[1] for row in masked] == [period.first, period.first, period.last]
    with translation.override("zh-hans"):
        anonymous = "匿名"
        not_accepted, too_old = str(S.NOT_ACCEPTED.label), str(NotAcceptedReason.TOO_OLD.label)
    # The anonymous complainant, masked or in full: no name, no number, not even the
    # mobile number she left for notices.
    assert k1[3:6] == full[0][3:6] == [anonymous, "", ""]
    assert ANONYMOUS_MOBILE not in str(full)
    # Wang, registered: masked, then in full with the ID number of his person record.
    assert k8[3:6] == [mask_name("王小明"), mask_id(WANG_ID), mask_phone("13800138000")]
    assert full[1][3:6] == ["王小明", WANG_ID, "13800138000"]
    # The name and mobile a complainant left on the form.
    assert k2[3:6] == ["张**", "", "139****5678"]
    assert full[2][3:6] == ["张三丰", "", "13912345678"]
    # The respondent, the conduct complained of, state and result in Chinese, days taken.
    assert k1[6] == "速聘人力中介"
    assert k8[13:15] == [not_accepted, too_old]
    assert k8[17] == period.first + 3 * DAY
    assert k8[18] == 3
    assert k1[10] == period.first + DAY
    assert k2[17:] == [None, None]


def test_the_ledger_shows_the_fine_decided(month_of_complaints, market, complaint, olga_officer):
    period = month_of_complaints
    fined = complaint(
        received_at=at(period.first, 15),
        outcome=Outcome.PENALTY_PROPOSED,
        conduct_found=Conduct.DEPOSIT,
        closed_at=at(period.last, 9),
        state=S.CLOSED,
    )
    decide(fined, Penalty.FINE, period.last, Decimal("1500.00"), by=olga_officer)
    row = next(
        r
        for r in REPORT.ledger_rows(markets(market), period, full_data=False)
        if r[0] == fined.code
    )
    with translation.override("zh-hans"):
        assert row[14] == str(Outcome.PENALTY_PROPOSED.label)
        assert row[15] == str(Conduct.DEPOSIT.label)
    assert row[16] == Decimal("1500.00")
    assert row[18] == period.last.day - 1


def test_the_ledger_streams_in_a_fixed_number_of_queries(
    month_of_complaints, market, django_assert_max_num_queries
):
    rows = REPORT.ledger_rows(markets(market), month_of_complaints, full_data=True)
    with django_assert_max_num_queries(1):
        assert len(list(rows)) == 3
