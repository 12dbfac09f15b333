"""The wage-dispute statistics (casework/disputes/reports.py, docs/reports.md): every
indicator on hand-built cases, with the expected figure worked out by hand below.

Cases are brought to their state through the services at chosen moments (time_machine),
so the audit trail holds the moments the report reads from it.
"""

import datetime
import inspect
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from casework.core.models import Market
from casework.disputes import services
from casework.disputes.models import ClaimType, Dispute
from casework.disputes.reports import (
    SUCCESS_ENDED,
    SUCCESS_RATE,
    SUCCESS_WITH_WITHDRAWN,
    SUCCESS_WITHOUT_WITHDRAWN,
    DisputeReport,
)
from casework.reports.periods import month
from casework.reports.registry import get_report, percentile
from tests.disputes.fixtures import actor, advance, file_dispute, pay_all

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Dispute.State
NOVEMBER = month(2025, 11)
DECEMBER = month(2025, 12)
DEFAULT = {SUCCESS_RATE: SUCCESS_ENDED}


def at(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI)


def markets(*items: Market):
    return Market.objects.filter(pk__in=[m.pk for m in items])


def figures(market_list, period=NOVEMBER, variant=SUCCESS_ENDED) -> dict:
    return DisputeReport().figures(market_list, period, variants={SUCCESS_RATE: variant})


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


def extended_case(new_dispute, mediator, *, received, taken, extended, new_due, effective):
    """A case extended by both parties, whose agreement takes effect at ``effective``."""
    me = actor(mediator)
    with time_machine.travel(received, tick=False):
        dispute = new_dispute(received_at=received)
    with time_machine.travel(taken, tick=False):
        services.dispute_accept(dispute=dispute, actor=me)
        assert services.dispute_take(dispute=dispute, actor=me)
    with time_machine.travel(extended, tick=False):
        services.extension_record(
            dispute=dispute,
            new_due=new_due,
            applicant_agreed=True,
            respondent_agreed=True,
            note="双方当场同意",
            actor=me,
        )
    with time_machine.travel(effective, tick=False):
        services.settlement_record(
            dispute=dispute,
            amount=Decimal("2000.00"),
            method="bank_transfer",
            terms="被申请人支付工资。",
            instalments=[(effective.date() + datetime.timedelta(days=10), Decimal("2000.00"))],
            actor=me,
        )
        for mark in ("applicant_signed_at", "respondent_signed_at"):
            services.mark_record(dispute=dispute, mark=mark, actor=me)
        for mark in ("mediator_signed_at", "body_sealed_at"):
            services.mark_record(dispute=dispute, mark=mark, actor=me)
    dispute.refresh_from_db()
    assert dispute.state == S.EFFECTIVE
    return dispute


