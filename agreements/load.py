"""Many realistic gig agreements, written in bulk, for ``manage.py seed_load`` and benchmarks.

The rows are what the services would have left behind, written directly (COPY on
PostgreSQL, multi-row INSERT elsewhere, through ``casework.core.bulk``) because a
hundred thousand agreements through the services would take hours.
``load_agreements`` documents what is written and what is left out.
"""

import datetime
import hashlib
import math
import random
import time
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from agreements import text
from agreements.flows import AgreementFlow
from agreements.models import (
    Agreement,
    InjuryCover,
    Party,
    PaymentMethod,
    PaymentStatus,
    PayUnit,
    Signature,
    SigningCode,
    StandardTerms,
    Trade,
)
from agreements.presets import PRESETS
from agreements.services import PARTICULARS
from casework.core import loading
from casework.core.bulk import BulkWriter
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
    ROADS,
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
from casework.parties.identifiers import mask_phone
from casework.parties.models import Organization, Person, RealNameCheck

S = Agreement.State
# Most gig agreements are signed and the work done; a few run out unsigned or are
# cancelled, terminated or replaced by a changed agreement.
HISTORIC_MIX = {
    S.COMPLETED: 86,
    S.CANCELLED: 5,
    S.EXPIRED: 4,
    S.TERMINATED: 3,
    S.SUPERSEDED: 2,
}
# States of agreements both parties signed.
SIGNED_STATES = (S.SIGNED, S.COMPLETED, S.TERMINATED, S.SUPERSEDED)
# The open part: made at the counter in the last days, or work in progress.
OPEN_MIX = {S.DRAFT: 10, S.SENT: 30, S.PARTLY_SIGNED: 20, S.SIGNED: 40}
# How long ago an open agreement was made, in hours (a sent one is still within
# its 72 hours to sign, AGREEMENT_SIGN_HOURS).
OPEN_AGE_HOURS = {S.DRAFT: 24, S.SENT: 60, S.PARTLY_SIGNED: 60, S.SIGNED: 240}
HISTORY_DAYS = 3 * 365
RECENT_DAYS = 7  # historic agreements were made at least this many days ago
SIGN_HOURS = datetime.timedelta(hours=72)
OPEN_PER_CASEWORKER = 150  # caseworkers are added so that nobody owns many more

# The tasks AgreementFlow has made by the time an agreement is in each open state;
# the last one is open.
_TO_SIGN = ("start", "prepare", "after_prepare", "collect_signatures")
FLOW_PATHS = {
    S.DRAFT: ("start", "prepare"),
    S.SENT: _TO_SIGN,
    S.PARTLY_SIGNED: _TO_SIGN,
    S.SIGNED: (*_TO_SIGN, "after_signing", "in_force"),
}

# -- particulars ------------------------------------------------------------------------

