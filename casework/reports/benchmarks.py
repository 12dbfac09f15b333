"""``manage.py bench stats``: the statistics pages and the Excel ledger at a million disputes.

PostgreSQL only: run it against a database of its own, e.g.
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_bench python manage.py bench
stats``. It works in markets of its own, ``bench-stats-01`` ... ``bench-stats-20``, and
deletes all it made afterwards (also what a crashed run left): the disputes, written by
``manage.py seed_load`` (the bulk loader), with their audit trails (purge_chains),
processes and parties, its users and their sessions, the figure snapshots and the
markets; only the case numbers taken from CodeSequence stay used.

* **the background job**: first what the beat job ``refresh_open_figures`` does every
  5 minutes, timed ("open_refresh"): the current month of every market and of the
  region, computed and stored;
* **one market**: ``BENCH_STATS_DISPUTES`` disputes (default 1,000,000) in
  ``bench-stats-01``; its supervisor opens the wage disputes' statistics page and its
  chart data (data.json) for the current month and for the previous month (from
  snapshots, as the pages read them); and, not a target ("cold"), the previous month
  with its snapshot deleted before each request: what a page costs that finds none (the
  current month on its last day, once the lag is over and before the job runs);
* **a region**: a user with the regional role whose staff profile lists the 20 markets
  (``BENCH_STATS_MARKETS``; the 19 others hold ``BENCH_STATS_REGION_DISPUTES`` each,
  default a twentieth of the first) opens the comparison and the summed page; and, not
  a target ("cold"), the comparison with the current month's snapshots deleted;
* **the ledger**: the supervisor exports the .xlsx ledger of the cases received since
  the day the ``BENCH_STATS_LEDGER_ROWS``-th newest case came in (default 100,000), in
  a process of its own (``python -c``) so that its peak RSS is the export's.

Page times are server times (Django's request_started to request_finished), after
WARM_UP requests; the nearest-rank p95 of ``-n`` requests (default 20). Targets: pages
p95 <= 300 ms; the export <= 20 s with a peak RSS <= 300 MB. ``met`` says whether all
were reached (the "cold" timings are reported, not held to a target).
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.models import Group, User, update_last_login
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import Exists, Max, Min, OuterRef, QuerySet
from django.http.request import validate_host
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from viewflow.workflow.models import Process

from casework.core.audit import purge_chains
from casework.core.benchtools import ServerClock, get_ok, percentile, reference_loop_ms
from casework.core.management.commands.bench import benchmark
from casework.core.models import AccessLog, CaseEvent, ChainHead, Market, StaffProfile
from casework.core.roles import Role
from casework.documents.models import Document
from casework.parties.models import Organization, Person
from casework.reports import snapshots
from casework.reports.models import FigureSnapshot
from casework.reports.periods import current_month, parse
from casework.reports.registry import WorkflowReport, get_report
from casework.reports.tasks import refresh_open

WORKFLOW = "disputes"
PREFIX = "bench-stats-"
NAME = "基准测试零工市场（bench stats {n:02d}）"
TARGET_PAGE_P95_MS = 300
TARGET_EXPORT_SECONDS = 20
TARGET_EXPORT_RSS_MB = 300
WARM_UP = 2
CHUNK = 5000


@dataclass(frozen=True)
class Sizes:
    disputes: int
    markets: int
    region_disputes: int
    ledger_rows: int

    @classmethod
    def from_env(cls) -> "Sizes":
        disputes = _env_int("BENCH_STATS_DISPUTES", 1_000_000)
        markets = _env_int("BENCH_STATS_MARKETS", 20)
        return cls(
            disputes=disputes,
            markets=markets,
            region_disputes=_env_int("BENCH_STATS_REGION_DISPUTES", disputes // 20),
            ledger_rows=_env_int("BENCH_STATS_LEDGER_ROWS", min(100_000, disputes)),
        )


def _report() -> WorkflowReport:
    report = get_report(WORKFLOW)
    if report is None:
        raise RuntimeError(f"no report {WORKFLOW!r}: is its workflow installed?")
    return report


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").replace("_", "").replace(",", "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


@benchmark(
    "stats",
    help="statistics pages at 1M disputes, a region of 20 markets, a 100,000-row .xlsx ledger "
    "(PostgreSQL; sizes: BENCH_STATS_DISPUTES ...)",
    iterations=20,
)
def bench_stats(iterations: int) -> dict:
    if connection.vendor != "postgresql":
        reason = _(
            "bench stats needs PostgreSQL (its indexes, its planner, a million rows): "
            "DATABASE_URL=postgres://.../casework_bench python manage.py bench stats"
        )
        sys.stderr.write(reason + "\n")
        return {"skipped": reason}
    sizes = Sizes.from_env()
    remove_bench_data()  # what a crashed run left
    marks = _high_water()
    try:
        started = time.monotonic()
        markets = _markets(sizes.markets)
        loaded = _load(markets, sizes)
        load_seconds = time.monotonic() - started
        supervisor = _user("supervisor", Role.SUPERVISOR, markets[:1])
        markets[0].supervisors.add(supervisor)
        regional = _user("regional", Role.REGIONAL, markets)
        result = {
            "sizes": {
                "disputes": sizes.disputes,
                "markets": sizes.markets,
                "other_market_disputes": sizes.region_disputes,
                "region_disputes": loaded,
                "ledger_rows": sizes.ledger_rows,
            },
            "load_seconds": round(load_seconds, 1),
            "iterations": iterations,
            **_time_pages(supervisor, regional, markets, iterations),
            "export": _time_export(supervisor, markets[0], sizes.ledger_rows),
            "past_month_compute_s": _past_month_seconds(markets[0]),
        }
        result["targets"] = {
            "page_p95_ms": TARGET_PAGE_P95_MS,
            "export_s": TARGET_EXPORT_SECONDS,
            "export_peak_rss_mb": TARGET_EXPORT_RSS_MB,
        }
        result["met"] = _met(result)
        result["load_average"] = [round(n, 2) for n in os.getloadavg()]
        result["reference_loop_ms"] = reference_loop_ms()
        # Kept should the clean-up fail: the run took minutes.
        sys.stderr.write(f"bench stats, before the clean-up: {json.dumps(result)}\n")
        return result
    finally:
        started = time.monotonic()
        remove_bench_data(marks)
        sys.stderr.write(f"bench stats: cleaned up in {time.monotonic() - started:.0f} s\n")


# -- the data ------------------------------------------------------------------------------


def _markets(count: int) -> list[Market]:
    return [
        Market.objects.create(
            code=f"{PREFIX}{n:02d}",
            name=NAME.format(n=n),
            nature=Market.Nature.PUBLIC,
            region="基准测试区",
            address="-",
            opening_hours="-",
            main_trades="-",
            hotline="-",
            complaint_channel="-",
        )
        for n in range(1, count + 1)
    ]


def _load(markets: list[Market], sizes: Sizes) -> int:
    """Disputes through ``manage.py seed_load`` (the bulk loader); returns how many."""
    total = 0
    for index, market in enumerate(markets):
        count = sizes.disputes if index == 0 else sizes.region_disputes
        out = StringIO()
        call_command(
            "seed_load", "--disputes", str(count), "--market", market.code, "--seed", str(index),
            stdout=out,
        )  # fmt: skip
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        total += summary["disputes"]["disputes"]
    return total


def _user(kind: str, role: str, markets: list[Market]) -> User:
    user = User.objects.create(username=f"{PREFIX}{kind}", first_name="基准", password="!")  # noqa: S106
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user).markets.set(markets)
    # Supervisors pass a second factor (TWO_FACTOR_ROLES): the session gets a device.
    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user


@dataclass(frozen=True)
class _Marks:
    """The largest keys before loading: the loader's parties come after them."""

    person: int
    organization: int