@pytest.fixture
def november(
    case,
    new_dispute,
    market,
    other_market,
    mediation_body,
    employer,
    alice_mediator,
    oscar_outsider,
    wang_worker,
    li_worker,
):
    """The cases whose figures for November 2025 the tests below work out by hand."""
    cases = {
        # Closed in October: nothing in November.
        "A": case(S.WITHDRAWN, at("2025-10-20"), at("2025-10-25")),
        # Open since October, in mediation, its 15 days run out on 12 Nov: overdue at the end.
        "B": case(S.IN_MEDIATION, at("2025-10-28"), at("2025-10-29")),
        # Open at the start; agreement effective on 5 Nov: 6.0 days, on time.
        "C": case(S.EFFECTIVE, at("2025-10-30"), at("2025-11-05")),
        # Received and terminated in November: 7.0 days, on time.
        "D": case(S.TERMINATED, at("2025-11-03"), at("2025-11-10")),
        # Withdrawn after acceptance: 2.0 days, on time.
        "E": case(S.WITHDRAWN, at("2025-11-04"), at("2025-11-06")),
        # Not accepted on 7 Nov.
        "F": case(S.NOT_ACCEPTED, at("2025-11-05"), at("2025-11-07")),
        # A group case of two workers claiming 5,000 yuan, waiting for acceptance.
        "G": case(
            S.RECEIVED,
            at("2025-11-10"),
            applicants=[wang_worker.person, li_worker.person],
            claims=[services.Claim(ClaimType.SEVERANCE, Decimal("5000.00"))],
        ),
        # Extended to 5 Dec; effective at 23:59 on the month's last day, after the 15-day
        # deadline (27 Nov) but within the extended one: on time, 18 d 13 h 59 min.
        "H": extended_case(
            new_dispute,
            alice_mediator,
            received=at("2025-11-12"),
            taken=at("2025-11-13"),
            extended=at("2025-11-26"),
            new_due=datetime.date(2025, 12, 5),
            effective=at("2025-11-30", 23, 59),
        ),
        # Effective at 00:00 on 1 Dec: a December figure, open at November's end.
        "I": case(S.EFFECTIVE, at("2025-11-20"), at("2025-12-01", 0, 0)),
        # Long past its deadline (received 1 Oct), terminated on 20 Nov: 50.0 days, late.
        "K": case(S.TERMINATED, at("2025-10-01"), at("2025-11-20")),
        # Effective on 18 Nov (4.0 days); its first instalment (25 Nov) missed, marked not
        # performed and referred for a payment order on 27 Nov.
        "L": case(S.REFERRED, at("2025-11-14"), at("2025-11-18")),
        # Effective and fully paid (2 x 1,500 yuan) on 16 Nov: 10.0 days, performed.
        "M": case(S.PERFORMED, at("2025-11-06"), at("2025-11-16")),
    }
    # B's parties agree on 3 Dec to extend to 20 Dec: at November's end its deadline in
    # force was still 12 Nov, so it stays overdue in November's figures.
    with time_machine.travel(at("2025-12-03"), tick=False):
        services.extension_record(
            dispute=cases["B"],
            new_due=datetime.date(2025, 12, 20),
            applicant_agreed=True,
            respondent_agreed=True,
            note="双方同意延期",
            actor=actor(alice_mediator),
        )
    # Another market's case, received and settled in November: never in this market's figures.
    with time_machine.travel(at("2025-11-10"), tick=False):
        other = file_dispute(
            market=other_market,
            mediation_body=mediation_body,
            respondent=employer,
            applicants=[li_worker.person],
            by=oscar_outsider,
            received_at=at("2025-11-10"),
        )
    with time_machine.travel(at("2025-11-12"), tick=False):
        cases["N"] = advance(other, S.PERFORMED, oscar_outsider)
    return cases


def test_the_cases_are_as_the_arithmetic_assumes(november):
    c = {key: Dispute.objects.get(pk=d.pk) for key, d in november.items()}
    assert c["B"].mediation_due == datetime.date(2025, 11, 12)
    assert c["B"].due_date == datetime.date(2025, 12, 20)
    assert c["H"].mediation_due == datetime.date(2025, 11, 27)
    assert c["H"].due_date == datetime.date(2025, 12, 5)
    assert c["K"].mediation_due < datetime.date(2025, 11, 20)
    assert c["M"].mediation_due >= datetime.date(2025, 11, 16)
    # The default overwrote the end of L's mediation (the trail still has it).
    assert c["L"].referral == Dispute.Referral.PAYMENT_ORDER
    assert c["L"].ended_at.astimezone(SHANGHAI).date() == datetime.date(2025, 11, 27)


