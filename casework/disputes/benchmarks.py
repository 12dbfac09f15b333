"""``manage.py bench queue``: the queue page under load (``bench claim``: claim_bench.py).

queue: server time and SQL queries of the queue page (tabs "unassigned" and
"mine", first page; the "all" tab in queue order, filtered by state, holder or month
with another order, and its 40th page) through the Django test client, for the busiest mediator of
the market with the most disputes. Load data first (``seed_load --disputes N``);
the benchmark only reads. Target: p95 under 50 ms and at most 10 queries per page,
the same at ten thousand and at a million disputes. Its login session is deleted
afterwards and the user's ``last_login`` is left alone; personal-data access rows
it causes are removed.
"""

import datetime
import statistics
import sys
import time

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.models import User, update_last_login
from django.db import connection
from django.db.models import Count
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from casework.core.benchtools import ServerClock, get_ok, percentile, reference_loop_ms
from casework.core.management.commands.bench import benchmark
from casework.core.models import AccessLog, Market
from casework.disputes import services
from casework.disputes.models import Dispute
from casework.disputes.queues import HELD_STATES, Tab, tab_queryset

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


# bench claim lives in its own module; importing it registers it.
from casework.disputes import claim_bench  # noqa: E402,F401
