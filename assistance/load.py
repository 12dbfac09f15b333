"""Many realistic hardship-assistance cases, written in bulk, for ``manage.py seed_load``.

The rows are what the services (``assistance/services.py``) would have left behind,
written directly (COPY on PostgreSQL, multi-row INSERT elsewhere, through
``casework.core.bulk``) because a hundred thousand cases through the services would
take hours. ``load_hardship`` documents what is written and what is left out.

Each case follows a *route*: the steps the services would have taken to bring it to
its state (``ROUTES``). The route is walked forward from the day of application with
waits between the steps; the rules the services check on the way hold on every
loaded case: the public notice is over before certification, the applicant meets the
active rule set's categories on the day of the proposal (a declined applicant meets
none), nobody is referred to a post after the certification lapsed, at or past
statutory retirement or over a post's age limit, a placement's term is the one
``services.placement_term`` gives, and no post ever has more referrals holding its
places at once than it has places.
"""

import datetime
import gc
import heapq
import math
import random
import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from assistance.flows import AssistanceFlow
from assistance.models import (
    AssistanceCase,
    Category,
    ExitReason,
    Outcome,
    Placement,
    PlanItem,
    Post,
    Referral,
    RetirementGroup,
    RetirementRule,
    RuleSet,
    SensitiveFacts,
    Test,
)
from assistance.retirement import add_months, retirement_age_months
from assistance.rules import Facts, Match, service_tier
from assistance.services import FOLLOW_UP
from casework.core import loading
from casework.core.bulk import BulkWriter
from casework.core.calendar import WorkCalendar
from casework.core.demo import AREA_CODE
from casework.core.loading import (
    CST,
    EVENT_COLUMNS,
    HEAD_COLUMNS,
    ORG_TRADES,
    ORG_WORDS,
    ORGANIZATION_COLUMNS,
    PERSON_COLUMNS,
    PROCESS_COLUMNS,
    TASK_COLUMNS,
    Staff,
    apportion,
    event_chain,
    new_credit_code,
    new_staff,
    person_row,
    random_address,
    random_landline,
    relaxed_commit,
    reserve_codes,
)
from casework.core.models import CaseEvent, ChainHead, Market
from casework.core.roles import Role
from casework.parties.models import Organization, Person, Sex

S = AssistanceCase.State
T = TypeVar("T")

# -- routes: the steps that brought a case to its state ----------------------------------

# The ways to a state that has more than one (the second half of a route's key).
AT_REVIEW, AFTER_NOTICE = "at_review", "after_notice"
HIRED, AFTER_POST, NOT_NEEDED = "hired", "after_post", "not_needed"
AFTER_PLAN, REFERRED, IN_POST = "after_plan", "referred", "in_post"
POST, JOB = "post", "job"

_CERTIFIED = ("review", "propose", "certify")
_PLANNED = (*_CERTIFIED, "plan")
_IN_POST = (*_PLANNED, "refer_post", "propose_placement", "approve_placement", "start_post")
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    # open
    (S.APPLIED, ""): (),
    (S.UNDER_REVIEW, ""): ("review",),
    (S.ON_NOTICE, ""): ("review", "propose"),
    (S.CERTIFIED, ""): (*_CERTIFIED, "first_item"),
    (S.PLAN_ACTIVE, ""): _PLANNED,
    (S.REFERRED, POST): (*_PLANNED, "refer_post"),
    (S.REFERRED, JOB): (*_PLANNED, "refer_job"),
    (S.PLACEMENT_PROPOSED, ""): (*_PLANNED, "refer_post", "propose_placement"),
    (S.PLACED, ""): _IN_POST[:-1],
    (S.IN_POST, ""): (*_IN_POST, "visit"),
    (S.EXITED, ""): (*_IN_POST, "exit"),
    # final
    (S.DECLINED, AT_REVIEW): ("review", "decline"),
    (S.DECLINED, AFTER_NOTICE): ("review", "propose", "decline"),
    (S.CLOSED, HIRED): (*_PLANNED, "refer_job", "hire"),
    (S.CLOSED, AFTER_POST): (*_IN_POST, "exit", "close"),
    (S.CLOSED, NOT_NEEDED): (*_PLANNED, "close"),
    (S.EXPIRED, AFTER_PLAN): (*_PLANNED, "expire"),
    (S.EXPIRED, AFTER_POST): (*_IN_POST, "exit", "expire"),
    (S.WITHDRAWN, AFTER_PLAN): (*_PLANNED, "withdraw"),
    (S.WITHDRAWN, REFERRED): (*_PLANNED, "refer_post", "withdraw"),
    (S.WITHDRAWN, IN_POST): (*_IN_POST, "withdraw"),
}
# Past cases: most people were placed or found work and the case was closed; some
# certifications ran out or were withdrawn; some applicants met no category.
HISTORIC_MIX = {
    (S.CLOSED, HIRED): 22,
    (S.CLOSED, AFTER_POST): 24,
    (S.CLOSED, NOT_NEEDED): 8,
    (S.EXPIRED, AFTER_PLAN): 14,
    (S.EXPIRED, AFTER_POST): 4,
    (S.DECLINED, AT_REVIEW): 13,
    (S.DECLINED, AFTER_NOTICE): 2,
    (S.WITHDRAWN, AFTER_PLAN): 7,
    (S.WITHDRAWN, REFERRED): 2,
    (S.WITHDRAWN, IN_POST): 4,
}
# The open part: in post for up to three years, or somewhere on the way there.
OPEN_MIX = {
    (S.APPLIED, ""): 8,
    (S.UNDER_REVIEW, ""): 9,
    (S.ON_NOTICE, ""): 6,
    (S.CERTIFIED, ""): 5,
    (S.PLAN_ACTIVE, ""): 16,
    (S.REFERRED, POST): 6,
    (S.REFERRED, JOB): 3,
    (S.PLACEMENT_PROPOSED, ""): 3,
    (S.PLACED, ""): 3,
    (S.IN_POST, ""): 37,
    (S.EXITED, ""): 4,
}
OPEN_STATES = frozenset(state for state, _way in OPEN_MIX)
# How many days ago an open case was applied for (inclusive); moved later when its
# certification would have lapsed or its term ended, earlier when its steps need more time.
OPEN_AGE_DAYS: dict[str, tuple[int, int]] = {
    S.APPLIED: (0, 5),
    S.UNDER_REVIEW: (1, 15),
    S.ON_NOTICE: (10, 30),
    S.CERTIFIED: (30, 60),
    S.PLAN_ACTIVE: (40, 600),
    S.REFERRED: (60, 600),
    S.PLACEMENT_PROPOSED: (60, 500),
    S.PLACED: (60, 500),
    S.IN_POST: (80, 1000),
    S.EXITED: (150, 650),
}
# Past cases were applied for at least this many days ago: their steps take that long.
HISTORIC_MIN_DAYS = {
    AT_REVIEW: 10,
    AFTER_NOTICE: 40,
    HIRED: 150,
    NOT_NEEDED: 120,
    AFTER_PLAN: 100,
    REFERRED: 150,
    IN_POST: 250,
    AFTER_POST: 300,
}
# Certifications last two years or more and placements up to three (more near retirement).
HISTORY_DAYS = 5 * 365
RECENT_DAYS = 7  # past cases ended at least a day ago and were applied for before this
OPEN_PER_CASEWORKER = 60  # caseworkers are added so that nobody holds many more open cases
OPEN_PER_SUPERVISOR = 300
# Posts: one per this many post referrals of a load, with PLACES places each to start
# with (about a third of the referrals hold a place at any time); a post gets another
# place when all of them are held.
REFERRALS_PER_POST = 40
PLACES = (9, 19)
FAR = 10**7  # a place held by an open case: until further notice (a day ordinal)

# The flow tasks AssistanceFlow has made by the time a case is in each open state;
# the last one is open.
_TO_DECIDE = ("start", "review", "after_review", "decide")
_TO_SUPPORT = (*_TO_DECIDE, "after_decide", "support")
_TO_APPROVE = (*_TO_SUPPORT, "after_support", "approve_placement")
_TO_POST = (*_TO_APPROVE, "after_approval", "in_post")
FLOW_PATHS: dict[str, tuple[str, ...]] = {
    S.APPLIED: ("start", "review"),
    S.UNDER_REVIEW: ("start", "review"),
    S.ON_NOTICE: _TO_DECIDE,
    S.CERTIFIED: _TO_SUPPORT,
    S.PLAN_ACTIVE: _TO_SUPPORT,
    S.REFERRED: _TO_SUPPORT,
    S.PLACEMENT_PROPOSED: _TO_APPROVE,
    S.PLACED: _TO_POST,
    S.IN_POST: _TO_POST,
    S.EXITED: (*_TO_POST, "after_post", "support_again"),
}

# -- applicants ------------------------------------------------------------------------------

# Ages on the day of application: hardship applicants are mostly older.
ELIGIBLE_AGES = (30, 57)
DECLINED_AGES = (22, 36)
# Nobody applies within this many days of statutory retirement (the route needs the time).
RETIREMENT_MARGIN = datetime.timedelta(days=400)
# Share of applicants with each declared fact (a category of the shipped rule sets).
FACT_SHARES = (
    ("disability_certificate", 0.05),
    ("dibao_family", 0.08),
    ("zero_employment_family", 0.04),
    ("land_requisitioned", 0.06),
    ("single_parent_of_minors", 0.04),
)
OTHER_REASONS = (
    "自主就业退役士兵，退役后一年以上未实现就业。",
    "刑满释放人员，释放后未实现就业。",
    "戒毒康复人员，经社区康复后未实现就业。",
)
FEMALE_55_SHARE = 0.1  # women whose original retirement age was 55 (staff)
OTHER_SHARE = 0.01  # applicants with another reason (a category "other" tests)
DISABILITY_LEVELS = ("肢体残疾四级", "肢体残疾三级", "听力残疾四级", "视力残疾四级")
DIBAO_OFFICES = ("城民低保字", "城东民保字")

# -- the steps' texts ---------------------------------------------------------------------

DECLINED_AT_REVIEW = (
    "经初审，申请人不符合本地就业困难人员认定的任何类别，不予认定；可继续享受基本公共就业服务。",
    "申请人提交的材料不能证明其符合认定类别，经一次性告知后未补正，不予认定。",
)
DECLINED_AFTER_NOTICE = (
    "公示期间收到实名异议，经核实申请人已在企业稳定就业并参加社会保险，不予认定。",
    "公示期间经核查，申请人已办理个体工商户登记并正常经营，不予认定。",
)
WITHDRAWALS = (
    "经核查，申请人已稳定就业并参加社会保险，撤销就业困难人员认定。",
    "申请人本人书面申请放弃就业援助，撤销认定。",
    "申请人户籍已迁出本地并在外地就业，撤销认定。",
)
GUIDANCE = (PlanItem.Kind.GUIDANCE.value, "职业指导面谈，了解就业意愿和身体状况")
TRAININGS = (
    (PlanItem.Kind.TRAINING.value, "参加家政服务员（初级）培训"),
    (PlanItem.Kind.TRAINING.value, "参加保洁员技能培训"),
    (PlanItem.Kind.TRAINING.value, "参加养老护理员（初级）培训"),
    (PlanItem.Kind.TRAINING.value, "参加电子商务基础培训"),
)
MATCHING = (PlanItem.Kind.MATCHING.value, "开展一对一岗位对接，推荐用人单位岗位")
POST_ITEM = (PlanItem.Kind.POST_REFERRAL.value, "推荐公益性岗位")
DONE_NOTE = "已完成"
JOBS = (
    "仓库理货员",
    "物业保洁员",
    "小区保安",
    "食堂帮厨",
    "快递分拣员",
    "超市理货员",
    "家政服务员",
)
VISITS = (
    "回访：在岗表现良好，按时出勤。",
    "回访：用人单位反映工作认真负责。",
    "回访：本人反映已适应岗位，无困难。",
    "回访：提醒按时参加岗位安全培训。",
)
# Public-welfare posts (公益性岗位) by kind: (title, place); a rural post takes new hires
# up to 60 (docs/domain.md, "Public-welfare posts"). Titles other than the demo's own.
POSTS = {
    Post.Kind.REGULAR.value: (
        ("城市道路保洁员", "{street}街道主次干道"),
        ("社区公共设施维护员", "{street}街道各社区"),
        ("公共绿地养护员", "{street}街道街头绿地"),
        ("社区治安巡防员", "{street}街道各社区"),
        ("社区养老服务助理", "{street}街道居家养老服务站"),
    ),
    Post.Kind.TEMPORARY.value: (
        ("河道汛期巡查员", "{street}街道沿河堤岸"),
        ("冬季除雪保障员", "{street}街道主次干道"),
        ("大型活动秩序引导员", "城东区体育中心及周边"),
    ),
    Post.Kind.RURAL.value: (
        ("农村保洁员", "{town}镇各行政村"),
        ("村级河道管护员", "{town}镇辖区河道"),
        ("护林员", "{town}镇集体林区"),
    ),
}
POST_KINDS = (Post.Kind.REGULAR.value, Post.Kind.TEMPORARY.value, Post.Kind.RURAL.value)
POST_KIND_CUM = (0.6, 0.85, 1.0)
RURAL_AGE_LIMIT = 60
STREETS = ("幸福", "新华", "建设", "人民", "和平", "光明")
TOWNS = ("三河", "石桥", "青山", "柳塘")
SUBSIDIES = tuple(Decimal(n) for n in range(1800, 2201, 10))

DAYS = [datetime.timedelta(days=n) for n in range(4000)]
MINUTE = datetime.timedelta(minutes=1)
OPENS, OFFICE_SECONDS = datetime.time(8, 30), 9 * 3600  # staff work from 8:30, for 9 hours
SECONDS = [datetime.timedelta(seconds=n) for n in range(OFFICE_SECONDS)]
TERM_ENDED_SHARE = 0.55  # of those whose term ended by now, who stayed to its end
# Why people leave a post before its term ends: a market job, resigned, dismissed.
EARLY_EXITS = (ExitReason.MARKET_JOB.value, ExitReason.RESIGNED.value, ExitReason.DISMISSED.value)
EARLY_EXIT_CUM = (0.5, 0.9, 1.0)
HOUR = datetime.timedelta(hours=1)
# Plain strings for the hot loop (enum lookups cost several times more).
FEMALE = Sex.FEMALE.value
MALE_60, FEMALE_50, FEMALE_55 = (g.value for g in RetirementGroup)
TEMPORARY, RURAL = Post.Kind.TEMPORARY.value, Post.Kind.RURAL.value
TERM_ENDED, WITHDRAWN_EXIT = ExitReason.TERM_ENDED.value, ExitReason.WITHDRAWN.value
AGE, FACT, UNEMPLOYED = Test.AGE.value, Test.FACT.value, Test.UNEMPLOYED.value
NEAR_RETIREMENT = Test.NEAR_RETIREMENT.value
OPEN_ITEM, DONE_ITEM = PlanItem.Status.OPEN.value, PlanItem.Status.DONE.value

# The columns each table's rows fill, in order.
CASE_COLUMNS = (
    "id",
    "code",
    "market_id",
    "owner_id",
    "process_id",
    "created_at",
    "updated_at",
    "state",
    "person_id",
    "rule_set_id",
    "applied_on",
    "zero_employment_family",
    "land_requisitioned",
    "single_parent_of_minors",
    "unemployment_registered_on",
    "other_reason",
    "retirement_group",
    "review_due",
    "notice_starts",
    "notice_ends",
    "proposed_categories",
    "proposed_by_id",
    "proposed_at",
    "approved_by_id",
    "certified_on",
    "certification_expires",
    "tier",
    "tier_computed",
    "tier_reason",
    "decision_reason",
    "outcome",
    "ended_at",
)
SENSITIVE_COLUMNS = (
    "case_id",
    "disability_certificate",
    "disability_certificate_no",
    "disability_level",
    "dibao_family",
    "dibao_reference",
)
ITEM_COLUMNS = ("case_id", "kind", "description", "due_on", "status", "done_on", "note")
POST_COLUMNS = (
    "id",
    "market_id",
    "employer_id",
    "title",
    "place",
    "kind",
    "places",
    "monthly_subsidy",
    "age_limit",
    "is_open",
    "created_at",
)
REFERRAL_COLUMNS = (
    "id",
    "case_id",
    "kind",
    "post_id",
    "employer_id",
    "job_title",
    "status",
    "referred_at",
    "referred_by_id",
    "outcome_at",
    "note",
)
PLACEMENT_COLUMNS = (
    "case_id",
    "referral_id",
    "post_id",
    "status",
    "proposed_by_id",
    "proposed_at",
    "approved_by_id",
    "approved_at",
    "subsidy_approved_on",
    "starts_on",
    "term_ends_on",
    "term_rule",
    "ended_on",
    "exit_reason",
)