def test_every_indicator_of_a_month(november, market):
    got = figures(markets(market))
    expected = {
        # B, C and K were received before 1 Nov and not closed then (A closed on 25 Oct).
        "open_at_start": 3,
        # D E F G H I L M.
        "received": 8,
        # Accepted on a November day: C D E H K L M (B on 29 Oct; I on 1 Dec; F, G never).
        "accepted": 7,
        "not_accepted": 1,  # F
        "group_cases": 1,  # G
        "group_workers": 2,  # G's two applicants
        "workers": 9,  # seven cases of one worker + G's two
        # Seven claims of 3,200 + G's 5,000 = 22,400 + 5,000.
        "amount_claimed": Decimal("27400.00"),
        # C (5 Nov), H (30 Nov 23:59), L (18 Nov, from the trail), M (16 Nov); not I (1 Dec).
        "ended_effective": 4,
        "ended_terminated": 2,  # D K
        "ended_withdrawn": 1,  # E
        # Not accepted 1 + mediations ended 4 + 2 + 1 = 8.
        "closed": 8,
        "referred_payment_order": 1,  # L
        "referred_arbitration": 0,
        # 4 ÷ (4 + 2 + 1) = 57.14…%.
        SUCCESS_RATE: Decimal("57.1"),
        # All but K ended by their deadline (H by its extended one): 6 ÷ 7 = 85.71…%.
        "on_time_rate": Decimal("85.7"),
        # Days: E 2.0, L 4.0, C 6.0, D 7.0, M 10.0, H 18.58…, K 50.0 → rank ⌈7 × 0.5⌉ = 4th
        # is 7.0; rank ⌈7 × 0.9⌉ = 7th is 50.0.
        "days_median": Decimal("7.0"),
        "days_p90": Decimal("50.0"),
        # At 1 Dec 00:00: B (accepted, deadline 12 Nov then); G was never accepted; I was
        # accepted only at that very moment.
        "overdue": 1,
        # C, L, M 3,000 each + H 2,000.
        "amount_agreed": Decimal("11000.00"),
        # M's two payments of 1,500 on 16 Nov.
        "amount_paid": Decimal("3000.00"),
        # Performed M ÷ (M + L not performed, 27 Nov) = 50%.
        "performance_rate": Decimal("50.0"),
        # B, G and I: 3 + 8 received − 8 closed = 3.
        "open_at_end": 3,
        # No case handed to arbitration (tested in tests/disputes/test_arbitration.py).
        "arbitration_handed_off": 0,
        "arbitration_filed": 0,
        "arbitration_open_at_start": 0,
        "arbitration_closed": 0,
        "arbitration_award": 0,
        "arbitration_mediation": 0,
        "arbitration_withdrawn": 0,
        "arbitration_not_accepted": 0,
        "arbitration_closure_rate": None,
        # No satisfaction survey answered (casework.surveys; tested in tests/surveys).
        "survey_answers": 0,
        "satisfaction_rate": None,
    }
    assert got == expected
    assert set(got) == {i.slug for i in DisputeReport.indicators}
    assert got["open_at_start"] + got["received"] - got["closed"] == got["open_at_end"]


def test_the_percentiles_match_the_registrys_percentile(november, market):
    # The database picks the ranks; registry.percentile over the same days agrees.
    ended = Dispute.objects.filter(pk__in=[november[k].pk for k in "CDEHKM"])
    days = [(d.ended_at - d.received_at).total_seconds() / 86400 for d in ended]
    days.append(4.0)  # L: received 14 Nov 10:00, effective 18 Nov 10:00 (the trail)
    got = figures(markets(market))
    assert got["days_median"] == percentile(days, 0.5)
    assert got["days_p90"] == percentile(days, 0.9)


