"""``manage.py bench claim``: the mediators pressing "take next" at once.

WORKERS mediators (``--workers``; a thread each, with its own connection, in as many
processes as there are cores) press "take next" (``services.dispute_take_next``) at
once until WORKERS x iterations (``-n``) cases are taken or the queue is empty, then
count double assignments from the "claimed" audit rows, the owners and the open
tasks. PostgreSQL only. It works in a market of its own, ``bench-claim``, with its
own mediators (``bench-claim-01`` ...) and accepted disputes written by the bulk
loader, and deletes all of that afterwards (disputes, their processes, tasks, audit
rows and documents, the parties the loader made, the users and the market); only the
numbers it took from CodeSequence stay used.
"""

import multiprocessing
import os
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task

from casework.core.audit import Actor, purge_chains
from casework.core.benchtools import percentile
from casework.core.flows import OPEN as OPEN_TASK
from casework.core.management.commands.bench import benchmark
from casework.core.models import AccessLog, CaseEvent, Market, StaffProfile
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.models import Dispute
from casework.documents.models import Document
from casework.parties.models import Organization, Person

WORKERS = 32
CLAIM_MARKET = "bench-claim"
CLAIM_MARKET_NAME = "基准测试零工市场（bench claim）"


def _skipped(reason: str) -> dict:
    sys.stderr.write(reason + "\n")
    return {"skipped": reason}


# -- claim ----------------------------------------------------------------------------


@benchmark(
    "claim",
    help=f"{WORKERS} mediators (--workers) press take next at once: claims/s (PostgreSQL)",
    iterations=20,
    workers=WORKERS,
)
def bench_claim(iterations: int, workers: int = WORKERS) -> dict:
    if connection.vendor == "sqlite":
        return _skipped(
            _(
                "bench claim needs PostgreSQL: SQLite has no row locks. "
                "Set DATABASE_URL=postgres://... and run it again."
            )
        )
    from casework.disputes.load import load_disputes

    target = workers * iterations
    _remove_claim_market()
    market = _claim_market()
    loaded = None
    try:
        mediators = _claim_mediators(market, workers)
        # More cases than claims, so nobody finds the queue empty before the target.
        loaded = load_disputes(
            target + target // 4,
            market=market,
            mix={Dispute.State.ACCEPTED: 1},
            seed=0,
            analyze=False,
        )
        result = _claim_race(market, mediators, target)
        result["created"] = (
            f"market {CLAIM_MARKET}, {workers} mediators, {loaded.disputes} accepted disputes "
            f"and {loaded.persons} people; all deleted again"
        )
        return result
    finally:
        if loaded is None:
            _remove_claim_market()
        else:
            _remove_claim_market(loaded.person_ids, loaded.organization_ids)


def _claim_market() -> Market:
    return Market.objects.create(
        code=CLAIM_MARKET,
        name=CLAIM_MARKET_NAME,
        nature=Market.Nature.PUBLIC,
        region="基准测试区",
        address="-",
        opening_hours="-",
        main_trades="-",
        hotline="-",
        complaint_channel="-",
    )


def _claim_mediators(market: Market, count: int) -> list[User]:
    group = Group.objects.get(name=Role.MEDIATOR)
    users = []
    for i in range(1, count + 1):
        user = User.objects.create(username=f"{CLAIM_MARKET}-{i:02d}", password="!")  # noqa: S106
        user.groups.add(group)
        StaffProfile.objects.create(user=user).markets.add(market)
        users.append(user)
    return users


@dataclass
class _Claimer:
    """What one claimer process did: sent back to the benchmark through a queue."""

    claimed: list[tuple[int, int]] = field(default_factory=list)  # (dispute, user)
    latencies_ms: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    errors: Counter = field(default_factory=Counter)


def _claim_race(market: Market, mediators: list[User], target: int) -> dict:
    """The mediators press take next from as many processes as the machine has cores, a
    thread each with its own connection, as a threaded web server's workers would serve
    them: threads of one process would measure Python's interpreter lock, and a process
    each would measure 32 interpreters thrashing two cores' caches."""
    context = multiprocessing.get_context("fork")
    count = max(1, min(len(mediators), os.cpu_count() or 1))
    groups = [mediators[n::count] for n in range(count)]
    start = context.Barrier(count + 1)
    slots = context.Value("i", target)
    results = context.Queue()
    connections.close_all()  # each thread opens its own connection
    processes = [
        context.Process(target=_claimers, args=(market.pk, group, start, slots, results))
        for group in groups
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    done = [results.get() for _process in processes]
    seconds = time.perf_counter() - began
    for process in processes:
        process.join()
    return _race_summary(market, mediators, target, done, seconds) | {"processes": count}


def _claimers(market_pk: int, users: list[User], start, slots, results) -> None:
    """One process: a thread per mediator; what they did goes back as one _Claimer."""
    mine, lock = _Claimer(), threading.Lock()
    ready = threading.Barrier(len(users) + 1)
    threads = [
        threading.Thread(target=_claimer, args=(market_pk, user, ready, slots, mine, lock))
        for user in users
    ]
    for thread in threads:
        thread.start()
    ready.wait()  # every thread connected
    start.wait()  # every process ready
    cpu_started = time.process_time()
    ready.wait()  # go
    for thread in threads:
        thread.join()
    mine.cpu_s = time.process_time() - cpu_started
    results.put(mine)


def _claimer(market_pk: int, user: User, ready, slots, mine: "_Claimer", lock) -> None:
    actor = Actor(user=user, role=Role.MEDIATOR)
    user.get_all_permissions()  # loaded once per session in a real server, not per claim
    connection.ensure_connection()
    ready.wait()
    ready.wait()
    try:
        while _take_slot(slots):
            began = time.perf_counter()
            try:
                dispute = services.dispute_take_next(actor=actor, markets=[market_pk])
            except Exception as exc:  # counted and reported; the run goes on
                with lock:
                    mine.errors[type(exc).__name__] += 1
                continue
            if dispute is None:
                break
            with lock:
                mine.latencies_ms.append((time.perf_counter() - began) * 1000)
                mine.claimed.append((dispute.pk, user.pk))
    finally:
        connection.close()


def _take_slot(slots) -> bool:
    with slots.get_lock():
        if slots.value <= 0:
            return False
        slots.value -= 1
        return True


def _race_summary(market, mediators, target: int, done: list[_Claimer], seconds: float) -> dict:
    claimed = [pair for one in done for pair in one.claimed]
    latencies = [ms for one in done for ms in one.latencies_ms]
    errors = sum((one.errors for one in done), Counter())
    cpu_ms = sum(one.cpu_s for one in done) * 1000
    doubles = _double_assignments(market, claimed)
    return {
        "workers": len(mediators),
        "target_claims": target,
        "claims": len(claimed),
        "seconds": round(seconds, 2),
        "claims_per_s": round(len(claimed) / seconds, 1) if seconds else 0,
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        # The claimers' own CPU (Python, the driver) per claim; the database's is apart.
        "cpu_ms_per_claim": round(cpu_ms / len(claimed), 2) if claimed else None,
        "double_assignments": doubles,
        "errors": dict(errors),
        "unassigned_left": Dispute.objects.filter(market=market).unassigned().count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ok": doubles == 0 and not errors and len(claimed) == target,
    }


def _double_assignments(market: Market, claimed: list[tuple[int, int]]) -> int:
    """Cases given to more than one person, however it shows.

    A case counts once for each extra "take" the threads saw, each extra
    "claimed" audit row, and when its owner, its open flow task's owner and the
    thread that took it do not agree.
    """
    taken = Counter(pk for pk, _user in claimed)
    problems = sum(n - 1 for n in taken.values() if n > 1)
    events = (
        CaseEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Dispute),
            subject_id__in=Dispute.objects.filter(market=market).values("pk"),
            action="claimed",
        )
        .values("subject_id")
        .annotate(n=Count("pk"))
    )
    claimed_rows = {row["subject_id"]: row["n"] for row in events}
    problems += sum(n - 1 for n in claimed_rows.values() if n > 1)
    cases = Dispute.objects.filter(pk__in=list(taken)).values_list("pk", "owner_id", "process_id")
    task_owners = dict(
        Task.objects.filter(
            process_id__in=[process for _pk, _owner, process in cases], status__in=OPEN_TASK
        ).values_list("process_id", "owner_id")
    )
    taker = dict(claimed)
    for pk, owner, process in cases:
        if not owner == task_owners.get(process) == taker[pk] or claimed_rows.get(pk) != 1:
            problems += 1
    return problems


def _remove_claim_market(people: Iterable[int] = (), organizations: Iterable[int] = ()) -> None:
    """Delete the claim benchmark's market and everything in it (also after a crash).

    ``people`` and ``organizations`` are the parties the loader made for it; after a
    crash they are found as the parties of its disputes that nothing else uses.
    """
    market = Market.objects.filter(code=CLAIM_MARKET).first()
    if market is None:
        return
    if market.name != CLAIM_MARKET_NAME:
        raise RuntimeError(f"market {CLAIM_MARKET} exists and is not the benchmark's: not touched")
    dispute_type = ContentType.objects.get_for_model(Dispute)
    disputes = Dispute.objects.filter(market=market)
    ids = list(disputes.values_list("pk", flat=True))
    processes = list(disputes.exclude(process=None).values_list("process_id", flat=True))
    parties = set(people) | set(
        disputes.exclude(applicants=None).values_list("applicants", flat=True)
    )
    parties |= set(
        disputes.exclude(respondent_person=None).values_list("respondent_person", flat=True)
    )
    employers = set(organizations) | set(
        disputes.exclude(respondent_organization=None).values_list(
            "respondent_organization", flat=True
        )
    )
    with transaction.atomic():
        purge_chains(dispute_type, ids)  # the audit trail is append-only: see its docstring
        AccessLog.objects.filter(subject_type=dispute_type, subject_id__in=ids).delete()
        documents = Document.objects.filter(subject_type=dispute_type, subject_id__in=ids)
        for document in documents.exclude(file=""):
            document.file.delete(save=False)
        documents.delete()
        disputes.delete()
        Process.objects.filter(pk__in=processes).delete()
        # Parties nothing else points at: the loader made them for this market.
        Person.objects.filter(
            pk__in=parties,
            user=None,
            disputes_applied=None,
            disputes_as_respondent=None,
            organizations=None,
        ).delete()
        Organization.objects.filter(
            pk__in=employers,
            disputes_as_respondent=None,
            disputes_mediated=None,
            representatives=None,
        ).delete()
        User.objects.filter(username__startswith=f"{CLAIM_MARKET}-").delete()
        market.delete()