TRADE_CUM = ((Trade.MOVING, 30), (Trade.HOUSEKEEPING, 50), (Trade.RENOVATION, 65))
TRADE_CUM += ((Trade.CATERING, 80), (Trade.DELIVERY, 95), (Trade.OTHER, 100))
TRADES = tuple(trade.value for trade, _cum in TRADE_CUM)
TRADE_BOUNDS = tuple(cum for _trade, cum in TRADE_CUM)
# (work content, place) per trade; the preset's content comes first.
JOBS = {
    Trade.MOVING: (
        ("居民搬家：家具拆装、物品打包、搬运装车及卸车归位", "城东区{road}{n}号{b}幢"),
        ("超市配送中心卸货理货，每日约2车", "城东物流园{zone}区{n}号仓库"),
        ("建材市场装卸瓷砖、板材", "城东建材市场{zone}区{n}号"),
    ),
    Trade.HOUSEKEEPING: (
        ("新房开荒保洁：玻璃、厨卫、地面深度清洁", "城东区{road}{n}号{b}幢{room}室"),
        ("写字楼公共区域日常保洁", "城东区{road}{n}号{b}楼"),
        ("老人陪护及日常家务", "城东区{road}{n}号{b}幢{room}室"),
    ),
    Trade.RENOVATION: (
        ("墙面打磨、刷乳胶漆", "城东区{road}{n}号{b}幢{room}室"),
        ("瓷砖铺贴辅助：搬运材料、调配水泥砂浆", "城东区{road}{n}号{b}幢{room}室"),
        ("拆除旧橱柜和地砖，清运建筑垃圾", "城东区{road}{n}号{b}幢{room}室"),
    ),
    Trade.CATERING: (
        ("宴席临时服务员：摆台、传菜、撤台", "城东区{road}{n}号酒楼"),
        ("单位食堂帮厨：洗切配菜、分餐", "城东区{road}{n}号职工食堂"),
        ("快餐店午高峰打包出餐", "城东区{road}{n}号"),
    ),
    Trade.DELIVERY: (
        ("同城快递派送，按线路派件", "城东区{road}一带"),
        ("生鲜配送至社区团购自提点", "城东区各社区自提点"),
        ("家电送货上门并搬运上楼", "城东区内，由城东物流园{zone}区出发"),
    ),
    Trade.OTHER: (
        ("展会布展撤展：搬运展具、搭建展台", "城东国际会展中心{zone}馆"),
        ("绿化养护：修剪草坪、浇水施肥", "城东区{road}街头绿地"),
        ("商场促销活动现场协助", "城东区{road}{n}号商场"),
    ),
}
OTHER_TERMS = {
    "safety": "甲方提供必要的劳动防护用品，并在开工前说明作业中的安全注意事项",
    "work_hours": "每日9:00-17:00",
    "rest": "中午休息1小时",
    "pay_unit": PayUnit.DAY.value,
    "injury_cover": InjuryCover.ACCIDENT.value,
}
RATES = {  # yuan per unit: (low, high)
    PayUnit.DAY: (160, 420),
    PayUnit.HOUR: (20, 50),
    PayUnit.PIECE: (3, 15),
    PayUnit.JOB: (200, 900),
}
METHODS = (PaymentMethod.MOBILE.value, PaymentMethod.BANK.value, PaymentMethod.CASH.value)
METHOD_BOUNDS = (55, 85, 100)
INSURERS = ("中国人民财产保险", "中国平安财产保险", "太平洋财产保险", "中华联合财产保险")
SPECIAL_TERMS = (
    "",
    "",
    "",
    "甲方提供午餐。",
    "工具由甲方提供，乙方不得带离工作场所。",
    "如遇雨天停工，当日按半天计酬。",
    "乙方须于开工前15分钟到场签到。",
)
CANCELLATIONS = (
    "甲方取消了用工计划。",
    "乙方已另有安排，双方同意取消。",
    "工作内容有变，重新拟定协议。",
)
TERMINATIONS = (
    "业主暂停施工，甲方提前解除协议，已工作天数的报酬已结清。",
    "乙方因病无法继续工作，双方协商解除，已工作天数的报酬已结清。",
    "用工项目提前完成，双方协商解除。",
)
DAYS = [datetime.timedelta(days=n) for n in range(60)]
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
# The pool's real-name checks date from before the oldest open agreement was signed.
CHECKED_AGO = datetime.timedelta(hours=max(OPEN_AGE_HOURS.values()) + 24)
CODE_MINUTES = datetime.timedelta(minutes=settings.AGREEMENT_CODE_MINUTES)

AGREEMENT_COLUMNS = tuple(
    f.attname for f in Agreement._meta.concrete_fields if f.attname != "dispute_id"
)
# What a column holds unless the loader sets it: blank text, or NULL.
BLANK = {
    f.attname: "" if isinstance(f, models.CharField | models.TextField) and not f.null else None
    for f in Agreement._meta.concrete_fields
}
# What compose() reads from an agreement besides its code, market and terms.
COMPOSED = (
    *PARTICULARS,
    "worker",
    "hiring_organization",
    "hiring_person",
    "hiring_signer",
    "intermediary",
)
CHECK_COLUMNS = ("id", "person_id", "organization_id", "method", "result", "checked_by_id")
CHECK_COLUMNS += ("checked_at", "backend_reference", "note")
CODE_COLUMNS = ("id", "agreement_id", "party", "person_id", "mobile", "code_hash", "text_hash")
CODE_COLUMNS += ("created_at", "expires_at", "attempts", "used_at", "retired_at")
SIGNATURE_COLUMNS = ("agreement_id", "party", "signer_id", "organization_id")
SIGNATURE_COLUMNS += ("real_name_check_id", "signer_check_id", "code_id", "text_hash")
SIGNATURE_COLUMNS += ("signed_at", "client_ip", "user_agent", "channel", "user_id")


@dataclass
class LoadResult:
    agreements: int = 0
    states: Counter = field(default_factory=Counter)
    persons: int = 0
    organizations: int = 0
    caseworkers_created: int = 0
    real_name_checks: int = 0
    signatures: int = 0
    processes: int = 0
    tasks: int = 0
    events: int = 0
    seconds: float = 0.0
    person_ids: list[int] = field(default_factory=list, repr=False)
    organization_ids: list[int] = field(default_factory=list, repr=False)
    user_ids: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "agreements": self.agreements,
            "open": sum(n for state, n in self.states.items() if state in OPEN_MIX),
            "states": dict(sorted(self.states.items())),
            "persons": self.persons,
            "organizations": self.organizations,
            "caseworkers_created": self.caseworkers_created,
            "real_name_checks": self.real_name_checks,
            "signatures": self.signatures,
            "processes": self.processes,
            "tasks": self.tasks,
            "events": self.events,
            "seconds": round(self.seconds, 1),
        }