def _high_water() -> _Marks:
    return _Marks(
        person=Person.objects.aggregate(n=Max("pk"))["n"] or 0,
        organization=Organization.objects.aggregate(n=Max("pk"))["n"] or 0,
    )


def remove_bench_data(marks: _Marks | None = None) -> None:
    """Delete the benchmark's markets and everything in them.

    ``marks``: the parties made after them and used by nothing are the loader's (a crashed
    run's are left, as the claim benchmark leaves them: they hold no case)."""
    markets = list(Market.objects.filter(code__startswith=PREFIX))
    for market in markets:
        if market.name != NAME.format(n=int(market.code.removeprefix(PREFIX) or 0)):
            raise RuntimeError(f"market {market.code} is not the benchmark's: not touched")
    users = User.objects.filter(username__startswith=PREFIX)
    AccessLog.objects.filter(user__in=users).delete()
    if markets:
        model = _report().model
        cases = model.objects.filter(market__in=markets)
        subject_type = ContentType.objects.get_for_model(model)
        _remove_cases(cases, subject_type)
        snapshots.forget([market.pk for market in markets])
    if marks is not None:
        _delete_unused(Person.objects.filter(pk__gt=marks.person))
        _delete_unused(Organization.objects.filter(pk__gt=marks.organization))
    # The mediators the loader added are named after the market (core.loading.new_staff).
    users.delete()
    Market.objects.filter(pk__in=[market.pk for market in markets]).delete()


