"""The statistics of hardship assistance (assistance/reports.py): every indicator on
hand-built cases, with the expected figure worked out by hand in each test.

The period is last month (Asia/Shanghai). Cases are applied for through the service and
their dates then set with .update(); placements are written as the services leave them.
Support plans are started through the service at a chosen moment (time_machine), since
their start is read from the audit trail.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from assistance import services
from assistance.models import (
    AssistanceCase,
    Category,
    ExitReason,
    Placement,
    PlanItem,
    Post,
    Referral,
)
from assistance.reports import AssistanceReport
from casework.core.models import Market
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.reports import periods
from casework.reports.registry import get_report
from tests.assistance.fixtures import actor
from tests.conftest import make_person

S = AssistanceCase.State
pytestmark = pytest.mark.django_db

REPORT = AssistanceReport()
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DAY = datetime.timedelta(days=1)


def last_month() -> periods.Period:
    return periods.current_month().previous()


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of a local day in Asia/Shanghai (UTC+8, no summer time)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def markets(*chosen: Market):
    return Market.objects.filter(pk__in=[m.pk for m in chosen])


def id_number(serial: int) -> str:
    """A valid GB 11643 number of a woman born in 1975 (an even 17th digit)."""
    body = f"110105{datetime.date(1975, 1, 1) + serial * DAY:%Y%m%d}01{2 * (serial % 5)}"
    total = sum(int(digit) * weight for digit, weight in zip(body, RIC_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@pytest.fixture
def people(db):
    """people(n): the n-th applicant, 申请人n, with her own ID and mobile numbers."""
    made: dict[int, object] = {}

    def get(n: int):
        if n not in made:
            made[n] = make_person(f"申请人{n}", id_number(n), f"1360013{n:04d}")
        return made[n]

    return get


@pytest.fixture
def case(market, people, carol_caseworker):
    """case(n, **fields): person n applies at the counter; the case is then set as given."""

    def make(n: int, **fields) -> AssistanceCase:
        made = services.case_apply(
            market=market,
            person=people(n),
            actor=actor(carol_caseworker),
            facts={"unemployment_registered_on": datetime.date(2024, 1, 1)},
        )
        AssistanceCase.objects.filter(pk=made.pk).update(owner=carol_caseworker, **fields)
        made.refresh_from_db()
        return made

    return make


@pytest.fixture
def post(market, post_employer):
    """post(places, created=..., market=...): a public-welfare post set up on that day."""

    def make(places: int, created: datetime.datetime, in_market=None) -> Post:
        made = Post.objects.create(
            market=in_market or market,
            employer=post_employer,
            title="社区保洁员",
            place="测试区幸福社区",
            kind=Post.Kind.REGULAR,
            places=places,
            monthly_subsidy=Decimal("1800.00"),
        )
        Post.objects.filter(pk=made.pk).update(created_at=created)
        return made

    return make


@pytest.fixture
def place(carol_caseworker, sam_supervisor):
    """place(case, post, approved=..., starts=..., ended=...): a placement as the services
    leave it once approved, started and (if ``ended``) ended."""

    def make(case, post, *, approved, starts=None, ended=None, reason="") -> Placement:
        status = (
            Placement.Status.ENDED
            if ended
            else Placement.Status.IN_POST
            if starts
            else Placement.Status.APPROVED
        )
        referral = Referral.objects.create(
            case=case,
            kind=Referral.Kind.POST,
            post=post,
            status=Referral.Status.RELEASED if ended else Referral.Status.PLACED,
            referred_by=carol_caseworker,
        )
        return Placement.objects.create(
            case=case,
            referral=referral,
            post=post,
            status=status,
            proposed_by=carol_caseworker,
            approved_by=sam_supervisor,
            approved_at=approved,
            starts_on=starts,
            ended_on=ended,
            exit_reason=reason,
        )

    return make


def start_plan(case: AssistanceCase, moment: datetime.datetime, user) -> None:
    """The caseworker adds a plan item and starts the certified person's plan at ``moment``."""
    with time_machine.travel(moment, tick=False):
        services.plan_item_add(
            case=case,
            kind=PlanItem.Kind.GUIDANCE,
            description="职业指导",
            due_on=moment.date() + 30 * DAY,
            actor=actor(user),
        )
        services.plan_start(case=case, actor=actor(user))


def test_the_report_is_registered():
    assert isinstance(get_report("assistance"), AssistanceReport)
    stocks = {i.slug for i in REPORT.indicators if i.stock}
    assert stocks == {"in_post", "post_occupancy", "waiting"}
    assert all(str(i.formula) for i in REPORT.indicators)