@dataclass
class LoadResult:
    cases: int = 0
    states: Counter = field(default_factory=Counter)
    persons: int = 0
    organizations: int = 0
    posts: int = 0
    caseworkers_created: int = 0
    supervisors_created: int = 0
    plan_items: int = 0
    referrals: int = 0
    placements: int = 0
    processes: int = 0
    tasks: int = 0
    events: int = 0
    seconds: float = 0.0
    # What was created, for a benchmark that removes its own data afterwards.
    person_ids: list[int] = field(default_factory=list, repr=False)
    organization_ids: list[int] = field(default_factory=list, repr=False)
    post_ids: list[int] = field(default_factory=list, repr=False)
    user_ids: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "cases": self.cases,
            "open": sum(n for state, n in self.states.items() if state in OPEN_STATES),
            "states": dict(sorted(self.states.items())),
            "persons": self.persons,
            "organizations": self.organizations,
            "posts": self.posts,
            "caseworkers_created": self.caseworkers_created,
            "supervisors_created": self.supervisors_created,
            "plan_items": self.plan_items,
            "referrals": self.referrals,
            "placements": self.placements,
            "processes": self.processes,
            "tasks": self.tasks,
            "events": self.events,
            "seconds": round(self.seconds, 1),
        }


def load_hardship(
    count: int,
    *,
    market: Market,
    open_fraction: float = 0.02,
    batch_size: int = 10_000,
    seed: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    analyze: bool = True,
) -> LoadResult:
    """Write ``count`` realistic hardship-assistance cases of ``market`` in bulk.

    They were applied for over the last five years, each by a new applicant (Person,
    valid GB 11643 number nobody else has, made-up name and mobile),
    under the active rule set (as the services do: they keep no history of rule sets).
    Most are in a final state: closed (hired through a referral to an employer's job,
    after leaving a public-welfare post, or no longer in need), certification expired
    or withdrawn, or not certified. ``open_fraction`` of them (at least one per open
    route) are open: new applications, reviews, public notices, certified people with a
    support plan, referred, a placement waiting for approval or approved, in post (the
    most), or back from a post. ``ROUTES`` lists the steps behind each.
    Each batch of ``batch_size`` is one transaction.

    Every case gets the rows the services write with it: its declared facts and its
    SensitiveFacts row; the review and notice deadlines from the working calendar; the
    categories the rule set matches on the day of the proposal and the service level
    the rules give; the approving supervisor (never the proposer); support-plan items;
    referrals to employers' jobs or to public-welfare posts; and placements with their
    term as ``services.placement_term`` fixes it. Codes HA-<year of application>-<n>
    are reserved from CodeSequence, so cases filed later continue after them. Written
    once per load: the posts (regular, temporary and rural, run by street offices and
    townships) with enough places for every referral that holds one at any time, the
    employers of the referrals to market jobs, and caseworkers and a supervisor when
    the market has too few.

    Every open case also gets what the services would have made: its viewflow Process
    and the tasks AssistanceFlow creates, the last one open (new applications and
    approvals unassigned in the queues, the rest held by the case's caseworker), so
    the queue, its tabs and the case page work on it; its hash-chained audit events,
    follow-up visits of people in post among them, with their ChainHead.

    Past cases get no Process, audit events or documents: nothing acts on them any
    more, and those rows would take most of the loading time; their dates, holders,
    outcome and reasons are filled in. Nobody waits for a post's place (no waiting
    list), and text messages are not written.
    """
    started = time.monotonic()
    counts = route_counts(count, open_fraction)
    loader = _Loader(market, random.Random(seed), batch_size)  # noqa: S311  (made-up data)
    loader.prepare(counts)
    done = 0
    for batch in loader.batches(counts):
        with transaction.atomic(), _collector_paused():
            loader.write_batch(batch)
        done += len(batch)
        if progress:
            progress(done, count, time.monotonic() - started)
    if analyze:  # fresh planner statistics for the queries that follow a large load
        loader.writer.analyze(
            [
                AssistanceCase,
                SensitiveFacts,
                PlanItem,
                Referral,
                Placement,
                Post,
                Person,
                Process,
                Task,
                CaseEvent,
            ]
        )
    loader.result.seconds = time.monotonic() - started
    return loader.result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is made: its rows and cases make no
    cycles, and the collector's passes over them cost a fifth of the loading time."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def route_counts(count: int, open_fraction: float = 0.02) -> dict[tuple[str, str], int]:
    """How many cases of each route ``count`` cases have."""
    open_total = min(count, max(round(count * open_fraction), len(OPEN_MIX)))
    counts = apportion(open_total, OPEN_MIX, at_least_one=True)
    counts.update(apportion(count - open_total, HISTORIC_MIX, at_least_one=True))
    return counts


# -- one case being made ---------------------------------------------------------------------


class _NoRoom(Exception):
    """The route does not fit between the day of application and its latest day."""


class _TooLate(Exception):
    """An open case applied for too long ago (its certification or term would be over)."""


class _Retry(Exception):
    """The applicant does not fit the route: draw another."""


@dataclass(slots=True)
class _Item:
    kind: str
    what: str
    added: datetime.datetime
    due: datetime.date
    done: datetime.datetime | None = None  # an open case's: for its trail
    done_on: datetime.date | None = None


@dataclass(slots=True)
class _Referral:
    kind: str
    at: datetime.datetime
    status: str
    pk: int = 0
    post_kind: str = ""  # until the post itself is known (the span of its place)
    post: int | None = None
    employer: int | None = None
    job: str = ""
    outcome_at: datetime.datetime | None = None
    until: int = FAR  # the last day it holds a post's place (an ordinal)


@dataclass(slots=True)
class _Placement:
    proposed: datetime.datetime
    status: str = Placement.Status.PROPOSED.value
    approved: datetime.datetime | None = None
    starts: datetime.date | None = None
    started: datetime.datetime | None = None  # when the start was recorded
    term_ends: datetime.date | None = None
    term_rule: str = ""
    ended: datetime.date | None = None
    exited: datetime.datetime | None = None  # when the exit was recorded
    reason: str = ""


@dataclass(slots=True)
class _Case:
    """One case as its route leaves it; ``last`` is the moment of its latest step.

    Every moment is an aware datetime in China time, so its ``date()`` is the local day.
    """

    state: str
    way: str
    at: datetime.datetime  # applied
    until: datetime.datetime  # no step after this
    person: tuple  # its PERSON_COLUMNS row
    facts: Facts
    retires: datetime.date
    filer: Staff  # who recorded the application
    review_due: datetime.date
    last: datetime.datetime
    open: bool  # in an open state: its trail and flow are written
    pk: int = 0
    code: str = ""
    sensitive: tuple = (False, "", "", False, "")
    owner: Staff | None = None
    certifier: Staff | None = None
    approver: Staff | None = None  # of the placement, or of the withdrawal
    reviewed: datetime.datetime | None = None
    proposed: datetime.datetime | None = None
    notice_starts: datetime.date | None = None
    notice_ends: datetime.date | None = None
    categories: list[str] = field(default_factory=list)
    tier: str = ""
    certified: datetime.datetime | None = None
    certified_on: datetime.date | None = None
    expires: datetime.date | None = None
    items: list[_Item] = field(default_factory=list)
    planned: datetime.datetime | None = None
    referral: _Referral | None = None
    placement: _Placement | None = None
    visits: list[tuple[datetime.datetime, str]] = field(default_factory=list)
    ended: datetime.datetime | None = None
    outcome: str = ""
    reason: str = ""

    def certified_until(self) -> datetime.date:
        assert self.expires is not None, "certified first"
        return self.expires

    def held(self) -> tuple[_Referral, _Placement]:
        assert self.referral is not None and self.placement is not None, "placed first"
        return self.referral, self.placement

    def holder(self) -> Staff:
        assert self.owner is not None, "reviewed first"
        return self.owner


@dataclass
class _Rows:
    """The rows of one batch besides the cases, table by table."""

    sensitive: list = field(default_factory=list)
    items: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    placements: list = field(default_factory=list)
    processes: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    previous: list = field(default_factory=list)
    events: list = field(default_factory=list)
    heads: list = field(default_factory=list)


