"""Many realistic disputes, written in bulk, for ``manage.py seed_load`` and the benchmarks.

The rows are what the services would have left behind, written directly (COPY on
PostgreSQL, multi-row INSERT elsewhere) because a million disputes through the
services would take days. ``load_disputes`` documents what is written.
"""

import datetime
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
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

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
    received_batches,
    relaxed_commit,
    reserve_codes,
)
from casework.core.models import CaseEvent, ChainHead, Market
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.flows import DisputeFlow
from casework.disputes.models import (
    MEDIATION_DAYS,
    PAYMENT_ORDER_TYPES,
    Channel,
    ClaimItem,
    ClaimType,
    Dispute,
    Instalment,
    Payment,
    Settlement,
)
from casework.parties.models import Organization, Person

S = Dispute.State

# Disputes of past years ended mostly in mediation (docs/domain.md, "Wage disputes": in
# one county 5,871 of 7,162 closed cases were settled by mediation, 654 withdrawn).
HISTORIC_MIX = {S.CLOSED: 72, S.TERMINATED: 11, S.WITHDRAWN: 10, S.NOT_ACCEPTED: 7}
# The open part: still somebody's work, received recently.
OPEN_MIX = {
    S.RECEIVED: 14,
    S.ACCEPTED: 20,
    S.IN_MEDIATION: 34,
    S.SETTLED: 10,
    S.EFFECTIVE: 12,
    S.DEFAULTED: 2,
    S.PERFORMED: 5,
    S.REFERRED: 3,
}
# How many days ago a dispute in an open state was received (inclusive). Some cases
# in mediation are past their 15 days.
OPEN_AGE_DAYS = {
    S.RECEIVED: (0, 2),
    S.ACCEPTED: (1, 12),
    S.IN_MEDIATION: (2, 22),
    S.SETTLED: (4, 16),
    S.EFFECTIVE: (12, 90),
    S.DEFAULTED: (40, 120),
    S.PERFORMED: (20, 60),
    S.REFERRED: (45, 150),
}
HISTORY_DAYS = 3 * 365
RECENT_DAYS = 7  # historic disputes were received at least this many days ago
HELD_STATES = (S.IN_MEDIATION, S.SETTLED, S.EFFECTIVE, S.DEFAULTED, S.PERFORMED, S.REFERRED)
SETTLED_STATES = (S.SETTLED, S.EFFECTIVE, S.DEFAULTED, S.PERFORMED, S.REFERRED)
MAX_INSTALMENTS = 3
HELD_PER_MEDIATOR = 40  # mediators are added so that nobody holds many more cases

# The tasks DisputeFlow has made by the time a dispute is in each open state; the
# last one is open.
_TO_MEDIATE = ("start", "review_intake", "after_review", "mediate")
_TO_FOLLOW_UP = (*_TO_MEDIATE, "after_mediate", "collect_marks", "after_marks", "follow_up")
FLOW_PATHS = {
    S.RECEIVED: ("start", "review_intake"),
    S.ACCEPTED: _TO_MEDIATE,
    S.IN_MEDIATION: _TO_MEDIATE,
    S.SETTLED: (*_TO_MEDIATE, "after_mediate", "collect_marks"),
    S.EFFECTIVE: _TO_FOLLOW_UP,
    S.DEFAULTED: (*_TO_FOLLOW_UP, "after_follow_up", "refer"),
    S.PERFORMED: (*_TO_FOLLOW_UP, "after_follow_up", "close"),
    S.REFERRED: (*_TO_FOLLOW_UP, "after_follow_up", "refer", "close"),
}