@pytest.fixture
def month_of_cases(
    market, other_market, case, post, place, people, new_case, carol_caseworker
) -> periods.Period:
    """The cases every figure below is worked out on (c1 … c9; c8 in the other market)."""
    period = last_month()
    F, L, N = period.first, period.last, period.after
    long_ago = at(F - 100 * DAY)
    post_a = post(3, long_ago)
    post(2, long_ago)
    post(10, at(N, 9))  # set up after the period: its places do not count then
    post_d = post(4, long_ago, in_market=other_market)

    # c1: applied and certified in the period; plan started at 23:59 on the last day.
    c1 = new_case(S.CERTIFIED, person=people(1))
    start_plan(c1, at(L, 23, 59), carol_caseworker)
    AssistanceCase.objects.filter(pk=c1.pk).update(applied_on=F, certified_on=F + 5 * DAY)
    # c2: applied on the last day, refused at 23:59 that day.
    case(2, applied_on=L, state=S.DECLINED, ended_at=at(L, 23, 59))
    # c3: certified before the period, placed and started in post on day 4 of it.
    c3 = case(3, applied_on=F - 20 * DAY, certified_on=F - 10 * DAY, state=S.IN_POST)
    place(c3, post_a, approved=at(F + 2 * DAY), starts=F + 3 * DAY)
    # c4: started on day 12, left the post on the last day (found a market job).
    c4 = case(4, applied_on=F - 40 * DAY, certified_on=F - 30 * DAY, state=S.EXITED)
    place(
        c4,
        post_a,
        approved=at(F + 10 * DAY),
        starts=F + 11 * DAY,
        ended=L,
        reason=ExitReason.MARKET_JOB,
    )
    # c5: certified, referred, no placement yet.
    case(5, applied_on=F - 40 * DAY, certified_on=F - 30 * DAY, state=S.REFERRED)
    # c6: certified; the certification withdrawn at 00:00 on the next month's first day.
    case(
        6,
        applied_on=F - 40 * DAY,
        certified_on=F - 30 * DAY,
        state=S.WITHDRAWN,
        ended_at=at(N, 0, 0),
    )
    # c7: in post since before the period.
    c7 = case(7, applied_on=F - 90 * DAY, certified_on=F - 60 * DAY, state=S.IN_POST)
    place(c7, post_a, approved=at(F - 51 * DAY), starts=F - 50 * DAY)
    # c8: the other market's, applied, certified and placed in the period.
    c8 = case(8, applied_on=F + DAY, certified_on=F + 2 * DAY, state=S.IN_POST)
    AssistanceCase.objects.filter(pk=c8.pk).update(market=other_market)
    place(c8, post_d, approved=at(F + 3 * DAY), starts=F + 4 * DAY)
    # c9: certified, its plan started at 00:01 on the next month's first day.
    c9 = new_case(S.CERTIFIED, person=people(9))
    start_plan(c9, at(N, 0, 1), carol_caseworker)
    AssistanceCase.objects.filter(pk=c9.pk).update(applied_on=F - 5 * DAY, certified_on=N)
    return period


def test_every_indicator_of_the_month(month_of_cases, market):
    figures = REPORT.figures(markets(market), month_of_cases, variants={})

    assert figures == {
        # Applied in the period: c1 (first day), c2 (last day) = 2.
        "applications": 2,
        # Certified in the period: c1 = 1 (c9 the next month, c8 another market).
        "certified": 1,
        # Refused at 23:59 on the last day: c2 = 1.
        "refused": 1,
        # Plans started: c1 at 23:59 on the last day = 1 (c9 at 00:01 next month).
        "plans_started": 1,
        # Started in post in the period: c3 (day 4), c4 (day 12) = 2.
        "placements": 2,
        # In post at the end of the last day: c3 and c7 = 2 (c4 left on the last day).
        "in_post": 2,
        # 2 in post ÷ 5 places (3 + 2; the 10-place post came later) = 40.0%.
        "post_occupancy": Decimal("40.0"),
        # Certified, entitled, no placement held at the end: c1, c4 (left), c5,
        # c6 (withdrawn only next month) = 4.
        "waiting": 4,
        # c3: 10 + 3 = 13 days, c4: 30 + 11 = 41 days; nearest-rank median of 2 = 13.0.
        "days_to_placement": Decimal("13.0"),
        # Left a post in the period: c4 on the last day = 1.
        "exits": 1,
        # No satisfaction survey answered (casework.surveys; tested in tests/surveys).
        "survey_answers": 0,
        "satisfaction_rate": None,
    }


