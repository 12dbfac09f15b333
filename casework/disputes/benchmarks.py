"""``manage.py bench queue`` and ``manage.py bench claim``: the mediators' queue under load.

queue: server time and SQL queries of the queue page (tabs "unassigned" and
"mine", first page; the "all" tab in queue order, filtered by state, holder or month
with another order, and its 40th page) through the Django test client, for the busiest mediator of
the market with the most disputes. Load data first (``seed_load --disputes N``);
the benchmark only reads. Target: p95 under 50 ms and at most 10 queries per page,
the same at ten thousand and at a million disputes. Its login session is deleted
afterwards and the user's ``last_login`` is left alone; personal-data access rows
it causes are removed.

claim: WORKERS threads, each with its own connection and mediator, press "take
next" (``services.dispute_take_next``) at once until WORKERS x iterations (``-n``)
cases are taken or the queue is empty, then count double assignments from the
"claimed" audit rows, the owners and the open tasks. PostgreSQL only. It works
in a market of its own, ``bench-claim``, with its own mediators
(``bench-claim-01`` ...) and accepted disputes written by the bulk loader, and
deletes all of that afterwards (disputes, their processes, tasks, audit rows and
documents, the parties the loader made, the users and the market); only the
numbers it took from CodeSequence stay used.
"""

import datetime
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.models import Group, User, update_last_login
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task

from casework.core.audit import Actor, purge_chains
from casework.core.benchtools import ServerClock, get_ok, percentile, reference_loop_ms
from casework.core.flows import OPEN as OPEN_TASK
from casework.core.management.commands.bench import benchmark
from casework.core.models import AccessLog, CaseEvent, Market, StaffProfile
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.models import Dispute
from casework.disputes.queues import HELD_STATES, Tab, tab_queryset
from casework.documents.models import Document
from casework.parties.models import Organization, Person

TARGET_P95_MS = 50
TARGET_QUERIES = 10
WARM_UP = 3
WORKERS = 32
CLAIM_MARKET = "bench-claim"
CLAIM_MARKET_NAME = "基准测试零工市场（bench claim）"


# -- queue ----------------------------------------------------------------------------


@benchmark(
    "queue", help="queue page, tabs unassigned, mine and all: ms and SQL queries", iterations=50
)
def bench_queue(iterations: int) -> dict:
    total = Dispute.objects.count()
    busiest = (
        Dispute.objects.values("market").annotate(n=Count("pk")).order_by("-n").first()
        if total
        else None
    )
    if busiest is None:
        return _skipped(_("There are no disputes: load some with seed_load --disputes N first."))
    market = Market.objects.get(pk=busiest["market"])
    user = _busiest_mediator(market)
    if user is None:
        return _skipped(_("No mediator works at market %(code)s.") % {"code": market.code})
    client = _client()
    _login(client, user)
    last_access = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    pages: dict[str, dict] = {
        Tab.UNASSIGNED: {"tab": Tab.UNASSIGNED},
        Tab.MINE: {"tab": Tab.MINE},
        # The "all" tab: queue order; one state newest first; one holder by last change;
        # received in a month; a deep page.
        "all": {"tab": Tab.ALL},
        "all_state_newest": {"tab": Tab.ALL, "state": Dispute.State.IN_MEDIATION, "sort": "newest"},
        "all_holder_updated": {"tab": Tab.ALL, "holder": user.pk, "sort": "updated"},
        "all_received_in_a_month": {"tab": Tab.ALL, **_a_month_of(market)},
        "all_page_40": {"tab": Tab.ALL, "page": 40},
    }
    try:
        tabs = {name: _time_tab(client, params, iterations) for name, params in pages.items()}
    finally:
        client.logout()  # deletes the session row
        AccessLog.objects.filter(pk__gt=last_access, user=user).delete()
    for tab in (Tab.UNASSIGNED, Tab.MINE, Tab.ALL):
        tabs[tab]["cases"] = _tab_size(tab, user, market)
    met = all(
        t["p95_ms"] <= TARGET_P95_MS and t["queries"] <= TARGET_QUERIES for t in tabs.values()
    )
    return {
        "disputes": total,
        "market": market.code,
        "market_disputes": busiest["n"],
        "user": user.username,
        "iterations": iterations,
        **tabs,
        "target_p95_ms": TARGET_P95_MS,
        "target_queries": TARGET_QUERIES,
        "met": met,
        "reference_loop_ms": reference_loop_ms(),
    }


def _tab_size(tab: str, user, market: Market) -> int:
    return tab_queryset(tab, user=user, markets=[market.pk]).count()


def _busiest_mediator(market: Market) -> User | None:
    """The market's mediator holding the most cases: the longest "mine" tab."""
    mediators = services.mediators_of(market)
    holder = (
        Dispute.objects.filter(market=market, state__in=HELD_STATES, owner__in=mediators)
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if holder is not None:
        return User.objects.get(pk=holder["owner"])
    return mediators.first()


def _client() -> Client:
    # The test client's host must pass ALLOWED_HOSTS outside the test runner too.
    allowed = settings.ALLOWED_HOSTS
    host = next(
        (h for h in ("testserver", "localhost", "127.0.0.1") if validate_host(h, allowed)),
        "testserver",
    )
    return Client(HTTP_HOST=host, secure=bool(getattr(settings, "SECURE_SSL_REDIRECT", False)))


def _login(client: Client, user: User) -> None:
    # force_login would also write last_login: the benchmark leaves the user as it was.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    try:
        client.force_login(user)
    finally:
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")


def _a_month_of(market: Market) -> dict:
    """The month of the market's latest received dispute, as the all tab's date filters."""
    latest = Dispute.objects.filter(market=market).order_by("-received_at").first()
    day = timezone.localdate(latest.received_at) if latest else timezone.localdate()
    first = day.replace(day=1)
    last = (first + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
    return {"received_from": first.isoformat(), "received_to": last.isoformat()}


def _time_tab(client: Client, params: dict, iterations: int) -> dict:
    url = f"{reverse('disputes:queue')}?{urlencode(params)}"
    for _warm in range(WARM_UP):
        get_ok(client, url)
    with CaptureQueriesContext(connection) as captured:
        get_ok(client, url)
    # Read now: every request clears the connection's query log (request_started).
    queries = [query["sql"] for query in captured.captured_queries]
    times, cpu, round_trips = [], [], []
    with ServerClock() as clock:
        for _run in range(iterations):
            started, cpu_started = time.perf_counter(), time.process_time()
            get_ok(client, url)
            round_trips.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            times.append(clock.last_ms)
    return {
        # Server time: from request_started to request_finished, as a WSGI server sees it.
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        # The same requests timed around client.get(), the test client's own work included.
        "client_p95_ms": round(percentile(round_trips, 95), 2),
        # This process's CPU (view, templates, driver): the part SQL tuning cannot remove.
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(queries),
        # The statements themselves when there are too many, to see which to merge.
        **({"sql": queries} if len(queries) > TARGET_QUERIES else {}),
    }


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