TRADES = (
    "搬运装卸",
    "家政保洁",
    "装修",
    "餐饮帮厨",
    "同城配送",
    "建筑小工",
    "仓储分拣",
    "绿化养护",
)
# Plain strings and cached deltas for the hot loop (enum lookups cost several times more).
WAGES = ClaimType.UNPAID_WAGES.value
ORAL, ONLINE, AGREEMENT = Channel.ORAL.value, Channel.ONLINE.value, Channel.AGREEMENT.value
NOT_ACCEPTED, WITHDRAWN, TERMINATED = S.NOT_ACCEPTED.value, S.WITHDRAWN.value, S.TERMINATED.value
PAYMENT_ORDER = Dispute.Referral.PAYMENT_ORDER.value
ARBITRATION = Dispute.Referral.ARBITRATION.value
DAYS = [datetime.timedelta(days=n) for n in range(400)]
FORTY_DAYS = DAYS[40]
CHANNELS = tuple(
    c.value for c in (Channel.WRITTEN, Channel.ORAL, Channel.ONLINE, Channel.AGREEMENT)
)
CHANNEL_CUM = (50, 70, 95, 100)
CLAIM_KINDS = tuple(ClaimType.values)
CLAIM_CUM = (70, 78, 88, 95, 100)  # unpaid wages, injury costs, severance, damages, other
DAY_RATES = (180, 200, 220, 250, 280, 300, 350, 400, 450, 500)
CLAIM_RANGE = {
    ClaimType.INJURY_MEDICAL: (800, 60000),
    ClaimType.SEVERANCE: (2000, 40000),
    ClaimType.DAMAGES: (500, 20000),
    ClaimType.OTHER: (200, 5000),
}
MATTERS = {
    ClaimType.UNPAID_WAGES: "追索拖欠的{trade}工资",
    ClaimType.INJURY_MEDICAL: "{trade}作业受伤的医疗费用",
    ClaimType.SEVERANCE: "解除用工关系的经济补偿",
    ClaimType.DAMAGES: "{trade}工作中的损害赔偿",
    ClaimType.OTHER: "退还押金及其他费用",
}
REFUSALS = (
    "不属于劳动争议调解范围（承揽合同纠纷），已告知可向人民法院起诉。",
    "申请人与被申请人之间为合伙关系，不属于劳动争议。",
    "同一事项已申请劳动争议仲裁并已受理。",
)
WITHDRAWALS = ("已与用工方自行协商解决。", "申请人决定直接申请仲裁。", "对方已主动支付。")
OUTCOMES = ("双方差距过大，未达成协议，已告知可申请仲裁。", "被申请人拒绝调解。")
TERMINATIONS = tuple(Dispute.TerminationReason.values)
TERMINATION_CUM = (60, 85, 100)

DISPUTE_COLUMNS = (
    "id",
    "code",
    "created_at",
    "updated_at",
    "state",
    "channel",
    "received_at",
    "applicant_details",
    "matter",
    "reasons",
    "knew_of_infringement_on",
    "employment_ended_on",
    "priority",
    "total_claimed",
    "claim_types",
    "mediation_due",
    "due_date",
    "accepted_at",
    "mediation_started_at",
    "ended_at",
    "decision_reason",
    "termination_reason",
    "outcome_note",
    "withdrawal_reason",
    "referral",
    "source_agreement_code",
    "filed_by_id",
    "market_id",
    "mediation_body_id",
    "owner_id",
    "process_id",
    "respondent_organization_id",
    "respondent_person_id",
)
CLAIM_COLUMNS = ("dispute_id", "claim_type", "amount", "period_start", "period_end", "description")
SETTLEMENT_COLUMNS = (
    "id",
    "dispute_id",
    "amount",
    "method",
    "terms",
    "applicant_signed_at",
    "respondent_signed_at",
    "mediator_signed_at",
    "body_sealed_at",
    "mediator_id",
    "updated_at",
)
INSTALMENT_COLUMNS = ("id", "settlement_id", "seq", "due_date", "amount", "paid")
PAYMENT_COLUMNS = ("instalment_id", "amount", "paid_on", "note", "recorded_by_id", "recorded_at")


