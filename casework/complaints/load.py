"""Many realistic complaints against job intermediaries, written in bulk, for
``manage.py seed_load`` and the benchmarks.

The rows are what the services would have left behind, written directly (COPY on
PostgreSQL, multi-row INSERT elsewhere, through ``casework.core.bulk``) because half a
million complaints through the services would take days. ``load_complaints``
documents what is written and what is left out.
"""

import datetime
import gc
import hashlib
import math
import random
import time
from bisect import bisect, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from casework.complaints import services
from casework.complaints.documents import CONDUCT_ZH
from casework.complaints.flows import ComplaintFlow
from casework.complaints.models import (
    PUBLISHED_PENALTIES,
    Channel,
    Complaint,
    DecisionItem,
    ExtensionRequest,
    FeedbackResult,
    Interview,
    NotAcceptedReason,
    Outcome,
    Penalty,
    PenaltyDecision,
    ReferralTarget,
    Sanction,
)
from casework.complaints.penalties import RULES, Conduct, Measure
from casework.core import loading
from casework.core.bulk import BulkWriter
from casework.core.calendar import WorkCalendar
from casework.core.demo import AREA_CODE
from casework.core.loading import (
    CST,
    EVENT_COLUMNS,
    GIVEN,
    HEAD_COLUMNS,
    ORG_WORDS,
    ORGANIZATION_COLUMNS,
    PERSON_COLUMNS,
    PROCESS_COLUMNS,
    SURNAMES,
    TASK_COLUMNS,
    Staff,
    apportion,
    event_chain,
    new_credit_code,
    new_staff,
    person_row,
    random_address,
    random_landline,
    received_batches,
    relaxed_commit,
    reserve_codes,
)
from casework.core.models import CaseEvent, ChainHead, HolidayOverride, Market
from casework.core.roles import Role
from casework.parties.models import Organization, Person


def _plain(choices: type[models.Choices]) -> SimpleNamespace:
    """A choices class's members as plain strings: each use of an enum member costs a
    descriptor call, and the loop over the complaints makes millions of them."""
    return SimpleNamespace(**{member.name: member.value for member in choices})


S = _plain(Complaint.State)
OUTCOME = _plain(Outcome)
REASON = _plain(NotAcceptedReason)
CONDUCT = _plain(Conduct)
ROLE = _plain(Interview.Role)
OUTCOMES = frozenset(Outcome.values)
FEEDBACK = "feedback"  # a closed complaint that was referred to labour inspection

# How complaints end. The docs give no figures for complaints against intermediaries
# (docs/domain.md, "Complaints"): these splits are plausible guesses for load tests,
# not statistics.
HISTORIC_MIX = {S.CLOSED: 72, S.NOT_ACCEPTED: 17, S.REFERRED: 11}
CLOSED_ENDINGS = (
    Outcome.ORDER_TO_CORRECT.value,
    Outcome.PENALTY_PROPOSED.value,
    Outcome.NO_VIOLATION.value,
    Outcome.MINOR_CORRECTED.value,
    FEEDBACK,
)
CLOSED_CUM = (34, 48, 72, 88, 100)
# The open part: still somebody's work, received recently.
OPEN_MIX = {
    S.RECEIVED: 18,
    S.SUPPLEMENT_REQUESTED: 6,
    S.ACCEPTED: 10,
    S.INVESTIGATING: 36,
    S.DECIDED: 8,
    S.RESPONDENT_HEARD: 6,
    S.AWAITING_FEEDBACK: 16,
}
# How many days ago an open complaint was received (inclusive); some are past their
# deadlines, as in any office.
OPEN_AGE_DAYS: dict[str, tuple[int, int]] = {
    S.RECEIVED: (0, 7),
    S.SUPPLEMENT_REQUESTED: (2, 20),
    S.ACCEPTED: (2, 12),
    S.INVESTIGATING: (8, 110),
    S.DECIDED: (20, 110),
    S.RESPONDENT_HEARD: (25, 120),
    S.AWAITING_FEEDBACK: (15, 150),
}
HISTORY_DAYS = 3 * 365
RECENT_DAYS = 30  # historic complaints were received at least this many days ago
HELD_PER_OFFICER = 40  # officers are added so that nobody holds many more complaints
MAX_TASKS = 12  # the longest path through ComplaintFlow to an open task

# Who complains, and how (guesses, as above).
CHANNELS = tuple(c.value for c in (Channel.COUNTER, Channel.PHONE, Channel.PORTAL, Channel.WEB))
CHANNEL_CUM = (30, 60, 75, 100)
STAFF_CHANNELS = frozenset(c.value for c in services.STAFF_CHANNELS)
ANONYMOUS_SHARE = dict(zip(CHANNELS, (0.05, 0.2, 0.0, 0.45), strict=True))
# Of the others: a registered person (always in the portal) rather than a name and a number.
REGISTERED_SHARE = dict(zip(CHANNELS, (0.5, 0.1, 1.0, 0.0), strict=True))
CONDUCTS = tuple(
    c.value
    for c in (
        Conduct.DEPOSIT,
        Conduct.FALSE_AD,
        Conduct.FRAUD,
        Conduct.UNLICENSED,
        Conduct.FEES_NOT_DISPLAYED,
        Conduct.ID_WITHHELD,
        Conduct.DATA_LEAKED,
        Conduct.DISCRIMINATION,
        Conduct.OTHER,
    )
)
CONDUCT_CUM = (22, 44, 57, 67, 77, 86, 92, 95, 100)
NOT_ACCEPTED_REASONS = tuple(
    r.value
    for r in (
        NotAcceptedReason.TOO_OLD,
        NotAcceptedReason.NO_RESPONDENT,
        NotAcceptedReason.NOT_COMPETENT,
        NotAcceptedReason.NO_SUPPLEMENT,
    )
)
NOT_ACCEPTED_CUM = (15, 40, 85, 100)
REFERRAL_TARGETS = tuple(
    t.value
    for t in (ReferralTarget.MARKET_REGULATION, ReferralTarget.POLICE, ReferralTarget.OTHER_MARKET)
)
REFERRAL_CUM = (45, 85, 100)
FEEDBACK_RESULTS = tuple(FeedbackResult.values)
FEEDBACK_CUM = (70, 90, 100)  # handled, not opened, transferred
FINE = Penalty.FINE.value
PENALTIES = (FINE, Penalty.WARNING.value, Penalty.NONE.value)
PENALTY_CUM = (75, 90, 100)
LICENCES = tuple(Organization.LicenceStatus.values)  # valid, suspended, revoked, none
LICENCE_CUM = (80, 88, 92, 100)
SUPPLEMENT_SHARE = 0.1  # of complaints held for a supplement before the decision
EXTENSION_SHARE = 0.06  # of investigations extended once
LATE_ACCEPTANCE = 0.04
LATE_INVESTIGATION = 0.06
ANALYZE_SHARE = 0.1  # a table grown by this share of its rows gets fresh statistics

# -- texts --------------------------------------------------------------------------------