def _remove_cases(cases: QuerySet, subject_type: ContentType) -> None:
    pks = cases.values("pk")
    chained = set(
        CaseEvent.objects.filter(subject_type=subject_type, subject_id__in=pks).values_list(
            "subject_id", flat=True
        )
    ) | set(
        ChainHead.objects.filter(subject_type=subject_type, subject_id__in=pks).values_list(
            "subject_id", flat=True
        )
    )
    purge_chains(subject_type, chained)  # the audit trail is append-only: see its docstring
    AccessLog.objects.filter(subject_type=subject_type, subject_id__in=pks).delete()
    documents = Document.objects.filter(subject_type=subject_type, subject_id__in=pks)
    for document in documents.exclude(file=""):
        document.file.delete(save=False)
    documents.delete()
    processes = list(cases.exclude(process=None).values_list("process_id", flat=True))
    for chunk in _chunks(cases):
        with transaction.atomic():
            _skip_row_checks()
            _delete_with_dependants(cases.model, chunk)
    for start in range(0, len(processes), CHUNK):
        with transaction.atomic():
            _skip_row_checks()
            _delete_with_dependants(Process, processes[start : start + CHUNK])


# What points at a case and goes with it, whatever its on_delete says (a settlement
# protects its dispute): the benchmark's own cases only.
_DEPENDANT = (models.CASCADE, models.PROTECT, models.RESTRICT)


def _delete_with_dependants(model, pks: list[int], depth: int = 0) -> None:
    """Delete the rows ``pks`` of ``model`` after every row pointing at them (their
    settlements, instalments and payments, claims, applicant links ...), in SQL with one
    array parameter a statement: the ORM would read every row into an instance first.
    Call it in a transaction that ran _skip_row_checks()."""
    if depth > 5:
        raise RuntimeError(f"{model._meta.label}: rows point at each other too deeply")
    quote = connection.ops.quote_name
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        child, field = relation.related_model, relation.field
        if field.target_field != model._meta.pk:
            raise RuntimeError(f"{child._meta.label} points at {model._meta.label} by a key")
        table, column = quote(child._meta.db_table), quote(field.column)
        with connection.cursor() as cursor:
            if relation.on_delete is models.SET_NULL:
                sql = f"UPDATE {table} SET {column} = NULL WHERE {column} = ANY(%s)"  # noqa: S608
                cursor.execute(sql, [pks])
                continue
            key = quote(child._meta.pk.column)
            cursor.execute(f"SELECT {key} FROM {table} WHERE {column} = ANY(%s)", [pks])  # noqa: S608
            found = [row[0] for row in cursor.fetchall()]
        if not found:
            continue
        if relation.on_delete not in _DEPENDANT:
            raise RuntimeError(f"{child._meta.label} points at the benchmark's rows: not touched")
        _delete_with_dependants(child, found, depth + 1)
    _delete_rows(model, pks)


def _delete_rows(model, pks: list[int]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [pks])  # noqa: S608


def _skip_row_checks() -> None:
    """No foreign-key trigger per deleted row for the rest of this transaction (a
    superuser's right, as purge_chains needs): the rows pointing at them go first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _delete_unused(rows: QuerySet) -> None:
    """Delete ``rows`` that no other row points at (parties the loader made), a range of
    keys at a time (each look-up then probes the other tables' indexes)."""
    model = rows.model
    low, high = rows.aggregate(low=Min("pk"), high=Max("pk")).values()
    if high is None:
        return
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete:
            used = relation.related_model._base_manager.filter(
                **{relation.field.name: OuterRef("pk")}
            )
            rows = rows.filter(~Exists(used))
    for start in range(low - 1, high, CHUNK):
        chunk = list(rows.filter(pk__gt=start, pk__lte=start + CHUNK).values_list("pk", flat=True))
        if chunk:
            _delete_rows(model, chunk)  # nothing points at them


def _chunks(rows: QuerySet) -> Iterator[list[int]]:
    """The keys of ``rows`` in ascending chunks of CHUNK (read one chunk at a time)."""
    last = 0
    while chunk := list(
        rows.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
    ):
        yield chunk
        last = chunk[-1]


# -- the pages -------------------------------------------------------------------------------


def _time_pages(supervisor: User, regional: User, markets: list[Market], n: int) -> dict:
    report = _report()
    page = reverse("reports:workflow", args=[WORKFLOW])
    data = reverse("reports:data", args=[WORKFLOW])
    compare = reverse("reports:compare", args=[WORKFLOW])
    month = current_month()
    past = month.previous()
    one = f"market={markets[0].code}"
    # What the beat job does every 5 minutes: the pages then read the current month.
    results: dict = {"open_refresh": _refresh_open(), "cold": {}}
    client = _client()
    _login(client, supervisor)
    try:
        results["one_market"] = {
            "current_month": {
                "page": _timeget_ok(client, f"{page}?{one}", n),
                "data": _timeget_ok(client, f"{data}?{one}", n),
            },
            "past_month": {
                "page": _timeget_ok(client, f"{page}?{one}&period={past.key}", n),
                "data": _timeget_ok(client, f"{data}?{one}&period={past.key}", n),
            },
        }
        # No snapshot to read (the first request after a change once the lag is over, had
        # the job not run): a whole month computed at every request, the current month's
        # cost on its last day. Not a target: the job keeps pages from paying it.
        forget = _forget_period(report.slug, markets[:1], past)
        results["cold"]["one_market_whole_month"] = {
            "page": _timeget_ok(client, f"{page}?{one}&period={past.key}", n, before=forget),
            "data": _timeget_ok(client, f"{data}?{one}&period={past.key}", n, before=forget),
        }
    finally:
        client.logout()
    client = _client()
    _login(client, regional)
    try:
        results["region"] = {
            "markets": len(markets),
            "compare": _timeget_ok(client, compare, n),
            "summed_page": _timeget_ok(client, page, n),
            "summed_data": _timeget_ok(client, data, n),
            "compare_past_month": _timeget_ok(client, f"{compare}?period={past.key}", n),
            "summed_page_past_month": _timeget_ok(client, f"{page}?period={past.key}", n),
        }
        forget = _forget_period(report.slug, markets, month)
        results["cold"]["region_compare"] = _timeget_ok(client, compare, n, before=forget)
    finally:
        client.logout()
    return results


def _refresh_open() -> dict:
    started = time.monotonic()
    done = refresh_open(budget=3600)
    return {"seconds": round(time.monotonic() - started, 1), "taken": done["taken"]}


def _forget_period(workflow: str, markets: list[Market], period):
    def forget() -> None:
        FigureSnapshot.objects.filter(
            workflow=workflow, market__in=markets, first=period.first, after=period.after
        ).delete()

    return forget


def _timeget_ok(client: Client, url: str, n: int, *, before=None) -> dict:
    for _warm in range(WARM_UP):
        if before:
            before()
        get_ok(client, url)
    times = []
    with ServerClock() as clock:
        for _run in range(n):
            if before:
                before()
            get_ok(client, url)
            times.append(clock.last_ms)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
    }


def _past_month_seconds(market: Market) -> float | None:
    """The median time the page's snapshots of a past month took to compute."""
    seconds = list(
        FigureSnapshot.objects.filter(workflow=WORKFLOW, market=market, kind="figures").values_list(
            "seconds", flat=True
        )
    )
    return round(statistics.median(seconds), 3) if seconds else None


# -- the ledger ------------------------------------------------------------------------------


def _time_export(user: User, market: Market, rows: int) -> dict:
    """The .xlsx ledger of about ``rows`` cases, exported in a process of its own."""
    period = _period_of(market, rows)
    url = f"{reverse('reports:ledger_xlsx', args=[WORKFLOW])}?market={market.code}&period={period}"
    model = _report().model
    start, end = parse(period).bounds()
    count = model.objects.filter(market=market, received_at__gte=start, received_at__lt=end).count()
    client = _client()
    _login(client, user)
    try:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        child = _export_in_child(url, cookie)
    finally:
        client.logout()
    child["rows"] = count
    child["period"] = period
    return child


def _period_of(market: Market, rows: int) -> str:
    """A custom period from the local day of the ``rows``-th newest case to today."""
    model = _report().model
    newest = model.objects.filter(market=market).order_by("-received_at")
    at = newest.values_list("received_at", flat=True)[rows - 1 : rows].first()
    if at is None:
        at = newest.values_list("received_at", flat=True).last()
    first = timezone.localdate(at) if at else timezone.localdate()
    return f"{first.isoformat()}..{timezone.localdate().isoformat()}"


def _export_in_child(url: str, cookie: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "casework.settings"),
    }
    code = (
        "import django, sys; django.setup(); "
        "from casework.reports.benchmarks import export_child; export_child(*sys.argv[1:])"
    )
    done = subprocess.run(  # noqa: S603  (our own interpreter and code)
        [sys.executable, "-c", code, url, cookie],
        env=env,
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export process failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _database_url() -> str:
    """The database this process is connected to (the test database under pytest)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


def export_child(url: str, cookie: str) -> None:
    """In the child process: GET the ledger, read it to the end, print seconds and RSS."""
    rss_before = _rss_mb()
    client = _client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    content: Iterator[bytes] = response.streaming_content  # type: ignore[attr-defined]
    size = sum(len(chunk) for chunk in content)
    response.close()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "bytes": size,
                "peak_rss_mb": round(_peak_rss_mb(), 1),
                "rss_before_mb": round(rss_before, 1),
            }
        )
    )


def _peak_rss_mb() -> float:
    """This process's peak resident set size: VmHWM, which starts again at exec (the
    ru_maxrss of getrusage keeps the forking parent's peak across exec on Linux)."""
    return _proc_status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    return _proc_status_mb("VmRSS") or _peak_rss_mb()


def _proc_status_mb(field: str) -> float | None:
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    return None


# -- shared helpers ------------------------------------------------------------------------


def _met(result: dict) -> bool:
    pages = [
        timing["p95_ms"]
        for group in (result["one_market"], result["region"])
        for timing in _timings(group)
    ]
    export = result["export"]
    return (
        all(p95 <= TARGET_PAGE_P95_MS for p95 in pages)
        and export["seconds"] <= TARGET_EXPORT_SECONDS
        and export["peak_rss_mb"] <= TARGET_EXPORT_RSS_MB
    )


def _timings(group: dict) -> Iterator[dict]:
    for value in group.values():
        if isinstance(value, dict):
            if "p95_ms" in value:
                yield value
            else:
                yield from _timings(value)


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
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
