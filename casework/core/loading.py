"""What every workflow's bulk loader (``manage.py seed_load``) shares.

``casework.core.bulk`` writes the rows; this module makes the rows that do not
belong to any one workflow: made-up people and organisations (with valid ID
numbers and credit codes), staff who exist to hold cases, case numbers reserved
a block at a time, the hash-chained audit events of a case, and viewflow's
process and task rows. Each workflow's loader (``casework/disputes/load.py``,
``agreements/load.py``) builds its own cases with these.

The generators take the loader's ``random.Random`` and draw from it in a fixed
order, so a seeded load writes the same rows every time.
"""

import datetime
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import connection

from casework.core.bulk import BulkWriter
from casework.core.demo import AREA_CODE, USCC_ALPHABET, credit_code, resident_id
from casework.core.models import CaseEvent, CodeSequence, Market, StaffProfile

CST = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai: no DST since 1991

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "建国秀兰志强桂英明华军红伟芳勇静磊敏杰丽涛燕超霞平刚娟辉玲海文斌俊春梅德福永林金凤小东宝山成荣兵"
    "琴云鹏飞玉兴"
)
ROADS = ("人民路", "解放路", "建设路", "新华路", "幸福里", "中山路", "和平街", "光明路")
ORG_WORDS = ("顺达", "鑫源", "恒通", "宏发", "安居", "速达", "金鼎", "华兴", "众诚", "同力")
ORG_TRADES = ("搬家服务", "物流", "装饰工程", "餐饮管理", "家政服务", "建筑劳务", "保洁服务")

# The columns of the shared tables, in the order the row builders here fill them.
PERSON_COLUMNS = (
    "id",
    "name",
    "id_number",
    "birth_date",
    "sex",
    "mobile",
    "address",
    "user_id",
    "created_at",
)
ORGANIZATION_COLUMNS = (
    "id",
    "kind",
    "name",
    "credit_code",
    "credit_code_override_reason",
    "licence_number",
    "mediation_body_type",
    "address",
    "phone",
    "created_at",
)
PROCESS_COLUMNS = (
    "id",
    "flow_class",
    "status",
    "created",
    "data",
    "artifact_content_type_id",
    "artifact_object_id",
)
TASK_COLUMNS = (
    "id",
    "process_id",
    "flow_task",
    "flow_task_type",
    "status",
    "created",
    "started",
    "finished",
    "token",
    "owner_id",
    "owner_permission",
    "data",
)
EVENT_COLUMNS = (
    "subject_type_id",
    "subject_id",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "from_state",
    "to_state",
    "note",
    "client_ip",
    "documents",
    "prev_hash",
    "hash",
)
HEAD_COLUMNS = ("subject_type_id", "subject_id", "seq", "hash")


def apportion(total: int, weights: dict, *, at_least_one: bool = False) -> dict:
    """Split ``total`` in proportion to ``weights`` (largest remainders), exactly."""
    if total <= 0:
        return {}
    base = dict.fromkeys(weights, 1) if at_least_one and total >= len(weights) else {}
    rest = total - sum(base.values())
    whole = sum(weights.values())
    shares = {key: rest * weight / whole for key, weight in weights.items()}
    counts = {key: base.get(key, 0) + math.floor(share) for key, share in shares.items()}
    left = total - sum(counts.values())
    by_remainder = sorted(shares, key=lambda key: shares[key] - math.floor(shares[key]))
    for key in by_remainder[::-1][:left]:
        counts[key] += 1
    return {key: n for key, n in counts.items() if n}


# -- made-up people and organisations -----------------------------------------------------

_SHARED_TAKEN: dict[str, set[str]] | None = None


@contextmanager
def shared_taken() -> Iterator[None]:
    """Within this block the values already used (ID numbers, credit codes) are read from
    the database once and then kept by the loaders, not read again by every loader call:
    a province load calls the loaders once per market and kind, hundreds of times, over
    millions of people. Only for a run that is the only writer of those values."""
    global _SHARED_TAKEN
    _SHARED_TAKEN = {}
    try:
        yield
    finally:
        _SHARED_TAKEN = None


def taken(kind: str, read: Callable[[], Iterable[str]]) -> set[str]:
    """The ``kind`` values in use: ``read()`` now, or once per ``shared_taken()`` block."""
    if _SHARED_TAKEN is None:
        return set(read())
    if kind not in _SHARED_TAKEN:
        _SHARED_TAKEN[kind] = set(read())
    return _SHARED_TAKEN[kind]


def random_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def random_address(rng: random.Random) -> str:
    return f"城东区{rng.choice(ROADS)}{rng.randrange(1, 300)}号"


def random_landline(rng: random.Random) -> str:
    return f"0571-8{rng.randrange(10**6, 10**7)}"


def person_row(
    rng: random.Random,
    pk: int,
    taken: set[str],
    *,
    born: tuple[datetime.date, datetime.date],
    now: datetime.datetime,
) -> tuple:
    """A person's row (``PERSON_COLUMNS``) without a login, born between ``born``.

    The resident ID number is new: not in ``taken``, which it joins.
    """
    first_day = born[0].toordinal()
    span = born[1].toordinal() - first_day
    while True:
        birth = datetime.date.fromordinal(first_day + rng.randrange(span))
        number = resident_id(f"{AREA_CODE}{birth:%Y%m%d}{rng.randrange(1000):03d}")
        if number not in taken:
            taken.add(number)
            break
    sex = "M" if int(number[16]) % 2 else "F"
    name = random_name(rng)
    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    address = random_address(rng)
    return (pk, name, number, birth, sex, mobile, address, None, now)