def load_agreements(
    count: int,
    *,
    market: Market,
    open_fraction: float = 0.03,
    batch_size: int = 10_000,
    seed: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    analyze: bool = True,
) -> LoadResult:
    """Write ``count`` realistic gig agreements of ``market`` in bulk.

    They were made over the last three years from the active standard terms,
    most signed and the work completed (the pay mostly confirmed, a few percent
    reported unpaid); some cancelled, expired unsigned, terminated or replaced by
    a changed agreement (written as a pair: the superseded one and its completed
    replacement, whose text names it). ``open_fraction`` of them (at least one per
    open state) are recent and open: drafts, sent, signed by one party, in force.
    Each batch of ``batch_size`` is one transaction.

    Written alongside: a pool of workers (Person, valid GB 11643 numbers), hiring
    organisations (valid credit codes) each with a handling person, a few
    intermediaries, and a passed real-name check for each of them, as the counter
    records before anyone signs; some hiring parties are individuals from the pool.
    Codes GA-<year made>-<n> are reserved from CodeSequence, so agreements made later
    continue after them. Every agreement from "sent" on has its ``final_text``,
    composed by ``agreements.text.compose`` as the services do, and its SHA-256.

    Every open agreement also gets what the services would have made: its viewflow
    Process and the tasks AgreementFlow creates, the last one open and assigned to
    the caseworker who made it; its hash-chained audit events with their ChainHead;
    and its signatures so far, each with its used one-time code (signed at the
    counter, as parties without a login do), so the other party can sign next.

    Historic agreements get no Process, audit events, signing codes, signatures or
    documents: nothing acts on them any more, and those rows (three per signature)
    would take most of the loading time; their dates, text, hash, owner and
    outcome fields are filled in.
    """
    started = time.monotonic()
    counts = state_counts(count, open_fraction)
    loader = _Loader(market, random.Random(seed), batch_size)  # noqa: S311  (made-up data)
    loader.prepare(counts)
    done = 0
    for batch in loader.batches(counts):
        with transaction.atomic():
            loader.write_batch(batch)
        done += sum(2 if later else 1 for _at, _state, later in batch)
        if progress:
            progress(done, count, time.monotonic() - started)
    if analyze:
        loader.writer.analyze([Agreement, Person, Process, Task, CaseEvent, Signature])
    loader.result.seconds = time.monotonic() - started
    return loader.result


def state_counts(count: int, open_fraction: float = 0.03) -> dict[str, int]:
    """How many agreements of each state ``count`` agreements have."""
    open_total = min(count, max(round(count * open_fraction), len(OPEN_MIX)))
    counts = apportion(open_total, OPEN_MIX, at_least_one=True)
    counts.update(apportion(count - open_total, HISTORIC_MIX, at_least_one=True))
    # Each superseded agreement comes with its replacement, one of the completed ones.
    pairs = min(counts.get(S.SUPERSEDED, 0), counts.get(S.COMPLETED, 0))
    counts[S.COMPLETED] = counts.get(S.COMPLETED, 0) + counts.pop(S.SUPERSEDED, 0) - pairs
    if pairs:
        counts[S.SUPERSEDED] = pairs
    return {state: n for state, n in counts.items() if n}


@dataclass
class _Rows:
    """The rows of one batch besides the agreements, table by table."""

    processes: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    previous: list = field(default_factory=list)
    codes: list = field(default_factory=list)
    signatures: list = field(default_factory=list)
    events: list = field(default_factory=list)
    heads: list = field(default_factory=list)


@dataclass
class _Row:
    """One agreement being made: its particulars and moments, then its column values."""

    pk: int
    code: str
    state: str
    created: datetime.datetime
    values: dict = field(default_factory=dict)
    signed_by: tuple[str, ...] = ()
    sign_times: tuple[datetime.datetime, ...] = ()


