"""``manage.py bench queue``: the staff pages under load (``bench claim``: claim_bench.py).

queue: server time, CPU time and SQL queries of the queue page (tabs "unassigned" and
"mine", first page; the "all" tab in queue order, filtered by state, holder or month
with another order, and its 40th page) through the Django test client, for the busiest mediator of
the market with the most disputes; the case page of a case that mediator holds in
mediation ("case"); and the queue of a regional supervisor watching every market that
has disputes ("regional_all", "regional_overdue": the cross-market view). Load data
first (``seed_load --disputes N``, once per market for several); the benchmark only
reads. Target: p95 under 50 ms and at most 10 queries per queue page, the same at ten
thousand and at a million disputes; CPU median at most TARGET_CPU_MS on every page.
Its login sessions are deleted afterwards and the mediator's ``last_login`` is left
alone; the regional supervisor is a temporary user, deleted with all it had;
personal-data access rows it causes are removed.
"""

import datetime
import statistics
import sys
import time

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.models import Group, User, update_last_login
from django.db import connection
from django.db.models import Count
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.core.benchtools import ServerClock, get_ok, percentile, reference_loop_ms
from casework.core.management.commands.bench import benchmark
from casework.core.models import AccessLog, Market, StaffProfile
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.models import Dispute
from casework.disputes.queues import HELD_STATES, Tab, tab_queryset

TARGET_P95_MS = 50
TARGET_QUERIES = 10
TARGET_CPU_MS = 8  # CPU median of every page, the test client's own work included
REGIONAL_USER = "bench-regional"
WARM_UP = 3
WORKERS = 32
CLAIM_MARKET = "bench-claim"
CLAIM_MARKET_NAME = "基准测试零工市场（bench claim）"


# -- queue ----------------------------------------------------------------------------


@benchmark(
    "queue", help="queue page, tabs unassigned, mine and all: ms and SQL queries", iterations=50
)
def bench_queue(iterations: int) -> dict:
    per_market = list(Dispute.objects.values("market").annotate(n=Count("pk")).order_by("-n"))
    if not per_market:
        return _skipped(_("There are no disputes: load some with seed_load --disputes N first."))
    busiest = per_market[0]
    market = Market.objects.get(pk=busiest["market"])
    user = _busiest_mediator(market)
    if user is None:
        return _skipped(_("No mediator works at market %(code)s.") % {"code": market.code})
    last_access = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        tabs = _mediator_pages(user, market, iterations)
        case = _case_page(user, iterations)
        regional = _regional_pages([m["market"] for m in per_market], iterations)
    finally:
        AccessLog.objects.filter(pk__gt=last_access, user=user).delete()
    for tab in (Tab.UNASSIGNED, Tab.MINE, Tab.ALL):
        tabs[tab]["cases"] = _tab_size(tab, user, market)
    queue_pages = [*tabs.values(), *regional.values()]
    met = all(t["p95_ms"] <= TARGET_P95_MS and t["queries"] <= TARGET_QUERIES for t in queue_pages)
    timed = [*queue_pages, *([case] if "cpu_median_ms" in case else [])]
    return {
        "disputes": sum(m["n"] for m in per_market),
        "market": market.code,
        "market_disputes": busiest["n"],
        "markets": len(per_market),
        "user": user.username,
        "iterations": iterations,
        **tabs,
        "case": case,
        **regional,
        "target_p95_ms": TARGET_P95_MS,
        "target_queries": TARGET_QUERIES,
        "target_cpu_median_ms": TARGET_CPU_MS,
        "met": met,
        "cpu_met": all(t["cpu_median_ms"] <= TARGET_CPU_MS for t in timed),
        "reference_loop_ms": reference_loop_ms(),
    }


def _mediator_pages(user: User, market: Market, iterations: int) -> dict[str, dict]:
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
    client = _client()
    _login(client, user)
    try:
        return {name: _time_tab(client, params, iterations) for name, params in pages.items()}
    finally:
        client.logout()  # deletes the session row


def _case_page(user: User, iterations: int) -> dict:
    """The case page of a case the mediator holds in mediation (the first by number)."""
    held = Dispute.objects.filter(owner=user, state=Dispute.State.IN_MEDIATION).order_by("pk")
    code = held.values_list("code", flat=True).first()
    if code is None:
        return {"skipped": _("The mediator holds no case in mediation.")}
    client = _client()
    _login(client, user)
    try:
        return {
            "code": code,
            **_time_url(client, reverse("disputes:detail", args=[code]), iterations),
        }
    finally:
        client.logout()


def _regional_pages(markets: list[int], iterations: int) -> dict[str, dict]:
    """The queue of a supervisor of a region: every market with disputes, side by side.

    A temporary user with the supervisor's and the regional role over those markets,
    who has passed the second factor; deleted afterwards with its device and profile.
    """
    user = _regional_supervisor(markets)
    client = _client()
    try:
        _login(client, user)
        _pass_second_factor(client, user)
        pages = {"regional_all": {"tab": Tab.ALL}, "regional_overdue": {"tab": Tab.OVERDUE}}
        timed = {name: _time_tab(client, params, iterations) for name, params in pages.items()}
        for timing in timed.values():
            timing["markets"] = len(markets)
        return timed
    finally:
        client.logout()
        _remove_regional_supervisor()


def _regional_supervisor(markets: list[int]) -> User:
    _remove_regional_supervisor()  # left by an interrupted run
    user = User.objects.create_user(REGIONAL_USER)
    user.groups.set(Group.objects.filter(name__in=[Role.SUPERVISOR, Role.REGIONAL]))
    StaffProfile.objects.create(user=user).markets.set(markets)
    return user


def _remove_regional_supervisor() -> None:
    # Its access rows first: they protect the user. Profile and device go with it.
    AccessLog.objects.filter(user__username=REGIONAL_USER).delete()
    User.objects.filter(username=REGIONAL_USER).delete()


def _pass_second_factor(client: Client, user: User) -> None:
    # As django_otp.login() records it: the session has passed this confirmed device.
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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
    return _time_url(client, f"{reverse('disputes:queue')}?{urlencode(params)}", iterations)


def _time_url(client: Client, url: str, iterations: int) -> dict:
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


# bench claim and bench api (the HTTP API over a million loaded disputes) live in modules of
# their own; importing them registers them.
from casework.disputes import api_bench, claim_bench  # noqa: E402,F401