TRADES = ("酒店服务员", "物流分拣", "工地小工", "电子厂普工", "保洁", "餐饮帮厨", "快递派送")
DEPOSIT_NAMES = ("工服押金", "保证金", "体检押金", "住宿押金")
FACTS: dict[str, str] = {
    Conduct.DEPOSIT: "在{name}登记求职，对方以“{label}”名义收取押金{amount}元，"
    "说好安排上岗后退还，至今未退。",
    Conduct.FALSE_AD: "在{name}看到“{trade}月薪{pay}元包吃住”的招聘信息，"
    "去了之后工作内容和工资都与广告不符。",
    Conduct.FRAUD: "{name}以介绍{trade}工作为名收取{fee}元“体检培训费”，"
    "之后一直没有安排工作，电话也打不通。",
    Conduct.ID_WITHHELD: "{name}以“统一办理入职手续”为由收走身份证，要求交{fee}元介绍费才归还。",
    Conduct.UNLICENSED: "{name}没有人力资源服务许可证，介绍一个{trade}工作收取介绍费{fee}元。",
    Conduct.FEES_NOT_DISPLAYED: "{name}门店没有公示收费标准，收取服务费{fee}元也不开收据。",
    Conduct.DATA_LEAKED: "在{name}登记求职后接到大量贷款和培训推销电话，"
    "对方能说出我的身份证号码和求职意向。",
    Conduct.DISCRIMINATION: "{name}发布的{trade}招聘信息写着“{condition}”，我去应聘被直接拒绝。",
    Conduct.OTHER: "{name}介绍的{trade}工作干完后，用工方迟迟不结工钱，中介也不管。",
}
ALSO: dict[str, str] = {
    Conduct.DEPOSIT: "另外还收了押金不退。",
    Conduct.FALSE_AD: "招聘广告上写的待遇也是假的。",
    Conduct.FRAUD: "收了钱之后就找不到人了。",
    Conduct.ID_WITHHELD: "身份证也被他们扣着不还。",
    Conduct.UNLICENSED: "后来才知道这家中介没有许可证。",
    Conduct.FEES_NOT_DISPLAYED: "店里也没有公示收费标准。",
    Conduct.DATA_LEAKED: "之后还不断接到推销电话。",
    Conduct.DISCRIMINATION: "招聘信息里还写着只招本地人。",
    Conduct.OTHER: "中介对此不闻不问。",
}
CONDITIONS = ("限男性", "不招外地人", "只招35岁以下未婚女性", "限本地户籍")
UNKNOWN_RESPONDENTS = (
    "路边职业介绍门店（名称不详）",
    "微信群“日结工”发布人",
    "火车站附近招工摊点",
    "自称“劳务公司”的个人",
)
SHORT_SUFFIXES = ("人力", "中介", "劳务", "职介所")
SUPPLEMENT_ITEMS = (
    "被投诉中介机构的名称或门牌地址",
    "缴费收据、转账记录或聊天记录截图",
    "招聘信息的截图或照片",
    "事情发生的具体日期及经手人姓名或外貌特征",
)
SUPPLEMENT_NOTES = (
    "投诉人已补充提交转账记录截图及门店地址。",
    "投诉人已补充提交招聘信息截图和经手人姓名。",
    "投诉人已补充提交收据照片。",
)
NOT_ACCEPTED_NOTES: dict[str, str] = {
    NotAcceptedReason.TOO_OLD: "投诉反映的行为距收到投诉已超过二年，依法不予受理。",
    NotAcceptedReason.NO_RESPONDENT: "投诉人无法提供被投诉人的名称、地址等信息，无法确定被投诉人。",
    NotAcceptedReason.NO_SUPPLEMENT: "投诉人未在补正期限内提交所需材料。",
}
# Not this office's power: (the authority, as {region} names it; the explanation).
NOT_COMPETENT = (
    (
        "{region}市场监督管理局",
        "投诉反映的是消费服务纠纷，不属于职业中介活动，请向市场监督管理部门反映。",
    ),
    (
        "{region}劳动保障监察大队",
        "投诉反映的是用工单位拖欠工资，属于劳动保障监察事项，请向劳动保障监察机构投诉。",
    ),
    ("{region}公安分局", "投诉反映的情况涉嫌诈骗犯罪，请向公安机关报案。"),
)
REFERRALS: dict[str, tuple[str, str]] = {
    ReferralTarget.MARKET_REGULATION: (
        "{region}市场监督管理局",
        "投诉反映被投诉人无照经营、虚假宣传，属于市场监督管理部门职责，依法移送处理。",
    ),
    ReferralTarget.POLICE: (
        "{region}公安分局",
        "投诉反映被投诉人以介绍工作为名收取费用后失联，涉嫌诈骗，依法移送公安机关处理。",
    ),
    ReferralTarget.OTHER_MARKET: (
        "被投诉人经营场所所在地零工市场",
        "被投诉人的经营场所不在本市场服务范围，依法移送其所在地零工市场处理。",
    ),
    ReferralTarget.LABOUR_INSPECTION: (
        "{region}劳动保障监察大队",
        "投诉反映的主要问题是被投诉人拖欠劳动者劳动报酬，属于劳动保障监察事项，依法移送处理。",
    ),
}
FEEDBACK_NOTES: dict[str, str] = {
    FeedbackResult.HANDLED: "已立案调查，责令被投诉人支付拖欠的劳动报酬。",
    FeedbackResult.NOT_OPENED: "经核查，不符合立案条件，不予立案。",
    FeedbackResult.TRANSFERRED: "已转交属地劳动保障监察机构处理。",
}
POSITIONS = ("负责人", "店长", "业务经理", "经营者")
ANSWERS = (
    "有这回事，当时不知道不允许，愿意改正。",
    "情况基本属实，具体金额需要核对台账。",
    "不属实，我们是按规定收费的。",
)
STATEMENTS = ("对调查认定的事实无异议，愿意按期改正。", "请求从轻处理。", "", "")
EXTENSION_REASON = "需调取被投诉人近一年的求职登记台账，并向其他求职人员核实情况。"
DEPOSITS = (200, 300, 500, 800, 1000)
FEES = (100, 150, 200, 300, 500, 600, 800)
PAYS = (6000, 7000, 8000, 9000, 10000)
# What the templates of FACTS draw from.
PARTICULARS = {
    "label": DEPOSIT_NAMES,
    "trade": TRADES,
    "pay": PAYS,
    "fee": FEES,
    "condition": CONDITIONS,
}

DAY = datetime.timedelta(days=1)
# Spans in seconds, for the moments of a complaint's story.
MINUTES, HOURS, DAYS = 60.0, 3600.0, 86400.0
EPOCH_DAY = datetime.date(1970, 1, 1).toordinal()
UTC_OFFSET = 8 * HOURS  # China time, the same all year
OPENS, OFFICE_SHARE = 8.5 * HOURS, 9 / 24  # office hours: 9 of the day's 24, from 8:30
SUPPLEMENT_DAYS = 15  # the time the complainant is given to send what is missing
SUPPLEMENT_DUE = datetime.timedelta(days=SUPPLEMENT_DAYS)
PUBLIC = Staff(None, "public", "public")

COLUMNS = tuple(f.attname for f in Complaint._meta.concrete_fields)
row_of = itemgetter(*COLUMNS)
INTERVIEW_COLUMNS = (
    "complaint_id",
    "held_at",
    "place",
    "interviewee_role",
    "interviewee_name",
    "interviewee_position",
    "investigators",
    "record",
    "recorded_by_id",
    "created_at",
)
ITEM_COLUMNS = (
    "complaint_id",
    "position",
    "conduct",
    "measures",
    "workers_affected",
    "amount",
    "justification",
)
EXTENSION_COLUMNS = (
    "complaint_id",
    "reason",
    "requested_by_id",
    "requested_at",
    "approved",
    "decided_by_id",
    "decided_at",
    "decision_note",
    "previous_due",
    "new_due",
)
SANCTION_COLUMNS = (
    "intermediary_id",
    "complaint_id",
    "market_id",
    "conduct",
    "outcome",
    "measures",
    "amount",
    "authority",
    "document_number",
    "decided_on",
    "published_at",
)
PENALTY_COLUMNS = (
    "complaint_id",
    "authority",
    "document_number",
    "decided_on",
    "penalty",
    "amount",
    "recorded_by_id",
    "recorded_at",
)
INTERMEDIARY_COLUMNS = (*ORGANIZATION_COLUMNS, "licence_status")


def _blank(f: models.Field):
    """What a column holds unless the loader sets it."""
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.JSONField):
        return []
    if isinstance(f, models.CharField | models.TextField) and not f.null:
        return ""
    return None


BLANK = {f.attname: _blank(f) for f in Complaint._meta.concrete_fields}


@dataclass
class LoadResult:
    complaints: int = 0
    states: Counter = field(default_factory=Counter)
    endings: Counter = field(default_factory=Counter)
    anonymous: int = 0
    persons: int = 0
    organizations: int = 0
    officers_created: int = 0
    supervisors_created: int = 0
    interviews: int = 0
    decision_items: int = 0
    extension_requests: int = 0
    sanctions: int = 0
    penalty_decisions: int = 0
    processes: int = 0
    tasks: int = 0
    events: int = 0
    seconds: float = 0.0
    # What was created, for a benchmark that removes its own data afterwards.
    person_ids: list[int] = field(default_factory=list, repr=False)
    organization_ids: list[int] = field(default_factory=list, repr=False)
    user_ids: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "complaints": self.complaints,
            "open": sum(n for state, n in self.states.items() if state in OPEN_MIX),
            "states": dict(sorted(self.states.items())),
            "closed_by": dict(sorted(self.endings.items())),
            "anonymous": self.anonymous,
            "persons": self.persons,
            "organizations": self.organizations,
            "officers_created": self.officers_created,
            "supervisors_created": self.supervisors_created,
            "interviews": self.interviews,
            "decision_items": self.decision_items,
            "extension_requests": self.extension_requests,
            "sanctions": self.sanctions,
            "penalty_decisions": self.penalty_decisions,
            "processes": self.processes,
            "tasks": self.tasks,
            "events": self.events,
            "seconds": round(self.seconds, 1),
        }


def load_complaints(
    count: int,
    *,
    market: Market,
    mix: dict[str, float] | None = None,
    open_fraction: float = 0.02,
    batch_size: int = 10_000,
    seed: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    analyze: bool = True,
) -> LoadResult:
    """Write ``count`` realistic complaints against intermediaries of ``market`` in bulk.

    They were received over the last three years at the counter, by phone, in the
    portal and through the public form (some anonymous, some with a name and a number
    only, some from registered workers), most in a final state: closed with a decision
    (an order to correct, a penalty proposed, no violation, minor and corrected) or
    after labour inspection's feedback, not accepted (with its reason), or referred
    elsewhere. ``open_fraction`` of them (at least one per open state) are open and
    recent: waiting in the queue or held by the market's complaint officers, from
    received to awaiting inspection feedback. ``mix`` ({state: weight}) replaces that
    split. Each batch of ``batch_size`` is one transaction; a load may run again for
    the same or another market.

    Written alongside: a pool of complainants (Person, valid GB 11643 numbers) and of
    intermediaries (Organization, valid credit codes, licences), a few of which draw
    most complaints; codes IC-<year of receipt>-<n> reserved from CodeSequence, so
    complaints filed later continue after them; the deadlines the services store
    (acceptance after 5 working days, moved on by a supplement's wait; the
    investigation after 60, 90 with an approved extension; inspection feedback after
    60), from the working calendar; each decision's conducts (DecisionItem) and
    investigation records (Interview); the extension requests; the public list's
    Sanction rows and the labour administration's PenaltyDecision; complaint officers
    when the market has too few for the open complaints, and a supervisor if it has
    none (extensions and penalty decisions need one).

    Every open complaint also gets its viewflow Process and the tasks ComplaintFlow
    creates, the last one open (waiting in the queue, or assigned to its holder), and
    its hash-chained audit events with their ChainHead, so the queue, "take" and the
    case page work on it.

    Historic complaints get no Process, audit events, documents, text messages or
    survey invitations: nothing acts on them any more, and those rows would take most
    of the loading time; their dates, holder and outcome fields are filled in. Overdue
    deadlines are left to the hourly sweep (``escalated_on`` stays empty).
    """
    started = time.monotonic()
    counts = state_counts(count, mix, open_fraction)
    loader = _Loader(market, random.Random(seed), batch_size)  # noqa: S311  (made-up data)
    loader.prepare(counts)
    done = 0
    with _no_cycle_collection():
        for batch in loader.batches(counts):
            with transaction.atomic():
                loader.write_batch(batch)
            done += len(batch)
            if progress:
                progress(done, count, time.monotonic() - started)
    if analyze:  # fresh planner statistics for the queries that follow a large load
        loader.analyze()
    loader.result.seconds = time.monotonic() - started
    return loader.result


def state_counts(count: int, mix: dict | None, open_fraction: float = 0.02) -> dict[str, int]:
    """How many complaints of each state ``count`` complaints have."""
    if mix is None:
        open_total = min(count, max(round(count * open_fraction), len(OPEN_MIX)))
        counts = apportion(open_total, OPEN_MIX, at_least_one=True)
        counts.update(apportion(count - open_total, HISTORIC_MIX))
        return counts
    unknown = set(mix) - set(Complaint.State.values)
    if unknown:
        raise ValueError(f"unknown states: {', '.join(sorted(unknown))}")
    return apportion(count, mix)


class _Workdays:
    """The working days of the loaded years, as the working calendar counts them.

    Read once and looked up by bisection: the calendar walks day by day, which a
    complaint's three deadlines would repeat a million times over. Kept for the next
    load while the override rows stay the same (a province load makes one per market).
    """

    _known: dict[tuple, list[int]] = {}

    def __init__(self, first: datetime.date, last: datetime.date):
        overrides = HolidayOverride.objects.filter(date__range=(first, last)).order_by("date")
        key = (first, last, tuple(overrides.values_list("date", "is_workday")))
        if key not in self._known:
            calendar = WorkCalendar()
            calendar.preload(first.year, last.year)
            days = (first + DAY * n for n in range((last - first).days + 1))
            self._known.clear()
            self._known[key] = [day.toordinal() for day in days if calendar.is_workday(day)]
        self.ordinals = self._known[key]

    # Days are date ordinals (datetime.date.toordinal()).

    def add(self, start: int, days: int) -> int:
        """WorkCalendar.add_working_days."""
        return self.ordinals[bisect_right(self.ordinals, start) + days - 1]

    def between(self, start: int, end: int) -> int:
        """WorkCalendar.working_days_between."""
        return bisect_right(self.ordinals, end) - bisect_right(self.ordinals, start)

    def resume(self, due: int, paused: int, resumed: int) -> int:
        """WorkCalendar.resume_after_pause."""
        return self.add(resumed, max(self.between(paused, due), 0))


@dataclass
class _Rows:
    """The rows of one batch besides the complaints, table by table."""

    interviews: list = field(default_factory=list)
    items: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    sanctions: list = field(default_factory=list)
    penalties: list = field(default_factory=list)
    processes: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    previous: list = field(default_factory=list)
    events: list = field(default_factory=list)
    heads: list = field(default_factory=list)


@dataclass(slots=True)
class _Case:
    """One complaint being made: its columns, its holder, its story and its trail."""

    pk: int
    at: datetime.datetime  # received
    t0: float  # the same, in seconds since the epoch
    state: str
    c: dict
    officer: Staff
    open: bool
    intermediary: "_Intermediary"  # the one complained about, found in the registry or not
    ending: str = ""  # how it was or is decided: an Outcome, FEEDBACK, or ""
    waiting: bool = False  # in the queue: nobody has taken it yet
    current: str = S.RECEIVED
    # Days (date ordinals) its steps count from.
    due: int = 0  # acceptance
    paused: int = 0  # the acceptance clock, while a supplement is awaited
    investigation_due: int = 0
    referred: int = 0
    events: list = field(default_factory=list)
    items: list = field(default_factory=list)
    interviewed: int = 0


@dataclass(frozen=True)
class _Intermediary:
    pk: int
    name: str
    credit_code: str
    short: str  # as complainants call it
    address: str


class _Loader:
    def __init__(self, market: Market, rng: random.Random, batch_size: int) -> None:
        self.market, self.rng, self.batch_size = market, rng, batch_size
        self.writer = BulkWriter()
        self.result = LoadResult()
        self.now = timezone.now()
        self.today = self.now.astimezone(CST).date()
        # The latest moment of a step: historic complaints ended at least a day ago.
        self.now_ts = now = self.now.timestamp()
        self.open_limit, self.historic_limit = now - 5 * MINUTES, now - DAYS
        self.complaint_type = ContentType.objects.get_for_model(Complaint).pk
        self.nodes = {name: ComplaintFlow.instance.node(name) for name in FLOW_NODES}
        region = market.region
        self.region = region
        self.place = region[:-1] if len(region) > 2 and region[-1] in "区县市" else region
        self.interview_place = f"{market.name}投诉调查室"
        self.authority = f"{region}人力资源和社会保障局"
        self._ids: dict[type, list[int]] = {}
        self._labels()
        self.particulars = _Drawn(self._pick)  # one for all: made anew, it costs more
        # Read once: every complaint needs them, and settings are slow to read.
        self.acceptance_days = settings.COMPLAINT_ACCEPTANCE_WORKING_DAYS
        self.investigation_days = settings.COMPLAINT_INVESTIGATION_WORKING_DAYS
        self.extension_days = settings.COMPLAINT_EXTENSION_WORKING_DAYS
        self.statement_days = settings.COMPLAINT_STATEMENT_DAYS
        self.feedback_days = settings.COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS

    def _labels(self) -> None:
        """The choice labels the services write into the trail, in the site's language."""
        with translation.override(settings.LANGUAGE_CODE):
            self.channel_labels = {c.value: str(c.label) for c in Channel}
            self.outcome_labels = {o.value: str(o.label) for o in Outcome}
            self.role_labels = {r.value: str(r.label) for r in Interview.Role}
        self.results = {o: services.default_result(Complaint(outcome=o)) for o in OUTCOMES}
        # Filled in with each referred complaint's feedback (a new instance costs more).
        self.told = Complaint(state=S.AWAITING_FEEDBACK)

    # -- staff, complainants and intermediaries --------------------------------------------

    def prepare(self, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        held = sum(n for state, n in counts.items() if state in OPEN_MIX)
        self.workdays = _Workdays(self.today - DAY * (HISTORY_DAYS + 30), self.today + DAY * 600)
        with transaction.atomic():
            officers = self._staff(Role.COMPLAINT_OFFICER, math.ceil(held / HELD_PER_OFFICER))
            self.officers = officers
            self.supervisors = self._staff(Role.SUPERVISOR, 1)
        self.others: dict[int | None, list[Staff]] = {}
        with transaction.atomic():
            self.writer.defer_checks()
            self._persons(max(20, int(total * 0.3)))
            self._intermediaries(max(5, total // 25))

    def _staff(self, role: str, needed: int) -> list[Staff]:
        """The market's active staff of ``role``; made up when there are fewer than needed."""
        in_market = Q(staff_profile__markets=self.market)
        if role == Role.SUPERVISOR:
            in_market |= Q(supervised_markets=self.market)
        users = list(
            User.objects.filter(in_market, groups__name=role, is_active=True)
            .distinct()
            .order_by("pk")
        )
        missing = max(needed, 1) - len(users)
        if missing > 0:
            created = new_staff(self.market, role, missing, self.rng)
            users += created
            self.result.user_ids += [user.pk for user in created]
            if role == Role.SUPERVISOR:
                self.result.supervisors_created += len(created)
            else:
                self.result.officers_created += len(created)
        return [Staff(user.pk, user.get_full_name() or user.username, role) for user in users]

    def _persons(self, count: int) -> None:
        """The pool of complainants who are registered persons."""
        taken = loading.taken(
            "id_number",
            lambda: Person.objects.filter(id_number__startswith=AREA_CODE).values_list(
                "id_number", flat=True
            ),
        )
        born = (datetime.date(1961, 1, 1), datetime.date(2006, 12, 31))
        ids = self.writer.reserve_ids(Person, count)
        rows = [person_row(self.rng, pk, taken, born=born, now=self.now) for pk in ids]
        self.writer.write(Person, PERSON_COLUMNS, rows)
        self.people = ids
        self.result.persons += len(ids)
        self.result.person_ids += ids

    def _intermediaries(self, count: int) -> None:
        taken = loading.taken(
            "credit_code", lambda: Organization.objects.values_list("credit_code", flat=True)
        )
        ids = self.writer.reserve_ids(Organization, count)
        rows = [self._intermediary_row(pk, taken) for pk in ids]
        self.writer.write(Organization, INTERMEDIARY_COLUMNS, rows)
        self.intermediaries = [
            _Intermediary(pk, name, code, self._short(name), address)
            for pk, _kind, name, code, _o, _l, _t, address, *_rest in rows
        ]
        self.result.organizations += len(ids)
        self.result.organization_ids += ids

    def _short(self, name: str) -> str:
        """The name complainants use: 顺达人力 for 城东顺达人力资源服务有限公司."""
        return name.removeprefix(self.place)[:2] + self.rng.choice(SHORT_SUFFIXES)

    def _intermediary_row(self, pk: int, taken: set[str]) -> tuple:
        rng = self.rng
        licence = LICENCES[bisect(LICENCE_CUM, rng.random() * 100)]
        unlicensed = licence == Organization.LicenceStatus.NONE
        # 92: an individual business (个体工商户), as unlicensed shops often are.
        code = new_credit_code(rng, taken, kind="92" if unlicensed else "91")
        word = rng.choice(ORG_WORDS)
        if unlicensed:
            name, number = f"{self.place}{word}劳务信息部", "无"
        else:
            name = f"{self.place}{word}人力资源服务有限公司"
            number = f"人社许字〔{rng.randint(2016, 2025)}〕第{rng.randrange(1, 999):04d}号"
        kind = Organization.Kind.INTERMEDIARY.value
        address, phone = random_address(rng), random_landline(rng)
        return (pk, kind, name, code, "", number, "", address, phone, self.now, licence)

    # -- when each complaint was received ----------------------------------------------------

    def batches(self, counts: dict[str, int]) -> Iterator[list[tuple[datetime.datetime, str]]]:
        """(received_at, state) pairs, oldest first, ``batch_size`` at a time."""
        return received_batches(
            counts,
            rng=self.rng,
            today=self.today,
            batch_size=self.batch_size,
            open_age_days=OPEN_AGE_DAYS,
            history_days=HISTORY_DAYS,
            per_day=self._historic_per_day,
            time_of_day=self._time_of_day,
        )

    def _historic_per_day(self, total: int) -> dict[int, int]:
        weights = {}
        for ago in range(RECENT_DAYS, HISTORY_DAYS + 1):
            weekday = (self.today - datetime.timedelta(days=ago)).weekday()
            # The public form and the hotline take complaints at weekends too.
            weights[ago] = 1.0 if weekday < 5 else 0.5
        return apportion(total, weights)

    def _time_of_day(self, day: datetime.date) -> datetime.datetime:
        """A moment between 8:00 and 21:00 (China time), never after now."""
        at = datetime.datetime(day.year, day.month, day.day, 8, tzinfo=CST)
        at += datetime.timedelta(seconds=self.rng.randrange(13 * 3600))
        if at >= self.now:
            earlier = datetime.timedelta(seconds=self.rng.randrange(60, 3600))
            at = (self.now - earlier).astimezone(CST)
        return at

    # -- one batch ---------------------------------------------------------------------------

    def write_batch(self, batch: list[tuple[datetime.datetime, str]]) -> None:
        writer = self.writer
        relaxed_commit(writer)
        writer.defer_checks()
        ids = writer.reserve_ids(Complaint, len(batch))
        codes = reserve_codes(Complaint.CODE_PREFIX, [at for at, _state in batch])
        opened = sum(1 for _at, state in batch if state in OPEN_MIX)
        # Keys for the open complaints' rows, reserved before the complaints stream (the
        # connection runs no other query during a COPY); a shorter path leaves some unused.
        self._ids = {
            Process: writer.reserve_ids(Process, opened)[::-1],
            Task: writer.reserve_ids(Task, opened * MAX_TASKS)[::-1],
        }
        rows = _Rows()
        with writer.stream(Complaint, COLUMNS) as send:
            for (at, state), pk, code in zip(batch, ids, codes, strict=True):
                send(self._complaint(rows, pk, code, at, state))
        write = writer.write
        write(Process, PROCESS_COLUMNS, rows.processes)
        write(Task, TASK_COLUMNS, rows.tasks)
        write(Task.previous.through, ("from_task_id", "to_task_id"), rows.previous)
        write(Interview, INTERVIEW_COLUMNS, rows.interviews)
        write(DecisionItem, ITEM_COLUMNS, rows.items)
        write(ExtensionRequest, EXTENSION_COLUMNS, rows.extensions)
        write(Sanction, SANCTION_COLUMNS, rows.sanctions)
        write(PenaltyDecision, PENALTY_COLUMNS, rows.penalties)
        write(CaseEvent, EVENT_COLUMNS, rows.events)
        write(ChainHead, HEAD_COLUMNS, rows.heads)
        result = self.result
        result.complaints += len(batch)
        result.states.update(state for _at, state in batch)
        result.interviews += len(rows.interviews)
        result.decision_items += len(rows.items)
        result.extension_requests += len(rows.extensions)
        result.sanctions += len(rows.sanctions)
        result.penalty_decisions += len(rows.penalties)
        result.processes += len(rows.processes)
        result.tasks += len(rows.tasks)
        result.events += len(rows.events)

    def _take_id(self, model) -> int:
        return self._ids[model].pop()

    def analyze(self) -> None:
        """VACUUM ANALYZE the tables this load grew by a tenth or more (PostgreSQL).

        A province load calls the loader once per market: after the first markets each
        call adds a few percent to tables that other loaders share, which autovacuum
        covers in the background (the same tenth is its default for ANALYZE), while a
        VACUUM ANALYZE of every table per market took ten times the loading itself.
        """
        if not self.writer.postgres:
            return
        r = self.result
        written = {
            Complaint: r.complaints,
            Interview: r.interviews,
            DecisionItem: r.decision_items,
            Sanction: r.sanctions,
            Person: r.persons,
            Organization: r.organizations,
            Process: r.processes,
            Task: r.tasks,
            CaseEvent: r.events,
        }
        before = _estimated_rows(list(written))
        grown = [m for m, n in written.items() if n and n >= ANALYZE_SHARE * (before[m] + n)]
        if grown:  # none would analyze the whole database
            self.writer.analyze(grown)

    def _second(self, officer: Staff) -> Staff:
        """Who investigates with ``officer``: another officer, or a supervisor."""
        others = self.others.get(officer.id)
        if others is None:
            others = [o for o in self.officers if o != officer] or self.supervisors
            self.others[officer.id] = others
        return self._pick(others)

    def _moment(self, t: float, case: _Case) -> datetime.datetime:
        """Moment ``t`` of the story as a step's time: moved into office hours (8:30 to
        17:30, China time) on its day, keeping the order of the steps, and never before
        the complaint came in nor after now."""
        local = t + UTC_OFFSET
        midnight = local - local % DAYS
        office = midnight + OPENS + (local - midnight) * OFFICE_SHARE - UTC_OFFSET
        office = min(max(office, case.t0), self.now_ts)
        return datetime.datetime.fromtimestamp(office, CST)

    # random.choice() and randint() cost several times more than these.

    def _pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def _between(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _name(self) -> str:
        """A made-up name, as casework.core.loading.random_name makes them."""
        random = self.rng.random
        name = SURNAMES[int(random() * len(SURNAMES))] + GIVEN[int(random() * len(GIVEN))]
        return name + GIVEN[int(random() * len(GIVEN))] if random() < 0.7 else name

    def _complaint(self, rows: _Rows, pk: int, code: str, at: datetime.datetime, state: str):
        """The complaint's row; its other rows go into ``rows``."""
        random = self.rng.random
        c = BLANK.copy()
        c["id"], c["code"], c["market_id"], c["state"] = pk, code, self.market.pk, state
        c["created_at"] = c["received_at"] = at
        # Of a tracking code nobody was given; the case number keeps it unique.
        secret = f"{code}:{self.rng.getrandbits(64)}"
        c["tracking_hash"] = hashlib.sha256(secret.encode()).hexdigest()
        officer = self.officers[int(random() * len(self.officers))]
        intermediary = self.intermediaries[int(len(self.intermediaries) * random() ** 2)]
        case = _Case(pk, at, at.timestamp(), state, c, officer, state in OPEN_MIX, intermediary)
        if state == S.NOT_ACCEPTED:
            reason = NOT_ACCEPTED_REASONS[bisect(NOT_ACCEPTED_CUM, random() * 100)]
            c["not_accepted_reason"] = reason
        self._intake(case)
        self._ending(case)
        story = self._story(case)
        for action, t in story:
            STEPS[action](self, rows, case, t)
        c["updated_at"] = self._moment(story[-1][1], case) if len(story) > 1 else at
        if case.open:
            self._trail(rows, case, story)
        return row_of(c)

    def _ending(self, case: _Case) -> None:
        """How a closed complaint ended, or an open one was decided."""
        state = case.state
        if state == S.CLOSED:
            ending = CLOSED_ENDINGS[bisect(CLOSED_CUM, self.rng.random() * 100)]
        elif state in (S.DECIDED, S.RESPONDENT_HEARD):
            ending = CLOSED_ENDINGS[bisect(CLOSED_CUM[:4], self.rng.random() * CLOSED_CUM[3])]
        else:
            return
        if ending in OUTCOMES and not any(x in RULES for x in case.c["categories"]):
            ending = OUTCOME.NO_VIOLATION  # nothing the rules punish was complained of
        case.ending = ending
        if state == S.CLOSED:
            self.result.endings[ending] += 1

    # -- intake: who complains about whom, and what --------------------------------------------

    def _intake(self, case: _Case) -> None:
        random, c = self.rng.random, case.c
        channel = CHANNELS[bisect(CHANNEL_CUM, random() * 100)]
        c["channel"] = channel
        if channel in STAFF_CHANNELS:  # 首问负责: who takes it down holds it
            c["received_by_id"] = c["owner_id"] = case.officer.id
        else:
            case.waiting = case.state == S.RECEIVED and random() < 0.6
        self._complainant(case)
        first = CONDUCTS[bisect(CONDUCT_CUM, random() * 100)]
        categories = [first]
        if random() < 0.25:
            second = CONDUCTS[bisect(CONDUCT_CUM, random() * 100)]
            if second != first:
                categories.append(second)
        c["categories"] = categories
        received = _day(case.t0)
        if c["not_accepted_reason"] == REASON.TOO_OLD:
            c["conduct_on"] = _date(received - self._between(745, 1200))
        else:
            c["conduct_on"] = _date(received - self._between(1, 120))
        self._respondent(case)
        c["facts"] = self._facts(case, categories)

    def _complainant(self, case: _Case) -> None:
        """Anonymous (perhaps with a number), a registered person, or a name and a number."""
        rng, random, c = self.rng, self.rng.random, case.c
        channel = c["channel"]
        if random() < ANONYMOUS_SHARE[channel]:
            c["anonymous"] = True
            self.result.anonymous += 1
            if random() < 0.5:  # left a number for the notices
                c["contact_mobile"] = _mobile(rng)
        elif random() < REGISTERED_SHARE[channel]:
            c["complainant_id"] = self.people[int(random() * len(self.people))]
        else:
            c["complainant_name"], c["contact_mobile"] = self._name(), _mobile(rng)

    def _respondent(self, case: _Case) -> None:
        """The intermediary as named, and whether an officer found it in the registry."""
        random, c, state = self.rng.random, case.c, case.state
        intermediary = case.intermediary
        reason = c["not_accepted_reason"]
        if case.waiting or reason == REASON.NO_RESPONDENT:
            known = False
        elif state == S.SUPPLEMENT_REQUESTED or reason == REASON.NO_SUPPLEMENT:
            known = random() < 0.4
        elif state in (S.RECEIVED, S.NOT_ACCEPTED):
            known = random() < 0.55
        else:  # accepted: nobody accepts a complaint without an identified respondent
            known = True
        if not known:
            c["respondent_name_given"] = UNKNOWN_RESPONDENTS[int(random() * 4)]
            return
        c["respondent_id"] = intermediary.pk
        c["respondent_name_given"] = intermediary.name if random() < 0.4 else intermediary.short
        if random() < 0.5:
            c["respondent_details_given"] = intermediary.address

    def _facts(self, case: _Case, categories: list[str]) -> str:
        rng, c = self.rng, case.c
        workers, amount = None, None
        if CONDUCT.DEPOSIT in categories:
            workers = 1 if rng.random() < 0.6 else self._between(2, 6)
            amount = self._pick(DEPOSITS) * workers
            c["deposit_workers"], c["deposit_amount"] = workers, Decimal(amount)
        # Only the particulars its template names are drawn.
        particulars = self.particulars
        particulars.clear()
        particulars["name"], particulars["amount"] = c["respondent_name_given"], amount
        facts = FACTS[categories[0]].format_map(particulars)
        if len(categories) > 1:
            facts += ALSO[categories[1]]
        if workers and workers > 1:
            facts += f"和我一起交钱的共有{workers}人。"
        return facts

    # -- the story: what happened, and when --------------------------------------------------
    # Moments are seconds since the epoch (floats) until a step writes them: datetime
    # arithmetic cost most of the time of making a complaint.

    def _story(self, case: _Case) -> list[tuple[str, float]]:
        """The steps the complaint went through, each with its moment, in order.

        The moments follow the time limits (most steps on time, a few late). A story
        that would end after now is squeezed into the time since receipt; the labour
        administration's decision on a proposed penalty, if it would come after now,
        is not made yet.
        """
        t0 = case.t0
        story: list[tuple[str, float]] = [("filed", t0)]
        self._acceptance(case, story)
        if story[-1][0] == "accept" and case.state != S.ACCEPTED:
            self._investigation(case, story)
        limit = max(self.open_limit if case.open else self.historic_limit, t0)
        optional = story[-1][0] == "penalty_decision_recorded"
        last = story[-2 if optional else -1][1]
        if last > limit:  # to end some time before the limit, not all at it
            factor = (limit - t0) / (last - t0) * (0.7 + 0.3 * self.rng.random())
            story = [(action, t0 + (t - t0) * factor) for action, t in story]
        if optional and story[-1][1] > limit:
            story.pop()
        return story

    def _acceptance(self, case: _Case, story: list) -> None:
        """Taken, the respondent identified, a supplement, the decision on acceptance."""
        random, c, state = self.rng.random, case.c, case.state
        t = case.t0
        if case.waiting:
            return
        if c["channel"] not in STAFF_CHANNELS:
            t += HOURS * (1 + random() * 30)
            story.append(("claimed", t))
        reason = c["not_accepted_reason"]
        stalled = state == S.SUPPLEMENT_REQUESTED or reason == REASON.NO_SUPPLEMENT
        supplement = stalled or random() < SUPPLEMENT_SHARE
        # Found in the registry by the officer (at the counter, often while taking it down).
        identify = c["respondent_id"] is not None and (
            c["channel"] not in STAFF_CHANNELS or random() < 0.4
        )
        if identify and (stalled or not supplement):
            t += HOURS * (0.2 + random() * 24)
            story.append(("respondent_identified", t))
        base = t
        if supplement:
            t += HOURS * (1 + random() * 47)
            story.append(("request_supplement", t))
            if state == S.SUPPLEMENT_REQUESTED:
                return
            if stalled:  # nothing came: not accepted once the supplement was overdue
                late = _evening(_day(t) + SUPPLEMENT_DAYS) + DAYS * random() * 3
                story.append(("not_accept", late))
                return
            t = base = t + DAYS * (1 + random() * 13)
            story.append(("receive_supplement", t))
            if identify:  # the supplement named it
                t += HOURS * (0.2 + random() * 24)
                story.append(("respondent_identified", t))
        if state == S.RECEIVED:
            return
        due = self.workdays.add(_day(base), self.acceptance_days)
        story.append(("not_accept" if state == S.NOT_ACCEPTED else "accept", self._by(t, due)))

    def _by(self, t: float, due: int, late: float = LATE_ACCEPTANCE) -> float:
        """A moment after ``t``, mostly on or before the day ``due``, a few days late."""
        random = self.rng.random
        end = _evening(due)
        if random() < late or end <= t:
            return max(end, t) + DAYS * (1 + random() * 5)
        return t + (end - t) * (0.1 + 0.9 * random())

    def _investigation(self, case: _Case, story: list) -> None:
        """From acceptance to the decision, a referral or the inspection's feedback."""
        random, state, ending = self.rng.random, case.state, case.ending
        accepted = story[-1][1]
        if state == S.REFERRED and random() < 0.3:  # referred without investigating
            story.append(("refer", accepted + DAYS * (1 + random() * 10)))
            return
        due = self.workdays.add(_day(accepted), self.investigation_days)
        extended = random() < EXTENSION_SHARE
        if extended:  # asked for shortly before the deadline, the work ends after it
            asked = max(_evening(due) - DAYS * (1 + random() * 5), accepted + DAYS)
            approved = asked + HOURS * (1 + random() * 40)
            longer = _evening(self.workdays.add(due, self.extension_days))
            end = _evening(due) + (longer - _evening(due)) * (0.1 + 0.85 * random())
            end = max(end, approved + DAYS)
            work_until = asked
        else:
            end = work_until = self._by(accepted, due, LATE_INVESTIGATION)
        started = accepted + (work_until - accepted) * (0.01 + 0.05 * random())
        story.append(("start_investigation", started))
        deciding = ending in OUTCOMES
        interviews = (1 + (random() < 0.3)) if deciding else int(random() * 2.5)
        for part in sorted(0.1 + 0.8 * random() for _ in range(interviews)):
            story.append(("interview_recorded", started + (work_until - started) * part))
        if extended:
            story.append(("extension_requested", asked))
            if state != S.INVESTIGATING or random() < 0.5:  # else still waiting
                story.append(("extension_approved", approved))
        if state == S.INVESTIGATING:
            return
        if state == S.REFERRED:
            story.append(("refer", end))
        elif ending == FEEDBACK or state == S.AWAITING_FEEDBACK:
            story.append(("refer_to_inspection", end))
            if ending == FEEDBACK:
                reported = end + DAYS * (15 + random() * 70)
                story.append(("record_feedback", reported))
                story.append(("close", reported + DAYS * random() * 2))
        else:
            self._decision(case, story, end)

    def _decision(self, case: _Case, story: list, decided: float) -> None:
        random = self.rng.random
        story.append(("decide", decided))
        if case.state == S.DECIDED:
            return
        heard = decided + DAYS * (0.5 + random() * (self.statement_days + 2))
        story.append(("hear_respondent", heard))
        if case.state == S.RESPONDENT_HEARD:
            return
        closed = heard + DAYS * (0.1 + random() * 3)
        story.append(("close", closed))
        if case.ending == OUTCOME.PENALTY_PROPOSED:
            story.append(("penalty_decision_recorded", closed + DAYS * (10 + random() * 50)))

    # -- the steps: what each leaves on the complaint ------------------------------------------
    # Each step sets the columns its service sets; on an open complaint it also records its
    # audit event as the service does (``moved``: a transition, from the state before).
    # Not accepting, referring elsewhere, the feedback, closing and the penalty decision
    # end a complaint or follow its end: only historic complaints have them.

    def _event(self, case: _Case, at, actor: Staff, action: str, note: str = "", *, moved=False):
        if case.open:
            before = case.events[-1][4] if moved else ""
            case.events.append((at, actor, action, before, case.current, note))

    def _filed(self, rows: _Rows, case: _Case, t: float) -> None:
        c = case.c
        case.due = self.workdays.add(_day(t), self.acceptance_days)
        c["acceptance_due"] = _date(case.due)
        if case.open:
            note = self.channel_labels[c["channel"]] + ("（匿名）" if c["anonymous"] else "")
            filer = case.officer if c["channel"] in STAFF_CHANNELS else PUBLIC
            self._event(case, case.at, filer, "filed", note)

    def _claimed(self, rows: _Rows, case: _Case, t: float) -> None:
        case.c["owner_id"] = case.officer.id
        if case.open:
            self._event(case, self._moment(t, case), case.officer, "claimed")

    def _respondent_identified(self, rows: _Rows, case: _Case, t: float) -> None:
        if case.open:
            found = case.intermediary
            note = f"{found.name}（{found.credit_code}）"
            self._event(case, self._moment(t, case), case.officer, "respondent_identified", note)

    def _request_supplement(self, rows: _Rows, case: _Case, t: float) -> None:
        c, rng, at = case.c, self.rng, self._moment(t, case)
        c["supplement_items"] = items = rng.sample(SUPPLEMENT_ITEMS, self._between(2, 3))
        c["supplement_requested_at"] = at
        case.paused = _day(t)
        c["acceptance_paused_on"] = paused = _date(case.paused)
        c["supplement_due"] = paused + SUPPLEMENT_DUE
        case.current = S.SUPPLEMENT_REQUESTED
        self._event(case, at, case.officer, "request_supplement", "；".join(items), moved=True)

    def _receive_supplement(self, rows: _Rows, case: _Case, t: float) -> None:
        c, at = case.c, self._moment(t, case)
        case.due = self.workdays.resume(case.due, case.paused, _day(t))
        c["acceptance_due"] = _date(case.due)
        c["acceptance_paused_on"] = None
        c["supplement_received_at"] = at
        c["supplement_note"] = note = self._pick(SUPPLEMENT_NOTES)
        case.current = S.RECEIVED
        self._event(case, at, case.officer, "receive_supplement", note, moved=True)

    def _not_accept(self, rows: _Rows, case: _Case, t: float) -> None:
        c = case.c
        reason = c["not_accepted_reason"]
        if reason == REASON.NOT_COMPETENT:
            authority, note = self._pick(NOT_COMPETENT)
            c["competent_authority"] = authority.format(region=self.region)
        else:
            note = NOT_ACCEPTED_NOTES[reason]
        c["not_accepted_note"] = note
        c["acceptance_paused_on"] = None
        c["closed_at"] = self._moment(t, case)

    def _accept(self, rows: _Rows, case: _Case, t: float) -> None:
        c = case.c
        c["accepted_at"] = at = self._moment(t, case)
        case.investigation_due = self.workdays.add(_day(t), self.investigation_days)
        c["investigation_due"] = _date(case.investigation_due)
        case.current = S.ACCEPTED
        self._event(case, at, case.officer, "accept", moved=True)

    def _start_investigation(self, rows: _Rows, case: _Case, t: float) -> None:
        case.current = S.INVESTIGATING
        if case.open:
            at = self._moment(t, case)
            self._event(case, at, case.officer, "start_investigation", moved=True)

    def _interview_recorded(self, rows: _Rows, case: _Case, t: float) -> None:
        """The respondent questioned first, then the complainant or a witness."""
        c, at = case.c, self._moment(t, case)
        position = ""
        if not case.interviewed:
            role, name = ROLE.RESPONDENT, self._name()
            position = self._pick(POSITIONS)
        elif c["complainant_name"]:
            role, name = ROLE.COMPLAINANT, c["complainant_name"]
        else:
            role, name = ROLE.WITNESS, self._name()
        case.interviewed += 1
        conduct = CONDUCT_TEXT[c["categories"][0]]
        record = (
            f"问：投诉反映你方{conduct}，是否属实？\n答：{self._pick(ANSWERS)}\n"
            "问：能否提供相关记录？\n答：可以，已当场提供。"
        )
        investigators = f"{case.officer.name}、{self._second(case.officer).name}"
        by = (case.officer.id,)
        held = at - datetime.timedelta(minutes=self._between(30, 180))
        place = self.interview_place
        rows.interviews.append(
            (case.pk, held, place, role, name, position, investigators, record, *by, at)
        )
        if case.open:
            note = f"{self.role_labels[role]}：{name}"
            self._event(case, at, case.officer, "interview_recorded", note)

    def _extension_requested(self, rows: _Rows, case: _Case, t: float) -> None:
        due, at = case.c["investigation_due"], self._moment(t, case)
        # A list: the approval, if any, fills in the decision.
        rows.extensions.append(
            [case.pk, EXTENSION_REASON, case.officer.id, at, None, None, None, "", due, None]
        )
        self._event(case, at, case.officer, "extension_requested", EXTENSION_REASON)

    def _extension_approved(self, rows: _Rows, case: _Case, t: float) -> None:
        c, at = case.c, self._moment(t, case)
        request = rows.extensions[-1]
        previous = c["investigation_due"]
        case.investigation_due = self.workdays.add(case.investigation_due, self.extension_days)
        new = _date(case.investigation_due)
        supervisor = self.supervisors[int(self.rng.random() * len(self.supervisors))]
        request[4:8] = [True, supervisor.id, at, "同意延长调查期限。"]
        request[9] = new
        c["investigation_due"], c["extended"] = new, True
        self._event(case, at, supervisor, "extension_approved", f"{previous} → {new}")

    def _referral(self, case: _Case, target: str, t: float) -> str:
        c = case.c
        body, reason = REFERRALS[target]
        c["referral_target"], c["referral_body"] = target, body.format(region=self.region)
        c["referral_reason"], c["referred_at"] = reason, self._moment(t, case)
        return c["referral_body"]

    def _refer(self, rows: _Rows, case: _Case, t: float) -> None:
        target = REFERRAL_TARGETS[bisect(REFERRAL_CUM, self.rng.random() * 100)]
        body = self._referral(case, target, t)
        case.c["result_summary"] = f"您的投诉已移送{body}依法处理。"
        case.c["closed_at"] = case.c["referred_at"]

    def _refer_to_inspection(self, rows: _Rows, case: _Case, t: float) -> None:
        body = self._referral(case, ReferralTarget.LABOUR_INSPECTION.value, t)
        case.referred = _day(t)
        case.c["feedback_due"] = _date(self.workdays.add(case.referred, self.feedback_days))
        case.current = S.AWAITING_FEEDBACK
        at = case.c["referred_at"]
        self._event(case, at, case.officer, "refer_to_inspection", body, moved=True)

    def _record_feedback(self, rows: _Rows, case: _Case, t: float) -> None:
        c, at = case.c, self._moment(t, case)
        result = FEEDBACK_RESULTS[bisect(FEEDBACK_CUM, self.rng.random() * 100)]
        c["feedback_on"] = _date(max(_day(t) - self._between(0, 3), case.referred))
        c["feedback_result"], c["feedback_note"] = result, FEEDBACK_NOTES[result]
        c["feedback_reference"] = f"{self.place}劳监〔{at.year}〕{self._between(1, 998)}号"
        c["feedback_recorded_at"] = at
        # The result the complainant is told names the feedback, in the services' words.
        told = self.told
        told.referral_body, told.feedback_result = c["referral_body"], result
        told.feedback_reference, told.feedback_recorded_at = c["feedback_reference"], at
        c["result_summary"] = services.default_result(told)

    def _decide(self, rows: _Rows, case: _Case, t: float) -> None:
        c, outcome, at = case.c, case.ending, self._moment(t, case)
        lines = [x for x in c["categories"] if x in RULES]
        if outcome == OUTCOME.NO_VIOLATION:
            lines = []
        for position, conduct in enumerate(lines):
            self._item(rows, case, outcome, position, conduct)
        c["outcome"], c["decided_at"], c["decided_by_id"] = outcome, at, case.officer.id
        if lines:  # the first conduct's, as the services keep them
            c["conduct_found"], c["workers_affected"] = lines[0], case.items[0][4]
        c["findings"] = _findings(outcome, lines, c)
        corrections = "；".join(RULES[conduct].correction for conduct in lines)
        if outcome == OUTCOME.ORDER_TO_CORRECT:
            c["measures"] = corrections + "。"
            c["correction_due"] = _date(_day(t) + self._between(7, 30))
        elif outcome == OUTCOME.PENALTY_PROPOSED:
            c["measures"] = corrections + "，并处罚款。"
            c["penalty_amount"] = sum(item[5] for item in case.items)
        case.current = S.DECIDED
        self._event(case, at, case.officer, "decide", self.outcome_labels[outcome], moved=True)

    def _item(self, rows: _Rows, case: _Case, outcome: str, position: int, conduct: str) -> None:
        """One conduct of the decision, with its measures and the fine proposed."""
        rng, c = self.rng, case.c
        workers = c["deposit_workers"] if conduct == CONDUCT.DEPOSIT else None
        if workers is None and rng.random() < 0.5:
            workers = self._between(1, 3)
        measures = MEASURES[outcome]
        amount = _fine(rng, conduct, workers) if outcome == OUTCOME.PENALTY_PROPOSED else None
        item = (case.pk, position, conduct, measures, workers, amount, "")
        case.items.append(item)
        rows.items.append(item)

    def _hear_respondent(self, rows: _Rows, case: _Case, t: float) -> None:
        c, at = case.c, self._moment(t, case)
        statement = self._pick(STATEMENTS)
        c["hearing_statement"], c["hearing_waived"], c["heard_at"] = statement, not statement, at
        case.current = S.RESPONDENT_HEARD
        self._event(case, at, case.officer, "hear_respondent", moved=True)

    def _close(self, rows: _Rows, case: _Case, t: float) -> None:
        c = case.c
        c["closed_at"] = at = self._moment(t, case)
        if not c["result_summary"]:
            c["result_summary"] = self.results[c["outcome"]]
        if c["outcome"] == OUTCOME.ORDER_TO_CORRECT:  # on the public list from now on
            measures = "；".join(RULES[item[2]].correction for item in case.items)
            listed = (OUTCOME.ORDER_TO_CORRECT, measures, None, "", "")
            rows.sanctions.append((*self._sanctioned(case), *listed, c["decided_at"].date(), at))

    def _penalty_decision_recorded(self, rows: _Rows, case: _Case, t: float) -> None:
        """The labour administration's decision on the penalty proposed, and its listing."""
        c, rng, at = case.c, self.rng, self._moment(t, case)
        penalty = PENALTIES[bisect(PENALTY_CUM, rng.random() * 100)]
        amount = None
        if penalty == FINE:  # as proposed, or less
            proposed = c["penalty_amount"]
            amount = proposed if rng.random() < 0.7 else max(proposed * 3 // 40 * 10, TEN)
            amount = amount.quantize(CENT)
        number = f"{self.place}人社罚决字〔{at.year}〕第{self._between(1, 998)}号"
        recorder = self.supervisors[int(rng.random() * len(self.supervisors))]
        rows.penalties.append(
            (case.pk, self.authority, number, at.date(), penalty, amount, recorder.id, at)
        )
        if penalty in PUBLISHED:
            listed = (PUBLISHED[penalty], "", amount, self.authority, number)
            rows.sanctions.append((*self._sanctioned(case), *listed, at.date(), at))

    def _sanctioned(self, case: _Case) -> tuple:
        """Who a Sanction row names: the intermediary, the complaint, its market, the conduct."""
        return (case.c["respondent_id"], case.pk, self.market.pk, case.c["conduct_found"])

    # -- an open complaint: its audit chain, process and tasks ---------------------------------

    def _trail(self, rows: _Rows, case: _Case, story: list) -> None:
        chain, head = event_chain(self.complaint_type, case.pk, case.events)
        rows.events += chain
        rows.heads.append(head)
        process_id = self._take_id(Process)
        case.c["process_id"] = process_id
        rows.processes.append(
            (process_id, ComplaintFlow, PROCESS.NEW, case.at, {}, self.complaint_type, case.pk)
        )
        self._tasks(rows, case, story, process_id)

    def _tasks(self, rows: _Rows, case: _Case, story: list, process_id: int) -> None:
        """The tasks ComplaintFlow and flows.run_step() leave: done ones, then the open one."""
        at, officer = case.at, case.officer.id
        # [node name, created, finished, owner id] of each task, in the order made.
        tasks: list[list] = [["start", at, at, None], ["acceptance", at, None, None]]
        for action, t in story:
            for position, name in enumerate(FLOW_STEPS.get(action, ())):
                moment = self._moment(t, case)
                if position == 0:  # the step finishes the open task
                    tasks[-1][2:] = [moment, officer]
                else:  # gateways pass at once
                    tasks.append([name, moment, moment if name in GATEWAYS else None, None])
        owner = case.c["owner_id"]
        previous = None
        for name, created, finished, done_by in tasks:
            node = self.nodes[name]
            human = node.task_type == "HUMAN"
            if finished is None:  # the open task: its holder's, or waiting in the queue
                status, started, task_owner = STATUS.ASSIGNED if owner else STATUS.NEW, None, owner
            else:
                status, task_owner = STATUS.DONE, done_by if human else None
                started = finished if human or name == "start" else None
            task_id = self._take_id(Task)
            # viewflow copies the node's .Permission(...) onto its tasks.
            permission = getattr(node, "_owner_permission", None)
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
                    TOKEN,
                    task_owner,
                    permission,
                    {},
                )
            )
            if previous is not None:
                rows.previous.append((task_id, previous))
            previous = task_id


STEPS: dict[str, Callable[..., None]] = {
    name.removeprefix("_"): getattr(_Loader, name)
    for name in (
        "_filed",
        "_claimed",
        "_respondent_identified",
        "_request_supplement",
        "_receive_supplement",
        "_not_accept",
        "_accept",
        "_start_investigation",
        "_interview_recorded",
        "_extension_requested",
        "_extension_approved",
        "_refer",
        "_refer_to_inspection",
        "_record_feedback",
        "_decide",
        "_hear_respondent",
        "_close",
        "_penalty_decision_recorded",
    )
}
# The steps that move ComplaintFlow on: each finishes the open task (marked by the leading
# "") and makes the next tasks, a gateway passed at once and the next human task.
FLOW_STEPS = {
    "request_supplement": ("", "after_acceptance", "await_supplement"),
    "receive_supplement": ("", "after_supplement", "acceptance_again"),
    "accept": ("", "after_acceptance", "investigate"),
    "decide": ("", "after_investigation", "hearing"),
    "refer_to_inspection": ("", "after_investigation", "await_feedback"),
    "hear_respondent": ("", "closing"),
}
GATEWAYS = frozenset({"after_acceptance", "after_supplement", "after_investigation"})
FLOW_NODES = {"start", "acceptance"} | {name for names in FLOW_STEPS.values() for name in names}
FLOW_NODES.discard("")
MEASURES: dict[str, list[str]] = {
    OUTCOME.ORDER_TO_CORRECT: [Measure.CORRECT.value],
    OUTCOME.PENALTY_PROPOSED: [Measure.CORRECT.value, Measure.FINE.value],
    OUTCOME.MINOR_CORRECTED: [],
}
# Plain strings for the hot loop (enum lookups cost several times more).
CONDUCT_TEXT = {conduct.value: text for conduct, text in CONDUCT_ZH.items()}
PUBLISHED = {penalty.value: kind.value for penalty, kind in PUBLISHED_PENALTIES.items()}
TEN, CENT = Decimal(10), Decimal("0.01")
TOKEN = Token("start")


# -- helpers ----------------------------------------------------------------------------------


class _Drawn(dict):
    """A template's particulars: given ones, and the others drawn when it names them."""

    def __init__(self, pick: Callable) -> None:
        super().__init__()
        self.pick = pick

    def __missing__(self, key: str):
        return self.pick(PARTICULARS[key])


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while the rows are made: they hold no cycles, and
    its passes over the batch's many young objects took a sixth of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _estimated_rows(models_: list[type[models.Model]]) -> dict[type[models.Model], float]:
    """PostgreSQL's estimate of each table's rows before the load (its statistics)."""
    tables = {m._meta.db_table: m for m in models_}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [list(tables)],
        )
        found = dict(cursor.fetchall())
    # -1: never analyzed.
    return {m: max(found.get(table, 0), 0) for table, m in tables.items()}


def _day(t: float) -> int:
    """The day (China time) of moment ``t``, as a date ordinal."""
    return int((t + UTC_OFFSET) // DAYS) + EPOCH_DAY


def _date(day: int) -> datetime.date:
    return datetime.date.fromordinal(day)


def _evening(day: int) -> float:
    """17:30 China time on ``day`` (an ordinal): the end of an office day."""
    return (day - EPOCH_DAY) * DAYS - UTC_OFFSET + 17.5 * HOURS


def _mobile(rng: random.Random) -> str:
    random = rng.random
    return f"1{'3456789'[int(random() * 7)]}{int(random() * 10**9):09d}"


def _fine(rng: random.Random, conduct: str, workers: int | None) -> Decimal:
    """A fine within the conduct's statutory range (per worker where the rule says so)."""
    low, high = RULES[conduct].bounds(workers)
    low = low or TEN  # at most ¥200, no minimum (ID cards withheld)
    high = high or low
    step = 10 if high <= 1000 else 100
    amount = low + (high - low) * Decimal(rng.random())
    return max(low, amount // step * step).quantize(CENT)


def _findings(outcome: str, conducts: list[str], c: dict) -> str:
    if outcome == OUTCOME.NO_VIOLATION:
        return "经调查，现有证据不能证明被投诉人存在所投诉的违法行为。"
    found = "；".join(CONDUCT_TEXT[conduct] for conduct in conducts)
    text = f"经查，被投诉人存在{found}的行为"
    if CONDUCT.DEPOSIT in conducts and c["deposit_amount"]:
        text += f"，向{c['deposit_workers']}名劳动者收取押金共计{c['deposit_amount']}元"
    if outcome == OUTCOME.MINOR_CORRECTED:
        text += "，情节轻微，调查期间已改正"
    return text + "。"