def test_a_case_ended_at_23_59_on_the_last_day_counts_in_that_month(november, market):
    nov = figures(markets(market), NOVEMBER)
    dec = figures(markets(market), DECEMBER)
    # H ended at 2025-11-30 23:59 in Shanghai (15:59 UTC): November.
    assert november["H"].ended_at == at("2025-11-30", 23, 59)
    # I ended at 2025-12-01 00:00 in Shanghai (still 30 Nov in UTC): December.
    assert november["I"].ended_at == at("2025-12-01", 0, 0)
    assert nov["ended_effective"] == 4
    # December: I, and nothing else ended (B is still in mediation).
    assert dec["ended_effective"] == 1
    assert dec["ended_terminated"] == dec["ended_withdrawn"] == 0
    # December opens with November's open cases, and B and G stay open.
    assert dec["open_at_start"] == 3
    assert dec["open_at_end"] == 2


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        # Effective 4 ÷ (effective 4 + terminated 2 + withdrawn 1) = 57.14…%.
        (SUCCESS_ENDED, Decimal("57.1")),
        # Withdrawn E left out: 4 ÷ (4 + 2) = 66.66…%.
        (SUCCESS_WITHOUT_WITHDRAWN, Decimal("66.7")),
        # Withdrawn E a success: (4 + 1) ÷ 7 = 71.42…%.
        (SUCCESS_WITH_WITHDRAWN, Decimal("71.4")),
    ],
)
def test_a_withdrawn_case_under_each_success_rate_variant(november, market, variant, expected):
    assert figures(markets(market), variant=variant)[SUCCESS_RATE] == expected


def test_the_success_rate_variants_are_named_and_the_first_is_the_default(november, market):
    report = get_report("disputes")
    assert isinstance(report, DisputeReport)
    options = [v.slug for v in report.variants[SUCCESS_RATE]]
    assert options == [SUCCESS_ENDED, SUCCESS_WITHOUT_WITHDRAWN, SUCCESS_WITH_WITHDRAWN]
    # No choice given: the default formula.
    assert report.figures(markets(market), NOVEMBER, variants={})[SUCCESS_RATE] == Decimal("57.1")


def test_an_extended_deadline_counts_for_on_time_closure(case, new_dispute, market, alice_mediator):
    # Ended on 30 Nov, after the 15-day deadline of 27 Nov, within the extension to 5 Dec.
    extended_case(
        new_dispute,
        alice_mediator,
        received=at("2025-11-12"),
        taken=at("2025-11-13"),
        extended=at("2025-11-26"),
        new_due=datetime.date(2025, 12, 5),
        effective=at("2025-11-30", 23, 59),
    )
    assert figures(markets(market))["on_time_rate"] == Decimal("100.0")
    # The same end without an extension is late: 1 on time ÷ 2 ended = 50%.
    late = case(S.TERMINATED, at("2025-11-12"), at("2025-11-30", 23, 59))
    assert late.due_date == datetime.date(2025, 11, 27)
    assert figures(markets(market))["on_time_rate"] == Decimal("50.0")


def test_an_end_on_the_deadline_day_is_on_time(case, market):
    dispute = case(S.TERMINATED, at("2025-11-12"), at("2025-11-27", 23, 59))
    assert dispute.due_date == datetime.date(2025, 11, 27)
    assert figures(markets(market))["on_time_rate"] == Decimal("100.0")


def test_another_markets_cases_are_not_counted(november, market, other_market):
    mine = figures(markets(market))
    theirs = figures(markets(other_market))
    both = figures(markets(market, other_market))
    # The other market: N received 10 Nov, effective and performed 12 Nov (2.0 days).
    assert theirs["received"] == 1
    assert theirs["ended_effective"] == 1
    assert theirs["amount_paid"] == Decimal("3000.00")
    assert theirs["performance_rate"] == Decimal("100.0")
    assert theirs["open_at_start"] == theirs["open_at_end"] == 0
    # Together: the sums of the counts.
    for slug in ("received", "workers", "ended_effective", "closed", "amount_claimed"):
        assert both[slug] == mine[slug] + theirs[slug]
    # 5 effective ÷ 8 ended = 62.5%.
    assert both[SUCCESS_RATE] == Decimal("62.5")


def test_rates_over_zero_cases_are_none(market):
    got = figures(markets(market))
    for slug in (SUCCESS_RATE, "on_time_rate", "performance_rate", "days_median", "days_p90"):
        assert got[slug] is None, slug
    assert got["received"] == got["closed"] == got["open_at_end"] == 0
    assert got["amount_claimed"] == got["amount_agreed"] == got["amount_paid"] == Decimal("0")
    for variant in (SUCCESS_WITHOUT_WITHDRAWN, SUCCESS_WITH_WITHDRAWN):
        assert figures(markets(market), variant=variant)[SUCCESS_RATE] is None


def test_no_market_gives_zeros_and_no_rates():
    got = figures(Market.objects.none())
    assert got["received"] == got["open_at_end"] == got["workers"] == 0
    assert got[SUCCESS_RATE] is None and got["days_median"] is None


def test_performance_and_referrals_count_when_decided_not_when_effective(
    case, market, alice_mediator
):
    me = actor(alice_mediator)
    october = month(2025, 10)
    # Effective on 20 Oct, paid in full on 5 Nov: performed in November.
    paid = case(S.EFFECTIVE, at("2025-10-15"), at("2025-10-20"))
    with time_machine.travel(at("2025-11-05"), tick=False):
        pay_all(paid, me)
    # Effective on 27 Oct; its first instalment (3 Nov) missed and marked not performed on
    # 5 Nov, which overwrites ended_at; referred to arbitration on 10 Nov.
    unpaid = case(S.DEFAULTED, at("2025-10-16"), at("2025-10-27"))
    assert unpaid.ended_at.astimezone(SHANGHAI).date() == datetime.date(2025, 11, 5)
    with time_machine.travel(at("2025-11-10"), tick=False):
        services.dispute_refer(dispute=unpaid, referral="arbitration", actor=me)
    oct_figures = figures(markets(market), october)
    nov_figures = figures(markets(market))
    # October: both agreements took effect (the second at its last mark, 27 Oct, not at
    # the default); none was decided yet, so no performance rate.
    assert oct_figures["ended_effective"] == 2
    assert oct_figures["amount_agreed"] == Decimal("6000.00")
    assert oct_figures["performance_rate"] is None
    assert oct_figures["open_at_end"] == 0
    # November: nothing took effect and nothing was open at the start; one performed and
    # one not: 1 ÷ (1 + 1); the second was referred; 3,000 yuan paid.
    assert nov_figures["ended_effective"] == 0
    assert nov_figures["open_at_start"] == nov_figures["open_at_end"] == 0
    assert nov_figures["performance_rate"] == Decimal("50.0")
    assert nov_figures["referred_arbitration"] == 1
    assert nov_figures["referred_payment_order"] == 0
    assert nov_figures["amount_paid"] == Decimal("3000.00")
    # The ledger of October shows the second case ended on 27 Oct, 11 days after receipt.
    rows = {
        row["Case number"]: row for row in ledger(markets(market), full_data=False, period=october)
    }
    assert rows[unpaid.code]["Ended on"] == datetime.date(2025, 10, 27)
    assert rows[unpaid.code]["Days taken"] == 11


def test_overdue_now_in_the_current_period_is_the_queues_overdue(case, market):
    # Accepted on 3 Nov 2025, due 18 Nov; the month is not over on 20 Nov.
    dispute = case(S.IN_MEDIATION, at("2025-11-03"), at("2025-11-03", 11))
    waiting = case(S.ACCEPTED, at("2025-11-10"), at("2025-11-10", 11))
    assert dispute.due_date == datetime.date(2025, 11, 18)
    assert waiting.due_date == datetime.date(2025, 11, 25)
    with time_machine.travel(at("2025-11-20"), tick=False):
        # Now (20 Nov) is before the month's end: the dispute due 18 Nov is overdue, the one
        # due 25 Nov not yet.
        assert figures(markets(market))["overdue"] == 1
        assert (
            Dispute.objects.filter(
                state__in=Dispute.CLOCK_STATES, due_date__lt=datetime.date(2025, 11, 20)
            ).count()
            == 1
        )
    with time_machine.travel(at("2025-11-25"), tick=False):
        # On its deadline day a case is not overdue yet.
        assert figures(markets(market))["overdue"] == 1
    with time_machine.travel(at("2025-12-10"), tick=False):
        # November is over: at its end both were past their deadlines.
        assert figures(markets(market))["overdue"] == 2