def new_credit_code(rng: random.Random, taken: set[str], *, kind: str = "91") -> str:
    """A valid credit code of the demo area not in ``taken`` (which it joins).

    ``kind`` is the registering authority and type: 91 a company, 52 a social organisation.
    """
    while True:
        code = credit_code(
            f"{kind}{AREA_CODE}MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(7))
        )
        if code not in taken:
            taken.add(code)
            return code


# -- staff and case numbers ------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """Who an event or task is recorded for; ``id`` is None for the portal."""

    id: int | None
    name: str
    role: str


def new_staff(market: Market, role: str, count: int, rng: random.Random) -> list[User]:
    """``count`` new staff of ``role`` in ``market``, with made-up names and no password.

    Usernames are ``<market code>-<role>-NNN``, after those already taken.
    """
    prefix = f"{market.code}-{role}-"
    taken = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    usernames = [f"{prefix}{i:03d}" for i in range(1, count + len(taken) + 1)]
    usernames = [name for name in usernames if name not in taken][:count]
    # "!" is an unusable password: these staff exist to hold cases, not to log in.
    User.objects.bulk_create(
        [
            User(username=name, first_name=random_name(rng), password="!")  # noqa: S106
            for name in usernames
        ]
    )
    users = list(User.objects.filter(username__in=usernames).order_by("pk"))
    group = Group.objects.get(name=role)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users]
    )
    StaffProfile.objects.bulk_create([StaffProfile(user=user) for user in users])
    StaffProfile.markets.through.objects.bulk_create(
        [
            StaffProfile.markets.through(staffprofile_id=pk, market_id=market.pk)
            for pk in StaffProfile.objects.filter(user__in=users).values_list("pk", flat=True)
        ]
    )
    return users


def reserve_codes(prefix: str, moments: Sequence[datetime.datetime]) -> list[str]:
    """Case numbers ``prefix-YYYY-NNNNNN`` for cases made at ``moments``, in that order.

    A block of numbers is reserved per year (China time) in one update of its sequence.
    """
    years = Counter(at.astimezone(CST).year for at in moments)
    next_number = {}
    for year in sorted(years):
        CodeSequence.objects.get_or_create(prefix=prefix, year=year)
        row = CodeSequence.objects.select_for_update().get(prefix=prefix, year=year)
        next_number[year] = row.last + 1
        row.last += years[year]
        row.save(update_fields=["last"])
    codes = []
    for at in moments:
        year = at.astimezone(CST).year
        codes.append(f"{prefix}-{year}-{next_number[year]:06d}")
        next_number[year] += 1
    return codes


def relaxed_commit(writer: BulkWriter) -> None:
    """Let this transaction commit without waiting for the disk (PostgreSQL).

    Losing the last batches in a crash costs nothing: run the load again.
    """
    if writer.postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# -- audit chains and flow tasks ---------------------------------------------------------


def event_chain(
    subject_type_id: int, subject_id: int, events: Iterable[tuple]
) -> tuple[list[tuple], tuple]:
    """The audit events of one case (``EVENT_COLUMNS`` rows) and its chain head row.

    ``events`` are (at, actor: Staff, action, from_state, to_state, note), oldest first.
    """
    rows = []
    previous = CaseEvent.GENESIS
    seq = 0
    for seq, (at, actor, action, from_state, to_state, note) in enumerate(events, start=1):
        event = CaseEvent(
            subject_type_id=subject_type_id,
            subject_id=subject_id,
            seq=seq,
            at=at.astimezone(datetime.UTC),
            actor_id=actor.id,
            actor_name=actor.name[:150],
            role=actor.role[:40],
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
            client_ip=None,
            documents=[],
            prev_hash=previous,
        )
        event.hash = previous = event.compute_hash()
        rows.append(tuple(getattr(event, name) for name in EVENT_COLUMNS))
    return rows, (subject_type_id, subject_id, seq, previous)


# -- when cases were received -------------------------------------------------------------


def received_batches(
    counts: dict[str, int],
    *,
    rng: random.Random,
    today: datetime.date,
    batch_size: int,
    open_age_days: dict,
    history_days: int,
    per_day: Callable[[int], dict[int, int]],
    time_of_day: Callable[[datetime.date], datetime.datetime],
) -> Iterator[list[tuple[datetime.datetime, str]]]:
    """(received_at, state) pairs, oldest first, ``batch_size`` at a time.

    A case in an open state (a key of ``open_age_days``) was received between its
    (low, high) days ago; the historic ones are spread by ``per_day(n)`` ({days ago:
    count}) over the last ``history_days``; ``time_of_day(day)`` gives each its moment.
    """
    open_by_day: dict[int, list[str]] = defaultdict(list)  # days ago -> states
    historic: list[str] = []
    for state, n in counts.items():
        if state in open_age_days:
            low, high = open_age_days[state]
            for _ in range(n):
                open_by_day[rng.randint(low, high)].append(state)
        else:
            historic += [state] * n
    rng.shuffle(historic)
    on_day = per_day(len(historic))
    position = 0
    batch: list[tuple[datetime.datetime, str]] = []
    for ago in range(max([history_days, *open_by_day]), -1, -1):
        taken = on_day.get(ago, 0)
        states = open_by_day.get(ago, []) + historic[position : position + taken]
        position += taken
        if not states:
            continue
        day = today - datetime.timedelta(days=ago)
        times = sorted(time_of_day(day) for _ in states)
        rng.shuffle(states)
        batch += zip(times, states, strict=True)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch
