"""``manage.py bench claim``: the mediators pressing "take next" at once.

WORKERS threads, each with its own connection and mediator, press "take
next" (``services.dispute_take_next``) at once until WORKERS x iterations (``-n``)
cases are taken or the queue is empty, then count double assignments from the
"claimed" audit rows, the owners and the open tasks. PostgreSQL only. It works
in a market of its own, ``bench-claim``, with its own mediators
(``bench-claim-01`` ...) and accepted disputes written by the bulk loader, and
deletes all of that afterwards (disputes, their processes, tasks, audit rows and
documents, the parties the loader made, the users and the market); only the
numbers it took from CodeSequence stay used.
"""

import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
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


@benchmark("claim", help=f"{WORKERS} mediators press take next at once (PostgreSQL)", iterations=20)
def bench_claim(iterations: int) -> dict:
    if connection.vendor == "sqlite":
        return _skipped(
            _(
                "bench claim needs PostgreSQL: SQLite has no row locks. "
                "Set DATABASE_URL=postgres://... and run it again."
            )
        )
    from casework.disputes.load import load_disputes

    target = WORKERS * iterations
    _remove_claim_market()
    market = _claim_market()
    loaded = None
    try:
        mediators = _claim_mediators(market)
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
            f"market {CLAIM_MARKET}, {WORKERS} mediators, {loaded.disputes} accepted disputes "
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


def _claim_mediators(market: Market) -> list[User]:
    group = Group.objects.get(name=Role.MEDIATOR)
    users = []
    for i in range(1, WORKERS + 1):
        user = User.objects.create(username=f"{CLAIM_MARKET}-{i:02d}", password="!")  # noqa: S106
        user.groups.add(group)
        StaffProfile.objects.create(user=user).markets.add(market)
        users.append(user)
    return users


def _claim_race(market: Market, mediators: list[User], target: int) -> dict:
    start = threading.Barrier(len(mediators))
    lock = threading.Lock()
    claimed: list[tuple[int, int]] = []  # (dispute, user)
    latencies: list[float] = []
    errors: Counter = Counter()
    slots = [target]

    def work(user: User) -> None:
        actor = Actor(user=user, role=Role.MEDIATOR)
        try:
            start.wait()
            while True:
                with lock:
                    if slots[0] <= 0:
                        return
                    slots[0] -= 1
                began = time.perf_counter()
                try:
                    dispute = services.dispute_take_next(actor=actor, markets=[market.pk])
                except Exception as exc:  # counted and reported; the run goes on
                    with lock:
                        errors[type(exc).__name__] += 1
                    continue
                if dispute is None:
                    return
                with lock:
                    latencies.append((time.perf_counter() - began) * 1000)
                    claimed.append((dispute.pk, user.pk))
        finally:
            connection.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(len(mediators)) as pool:
        list(pool.map(work, mediators))
    seconds = time.perf_counter() - began
    doubles = _double_assignments(market, claimed)
    return {
        "workers": len(mediators),
        "target_claims": target,
        "claims": len(claimed),
        "seconds": round(seconds, 2),
        "claims_per_s": round(len(claimed) / seconds, 1) if seconds else 0,
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "double_assignments": doubles,
        "errors": dict(errors),
        "unassigned_left": Dispute.objects.filter(market=market).unassigned().count(),
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


def _remove_claim_market(people: list[int] = (), organizations: list[int] = ()) -> None:
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
    people = set(people) | set(
        disputes.exclude(applicants=None).values_list("applicants", flat=True)
    )
    people |= set(
        disputes.exclude(respondent_person=None).values_list("respondent_person", flat=True)
    )
    organizations = set(organizations) | set(
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
            pk__in=people,
            user=None,
            disputes_applied=None,
            disputes_as_respondent=None,
            organizations=None,
        ).delete()
        Organization.objects.filter(
            pk__in=organizations,
            disputes_as_respondent=None,
            disputes_mediated=None,
            representatives=None,
        ).delete()
        User.objects.filter(username__startswith=f"{CLAIM_MARKET}-").delete()
        market.delete()