@dataclass
class LoadResult:
    disputes: int = 0
    states: Counter = field(default_factory=Counter)
    persons: int = 0
    organizations: int = 0
    mediators_created: int = 0
    claim_items: int = 0
    applicant_links: int = 0
    processes: int = 0
    tasks: int = 0
    events: int = 0
    settlements: int = 0
    seconds: float = 0.0
    # What was created, for a benchmark that removes its own data afterwards.
    person_ids: list[int] = field(default_factory=list, repr=False)
    organization_ids: list[int] = field(default_factory=list, repr=False)
    user_ids: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "disputes": self.disputes,
            "open": sum(n for state, n in self.states.items() if state in OPEN_MIX),
            "states": dict(sorted(self.states.items())),
            "persons": self.persons,
            "organizations": self.organizations,
            "mediators_created": self.mediators_created,
            "claim_items": self.claim_items,
            "applicant_links": self.applicant_links,
            "processes": self.processes,
            "tasks": self.tasks,
            "events": self.events,
            "settlements": self.settlements,
            "seconds": round(self.seconds, 1),
        }


def load_disputes(
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
    """Write ``count`` realistic disputes of ``market`` in bulk.

    They were received over the last three years, most in a final state
    (closed, terminated, withdrawn, not accepted); ``open_fraction`` of them
    (at least one per open state) are open and recent: received, accepted and
    unassigned, or held by the market's mediators (in mediation, settled,
    effective, defaulted, performed, referred). ``mix`` ({state: weight})
    replaces that split. Each batch of ``batch_size`` is one transaction.

    Written alongside: a pool of workers (Person, valid GB 11643 numbers) and
    employers (Organization, valid credit codes); one or more applicants per
    dispute (group cases get the priority the services give them); one or two
    ClaimItems adding up to ``total_claimed`` and ``claim_types``; codes
    WD-<year of receipt>-<n> reserved from CodeSequence, so disputes filed later
    continue after them; the 15-day deadline from the working calendar; and
    mediators for the market when it has too few for the held cases.

    Every open dispute also gets what the services would have made: its
    viewflow Process and the tasks DisputeFlow creates, the last one open and
    owned as viewflow owns it (take next and the case pages work on it); its
    hash-chained audit events with their ChainHead; from "settled" on, the
    Settlement with its marks, instalments and payments.

    Historic disputes get no Process, audit events or Settlement: nothing acts
    on them any more, and those rows would take most of the loading time; their
    dates, owner and outcome fields are filled in. Deadline reminders are left
    to the beat task (``reminded_on`` and ``escalated_on`` stay empty).
    """
    started = time.monotonic()
    counts = state_counts(count, mix, open_fraction)
    loader = _Loader(market, random.Random(seed), batch_size)  # noqa: S311  (made-up data)
    loader.prepare(counts)
    done = 0
    for batch in loader.batches(counts):
        with transaction.atomic():
            loader.write_batch(batch)
        done += len(batch)
        if progress:
            progress(done, count, time.monotonic() - started)
    if analyze:  # fresh planner statistics for the queries that follow a large load
        loader.writer.analyze(
            [Dispute, Dispute.applicants.through, ClaimItem, Person, Process, Task, CaseEvent]
        )
    loader.result.seconds = time.monotonic() - started
    return loader.result


def state_counts(count: int, mix: dict | None, open_fraction: float = 0.02) -> dict[str, int]:
    """How many disputes of each state ``count`` disputes have."""
    if mix is None:
        open_total = min(count, max(round(count * open_fraction), len(OPEN_MIX)))
        counts = apportion(open_total, OPEN_MIX, at_least_one=True)
        counts.update(apportion(count - open_total, HISTORIC_MIX))
        return counts
    unknown = set(mix) - set(S.values)
    if unknown:
        raise ValueError(f"unknown states: {', '.join(sorted(unknown))}")
    return apportion(count, mix)


PORTAL = Staff(None, "portal", "portal")


@dataclass
class _Rows:
    """The rows of one batch, table by table."""

    processes: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    previous: list = field(default_factory=list)
    settlements: list = field(default_factory=list)
    instalments: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    events: list = field(default_factory=list)
    heads: list = field(default_factory=list)


@dataclass
class _Open:
    """What the open part of a dispute sets on the dispute row."""

    process_id: int
    last: datetime.datetime
    accepted: datetime.datetime | None = None
    started: datetime.datetime | None = None
    ended: datetime.datetime | None = None
    referral: str = ""


class _Loader:
    def __init__(self, market: Market, rng: random.Random, batch_size: int) -> None:
        self.market, self.rng, self.batch_size = market, rng, batch_size
        self.writer = BulkWriter()
        self.result = LoadResult()
        self.calendar = WorkCalendar()
        self.now = timezone.now()
        self.today = self.now.astimezone(CST).date()
        self.dispute_type = ContentType.objects.get_for_model(Dispute).pk
        names = {name for path in FLOW_PATHS.values() for name in path}
        self.nodes = {name: DisputeFlow.instance.node(name) for name in names}
        self.channel_labels = {channel.value: str(channel.label) for channel in Channel}
        self._due: dict[datetime.date, datetime.date] = {}
        self._ids: dict[type, list[int]] = {}
        self.group_size = settings.DISPUTE_GROUP_SIZE

    # -- parties and staff ---------------------------------------------------------------

    def prepare(self, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        held = sum(n for state, n in counts.items() if state in HELD_STATES)
        with transaction.atomic():
            self.body = self._mediation_body()
            self.mediators = self._mediators(math.ceil(held / HELD_PER_MEDIATOR))
        supervisors = [
            Staff(user.pk, user.get_full_name() or user.username, Role.SUPERVISOR)
            for user in self.market.supervisors.filter(is_active=True).order_by("pk")
        ]
        self.acceptors = self.mediators + supervisors
        with transaction.atomic():
            self._persons(max(20, int(total * 0.7)))
        with transaction.atomic():
            self.employers = self._organizations(max(5, total // 200), Organization.Kind.EMPLOYER)

    def _mediation_body(self) -> Organization:
        bodies = Organization.objects.filter(kind=Organization.Kind.MEDIATION_BODY).order_by("pk")
        body = bodies.filter(disputes_mediated__market=self.market).first() or bodies.first()
        if body is None:
            [pk] = self._organizations(1, Organization.Kind.MEDIATION_BODY)
            body = Organization.objects.get(pk=pk)
        return body

    def _mediators(self, needed: int) -> list[Staff]:
        users = list(services.mediators_of(self.market))
        missing = max(needed, 1) - len(users)
        if missing > 0:
            users += self._new_mediators(missing)
        return [
            Staff(user.pk, user.get_full_name() or user.username, Role.MEDIATOR) for user in users
        ]

    def _new_mediators(self, count: int) -> list[User]:
        users = new_staff(self.market, Role.MEDIATOR, count, self.rng)
        self.result.mediators_created += len(users)
        self.result.user_ids += [user.pk for user in users]
        return users

    def _persons(self, count: int) -> None:
        taken = loading.taken(
            "id_number",
            lambda: Person.objects.filter(id_number__startswith=AREA_CODE).values_list(
                "id_number", flat=True
            ),
        )
        born = (datetime.date(1961, 1, 1), datetime.date(2006, 12, 31))
        ids = self.writer.reserve_ids(Person, count)
        rows = [person_row(self.rng, pk, taken, born=born, now=self.now) for pk in ids]
        # What an oral application's details need, by position in the pool.
        self.people: list[tuple[str, str, str, int]] = [
            (name, "男" if sex == "M" else "女", mobile, birth.year)
            for _pk, name, _number, birth, sex, mobile, *_rest in rows
        ]
        self.writer.write(Person, PERSON_COLUMNS, rows)
        self.person_ids = ids
        self.result.persons += len(ids)
        self.result.person_ids += ids

    def _organizations(self, count: int, kind: str) -> list[int]:
        rng = self.rng
        taken = loading.taken(
            "credit_code", lambda: Organization.objects.values_list("credit_code", flat=True)
        )
        body = kind == Organization.Kind.MEDIATION_BODY
        ids = self.writer.reserve_ids(Organization, count)
        rows = []
        for pk in ids:
            code = new_credit_code(rng, taken, kind="52" if body else "91")
            if body:
                name = f"{self.market.region}劳动人事争议调解委员会"
            else:
                name = f"城东{rng.choice(ORG_WORDS)}{rng.choice(ORG_TRADES)}有限公司"
            body_type = Organization.MediationBodyType.TOWNSHIP if body else ""
            address, phone = random_address(rng), random_landline(rng)
            rows.append((pk, kind, name, code, "", "", body_type, address, phone, self.now))
        self.writer.write(Organization, ORGANIZATION_COLUMNS, rows)
        self.result.organizations += len(ids)
        self.result.organization_ids += ids
        return ids

    # -- when each dispute was received --------------------------------------------------

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
            growth = 0.6 + 0.4 * (1 - ago / HISTORY_DAYS)  # caseloads grew over the years
            weights[ago] = growth * (1.0 if weekday < 5 else 0.45 if weekday == 5 else 0.25)
        return apportion(total, weights)

    def _time_of_day(self, day: datetime.date) -> datetime.datetime:
        """A moment in opening hours (China time), never after now."""
        at = datetime.datetime(day.year, day.month, day.day, 8, 30, tzinfo=CST)
        at += datetime.timedelta(seconds=self.rng.randrange(9 * 3600))
        if at >= self.now:
            earlier = datetime.timedelta(seconds=self.rng.randrange(60, 3600))
            at = (self.now - earlier).astimezone(CST)
        return at

    # -- one batch -------------------------------------------------------------------------

    def write_batch(self, batch: list[tuple[datetime.datetime, str]]) -> None:
        writer = self.writer
        relaxed_commit(writer)
        writer.defer_checks()
        ids = writer.reserve_ids(Dispute, len(batch))
        codes = reserve_codes(Dispute.CODE_PREFIX, [at for at, _state in batch])
        self._reserve([state for _at, state in batch])
        for at, _state in batch:  # the calendar reads its override rows now, not mid-COPY
            self._mediation_due(at.astimezone(CST).date())
        rows = _Rows()
        # The disputes go to the server while they are made; the other tables after.
        with writer.stream(Dispute, DISPUTE_COLUMNS) as send:
            for (at, state), pk, code in zip(batch, ids, codes, strict=True):
                send(self._dispute(rows, pk, code, at, state))
        write = writer.write
        write(Process, PROCESS_COLUMNS, rows.processes)
        write(Dispute.applicants.through, ("dispute_id", "person_id"), rows.applicants)
        write(ClaimItem, CLAIM_COLUMNS, rows.claims)
        write(Task, TASK_COLUMNS, rows.tasks)
        write(Task.previous.through, ("from_task_id", "to_task_id"), rows.previous)
        write(Settlement, SETTLEMENT_COLUMNS, rows.settlements)
        write(Instalment, INSTALMENT_COLUMNS, rows.instalments)
        write(Payment, PAYMENT_COLUMNS, rows.payments)
        write(CaseEvent, EVENT_COLUMNS, rows.events)
        write(ChainHead, HEAD_COLUMNS, rows.heads)
        result = self.result
        result.disputes += len(batch)
        result.states.update(state for _at, state in batch)
        result.claim_items += len(rows.claims)
        result.applicant_links += len(rows.applicants)
        result.processes += len(rows.processes)
        result.tasks += len(rows.tasks)
        result.events += len(rows.events)
        result.settlements += len(rows.settlements)

    def _reserve(self, states: list[str]) -> None:
        """Keys for the rows of the open disputes, reserved before the disputes stream
        (the connection runs no other query during a COPY)."""
        counts = Counter(states)
        settled = sum(counts[state] for state in SETTLED_STATES)
        needed = {
            Process: sum(counts[state] for state in OPEN_AGE_DAYS),
            Task: sum(
                len(FLOW_PATHS[state]) * n for state, n in counts.items() if state in FLOW_PATHS
            ),
            Settlement: settled,
            Instalment: settled * MAX_INSTALMENTS,
        }
        for model, count in needed.items():
            self._ids[model] = self.writer.reserve_ids(model, count)[::-1]

    def _take_id(self, model) -> int:
        return self._ids[model].pop()

    def _mediation_due(self, day: datetime.date) -> datetime.date:
        due = self._due.get(day)
        if due is None:
            due = self._due[day] = self.calendar.add_calendar_days(day, MEDIATION_DAYS)
        return due

    def _dispute(self, rows: _Rows, pk: int, code: str, at: datetime.datetime, state: str) -> tuple:
        """The dispute's row; its claims, applicants and open-case rows go into ``rows``.

        Called a million times: plain strings, cached day deltas and ``random()``
        instead of enum lookups and ``randrange``, which cost several times more.
        """
        random = self.rng.random
        received_on = at.date()  # ``at`` is in China time
        applicants = self._applicants()
        claims, kinds, total = self._claims(len(applicants), received_on)
        channel = CHANNELS[bisect(CHANNEL_CUM, random() * CHANNEL_CUM[-1])]
        respondent_person = respondent_org = None
        if random() < 0.08:  # an individual hiring party
            other = int(random() * len(self.person_ids))
            if other not in applicants:
                respondent_person = self.person_ids[other]
        if respondent_person is None:
            respondent_org = self.employers[int(random() * len(self.employers))]
        worked_until = received_on - DAYS[1 + int(random() * 119)]
        employment_ended = worked_until if random() < 0.6 else None
        knew_of = min(worked_until + DAYS[int(random() * 20)], received_on)
        trade = TRADES[int(random() * len(TRADES))]
        details = ""
        if channel == ORAL:
            name, sex, mobile, born = self.people[applicants[0]]
            details = f"{name}，{sex}，{received_on.year - born}岁，电话{mobile}"
        matter = MATTERS[kinds[0]].format(trade=trade)
        if len(applicants) > 1:
            matter = f"{len(applicants)}人{matter}"
        reasons = (
            f"申请人于{worked_until.year}年{worked_until.month}月前后从事{trade}工作，"
            f"被申请人未支付，请求合计{total}元。"
        )
        group = len(applicants) >= self.group_size
        priority = (WAGES in kinds) + group
        filer = None if channel == ONLINE else self.acceptors[int(random() * len(self.acceptors))]
        owner = process_id = accepted = started = ended = None
        decision = termination = outcome = withdrawal = referral = agreement = ""
        if channel == AGREEMENT:
            agreement = f"GA-{received_on.year}-{1 + int(random() * 999_999):06d}"
        if state in OPEN_AGE_DAYS:
            if state in HELD_STATES:
                owner = self.mediators[int(random() * len(self.mediators))]
            opened = self._open(rows, pk, state, at, kinds, total, owner, filer, channel)
            process_id, updated, referral = opened.process_id, opened.last, opened.referral
            accepted, started, ended = opened.accepted, opened.started, opened.ended
        else:
            span = min(self.now - at, FORTY_DAYS)
            accepted, started, ended = (
                at + span * f for f in sorted((random(), random(), random()))
            )
            pick = self.rng.choice
            if state == NOT_ACCEPTED:
                decision, ended, started, accepted = pick(REFUSALS), accepted, None, None
            elif state == WITHDRAWN and random() < 0.5:  # before mediation started
                withdrawal, ended, started = pick(WITHDRAWALS), started, None
            else:
                owner = self.mediators[int(random() * len(self.mediators))]
                if state == WITHDRAWN:
                    withdrawal = pick(WITHDRAWALS)
                elif state == TERMINATED:
                    termination = TERMINATIONS[bisect(TERMINATION_CUM, random() * 100)]
                    outcome = pick(OUTCOMES)
                elif random() < 0.08:  # closed after the agreement was not performed
                    referral = PAYMENT_ORDER if PAYMENT_ORDER_TYPES & set(kinds) else ARBITRATION
            updated = ended
        rows.applicants += [(pk, self.person_ids[i]) for i in applicants]
        rows.claims += [(pk, *claim) for claim in claims]
        return (
            pk,
            code,
            at,
            updated,
            state,
            channel,
            at,
            details,
            matter,
            reasons,
            knew_of,
            employment_ended,
            priority,
            total,
            ",".join(sorted(set(kinds))),
            self._due[received_on],
            self._due[received_on],
            accepted,
            started,
            ended,
            decision,
            termination,
            outcome,
            withdrawal,
            referral,
            agreement,
            filer.id if filer else None,
            self.market.pk,
            self.body.pk,
            owner.id if owner else None,
            process_id,
            respondent_org,
            respondent_person,
        )

    def _applicants(self) -> list[int]:
        """Positions in the person pool: mostly one worker, sometimes a group."""
        random, size = self.rng.random, len(self.person_ids)
        r = random()
        if r < 0.86:
            return [int(random() * size)]
        count = 2 + int(random() * 4) if r < 0.96 else 6 + int(random() * 15)
        return self.rng.sample(range(size), min(count, size))

    def _claims(self, people: int, received_on: datetime.date):
        random = self.rng.random
        kinds = [CLAIM_KINDS[bisect(CLAIM_CUM, random() * CLAIM_CUM[-1])]]
        if random() < 0.3:
            second = CLAIM_KINDS[bisect(CLAIM_CUM, random() * CLAIM_CUM[-1])]
            if second != kinds[0]:
                kinds.append(second)
        claims, total = [], 0
        for kind in kinds:
            start = end = None
            description = ""
            if kind == WAGES:
                days, rate = 3 + int(random() * 58), DAY_RATES[int(random() * len(DAY_RATES))]
                amount = days * rate * people
                end = received_on - DAYS[3 + int(random() * 87)]
                start = end - DAYS[days - 1]
                description = f"{days}天×{rate}元/天" + (f"×{people}人" if people > 1 else "")
            else:
                low, high = CLAIM_RANGE[kind]
                amount = (low + int(random() * (high - low))) // 10 * 10
            claims.append((kind, Decimal(amount), start, end, description))
            total += amount
        return claims, kinds, Decimal(total)

    # -- an open dispute: its audit chain, settlement, process and tasks -------------------

    def _open(self, rows, pk, state, at, kinds, total, owner, filer, channel) -> _Open:
        rng = self.rng
        span = self.now - at
        # Moments for the steps after filing, in order, between receipt and now.
        moments = iter(sorted(at + span * (0.02 + 0.96 * rng.random()) for _ in range(12)))
        opened = _Open(process_id=self._take_id(Process), last=at)
        acceptor = rng.choice(self.acceptors)
        events = [(at, filer or PORTAL, "filed", "", S.RECEIVED, self.channel_labels[channel])]
        done = {"start": at}  # flow node -> when its task was completed
        if state != S.RECEIVED:
            opened.accepted = done["review_intake"] = next(moments)
            events.append((opened.accepted, acceptor, "accept", S.RECEIVED, S.ACCEPTED, ""))
        if state in HELD_STATES:
            opened.started = next(moments)
            events.append((opened.started, owner, "claimed", "", S.ACCEPTED, ""))
            events.append(
                (opened.started, owner, "start_mediation", S.ACCEPTED, S.IN_MEDIATION, "")
            )
        if state in SETTLED_STATES:
            self._settlement(rows, pk, state, total, owner, moments, events, done, opened)
        if state == S.REFERRED:
            payment_order = set(kinds) & PAYMENT_ORDER_TYPES
            opened.referral = (
                Dispute.Referral.PAYMENT_ORDER if payment_order else Dispute.Referral.ARBITRATION
            )
            refer_at = done["refer"] = next(moments)
            action = f"refer_{opened.referral}"
            events.append((refer_at, owner, action, S.DEFAULTED, S.REFERRED, ""))
        self._events(rows, pk, events)
        opened.last = events[-1][0]
        self._flow(rows, pk, state, at, opened.process_id, acceptor, owner, done)
        return opened

    def _settlement(self, rows, pk, state, total, owner, moments, events, done, opened):
        rng = self.rng
        settled_at = done["mediate"] = next(moments)
        events.append((settled_at, owner, "settle", S.IN_MEDIATION, S.SETTLED, ""))
        marks = len(Settlement.MARKS) if state != S.SETTLED else rng.randint(0, 3)
        marked = [next(moments) for _ in range(marks)]
        for mark_at, mark in zip(marked, Settlement.MARKS, strict=False):
            note = services.mark_label(mark)
            events.append((mark_at, owner, "mark_recorded", "", S.SETTLED, note))
        settlement_id = self._take_id(Settlement)
        amount = (total * rng.randint(60, 100) / 100).quantize(Decimal("1"))
        amount = max(amount, Decimal("100")).quantize(Decimal("0.01"))
        parts = 1 if amount < 3000 or rng.random() < 0.5 else rng.randint(2, MAX_INSTALMENTS)
        share = (amount / parts).quantize(Decimal("0.01"))
        amounts = [share] * (parts - 1) + [amount - share * (parts - 1)]
        signed = [*marked, None, None, None, None][:4]
        rows.settlements.append(
            (
                settlement_id,
                pk,
                amount,
                rng.choice(Settlement.Method.values),
                "被申请人按期支付，逾期未付的，申请人可依法申请支付令或仲裁。",
                *signed,
                owner.id if signed[2] else None,  # the mediator who signed
                max([settled_at, *marked]),
            )
        )
        if marks < len(Settlement.MARKS):  # still collecting signatures
            for seq, part in enumerate(amounts, start=1):
                due = self.today + datetime.timedelta(days=rng.randint(5, 20) * seq)
                rows.instalments.append(
                    (self._take_id(Instalment), settlement_id, seq, due, part, Decimal("0.00"))
                )
            return
        effective_at = opened.ended = done["collect_marks"] = marked[-1]
        events.append((effective_at, owner, "make_effective", S.SETTLED, S.EFFECTIVE, ""))
        effective_on = effective_at.astimezone(CST).date()
        defaulting = state in (S.DEFAULTED, S.REFERRED)
        defaulted_at = next(moments) if defaulting else None
        for seq, part in enumerate(amounts, start=1):
            instalment_id = self._take_id(Instalment)
            paid = Decimal("0.00")
            if defaulting and seq == 1:
                # Due after the agreement took effect, unpaid by the day it was marked.
                latest = defaulted_at.astimezone(CST).date() - datetime.timedelta(days=1)
                due = min(effective_on + datetime.timedelta(days=rng.randint(1, 30)), latest)
            elif state == S.PERFORMED:
                due = effective_on + datetime.timedelta(days=rng.randint(5, 15) * seq)
                paid_at = next(moments)
                paid_on = paid_at.astimezone(CST).date()
                paid = part
                note = f"#{seq} ¥{part} {paid_on}"
                events.append((paid_at, owner, "payment_recorded", "", S.EFFECTIVE, note))
                rows.payments.append((instalment_id, part, paid_on, "银行转账", owner.id, paid_at))
            else:
                due = self.today + datetime.timedelta(days=rng.randint(5, 30) * seq)
            rows.instalments.append((instalment_id, settlement_id, seq, due, part, paid))
        if state == S.PERFORMED:
            performed_at = done["follow_up"] = next(moments)
            events.append((performed_at, owner, "mark_performed", S.EFFECTIVE, S.PERFORMED, ""))
        if defaulting:
            opened.ended = done["follow_up"] = defaulted_at
            events.append((defaulted_at, owner, "mark_defaulted", S.EFFECTIVE, S.DEFAULTED, ""))

    def _events(self, rows: _Rows, pk: int, events: list[tuple]) -> None:
        chain, head = event_chain(self.dispute_type, pk, events)
        rows.events += chain
        rows.heads.append(head)

    def _flow(self, rows, pk, state, at, process_id, acceptor, owner, done) -> None:
        """The process and its tasks as DisputeFlow and flows.run_step() leave them."""
        rows.processes.append((process_id, DisputeFlow, PROCESS.NEW, at, {}, self.dispute_type, pk))
        path = FLOW_PATHS[state]
        moment, previous = at, None
        for position, name in enumerate(path):
            node = self.nodes[name]
            task_id = self._take_id(Task)
            human = node.task_type == "HUMAN"
            created = moment
            if position == len(path) - 1:  # the open task
                task_owner = owner if name != "review_intake" else None
                status = STATUS.ASSIGNED if task_owner else STATUS.NEW
                started = finished = None
            else:
                task_owner = (acceptor if name == "review_intake" else owner) if human else None
                status = STATUS.DONE
                moment = finished = done.get(name, moment)  # gateways pass at once
                started = finished if human or name == "start" else None
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