class _Loader:
    def __init__(self, market: Market, rng: random.Random, batch_size: int) -> None:
        self.market, self.rng, self.batch_size = market, rng, batch_size
        self.writer = BulkWriter()
        self.result = LoadResult()
        self.now = timezone.now()
        self.today = self.now.astimezone(CST).date()
        self.terms = StandardTerms.active()
        if self.terms is None:
            raise RuntimeError("no active standard terms to make agreements from")
        # compose() reads the clauses of every agreement's terms: read them once.
        prefetch_related_objects([self.terms], "clauses")
        self.agreement_type = ContentType.objects.get_for_model(Agreement).pk
        names = {name for path in FLOW_PATHS.values() for name in path}
        self.nodes = {name: AgreementFlow.instance.node(name) for name in names}
        self.labels = {party.value: str(party.label) for party in Party}
        self._ids: dict[type, list[int]] = {}

    # -- parties and staff ---------------------------------------------------------------

    def prepare(self, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        open_total = sum(n for state, n in counts.items() if state in OPEN_MIX)
        with transaction.atomic():
            self.caseworkers = self._caseworkers(math.ceil(open_total / OPEN_PER_CASEWORKER))
        with transaction.atomic():
            self.writer.defer_checks()
            self._persons(max(20, total // 3))
            self.employers = self._organizations(max(5, total // 150), Organization.Kind.EMPLOYER)
            self.intermediaries = self._organizations(
                max(2, total // 5000), Organization.Kind.INTERMEDIARY
            )
            self._checks()

    def _caseworkers(self, needed: int) -> list[Staff]:
        users = list(
            User.objects.filter(
                groups__name=Role.CASEWORKER,
                staff_profile__markets=self.market,
                is_active=True,
            ).order_by("pk")
        )
        missing = max(needed, 1) - len(users)
        if missing > 0:
            users += self._new_caseworkers(missing)
        return [
            Staff(user.pk, user.get_full_name() or user.username, Role.CASEWORKER.value)
            for user in users
        ]

    def _new_caseworkers(self, count: int) -> list[User]:
        users = new_staff(self.market, Role.CASEWORKER, count, self.rng)
        self.result.caseworkers_created += len(users)
        self.result.user_ids += [user.pk for user in users]
        return users

    def _persons(self, count: int) -> None:
        """The pool of workers (and of individual hiring parties and handling persons)."""
        taken = loading.taken(
            "id_number",
            lambda: Person.objects.filter(id_number__startswith=AREA_CODE).values_list(
                "id_number", flat=True
            ),
        )
        born = (datetime.date(1966, 1, 1), datetime.date(2006, 12, 31))
        ids = self.writer.reserve_ids(Person, count)
        rows = [person_row(self.rng, pk, taken, born=born, now=self.now) for pk in ids]
        # Unsaved copies: compose() reads names and numbers.
        self.people: list[Person] = [
            Person(pk=pk, name=name, id_number=number, mobile=mobile)
            for pk, name, number, _birth, _sex, mobile, *_rest in rows
        ]
        self.writer.write(Person, PERSON_COLUMNS, rows)
        self.result.persons += len(ids)
        self.result.person_ids += ids

    def _organizations(self, count: int, kind: str) -> list[Organization]:
        """Hiring organisations or intermediaries, each with a handling person from the pool."""
        rng = self.rng
        taken = loading.taken(
            "credit_code", lambda: Organization.objects.values_list("credit_code", flat=True)
        )
        ids = self.writer.reserve_ids(Organization, count)
        employer = kind == Organization.Kind.EMPLOYER
        orgs, rows, links = [], [], []
        for pk in ids:
            code = new_credit_code(rng, taken)
            words = rng.choice(ORG_WORDS)
            if employer:
                name = f"城东{words}{rng.choice(ORG_TRADES)}有限公司"
                licence = ""
            else:
                name = f"城东{words}人力资源服务有限公司"
                licence = f"人社许字〔{rng.randint(2018, 2025)}〕第{rng.randrange(1, 999):04d}号"
            address, phone = random_address(rng), random_landline(rng)
            rows.append((pk, kind, name, code, "", licence, "", address, phone, self.now))
            org = Organization(pk=pk, kind=kind, name=name, credit_code=code)
            org.signer = rng.choice(self.people)  # its handling person, who signs for it
            links.append((pk, org.signer.pk))
            orgs.append(org)
        self.writer.write(Organization, ORGANIZATION_COLUMNS, rows)
        through = Organization.representatives.through
        self.writer.write(through, ("organization_id", "person_id"), links)
        self.result.organizations += len(ids)
        self.result.organization_ids += ids
        return orgs

    def _checks(self) -> None:
        """A passed real-name check for every party: nobody signs without one (双实名)."""
        parties = [*self.people, *self.employers, *self.intermediaries]
        ids = self.writer.reserve_ids(RealNameCheck, len(parties))
        self.checks: dict[tuple[type, int], int] = {}
        rows = []
        for pk, party in zip(ids, parties, strict=True):
            person = isinstance(party, Person)
            checker = self.rng.choice(self.caseworkers)
            method = (
                RealNameCheck.Method.ID_CARD_SEEN if person else RealNameCheck.Method.LICENCE_SEEN
            )
            rows.append(
                (
                    pk,
                    party.pk if person else None,
                    None if person else party.pk,
                    method.value,
                    RealNameCheck.Result.PASSED.value,
                    checker.id,
                    self.now - CHECKED_AGO,
                    "",
                    "",
                )
            )
            self.checks[type(party), party.pk] = pk
        self.writer.write(RealNameCheck, CHECK_COLUMNS, rows)
        self.result.real_name_checks += len(rows)

    # -- when each agreement was made ----------------------------------------------------

    def batches(self, counts: dict[str, int]) -> Iterator[list[tuple]]:
        """Units (made at, state, replacement made at), oldest first, ``batch_size`` rows at
        a time; a superseded agreement's unit also makes its replacement (two rows)."""
        rng = self.rng
        replacing = counts.get(S.SUPERSEDED, 0)
        historic = [
            state
            for state, n in counts.items()
            if state not in OPEN_MIX
            for _ in range(n - (replacing if state == S.COMPLETED else 0))
        ]
        rng.shuffle(historic)
        per_day = self._historic_per_day(len(historic))
        units, position = [], 0
        for ago in range(HISTORY_DAYS, RECENT_DAYS - 1, -1):
            taken = per_day.get(ago, 0)
            if not taken:
                continue
            day = self.today - datetime.timedelta(days=ago)
            times = sorted(self._time_of_day(day) for _ in range(taken))
            for at, state in zip(times, historic[position : position + taken], strict=True):
                later = at + datetime.timedelta(hours=rng.uniform(24, 96))
                units.append((at, state, later if state == S.SUPERSEDED else None))
            position += taken
        recent = []
        for state, n in counts.items():
            if state in OPEN_MIX:
                hours = OPEN_AGE_HOURS[state]
                recent += [(self.now - HOUR * rng.uniform(2, hours), state, None) for _ in range(n)]
        units += sorted(recent, key=lambda unit: unit[0])
        batch, rows = [], 0
        for unit in units:
            batch.append(unit)
            rows += 2 if unit[2] else 1
            if rows >= self.batch_size:
                yield batch
                batch, rows = [], 0
        if batch:
            yield batch

    def _historic_per_day(self, total: int) -> dict[int, int]:
        weights = {}
        for ago in range(RECENT_DAYS, HISTORY_DAYS + 1):
            weekday = (self.today - datetime.timedelta(days=ago)).weekday()
            growth = 0.5 + 0.5 * (1 - ago / HISTORY_DAYS)  # the market's use grew
            weights[ago] = growth * (1.0 if weekday < 5 else 0.7)  # gig work goes on at weekends
        return apportion(total, weights)

    def _time_of_day(self, day: datetime.date) -> datetime.datetime:
        """A moment in the market's opening hours (China time): early, when hiring happens."""
        at = datetime.datetime(day.year, day.month, day.day, 6, 30, tzinfo=CST)
        return at + datetime.timedelta(seconds=self.rng.randrange(int(11.5 * 3600)))

    # -- one batch -------------------------------------------------------------------------

    def write_batch(self, batch: list[tuple]) -> None:
        writer = self.writer
        relaxed_commit(writer)
        writer.defer_checks()
        made = []  # when each row was made, a replacement right after its original
        for at, _state, later in batch:
            made += [at, later] if later else [at]
        ids = iter(writer.reserve_ids(Agreement, len(made)))
        codes = iter(reserve_codes(Agreement.CODE_PREFIX, made))
        self._reserve([state for _at, state, _later in batch])
        rows = _Rows()
        states = Counter()
        with writer.stream(Agreement, AGREEMENT_COLUMNS) as send:
            for at, state, later in batch:
                row = _Row(next(ids), next(codes), state, at)
                replacement = _Row(next(ids), next(codes), S.COMPLETED, later) if later else None
                for made_row in self._make(row, replacement):
                    send(self._finish(rows, made_row))
                    states[made_row.state] += 1
        write = writer.write
        write(Process, PROCESS_COLUMNS, rows.processes)
        write(Task, TASK_COLUMNS, rows.tasks)
        write(Task.previous.through, ("from_task_id", "to_task_id"), rows.previous)
        write(SigningCode, CODE_COLUMNS, rows.codes)
        write(Signature, SIGNATURE_COLUMNS, rows.signatures)
        write(CaseEvent, EVENT_COLUMNS, rows.events)
        write(ChainHead, HEAD_COLUMNS, rows.heads)
        result = self.result
        result.agreements += len(made)
        result.states.update(states)
        result.processes += len(rows.processes)
        result.tasks += len(rows.tasks)
        result.signatures += len(rows.signatures)
        result.events += len(rows.events)

    def _reserve(self, states: list[str]) -> None:
        """Keys for the rows of the open agreements, reserved before the agreements stream
        (the connection runs no other query during a COPY)."""
        counts = Counter(states)
        self._ids = {
            Process: self.writer.reserve_ids(Process, sum(counts[s] for s in OPEN_MIX))[::-1],
            Task: self.writer.reserve_ids(
                Task, sum(len(FLOW_PATHS[s]) * counts[s] for s in OPEN_MIX)
            )[::-1],
            SigningCode: self.writer.reserve_ids(
                SigningCode, counts[S.PARTLY_SIGNED] + 2 * counts[S.SIGNED]
            )[::-1],
        }

    def _take_id(self, model) -> int:
        return self._ids[model].pop()

    # -- one agreement ---------------------------------------------------------------------

    def _make(self, row: _Row, replacement: _Row | None) -> list[_Row]:
        """The agreement's particulars and moments; a replacement copies the original."""
        self._particulars(row)
        self._moments(row)
        if replacement is None:
            return [row]
        self._replace(row, replacement)
        return [row, replacement]

    def _particulars(self, row: _Row) -> None:
        rng, random = self.rng, self.rng.random
        trade = TRADES[bisect(TRADE_BOUNDS, random() * 100)]
        preset = PRESETS.get(trade)
        base = preset.values() if preset else {**OTHER_TERMS, "job_description": ""}
        job, place = JOBS[trade][int(random() * len(JOBS[trade]))]
        if preset and random() < 0.4:  # the counter kept the preset's work content
            job = base["job_description"]
        place = place.format(
            road=rng.choice(ROADS),
            n=1 + int(random() * 299),
            b=1 + int(random() * 30),
            room=f"{1 + int(random() * 18)}0{1 + int(random() * 4)}",
            zone="ABCDE"[int(random() * 5)],
        )
        people = self.people
        worker_at = int(random() * len(people))
        org = person = signer = None
        if random() < (0.3 if trade in (Trade.HOUSEKEEPING, Trade.RENOVATION) else 0.06):
            person = self.people[int(random() * len(self.people))]
        else:
            org = self.employers[int(random() * len(self.employers))]
            signer = org.signer
        if people[worker_at] in (person, signer):  # nobody hires themselves
            worker_at = (worker_at + 1) % len(people)
        worker = people[worker_at]
        unit = base["pay_unit"] if random() < 0.8 else PayUnit.DAY.value
        cover = base["injury_cover"]
        if person is not None and random() < 0.5:
            cover = InjuryCover.NONE.value
        insurance = ""
        if cover in (InjuryCover.ACCIDENT, InjuryCover.LIABILITY):
            insurance = (
                f"{rng.choice(INSURERS)} 团体意外险 "
                f"P{self.today.year - int(random() * 3)}-{int(random() * 10000):04d}"
            )
        row.values = {
            "trade": trade,
            "job_description": job,
            "work_place": place,
            "work_hours": base["work_hours"],
            "rest": base["rest"],
            "pay_unit": unit,
            "pay_rate": self._rate(unit),
            "payment_method": METHODS[bisect(METHOD_BOUNDS, random() * 100)],
            "safety": base["safety"],
            "injury_cover": cover,
            "insurance_details": insurance,
            "special_terms": SPECIAL_TERMS[int(random() * len(SPECIAL_TERMS))],
            "hiring_party_first": random() < 0.05,
            "worker": worker,
            "hiring_organization": org,
            "hiring_person": person,
            "hiring_signer": signer,
            "intermediary": rng.choice(self.intermediaries) if random() < 0.15 else None,
        }

    def _rate(self, unit: str) -> Decimal:
        low, high = RATES[unit]
        rate = self.rng.randint(low, high)
        if unit == PayUnit.DAY:
            rate -= rate % 10
        elif unit == PayUnit.JOB:
            rate -= rate % 50
        return Decimal(rate).quantize(Decimal("0.01"))

    def _dates(self, row: _Row, begins: datetime.date, *, historic: bool) -> None:
        """The days of work from ``begins`` on, the total pay and the day it falls due."""
        random, values = self.rng.random, row.values
        start = begins + DAYS[0 if random() < 0.7 else 1 + int(random() * 3)]
        r = random()
        length = 0 if r < 0.55 else 1 + int(random() * 4) if r < 0.85 else 5 + int(random() * 16)
        end = start + DAYS[length]
        if historic:  # the work is over
            end = min(end, self.today - DAYS[1])
            start = min(start, end)
        elif row.state == S.SIGNED:  # in force: the work is still going on
            end = max(end, self.today)
        values["start_date"], values["end_date"] = start, end
        values["payment_date"] = end + DAYS[0 if random() < 0.6 else 1 + int(random() * 7)]
        values["pay_total"] = self._total(values, (end - start).days + 1)

    def _total(self, values: dict, days: int) -> Decimal | None:
        rate, unit = values["pay_rate"], values["pay_unit"]
        if unit == PayUnit.DAY:
            return rate * days
        if unit == PayUnit.HOUR and self.rng.random() < 0.7:
            return rate * 8 * days
        if unit == PayUnit.JOB:
            return rate
        return None  # by the piece, or hours not fixed in advance

    def _moments(self, row: _Row) -> None:
        """When it was sent, signed and ended, as its state says; and its outcome fields."""
        random, values, state = self.rng.random, row.values, row.state
        historic = state not in OPEN_MIX
        values["created_at"] = row.created
        sent = row.created + MINUTE * (2 + int(random() * 38))
        if state == S.DRAFT or (state == S.CANCELLED and random() < 0.4):
            sent = None
        values["sent_at"] = sent
        values["sign_deadline"] = sent + SIGN_HOURS if sent else None
        begins = (sent or row.created).astimezone(CST).date()
        if state in (S.PARTLY_SIGNED, S.SIGNED) or (historic and state in SIGNED_STATES):
            self._signatures(row, sent)
            begins = row.sign_times[-1].astimezone(CST).date()
        self._dates(row, begins, historic=historic)
        last = row.sign_times[-1] if row.sign_times else sent or row.created
        if state == S.CANCELLED:
            last = values["ended_at"] = last + MINUTE * (10 + int(random() * 2870))
            values["end_reason"] = CANCELLATIONS[int(random() * len(CANCELLATIONS))]
        elif state == S.EXPIRED:
            last = values["ended_at"] = values["sign_deadline"] + MINUTE * random()
        elif state == S.TERMINATED:
            stop = self._evening(values["end_date"])
            last = values["ended_at"] = last + max(stop - last, HOUR) * random()
            values["end_reason"] = TERMINATIONS[int(random() * len(TERMINATIONS))]
        elif state == S.COMPLETED:
            last = self._completed(row, last)
        values["updated_at"] = last

    def _signatures(self, row: _Row, sent: datetime.datetime) -> None:
        random = self.rng.random
        first, second = Party.WORKER.value, Party.HIRING.value
        if row.values["hiring_party_first"] or random() < 0.3:
            first, second = second, first
        parties = (first,) if row.state == S.PARTLY_SIGNED else (first, second)
        times, at = [], sent
        for _party in parties:
            at += MINUTE * (1 + int(random() * 20))
            times.append(at)
        row.signed_by, row.sign_times = parties, tuple(times)
        if len(parties) == 2:
            row.values["signed_at"] = times[-1]

    def _evening(self, day: datetime.date) -> datetime.datetime:
        at = datetime.datetime(day.year, day.month, day.day, 17, tzinfo=CST)
        return at + datetime.timedelta(seconds=self.rng.randrange(3 * 3600))

    def _completed(self, row: _Row, signed: datetime.datetime) -> datetime.datetime:
        """Marked completed the evening the work ended; the pay reported once it fell due."""
        random, values = self.rng.random, row.values
        done = values["completed_at"] = max(self._evening(values["end_date"]), signed + HOUR)
        if values["payment_date"] >= self.today:
            return done
        r = random()
        if r < 0.93:
            status = PaymentStatus.PAID.value if r < 0.9 else PaymentStatus.UNPAID.value
            reported = max(self._evening(values["payment_date"]), done + MINUTE * 10)
            reported = min(reported, self.now - MINUTE)
            values["payment_status"], values["payment_reported_at"] = status, reported
            return reported
        return done

    def _replace(self, old: _Row, new: _Row) -> None:
        """A change after signing: more days of work; the new agreement replaces the old."""
        values = old.values
        changed_on = new.created.astimezone(CST).date()
        if values["end_date"] < changed_on:  # the change came while the work went on
            values["end_date"] = changed_on
            values["payment_date"] = max(values["payment_date"], changed_on)
            values["pay_total"] = self._total(values, (changed_on - values["start_date"]).days + 1)
        values = {
            name: value
            for name, value in values.items()
            if name not in ("signed_at", "completed_at", "payment_status", "payment_reported_at")
        }
        longer = DAYS[1 + int(self.rng.random() * 4)]
        values["end_date"] = min(values["end_date"] + longer, self.today - DAYS[1])
        values["payment_date"] = max(values["payment_date"], values["end_date"])
        days = (values["end_date"] - values["start_date"]).days + 1
        values["pay_total"] = self._total(values, days)
        values["special_terms"] = "乙方同意延长工期，劳动报酬按原标准相应调整。"
        values["supersedes"] = Agreement(pk=old.pk, code=old.code)
        new.values = values
        sent = new.created + MINUTE * (2 + int(self.rng.random() * 38))
        values["created_at"], values["sent_at"] = new.created, sent
        values["sign_deadline"] = sent + SIGN_HOURS
        self._signatures(new, sent)
        values["updated_at"] = self._completed(new, new.sign_times[-1])
        old.values["ended_at"] = old.values["updated_at"] = values["signed_at"]
        old.values["end_reason"] = new.code

    # -- its columns, and the open agreement's process, events and signatures --------------

    def _finish(self, rows: _Rows, row: _Row) -> tuple:
        values = row.values
        owner = self.caseworkers[int(self.rng.random() * len(self.caseworkers))]
        sent = values["sent_at"] is not None
        final_text = text_hash = ""
        if sent:
            final_text = text.compose(self._unsaved(row))
            text_hash = hashlib.sha256(final_text.encode("utf-8")).hexdigest()
        process_id = None
        if row.state in OPEN_MIX:
            process_id = self._open(rows, row, owner, text_hash)
        columns = {**BLANK, **values}
        worker, org, person = (
            values["worker"],
            values["hiring_organization"],
            values["hiring_person"],
        )
        signer, intermediary = values["hiring_signer"], values["intermediary"]
        supersedes = values.get("supersedes")
        columns.update(
            id=row.pk,
            code=row.code,
            market_id=self.market.pk,
            owner_id=owner.id,
            created_by_id=owner.id,
            process_id=process_id,
            state=row.state,
            terms_id=self.terms.pk,
            worker_id=worker.pk,
            hiring_organization_id=org.pk if org else None,
            hiring_person_id=person.pk if person else None,
            hiring_signer_id=signer.pk if signer else None,
            intermediary_id=intermediary.pk if intermediary else None,
            supersedes_id=supersedes.pk if supersedes else None,
            final_text=final_text,
            text_hash=text_hash,
        )
        return tuple(columns[name] for name in AGREEMENT_COLUMNS)

    def _unsaved(self, row: _Row) -> Agreement:
        """The agreement as compose() reads it: nothing it touches needs a query."""
        particulars = {name: row.values[name] for name in COMPOSED}
        particulars["supersedes"] = row.values.get("supersedes")
        return Agreement(
            pk=row.pk, code=row.code, market=self.market, terms=self.terms, **particulars
        )

    def _open(self, rows: _Rows, row: _Row, owner: Staff, text_hash: str) -> int:
        values = row.values
        events = [(row.created, "created", "", S.DRAFT.value, "")]
        if values["sent_at"]:
            events.append((values["sent_at"], "send_for_signing", S.DRAFT, S.SENT, text_hash))
        steps = (
            (S.SENT, S.PARTLY_SIGNED, "sign_first"),
            (S.PARTLY_SIGNED, S.SIGNED, "sign_second"),
        )
        for party, at, (before, after, action) in zip(
            row.signed_by, row.sign_times, steps, strict=False
        ):
            signer = self._signature(rows, row, party, at, owner, text_hash)
            label = self.labels[party]
            asked = f"{label} → {mask_phone(signer.mobile)}"
            events.append((at - MINUTE, "signing_code_sent", "", "", asked))
            events.append((at, action, before, after, f"{label}：{signer.name}，{text_hash}"))
        self._events(rows, row.pk, owner, events)
        process_id = self._take_id(Process)
        self._flow(rows, row, process_id, owner)
        return process_id

    def _signature(self, rows, row, party, at, owner, text_hash) -> Person:
        values = row.values
        org = values["hiring_organization"] if party == Party.HIRING else None
        if party == Party.WORKER:
            signer = values["worker"]
        else:
            signer = values["hiring_person"] or values["hiring_signer"]
        code_id = self._take_id(SigningCode)
        asked = at - MINUTE
        code_hash = f"{self.rng.getrandbits(256):064x}"  # of a code nobody needs again
        rows.codes.append(
            (
                code_id,
                row.pk,
                party,
                signer.pk,
                signer.mobile,
                code_hash,
                text_hash,
                asked,
                asked + CODE_MINUTES,  # expires
                1,  # one try
                at,  # used
                None,  # never retired
            )
        )
        check = self.checks[Organization, org.pk] if org else self.checks[Person, signer.pk]
        signer_check = self.checks[Person, signer.pk] if org else None
        rows.signatures.append(
            (
                row.pk,
                party,
                signer.pk,
                org.pk if org else None,
                check,
                signer_check,
                code_id,
                text_hash,
                at,
                None,
                "",
                Signature.Channel.COUNTER.value,
                owner.id,
            )
        )
        return signer

    def _events(self, rows: _Rows, pk: int, owner: Staff, events: list[tuple]) -> None:
        chain, head = event_chain(
            self.agreement_type,
            pk,
            (
                (at, owner, action, str(from_state), str(to_state), note)
                for at, action, from_state, to_state, note in events
            ),
        )
        rows.events += chain
        rows.heads.append(head)

    def _flow(self, rows: _Rows, row: _Row, process_id: int, owner: Staff) -> None:
        """The process and its tasks as AgreementFlow and flows.run_step() leave them."""
        values = row.values
        rows.processes.append(
            (process_id, AgreementFlow, PROCESS.NEW, row.created, {}, self.agreement_type, row.pk)
        )
        done = {
            "start": row.created,
            "prepare": values["sent_at"],
            "after_prepare": values["sent_at"],
            "collect_signatures": values.get("signed_at"),
            "after_signing": values.get("signed_at"),
        }
        path = FLOW_PATHS[row.state]
        moment, previous = row.created, None
        for position, name in enumerate(path):
            node = self.nodes[name]
            human = node.task_type == "HUMAN"
            created = moment
            if position == len(path) - 1:  # the open task, assigned to its maker
                status, started, finished = STATUS.ASSIGNED, None, None
            else:
                status = STATUS.DONE
                moment = finished = done[name]
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
                    owner.id if human else None,
                    getattr(node, "_owner_permission", None),
                    {},
                )
            )
            if previous is not None:
                rows.previous.append((task_id, previous))
            previous = task_id