def test_figures_take_few_queries(november, market, django_assert_max_num_queries):
    # The market keys, the main counts, the later counts, the workers, the payments, the
    # arbitration hand-offs, the two percentiles (one query) and the survey answers.
    with django_assert_max_num_queries(8):
        figures(markets(market))


def test_the_breakdowns(november, market):
    charts = {b.slug: b for b in DisputeReport().breakdowns(markets(market), NOVEMBER)}
    assert charts["results"].chart == "pie"
    # Effective C H L M, terminated D K, withdrawn E, not accepted F.
    assert [n for _label, n in charts["results"].rows] == [4, 2, 1, 1]
    assert charts["funnel"].chart == "funnel"
    # Of the 8 received in November: accepted D E H I L M (F refused, G waiting; I accepted
    # on 1 Dec still counts: the funnel follows the cases, not the month's events);
    # in mediation D H I L M (E withdrew before a mediator took it); effective H I L M;
    # performed M.
    assert [n for _label, n in charts["funnel"].rows] == [8, 6, 5, 4, 1]
    by_type = dict(charts["claim_types"].rows)
    assert by_type[str(ClaimType.UNPAID_WAGES.label)] == 7
    assert by_type[str(ClaimType.SEVERANCE.label)] == 1
    assert by_type[str(ClaimType.DAMAGES.label)] == 0


# -- the ledger -------------------------------------------------------------------------------


# The ledger's columns, in order (their titles are translated).
COLUMNS = [
    "Case number",
    "Received on",
    "Channel",
    "Applicants",
    "ID numbers",
    "Mobile numbers",
    "Workers",
    "Respondent",
    "Amount claimed (yuan)",
    "Claims",
    "Holder",
    "State",
    "Result",
    "Ended on",
    "Days taken",
    "Amount agreed (yuan)",
    "Amount paid (yuan)",
]


def ledger(market_list, *, full_data: bool, period=NOVEMBER) -> list[dict]:
    rows = DisputeReport().ledger_rows(market_list, period, full_data=full_data)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def test_the_ledger_lists_the_cases_received_in_the_period_oldest_first(november, market):
    rows = ledger(markets(market), full_data=False)
    codes = [row["Case number"] for row in rows]
    # By receipt: D 3 Nov, E 4, F 5, M 6, G 10, H 12, L 14, I 20 (not B C K of October, not
    # the other market's N).
    order = "DEFMGHLI"
    assert codes == [november[key].code for key in order]
    # Its totals are the page's: cases received, workers, amount claimed.
    got = figures(markets(market))
    assert len(rows) == got["received"]
    assert sum(row["Workers"] for row in rows) == got["workers"]
    assert sum(row["Amount claimed (yuan)"] for row in rows) == got["amount_claimed"]


def test_a_ledger_row_has_the_hand_ledgers_columns(november, market):
    rows = {row["Case number"]: row for row in ledger(markets(market), full_data=False)}
    m = rows[november["M"].code]
    assert m["Received on"] == datetime.date(2025, 11, 6)
    assert m["Workers"] == 1
    assert m["Respondent"] == "测试搬家服务有限公司"
    assert m["Amount claimed (yuan)"] == Decimal("3200.00")
    assert m["Claims"] == str(ClaimType.UNPAID_WAGES.label)
    assert m["Holder"] == "Alice 调解员"
    assert m["State"] == str(S.PERFORMED.label)
    assert m["Result"] == str(S.EFFECTIVE.label)
    assert m["Ended on"] == datetime.date(2025, 11, 16)
    assert m["Days taken"] == 10
    assert m["Amount agreed (yuan)"] == Decimal("3000.00")
    assert m["Amount paid (yuan)"] == Decimal("3000.00")
    # L ended its mediation on 18 Nov (the default on 27 Nov is not its end).
    ell = rows[november["L"].code]
    assert ell["Ended on"] == datetime.date(2025, 11, 18)
    assert ell["Days taken"] == 4
    assert str(Dispute.Referral.PAYMENT_ORDER.label) in ell["Result"]
    assert ell["Amount paid (yuan)"] == Decimal("0.00")
    # H ended at 23:59 on 30 Nov, local date.
    assert rows[november["H"].code]["Ended on"] == datetime.date(2025, 11, 30)
    # G is open: no end, no days, no agreement; its two workers.
    g = rows[november["G"].code]
    assert g["Ended on"] is None and g["Days taken"] is None and g["Amount agreed (yuan)"] is None
    assert g["Workers"] == 2
    # Plain values, ready for Excel and CSV.
    plain = (str, int, Decimal, datetime.date, type(None))
    assert all(isinstance(value, plain) for row in rows.values() for value in row.values())