class _Places:
    """Which post's place each post referral holds, and over which days.

    A referral holds a place from the day it is made to the day it is released (the
    placement's last day), as ``referral_to_post`` and ``_promote_waitlist`` keep it:
    each place holds such spans, never two at once. A span goes to the place free the
    longest when that place is free on its first day (spans come roughly in order of
    time), else to a place where it fits between others, else to a new place in one of
    the posts of its kind: a post's ``places`` is never less than the referrals holding
    one at any time.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Per kind of post: its places as [post, first days, last days, latest last day].
        self.slots: dict[str, list[list]] = defaultdict(list)
        # Per kind: (latest last day, place) of every place, the one free longest first;
        # an entry whose day is no longer its place's latest is stale.
        self.free: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.posts: dict[str, list[int]] = defaultdict(list)
        self.places: dict[int, int] = {}
        self.grown: set[int] = set()

    def add_post(self, pk: int, kind: str, places: int) -> None:
        self.posts[kind].append(pk)
        self.places[pk] = places
        for _place in range(places):
            self._add_slot(kind, pk)

    def _add_slot(self, kind: str, pk: int) -> int:
        slots = self.slots[kind]
        slots.append([pk, [], [], -1])
        heapq.heappush(self.free[kind], (-1, len(slots) - 1))
        return len(slots) - 1

    def hold(self, kind: str, first: int, last: int) -> int:
        """A post of ``kind`` with a place free from day ``first`` to ``last`` (ordinals)."""
        slots, free = self.slots[kind], self.free[kind]
        while free and free[0][0] != slots[free[0][1]][3]:
            heapq.heappop(free)
        if free and free[0][0] < first:
            return self._put(kind, free[0][1], first, last)
        for _try in range(4):
            i = self.rng.randrange(len(slots))
            _pk, starts, ends, _latest = slots[i]
            at = bisect_right(starts, first)
            if not (at and ends[at - 1] >= first) and not (at < len(starts) and starts[at] <= last):
                return self._put(kind, i, first, last)
        pk = self.rng.choice(self.posts[kind])
        self.places[pk] += 1
        self.grown.add(pk)
        return self._put(kind, self._add_slot(kind, pk), first, last)

    def _put(self, kind: str, i: int, first: int, last: int) -> int:
        slot = self.slots[kind][i]
        at = bisect_right(slot[1], first)
        slot[1].insert(at, first)
        slot[2].insert(at, last)
        if last > slot[3]:
            slot[3] = last
            heapq.heappush(self.free[kind], (last, i))
        return slot[0]


class _Loader:
    def __init__(self, market: Market, rng: random.Random, batch_size: int) -> None:
        self.market, self.rng, self.batch_size = market, rng, batch_size
        self.writer = BulkWriter()
        self.result = LoadResult()
        self.calendar = WorkCalendar()
        self.now = timezone.now()
        self.today = self.now.astimezone(CST).date()
        self.first_day = self.today - DAYS[HISTORY_DAYS + 200]
        rule_set = RuleSet.active()
        if rule_set is None:
            raise RuntimeError("no active eligibility rule set to certify applicants by")
        self.rule_set: RuleSet = rule_set
        self.categories: list[Category] = list(rule_set.categories.all())
        # What an applicant can declare to meet a category: (fact, 0), or ("", months
        # registered unemployed).
        self.declarable = [
            (c.fact, 0) if c.test == Test.FACT else ("", c.months or 0)
            for c in self.categories
            if c.test in (Test.FACT, Test.UNEMPLOYED)
        ]
        # What each category tests, in the order rules.evaluate() reads them.
        self.tests = [
            (c.code, c.test, c.women_age, c.men_age, c.years, c.months, c.fact)
            for c in self.categories
        ]
        self.rules = {rule.group: rule for rule in RetirementRule.objects.all()}
        missing = set(RetirementGroup.values) - set(self.rules)
        if missing:
            raise RuntimeError(f"no retirement rule for {', '.join(sorted(missing))}")
        self.case_type = ContentType.objects.get_for_model(AssistanceCase).pk
        names = {name for path in FLOW_PATHS.values() for name in path}
        self.nodes = {name: AssistanceFlow.instance.node(name) for name in names}
        self.places = _Places(rng)
        self.random = rng.random
        self._retires: dict[tuple[datetime.date, str], datetime.date] = {}
        self._ids: dict[type, list[int]] = {}
        self.steps: dict[str, Callable[[_Case], None]] = {
            name: getattr(self, f"_{name}") for path in ROUTES.values() for name in path
        }
        self.exit_labels = {reason.value: str(reason.label) for reason in ExitReason}
        self.terms = self._terms()
        # The last day a step may fall on (an ordinal): yesterday for past cases, or today.
        self.last_day = {False: self.today.toordinal() - 1, True: self.today.toordinal()}
        self._others: dict[int, list[Staff]] = {}

    # -- staff, employers and posts ------------------------------------------------------

    def prepare(self, counts: dict[tuple[str, str], int]) -> None:
        open_total = sum(n for (state, _way), n in counts.items() if state in OPEN_STATES)
        with transaction.atomic():
            self.caseworkers = self._staff(Role.CASEWORKER, open_total / OPEN_PER_CASEWORKER)
            self.supervisors = self._staff(Role.SUPERVISOR, open_total / OPEN_PER_SUPERVISOR)
        self._read_calendar()
        # The ID numbers in use: each applicant gets a new one (person_row).
        self.taken = loading.taken(
            "id_number",
            lambda: Person.objects.filter(id_number__startswith=AREA_CODE).values_list(
                "id_number", flat=True
            ),
        )
        post_routes = sum(n for route, n in counts.items() if "refer_post" in ROUTES[route])
        job_routes = sum(n for route, n in counts.items() if "refer_job" in ROUTES[route])
        with transaction.atomic():
            self.writer.defer_checks()
            self.credit_codes = loading.taken(
                "credit_code", lambda: Organization.objects.values_list("credit_code", flat=True)
            )
            self.employers = self._organizations(max(5, job_routes // 100), "91")
            self.employer_names = dict(self.employers)
            self._posts(max(len(POST_KINDS), math.ceil(post_routes / REFERRALS_PER_POST)))

    def _staff(self, role: str, needed: float) -> list[Staff]:
        users = list(
            User.objects.filter(
                groups__name=role, staff_profile__markets=self.market, is_active=True
            ).order_by("pk")
        )
        missing = max(math.ceil(needed), 1) - len(users)
        if missing > 0:
            made = new_staff(self.market, role, missing, self.rng)
            users += made
            self.result.user_ids += [user.pk for user in made]
            if role == Role.SUPERVISOR:
                self.result.supervisors_created += len(made)
            else:
                self.result.caseworkers_created += len(made)
        return [Staff(user.pk, user.get_full_name() or user.username, role) for user in users]

    def _organizations(self, count: int, kind: str) -> list[tuple[int, str]]:
        """Employers: companies (credit code 91…) or government bodies (11…); (pk, name)."""
        rng = self.rng
        ids = self.writer.reserve_ids(Organization, count)
        rows, made = [], []
        for pk in ids:
            code = new_credit_code(rng, self.credit_codes, kind=kind)
            if kind == "91":
                name = f"城东{rng.choice(ORG_WORDS)}{rng.choice(ORG_TRADES)}有限公司"
            elif rng.random() < 0.7:
                name = f"城东区人民政府{rng.choice(STREETS)}街道办事处"
            else:
                name = f"城东区{rng.choice(TOWNS)}镇人民政府"
            employer = Organization.Kind.EMPLOYER.value
            address, phone = random_address(rng), random_landline(rng)
            rows.append((pk, employer, name, code, "", "", "", address, phone, self.now))
            made.append((pk, name))
        self.writer.write(Organization, ORGANIZATION_COLUMNS, rows)
        self.result.organizations += len(ids)
        self.result.organization_ids += ids
        return made

    def _posts(self, count: int) -> None:
        rng = self.rng
        bodies = self._organizations(max(1, count // 3), "11")
        kinds = [*POST_KINDS, *(self._post_kind() for _ in range(count - len(POST_KINDS)))]
        ids = self.writer.reserve_ids(Post, count)
        opened = datetime.datetime.combine(self.first_day, datetime.time(9), CST)
        rows = []
        self.posts: dict[int, str] = {}  # pk -> str(post), as the audit notes name it
        for pk, kind in zip(ids, kinds, strict=True):
            employer, employer_name = rng.choice(bodies)
            title, place = rng.choice(POSTS[kind])
            place = place.format(street=rng.choice(STREETS), town=rng.choice(TOWNS))
            places = rng.randint(*PLACES)
            age_limit = RURAL_AGE_LIMIT if kind == RURAL else None
            subsidy = rng.choice(SUBSIDIES)
            market_id = self.market.pk
            rows.append((pk, market_id, employer, title, place, kind, places, subsidy, age_limit))
            self.posts[pk] = f"{title}（{employer_name}）"
            self.places.add_post(pk, kind, places)
        self.writer.write(Post, POST_COLUMNS, [(*row, True, opened) for row in rows])
        self.result.posts += len(ids)
        self.result.post_ids += ids

    def _post_kind(self) -> str:
        return POST_KINDS[bisect_right(POST_KIND_CUM, self.rng.random())]

    # -- when each case was applied for ----------------------------------------------------

    def batches(self, counts: dict[tuple[str, str], int]) -> Iterator[list[tuple]]:
        """(applied at, route) pairs, oldest first, ``batch_size`` at a time."""
        rng = self.rng
        by_day: dict[int, list[tuple[str, str]]] = defaultdict(list)  # days ago -> routes
        expiry_days = (
            self.today - add_months(self.today, -self.rule_set.certification_months)
        ).days
        for route, n in counts.items():
            state, way = route
            if state in OPEN_STATES:
                low, high = OPEN_AGE_DAYS[state]
                for _ in range(n):
                    by_day[rng.randint(low, high)].append(route)
                continue
            least = HISTORIC_MIN_DAYS[way] + (expiry_days if state == S.EXPIRED else 0)
            for ago, k in self._historic_per_day(n, min(least, HISTORY_DAYS - 30)).items():
                by_day[ago] += [route] * k
        batch: list[tuple] = []
        for ago in sorted(by_day, reverse=True):
            routes = by_day[ago]
            rng.shuffle(routes)
            day = self.today - DAYS[ago]
            times = sorted(self._time_of_day(day) for _ in routes)
            batch += zip(times, routes, strict=True)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _historic_per_day(self, total: int, least: int) -> dict[int, int]:
        weights = {}
        for ago in range(max(least, RECENT_DAYS), HISTORY_DAYS + 1):
            weekday = (self.today - DAYS[ago]).weekday()
            growth = 0.6 + 0.4 * (1 - ago / HISTORY_DAYS)  # more applications in later years
            weights[ago] = growth * (1.0 if weekday < 5 else 0.1)  # offices open on weekdays
        return apportion(total, weights)

    def _time_of_day(self, day: datetime.date) -> datetime.datetime:
        """A moment in office hours (China time), never after now."""
        at = datetime.datetime(day.year, day.month, day.day, 8, 30, tzinfo=CST)
        at += datetime.timedelta(seconds=self.rng.randrange(9 * 3600))
        if at >= self.now:
            at = (self.now - MINUTE * self.rng.randrange(1, 60)).astimezone(CST)
        return at

    # -- one batch -------------------------------------------------------------------------

    def write_batch(self, batch: list[tuple]) -> None:
        writer = self.writer
        relaxed_commit(writer)
        writer.defer_checks()
        person_ids = writer.reserve_ids(Person, len(batch))
        cases = []
        # The applicants go to the server while the cases are made (no query meanwhile).
        with writer.stream(Person, PERSON_COLUMNS) as send:
            for (at, route), pk in zip(batch, person_ids, strict=True):
                cases.append(self._case(at, route, pk))
                send(cases[-1].person)
        cases.sort(key=lambda c: c.at)  # a few moved to fit their route
        for case, pk, code in zip(
            cases,
            writer.reserve_ids(AssistanceCase, len(cases)),
            reserve_codes(AssistanceCase.CODE_PREFIX, [c.at for c in cases]),
            strict=True,
        ):
            case.pk, case.code = pk, code
        self._reserve(cases)
        rows = _Rows()
        # The cases go to the server while their rows are made; the other tables after.
        with writer.stream(AssistanceCase, CASE_COLUMNS) as send:
            for case in cases:
                send(self._row(rows, case))
        write = writer.write
        write(SensitiveFacts, SENSITIVE_COLUMNS, rows.sensitive)
        write(PlanItem, ITEM_COLUMNS, rows.items)
        write(Referral, REFERRAL_COLUMNS, rows.referrals)
        write(Placement, PLACEMENT_COLUMNS, rows.placements)
        write(Process, PROCESS_COLUMNS, rows.processes)
        write(Task, TASK_COLUMNS, rows.tasks)
        write(Task.previous.through, ("from_task_id", "to_task_id"), rows.previous)
        write(CaseEvent, EVENT_COLUMNS, rows.events)
        write(ChainHead, HEAD_COLUMNS, rows.heads)
        self._grow_posts()
        result = self.result
        result.cases += len(cases)
        result.states.update(c.state for c in cases)
        result.persons += len(cases)
        result.person_ids += person_ids
        result.plan_items += len(rows.items)
        result.referrals += len(rows.referrals)
        result.placements += len(rows.placements)
        result.processes += len(rows.processes)
        result.tasks += len(rows.tasks)
        result.events += len(rows.events)

    def _reserve(self, cases: list[_Case]) -> None:
        """Keys for the rows others point at, reserved before the cases stream (the
        connection runs no other query during a COPY)."""
        referrals = [c.referral for c in cases if c.referral is not None]
        for referral, pk in zip(
            referrals, self.writer.reserve_ids(Referral, len(referrals)), strict=True
        ):
            referral.pk = pk
        paths = [FLOW_PATHS[c.state] for c in cases if c.open]
        needed = {Process: len(paths), Task: sum(len(path) for path in paths)}
        for model, count in needed.items():
            self._ids[model] = self.writer.reserve_ids(model, count)[::-1]

    def _take_id(self, model: type[models.Model]) -> int:
        return self._ids[model].pop()

    def _grow_posts(self) -> None:
        """Posts that needed more places for this batch's referrals get them."""
        grown = [Post(pk=pk, places=self.places.places[pk]) for pk in sorted(self.places.grown)]
        Post.objects.bulk_update(grown, ["places"])
        self.places.grown.clear()

    # -- walking a route -------------------------------------------------------------------

    def _case(self, at: datetime.datetime, route: tuple[str, str], person_id: int) -> _Case:
        """The case of ``route`` applied for at ``at``, moved when its route needs it."""
        state, way = route
        until = self.now if state in OPEN_STATES else self.now - DAYS[1]
        for _attempt in range(60):
            person = self._person(way, at, person_id)
            try:
                case = self._applicant(state, way, at, until, person)
                for step in ROUTES[route]:
                    self.steps[step](case)
                self._check_open(case)
            except (_NoRoom, _TooLate, _Retry) as problem:
                self.taken.discard(person[2])  # the number goes back: nobody has it
                if isinstance(problem, _NoRoom):
                    at = self._moved(at, -self.rng.randint(5, 40))
                elif isinstance(problem, _TooLate):
                    at = self._moved(at, self.rng.randint(5, 40))
                continue
            self._items_done(case)
            self._hold_place(case)
            return case
        raise RuntimeError(f"no {state} ({way}) case fits the calendar and the rules")

    def _moved(self, at: datetime.datetime, days: int) -> datetime.datetime:
        """``at`` moved by ``days``: not before the working days read, nor after now."""
        moved = at + DAYS[days] if days > 0 else at - DAYS[-days]
        latest = (self.now - MINUTE * self.rng.randrange(1, 60)).astimezone(CST)
        return max(min(moved, latest), self.opening[0])

    def _check_open(self, c: _Case) -> None:
        """An open case is still where the services would have left it today."""
        if not c.open:
            return
        if c.state == S.IN_POST:
            _referral, placement = c.held()
            if placement.term_ends is None or placement.term_ends < self.today:
                raise _TooLate
        elif c.expires is not None and c.expires < self.today:
            raise _TooLate  # the beat would have expired it, or no post could take it

    # -- moments ----------------------------------------------------------------------------

    def _moment(self, c: _Case, day: datetime.date) -> datetime.datetime:
        """A moment in office hours on the first working day from ``day``, after the
        case's latest step and not after its latest moment."""
        at = self.opening[bisect_left(self.workdays, day.toordinal())]
        at += SECONDS[int(self.rng.random() * OFFICE_SECONDS)]
        if at <= c.last:
            at = c.last + MINUTE * (1 + int(self.rng.random() * 30))
        if at > c.until:
            raise _NoRoom
        c.last = at
        return at

    def _later(
        self, c: _Case, low: int, high: int, last: datetime.date | None = None
    ) -> datetime.datetime:
        """A moment ``low``..``high`` days after the case's latest step: on ``last`` at the
        latest (a deadline of the rules), and within the case's time.

        Counted in day ordinals on the working days read once (a few calls per case).
        """
        workdays, start, random = self.workdays, c.last.toordinal(), self.random
        limit = self.last_day[c.open]
        deadline = last.toordinal() if last is not None else limit
        if deadline < limit:
            limit = deadline
        room = workdays[bisect_right(workdays, limit) - 1] - start
        if room < low:
            if limit != deadline or last is None:
                raise _NoRoom  # applied too late to get this far by now
            raise _TooLate if c.open else _Retry
        days = low + int(random() * ((high if high < room else room) - low + 1))
        at = (
            self.opening[bisect_left(workdays, start + days)]
            + SECONDS[int(random() * OFFICE_SECONDS)]
        )
        if at <= c.last:
            at = c.last + MINUTE * (1 + int(random() * 30))
        if at > c.until:
            raise _NoRoom
        if last is not None and at.date() > last:
            raise _TooLate if c.open else _Retry
        c.last = at
        return at

    def _read_calendar(self) -> None:
        """The working days from before the first day of the history to a year ahead, read
        once: the official schedule answers in tens of microseconds a day, and the cases are
        made while a COPY runs (no other query). Every day a route needs is among them:
        cases are never moved before the first, and no step is more than weeks ahead."""
        first, calendar = self.first_day, self.calendar
        calendar.preload(first.year, self.today.year + 2)
        days = (first + DAYS[n] for n in range((self.today - first).days + 366))
        self.workdays = [day.toordinal() for day in days if calendar.is_workday(day)]
        # When the offices open on each of them (China time).
        self.opening = [
            datetime.datetime.combine(datetime.date.fromordinal(n), OPENS, CST)
            for n in self.workdays
        ]

    def _pick(self, choices: Sequence[T]) -> T:
        """``rng.choice``, in a third of its time."""
        return choices[int(self.rng.random() * len(choices))]

    def _workday_from(self, day: datetime.date) -> datetime.date:
        """The first working day on or after ``day``."""
        at = bisect_left(self.workdays, day.toordinal())
        return datetime.date.fromordinal(self.workdays[at])

    def _workday_until(self, day: datetime.date) -> datetime.date:
        """The last working day on or before ``day``."""
        at = bisect_right(self.workdays, day.toordinal()) - 1
        return datetime.date.fromordinal(self.workdays[at])

    def _add_working_days(self, day: datetime.date, days: int) -> datetime.date:
        """``calendar.add_working_days``, from the days read once."""
        if days == 0:
            return day
        at = bisect_right(self.workdays, day.toordinal()) + days - 1
        return datetime.date.fromordinal(self.workdays[at])

    # -- the applicant ----------------------------------------------------------------------

    def _person(self, way: str, at: datetime.datetime, person_id: int) -> tuple:
        """A new person (PERSON_COLUMNS), registered when they applied."""
        applied = at.date()
        low, high = ELIGIBLE_AGES if way != AT_REVIEW else DECLINED_AGES
        # Aged ``low`` to ``high`` on the day of application.
        born = (_plus_years(applied, -high - 1) + DAYS[1], _plus_years(applied, -low))
        return person_row(self.rng, person_id, self.taken, born=born, now=at)

    def _applicant(
        self, state: str, way: str, at: datetime.datetime, until, person: tuple
    ) -> _Case:
        """What the person declared: they meet a category, unless declined at review."""
        eligible = way != AT_REVIEW
        random = self.rng.random
        applied = at.date()
        birth, sex = person[3], person[4]
        group = MALE_60
        if sex == FEMALE:
            group = FEMALE_55 if random() < FEMALE_55_SHARE else FEMALE_50
        retires = self._retirement(birth, group)
        if retires <= applied + RETIREMENT_MARGIN:
            raise _Retry
        facts = self._facts(birth, sex, group, applied, eligible)
        if not eligible and self._matches(facts, applied):
            raise _Retry
        filer = self.caseworkers[int(random() * len(self.caseworkers))]
        review_due = self._review_due_of(applied)
        open_ = state in OPEN_STATES
        c = _Case(state, way, at, until, person, facts, retires, filer, review_due, at, open_)
        if facts.disability_certificate or facts.dibao_family:
            c.sensitive = self._sensitive(c)
        return c

    def _facts(self, birth, sex: str, group: str, applied: datetime.date, eligible: bool) -> Facts:
        """What the applicant declares: eligible ones meet a category on the day."""
        random = self.rng.random
        flags = {}
        if eligible:
            flags = {name: True for name, share in FACT_SHARES if random() < share}
        months = self._months_unemployed(eligible)
        registered = None
        if months:
            registered = add_months(applied, -months) - DAYS[int(random() * 28)]
        other = ""
        if eligible and random() < OTHER_SHARE:
            other = OTHER_REASONS[int(random() * len(OTHER_REASONS))]
        facts = Facts(
            birth, sex, group, unemployment_registered_on=registered, other_reason=other, **flags
        )
        if not eligible or self._matches(facts, applied):
            return facts
        # Eligible, but no category yet: the applicant also declares what one tests.
        if not self.declarable:
            raise _Retry
        fact, months = self._pick(self.declarable)
        if fact:
            flags[fact] = True
        else:
            registered = add_months(applied, -months - 1 - int(random() * 12)) - DAYS[1]
        facts = Facts(
            birth, sex, group, unemployment_registered_on=registered, other_reason=other, **flags
        )
        if not self._matches(facts, applied):
            raise _Retry
        return facts

    def _months_unemployed(self, eligible: bool) -> int:
        """Months since the applicant registered as unemployed (0: not registered)."""
        random = self.rng.random
        if not eligible:
            return 0 if random() < 0.3 else 1 + int(random() * 3)
        r = random()
        if r < 0.4:
            return 1 + int(random() * 5)
        return 6 + int(random() * 6) if r < 0.7 else 12 + int(random() * 25)

    def _sensitive(self, c: _Case) -> tuple:
        rng, facts, number = self.rng, c.facts, c.person[2]
        disability = facts.disability_certificate
        level = rng.choice(DISABILITY_LEVELS) if disability else ""
        # 残疾人证号: the ID number and two digits (the kind and level of disability).
        certificate = f"{number}{rng.randint(1, 7)}{rng.randint(1, 4)}" if disability else ""
        reference = ""
        if facts.dibao_family:
            year = c.at.year - int(rng.random() * 3)
            serial = rng.randrange(1, 3000)
            reference = f"{rng.choice(DIBAO_OFFICES)}〔{year}〕第{serial:04d}号"
        return (disability, certificate, level, facts.dibao_family, reference)

    def _retirement(self, birth: datetime.date, group: str) -> datetime.date:
        """``retirement.retirement_date``, from the table read once."""
        key = (birth, group)
        day = self._retires.get(key)
        if day is None:
            day = add_months(birth, retirement_age_months(self.rules[group], birth))
            self._retires[key] = day
        return day

    def _matches(self, facts: Facts, on: datetime.date) -> list[str]:
        """The codes of the categories ``rules.evaluate`` matches, without its queries."""
        codes = []
        for code, test, women, men, years, months, fact in self.tests:
            if test == AGE:
                limit = women if facts.sex == FEMALE else men
                hit = limit is not None and facts.age_on(on) >= limit
            elif test == FACT:
                hit = getattr(facts, fact, False)
            elif test == UNEMPLOYED:
                gone = facts.months_unemployed(on)
                hit = gone is not None and months is not None and gone >= months
            elif test == NEAR_RETIREMENT:
                retires = self._retirement(facts.birth_date, facts.retirement_group)
                hit = years is not None and on < retires <= _plus_years(on, years)
            else:
                hit = bool(facts.other_reason.strip())
            if hit:
                codes.append(code)
        return codes

    def _review_due_of(self, day: datetime.date) -> datetime.date:
        return self._add_working_days(day, self.rule_set.review_working_days)

    def _notice_ends_of(self, day: datetime.date) -> datetime.date:
        return self._add_working_days(day, self.rule_set.notice_working_days)

    # -- review and certification -------------------------------------------------------------

    def _review(self, c: _Case) -> None:
        """A caseworker takes the application from the queue (review_start)."""
        c.owner = self.caseworkers[int(self.rng.random() * len(self.caseworkers))]
        if c.open:  # a past case's trail is not written: the proposal's wait covers it
            c.reviewed = self._later(c, 0, 3)

    def _propose(self, c: _Case) -> None:
        """certification_propose: the categories matched today, the notice from today."""
        c.proposed = self._later(c, 1, 8)
        day = c.proposed.date()
        c.categories = self._matches(c.facts, day)
        if not c.categories:
            raise _Retry
        matches = [Match(code, "", "", False) for code in c.categories]
        c.tier = service_tier(self.rule_set, matches, c.facts, day)
        c.notice_starts, c.notice_ends = day, self._notice_ends_of(day)

    def _certify(self, c: _Case) -> None:
        """A supervisor, not the proposer, certifies once the notice is over."""
        assert c.notice_ends is not None, "proposed first"
        c.certifier = self._approver(c)
        c.certified = self._moment(c, c.notice_ends + DAYS[1 + int(self.rng.random() * 7)])
        c.certified_on = c.certified.date()
        c.expires = add_months(c.certified_on, self.rule_set.certification_months)

    def _approver(self, c: _Case) -> Staff:
        """A supervisor who is not the caseworker (the two-person rule)."""
        holder = c.holder().id or 0
        others = self._others.get(holder)
        if others is None:
            others = self._others[holder] = [s for s in self.supervisors if s.id != holder]
            if not others:
                raise RuntimeError("the market needs a supervisor besides the caseworker")
        return others[int(self.rng.random() * len(others))]

    def _decline(self, c: _Case) -> None:
        if c.way == AT_REVIEW:
            c.ended = self._later(c, 1, 8)
            if self._matches(c.facts, c.ended.date()):
                raise _Retry
            c.reason = self._pick(DECLINED_AT_REVIEW)
        else:  # an objection during the public notice
            assert c.notice_ends is not None, "proposed first"
            c.ended = self._later(c, 1, 10, c.notice_ends)
            c.reason = self._pick(DECLINED_AFTER_NOTICE)

    # -- the support plan -----------------------------------------------------------------------

    def _first_item(self, c: _Case) -> None:
        """A certified case whose plan is not started yet: an item added, or none yet."""
        if self.rng.random() < 0.5:
            self._item(c, GUIDANCE, self._later(c, 0, 5), 3, 14)

    def _plan(self, c: _Case) -> None:
        """Items added (plan_item_add), then the plan started (plan_start)."""
        rng = self.rng
        added = self._later(c, 0, 10, c.certified_until())
        self._item(c, GUIDANCE, added, 3, 14)
        route = ROUTES[c.state, c.way]
        if "refer_post" in route:
            self._item(c, POST_ITEM, added, 10, 30)
        elif "refer_job" in route:
            self._item(c, MATCHING, added, 10, 40)
        if rng.random() < 0.4:
            self._item(c, self._pick(TRAININGS), added, 20, 60)
        c.planned = c.last = added + MINUTE * (2 + int(rng.random() * 10))
        if c.planned > c.until:
            raise _NoRoom

    def _item(self, c: _Case, what: tuple[str, str], added, low: int, high: int) -> None:
        due = added.date() + DAYS[low + int(self.rng.random() * (high - low))]
        c.items.append(_Item(*what, added, due))

    def _items_done(self, c: _Case) -> None:
        """When items were done: mostly by their day, the guidance always; none after the
        case ended (plan_item_done is for certified people) or after now. An open case's
        items get the moment for its trail, a past case's the day."""
        random = self.rng.random
        latest = min(c.ended or self.now, self.now)
        last_day = latest.astimezone(CST).date()
        for i, item in enumerate(c.items):
            if i and random() < 0.35:
                continue  # not done
            day = max(item.due - DAYS[int(random() * 5)], item.added.date())
            if not c.open:
                item.done_on = day if day < last_day else None
                continue
            at = datetime.datetime(day.year, day.month, day.day, 9, tzinfo=CST)
            at = max(at + HOUR * (random() * 8), item.added + MINUTE * 5)
            if at < latest:
                item.done, item.done_on = at, at.date()

    # -- referrals and placements ---------------------------------------------------------------

    def _refer_job(self, c: _Case) -> None:
        """referral_to_employer: point-to-point matching with an employer's market job."""
        at = self._later(c, 7, 120, c.certified_until())
        employer = self.employers[int(self.rng.random() * len(self.employers))][0]
        c.referral = _Referral(
            Referral.Kind.MARKET_JOB.value,
            at,
            Referral.Status.PENDING.value,
            employer=employer,
            job=self._pick(JOBS),
        )

    def _hire(self, c: _Case) -> None:
        """referral_outcome(hired=True): the case closes as employed in the same step."""
        assert c.referral is not None, "referred first"
        c.referral.outcome_at = c.ended = self._later(c, 5, 40)
        c.referral.status = Referral.Status.HIRED.value
        c.outcome = Outcome.EMPLOYED.value

    def _refer_post(self, c: _Case) -> None:
        """referral_to_post: a place reserved in a post the person may take (_check_post_fits)."""
        at = self._later(c, 7, 120, c.certified_until())
        day = at.date()
        if c.retires <= day or (c.open and c.retires <= self.today):
            raise _Retry
        kind = self._post_kind()
        if kind == RURAL and not self._fits_rural(c, day):
            kind = POST_KINDS[0]
        c.referral = _Referral(
            Referral.Kind.POST.value, at, Referral.Status.RESERVED.value, post_kind=kind
        )

    def _fits_rural(self, c: _Case, day: datetime.date) -> bool:
        ages = [c.facts.age_on(day)]
        if c.open:  # the rest of its route may run today
            ages.append(c.facts.age_on(self.today))
        return max(ages) <= RURAL_AGE_LIMIT

    def _propose_placement(self, c: _Case) -> None:
        c.placement = _Placement(self._later(c, 2, 20))

    def _approve_placement(self, c: _Case) -> None:
        """placement_approve: another supervisor than the proposer; the place is the person's."""
        referral, placement = c.held()
        c.approver = self._approver(c)
        placement.approved = self._later(c, 1, 7)
        placement.status = Placement.Status.APPROVED.value
        referral.status = Referral.Status.PLACED.value

    def _start_post(self, c: _Case) -> None:
        """placement_start: the term fixed from the first subsidy approval, the start day."""
        referral, placement = c.held()
        approved_on = c.last.date()
        starts = self._workday_from(approved_on + DAYS[1 + int(self.rng.random() * 14)])
        placement.starts = starts
        placement.started = self._moment(c, starts + DAYS[int(self.rng.random() * 3)])
        placement.term_ends, placement.term_rule = self._term(c.retires, referral.post_kind, starts)
        placement.status = Placement.Status.IN_POST.value

    def _term(self, retires: datetime.date, kind: str, starts: datetime.date) -> tuple:
        """``services.placement_term`` for a first placement (subsidy approved on the start
        day), with the retirement table read once: (last day, the rule applied)."""
        temporary, near, term, rules = self.terms
        if kind == TEMPORARY:
            return min(add_months(starts, temporary) - DAYS[1], retires), rules["temporary"]
        if add_months(starts, near) > retires:
            return retires, rules["near"] % {"day": retires}
        return min(add_months(starts, term) - DAYS[1], retires), rules["term"]

    def _terms(self) -> tuple[int, int, int, dict[str, str]]:
        """The months of the terms (settings) and their words, translated once."""
        months = settings.ASSISTANCE_TEMPORARY_MONTHS
        near = settings.ASSISTANCE_NEAR_RETIREMENT_YEARS
        years = settings.ASSISTANCE_TERM_YEARS
        until_retirement = _(
            "less than %(years)s years from retirement at the first subsidy approval: "
            "until retirement on %(day)s"
        )
        rules = {
            "temporary": _("temporary post: %(months)s months") % {"months": months},
            # The day differs from person to person: filled in for each.
            "near": until_retirement.replace("%(years)s", str(near)),
            "term": _("%(years)s-year term") % {"years": years},
        }
        return months, near * 12, years * 12, rules

    def _visit(self, c: _Case) -> None:
        """Follow-up visits (follow_up_record) about once a month while in post."""
        random = self.rng.random
        _referral, placement = c.held()
        at = placement.started or c.last
        while True:
            at += DAYS[20 + int(random() * 25)] + HOUR * (random() * 4)
            if at >= self.now:
                return
            c.visits.append((at, VISITS[int(random() * len(VISITS))]))
            c.last = at

    def _exit(self, c: _Case) -> None:
        """placement_end: at the end of the term, or earlier for another reason."""
        referral, placement = c.held()
        assert placement.starts is not None and placement.term_ends is not None, "started first"
        random = self.rng.random
        room = c.until.astimezone(CST).date()
        if placement.term_ends <= room and random() < TERM_ENDED_SHARE:
            ended, reason = placement.term_ends, TERM_ENDED
        else:
            last = min(placement.term_ends - DAYS[1], room - DAYS[1])
            if last < placement.starts:
                raise _NoRoom
            ended = placement.starts + DAYS[int(random() * ((last - placement.starts).days + 1))]
            reason = EARLY_EXITS[bisect_right(EARLY_EXIT_CUM, random())]
        placement.exited = self._moment(c, ended)
        placement.ended, placement.reason = ended, reason
        placement.status = Placement.Status.ENDED.value
        referral.status = Referral.Status.RELEASED.value
        referral.until = ended.toordinal()

    # -- how a past case ended --------------------------------------------------------------

    def _close(self, c: _Case) -> None:
        """case_close: after leaving a post (before the certification lapses, or at once),
        or without a referral when the person no longer needs help."""
        expires = c.certified_until()
        if c.placement is None:
            c.ended = self._later(c, 20, 300, expires)
            c.outcome = Outcome.NO_LONGER_NEEDED.value
            return
        _referral, placement = c.held()
        assert placement.ended is not None, "left the post first"
        if placement.ended >= expires:  # lapsed meanwhile: closed the day of the exit
            c.ended = c.last = c.last + MINUTE * (2 + int(self.rng.random() * 20))
        else:
            c.ended = self._later(c, 0, 10, expires)
        found_work = placement.reason == ExitReason.MARKET_JOB.value
        c.outcome = (Outcome.EMPLOYED if found_work else Outcome.EXITED).value

    def _expire(self, c: _Case) -> None:
        """expire_certifications (hourly): the first run after the day of expiry."""
        lapse = c.certified_until() + DAYS[1]
        at = datetime.datetime(lapse.year, lapse.month, lapse.day, tzinfo=CST)
        at += MINUTE * int(self.rng.random() * 60)
        c.ended = c.last = max(at, c.last + MINUTE * (1 + int(self.rng.random() * 50)))
        if c.ended > c.until:
            raise _NoRoom

    def _withdraw(self, c: _Case) -> None:
        """certification_withdraw: its referral released, its placement ended."""
        if c.placement is not None:  # in post
            _referral, placement = c.held()
            assert placement.term_ends is not None, "started first"
            c.ended = self._later(c, 1, 500, placement.term_ends)
            placement.ended, placement.reason = c.ended.date(), WITHDRAWN_EXIT
            placement.status = Placement.Status.ENDED.value
        elif c.referral is not None:  # referred, a place reserved
            c.ended = c.referral.outcome_at = self._later(c, 3, 30)
        else:
            c.ended = self._later(c, 10, 300, c.certified_until())
        if c.referral is not None:
            c.referral.status = Referral.Status.RELEASED.value
            c.referral.until = c.ended.date().toordinal()
        c.approver = self._approver(c)
        c.reason = self._pick(WITHDRAWALS)

    def _hold_place(self, c: _Case) -> None:
        """The post whose place the case's post referral holds over its span."""
        referral = c.referral
        if referral is None or referral.kind != Referral.Kind.POST:
            return
        first = referral.at.date().toordinal()
        referral.post = self.places.hold(referral.post_kind, first, referral.until)

    # -- the rows ----------------------------------------------------------------------------

    def _row(self, rows: _Rows, c: _Case) -> tuple:
        """The case's row; its other rows, and an open case's flow and trail, into ``rows``."""
        facts = c.facts
        rows.sensitive.append((c.pk, *c.sensitive))
        for item in c.items:
            done_on = item.done_on
            status, note = (DONE_ITEM, DONE_NOTE) if done_on else (OPEN_ITEM, "")
            rows.items.append((c.pk, item.kind, item.what, item.due, status, done_on, note))
        if c.referral is not None:
            self._referral_rows(rows, c)
        process_id = None
        if c.open:
            process_id = self._take_id(Process)
            self._events(rows, c)
            self._flow(rows, c, process_id)
        return (
            c.pk,
            c.code,
            self.market.pk,
            c.owner.id if c.owner else None,
            process_id,
            c.at,
            c.ended or c.last,
            c.state,
            c.person[0],
            self.rule_set.pk,
            c.at.date(),
            facts.zero_employment_family,
            facts.land_requisitioned,
            facts.single_parent_of_minors,
            facts.unemployment_registered_on,
            facts.other_reason,
            facts.retirement_group,
            c.review_due,
            c.notice_starts,
            c.notice_ends,
            c.categories,
            c.owner.id if c.owner and c.proposed else None,
            c.proposed,
            c.certifier.id if c.certifier else None,
            c.certified_on,
            c.expires,
            c.tier,
            c.tier,
            "",
            c.reason,
            c.outcome,
            c.ended,
        )

    def _referral_rows(self, rows: _Rows, c: _Case) -> None:
        referral, placement, owner = c.referral, c.placement, c.holder()
        assert referral is not None
        rows.referrals.append(
            (
                referral.pk,
                c.pk,
                referral.kind,
                referral.post,
                referral.employer,
                referral.job,
                referral.status,
                referral.at,
                owner.id,
                referral.outcome_at,
                "",
            )
        )
        if placement is None:
            return
        approver = c.approver.id if c.approver and placement.approved else None
        rows.placements.append(
            (
                c.pk,
                referral.pk,
                referral.post,
                placement.status,
                owner.id,
                placement.proposed,
                approver,
                placement.approved,
                placement.starts,  # the first subsidy approved on the first day
                placement.starts,
                placement.term_ends,
                placement.term_rule,
                placement.ended,
                placement.reason,
            )
        )

    def _events(self, rows: _Rows, c: _Case) -> None:
        """The audit trail of an open case: each step's event, oldest first."""
        steps: list[tuple] = [(c.at, c.filer, "applied", "", S.APPLIED, "")]
        owner = c.owner
        if c.reviewed:
            steps.append((c.reviewed, owner, "start_review", S.APPLIED, S.UNDER_REVIEW, ""))
        if c.proposed:
            note = f"符合{len(c.categories)}个认定类别，服务等级{c.tier}"
            steps.append((c.proposed, owner, "publish_notice", S.UNDER_REVIEW, S.ON_NOTICE, note))
        if c.certified:
            steps.append((c.certified, c.certifier, "certify", S.ON_NOTICE, S.CERTIFIED, ""))
        for item in c.items:
            steps.append((item.added, owner, "plan_item_added", "", None, item.what))
            if item.done is not None:
                steps.append((item.done, owner, "plan_item_done", "", None, item.what))
        if c.planned:
            steps.append((c.planned, owner, "start_plan", S.CERTIFIED, S.PLAN_ACTIVE, ""))
        if c.referral is not None:
            steps += self._referral_steps(c)
        steps += [(at, owner, FOLLOW_UP, "", None, note) for at, note in c.visits]
        steps.sort(key=lambda step: step[0])  # stable: one step's events keep their order
        state, events = S.APPLIED.value, []
        for at, actor, action, before, after, note in steps:
            state = after or state  # an event that is no transition records the state
            events.append((at, actor, action, str(before), str(state), note))
        chain, head = event_chain(self.case_type, c.pk, events)
        rows.events += chain
        rows.heads.append(head)

    def _referral_steps(self, c: _Case) -> list[tuple]:
        referral, owner = c.referral, c.owner
        assert referral is not None
        if referral.post is not None:
            post = self.posts[referral.post]
            reserved = ("post_reserved", post)
        else:
            assert referral.employer is not None
            post, employer = "", self.employer_names[referral.employer]
            reserved = ("referred_to_employer", f"{employer} {referral.job}")
        steps = [
            (referral.at, owner, "refer", S.PLAN_ACTIVE, S.REFERRED, ""),
            (referral.at, owner, *reserved[:1], "", None, reserved[1]),
        ]
        placement = c.placement
        if placement is None:
            return steps
        proposed = (S.REFERRED, S.PLACEMENT_PROPOSED)
        steps.append((placement.proposed, owner, "propose_placement", *proposed, post))
        if placement.approved:
            approved = (S.PLACEMENT_PROPOSED, S.PLACED)
            steps.append((placement.approved, c.approver, "approve_placement", *approved, post))
        if placement.started:
            note = f"{placement.starts} – {placement.term_ends}"
            steps.append((placement.started, owner, "start_post", S.PLACED, S.IN_POST, note))
        if placement.exited:
            note = self.exit_labels[placement.reason]
            steps.append((placement.exited, owner, "exit_post", S.IN_POST, S.EXITED, note))
        return steps

    def _flow(self, rows: _Rows, c: _Case, process_id: int) -> None:
        """The process and its tasks as AssistanceFlow and flows.run_step() leave them."""
        rows.processes.append(
            (process_id, AssistanceFlow, PROCESS.NEW, c.at, {}, self.case_type, c.pk)
        )
        placement = c.placement or _Placement(c.at)
        done = {
            "start": c.at,
            "review": c.proposed,
            "after_review": c.proposed,
            "decide": c.certified,
            "after_decide": c.certified,
            "support": placement.proposed,
            "after_support": placement.proposed,
            "approve_placement": placement.approved,
            "after_approval": placement.approved,
            "in_post": placement.exited,
            "after_post": placement.exited,
        }
        workers = {"decide": c.certifier, "approve_placement": c.approver}
        path = FLOW_PATHS[c.state]
        moment, previous = c.at, None
        for position, name in enumerate(path):
            node = self.nodes[name]
            human = node.task_type == "HUMAN"
            created = moment
            worker = workers.get(name, c.owner)
            if position == len(path) - 1:  # the open task: in a queue, or the holder's
                queued = name in workers or c.state == S.APPLIED
                task_owner = None if queued else worker
                status = STATUS.NEW if queued else STATUS.ASSIGNED
                started = finished = None
            else:
                task_owner = worker if human else None
                status = STATUS.DONE
                moment = finished = done[name] or moment
                started = finished if human or name == "start" else None
            task_id = self._take_id(Task)
            rows.tasks.append(
                (
                    task_id,
                    process_id,
                    node,
                    node.task_type,
                    status,
                    created,
                    started,
                    finished,
                    Token("start"),
                    task_owner.id if task_owner else None,
                    # viewflow copies the node's .Permission(...) onto its tasks.
                    getattr(node, "_owner_permission", None),
                    {},
                )
            )
            if previous is not None:
                rows.previous.append((task_id, previous))
            previous = task_id


def _plus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