def test_the_other_market_alone_and_both_markets(month_of_cases, market, other_market):
    period = month_of_cases
    alone = REPORT.figures(markets(other_market), period, variants={})
    # c8 only: applied, certified, placed 3 − 1 = 2 days after certification, in post;
    # its post has 4 places: 1 ÷ 4 = 25.0%.
    assert alone == {
        "applications": 1,
        "certified": 1,
        "refused": 0,
        "plans_started": 0,
        "placements": 1,
        "in_post": 1,
        "post_occupancy": Decimal("25.0"),
        "waiting": 0,
        "days_to_placement": Decimal("2.0"),
        "exits": 0,
        "survey_answers": 0,
        "satisfaction_rate": None,
    }
    both = REPORT.figures(markets(market, other_market), period, variants={})
    # Placements 2 + 1 = 3, days 2, 13, 41: median 13.0; in post 3 of 9 places = 33.3%.
    assert (both["placements"], both["in_post"]) == (3, 3)
    assert both["days_to_placement"] == Decimal("13.0")
    assert both["post_occupancy"] == Decimal("33.3")


def test_the_stocks_a_month_later(month_of_cases, market):
    later = REPORT.figures(markets(market), month_of_cases.next(), variants={})
    # c6 was withdrawn on the first day: waiting c1, c4, c5 and c9 (certified then) = 4.
    assert later["waiting"] == 4
    # c3 and c7 still in post of 15 places (3 + 2 + 10) = 13.3%.
    assert (later["in_post"], later["post_occupancy"]) == (2, Decimal("13.3"))
    assert later["plans_started"] == 1  # c9


def test_rates_over_zero_are_none(market):
    figures = REPORT.figures(markets(market), last_month(), variants={})
    # No posts, so no places: occupancy is not defined; no placement, so no median.
    assert figures["post_occupancy"] is None
    assert figures["days_to_placement"] is None
    assert figures["in_post"] == figures["applications"] == 0


def test_breakdowns(month_of_cases, market):
    exits, funnel = REPORT.breakdowns(markets(market), month_of_cases)

    # c4 left for a market job; every reason listed.
    assert exits.rows == [
        (str(label), 1 if value == ExitReason.MARKET_JOB else 0)
        for value, label in ExitReason.choices
    ]
    # The period's applications: c1 and c2; c1 certified; neither in a post yet.
    assert funnel.chart == "funnel"
    assert [n for _label, n in funnel.rows] == [2, 1, 0]


def test_the_ledger_masks_personal_data_and_leaves_out_sensitive_categories(
    month_of_cases, market, carol_caseworker
):
    period = month_of_cases
    c2 = AssistanceCase.objects.get(applied_on=period.last)
    categories = Category.objects.filter(rule_set=c2.rule_set)
    older = categories.get(code="older")
    AssistanceCase.objects.filter(pk=c2.pk).update(
        proposed_categories=["older", "disability", "dibao"]
    )
    rows = REPORT.ledger_rows(markets(market), period, full_data=False)
    assert isinstance(rows, Iterator)
    masked = list(rows)
    full = list(REPORT.ledger_rows(markets(market), period, full_data=True))

    assert len(masked[0]) == len(REPORT.ledger_columns)
    # The period's applications, oldest first: c1 (first day), c2 (last day).
    c1 = AssistanceCase.objects.get(person__name="申请人1")
    assert [row[0] for row in masked] == [c1.code, c2.code]
    assert masked[1][1] == period.last
    assert masked[1][2:5] == [
        mask_name("申请人2"),
        mask_id(id_number(2)),
        mask_phone("13600130002"),
    ]
    assert masked[1][2] == "申***"
    assert full[1][2:5] == ["申请人2", id_number(2), "13600130002"]
    # Disability and 低保 are never shown: only the 4050 category.
    assert masked[1][5] == full[1][5] == older.name
    assert "残疾" not in str(full) and "低保" not in str(full)
    with translation.override("zh-hans"):
        declined, plan = str(S.DECLINED.label), str(S.PLAN_ACTIVE.label)
    assert (masked[0][14], masked[1][14]) == (plan, declined)
    assert masked[1][16] == period.last  # refused at 23:59 on the last day
    assert masked[1][17] == 0  # applied and refused the same day
    assert masked[0][17] == 5  # certified five days after applying
    assert masked[0][13] == carol_caseworker.username


def test_the_ledger_shows_the_latest_placement_in_a_fixed_number_of_queries(
    month_of_cases, market, case, place, django_assert_max_num_queries
):
    period = month_of_cases
    post = Post.objects.filter(market=market, places=3).get()
    for n in (11, 12, 13):
        applicant = case(n, applied_on=period.first + DAY, certified_on=period.first + 2 * DAY)
        place(applicant, post, approved=at(period.first + 3 * DAY), starts=period.first + 4 * DAY)
    rows = REPORT.ledger_rows(markets(market), period, full_data=False)

    with django_assert_max_num_queries(2):
        listed = list(rows)
    assert len(listed) == 5  # c1, c2 and the three new ones
    placed = [row for row in listed if row[9]]
    assert len(placed) == 3
    assert placed[0][9] == "社区保洁员（测试区城市管理服务中心）"
    assert placed[0][10] == period.first + 4 * DAY