def test_the_ledger_masks_names_ids_and_mobiles_without_full_data(november, market):
    masked = {row["Case number"]: row for row in ledger(markets(market), full_data=False)}
    g = masked[november["G"].code]
    assert set(g["Applicants"].split(", ")) == {"王**", "李*"}
    assert set(g["ID numbers"].split(", ")) == {"110105********002X", "110105********1239"}
    assert set(g["Mobile numbers"].split(", ")) == {"138****8000", "139****9000"}
    text = repr(list(masked.values()))
    for secret in ("王小明", "李四", "11010519491231002X", "110105199003071239", "13800138000"):
        assert secret not in text

    full = {row["Case number"]: row for row in ledger(markets(market), full_data=True)}
    g = full[november["G"].code]
    assert set(g["Applicants"].split(", ")) == {"王小明", "李四"}
    assert set(g["ID numbers"].split(", ")) == {"11010519491231002X", "110105199003071239"}
    assert set(g["Mobile numbers"].split(", ")) == {"13800138000", "13900139000"}


def test_a_respondent_person_is_masked_without_full_data(case, market, hui_hiring):
    boss = hui_hiring.person
    case(S.RECEIVED, at("2025-11-10"), respondent=boss)
    assert ledger(markets(market), full_data=False)[0]["Respondent"] == "惠**"
    assert ledger(markets(market), full_data=True)[0]["Respondent"] == "惠老板"


def test_the_columns_holding_personal_data_are_marked():
    with translation.override("en"):
        assert [str(c.title) for c in DisputeReport.ledger_columns] == COLUMNS
        personal = {str(c.title) for c in DisputeReport.ledger_columns if c.personal}
    assert personal == {"Applicants", "ID numbers", "Mobile numbers", "Respondent"}


def test_the_ledger_streams_in_chunks_without_a_query_per_row(case, market, monkeypatch):
    rows = DisputeReport().ledger_rows(markets(market), NOVEMBER, full_data=False)
    assert inspect.isgenerator(rows)
    for day in range(1, 6):
        case(S.RECEIVED, at(f"2025-11-{day:02d}"))
    monkeypatch.setattr("casework.disputes.reports.CHUNK", 2)
    with CaptureQueriesContext(connection) as five:
        assert (
            len(list(DisputeReport().ledger_rows(markets(market), NOVEMBER, full_data=False))) == 5
        )
    # The market keys, then three chunks of at most two: the cases (one query, or one per
    # chunk without a server-side cursor) and one query for the applicants of each chunk.
    assert len(five) <= 1 + 3 + 3
    for day in range(6, 16):
        case(S.RECEIVED, at(f"2025-11-{day:02d}"))
    monkeypatch.setattr("casework.disputes.reports.CHUNK", 2000)
    with CaptureQueriesContext(connection) as fifteen:
        assert (
            len(list(DisputeReport().ledger_rows(markets(market), NOVEMBER, full_data=False))) == 15
        )
    assert len(fifteen) <= 3
