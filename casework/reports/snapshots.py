"""Figures stored once and read back (docs/reports.md, "Speed").

A statistics page shows a period, the period before it and twelve months of trend:
fourteen computations of a report's ``figures()``, each up to a second at a million
disputes in a market. So every computation is stored in a ``FigureSnapshot``, keyed by
workflow, set of markets, period and formula variants, and the pages read them back in
one query for all the periods they need. When a stored one is read:

* a period that has ended (at least SETTLE before the snapshot was taken: a transaction
  committing just after midnight is not missed) no longer changes, apart from late
  corrections (a payment entered with an earlier date): its snapshot is read while it is
  younger than MAX_AGE, so a correction shows within a day, whether or not the nightly
  job ran (casework.reports.tasks.take_figure_snapshots takes again every night those the
  pages need most);
* a period still open (the current month; a quarter, year or range containing today) is
  read from a snapshot taken the same local day, either while nothing has been recorded
  since (its ``mark``, the newest audit event then, is still the newest: a quiet market
  sees exact figures) or while it is younger than settings.STATISTICS_LAG (a busy market's
  figures lag by at most that; casework.reports.tasks.refresh_open_figures takes the
  pages' current month again every few minutes, so pages seldom compute it);
* a snapshot of another definition of the report (its module's source, its indicators
  and their formulas: its ``fingerprint``) is not read, so a fix to a report's code shows
  at once.

Chart data (``breakdowns()``) is stored the same way, per language since its labels are
translated. ``Statistics.as_of`` is the snapshot's time.

Within one request, what was computed or read once is reused (the page's period is
also the last month of its trend), through a memo that lives from Django's
request_started to its request_finished signal.
"""

import datetime
import hashlib
import inspect
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from asgiref.local import Local
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db.models import QuerySet
from django.utils import timezone, translation

from casework.core.models import CaseEvent, Market
from casework.reports import registry
from casework.reports.models import FigureSnapshot
from casework.reports.periods import Period
from casework.reports.registry import Breakdown, WorkflowReport

logger = logging.getLogger(__name__)

Values = dict[str, Decimal | int | None]
Kind = FigureSnapshot.Kind

# A period counts as over this long after its end: a step committing just after
# midnight still counts in the month it was taken in.
SETTLE = datetime.timedelta(minutes=5)
# A snapshot older than this is computed again (a day and the nightly job's own time).
MAX_AGE = datetime.timedelta(hours=26)
# Bumped when the stored form changes: older rows are then not read.
FORMAT = "1"


# -- keys -------------------------------------------------------------------------------------


def market_ids(markets: QuerySet[Market]) -> list[int]:
    return sorted(markets.order_by().values_list("pk", flat=True))


def markets_key(ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def variants_key(variants: dict[str, str]) -> str:
    return ",".join(f"{slug}={variant}" for slug, variant in sorted(variants.items()))


_FINGERPRINTS: dict[int, str] = {}


def fingerprint(report: WorkflowReport) -> str:
    """A digest of what the report's figures depend on in the code: the source of its
    module and of the shared helpers (registry.rate, percentile), and its indicators,
    variants and formulas as written (untranslated)."""
    key = id(report)
    if key not in _FINGERPRINTS:
        digest = hashlib.sha256(FORMAT.encode())
        for module in (type(report), registry):
            path = inspect.getsourcefile(module)
            if path and Path(path).is_file():
                digest.update(Path(path).read_bytes())
        with translation.override(None):
            for indicator in report.indicators:
                digest.update(f"{indicator.slug}|{indicator.unit}|{indicator.formula}".encode())
            for slug, options in sorted(report.variants.items()):
                for option in options:
                    digest.update(f"{slug}|{option.slug}|{option.formula}".encode())
        _FINGERPRINTS[key] = digest.hexdigest()
    return _FINGERPRINTS[key]


def is_over(period: Period, now: datetime.datetime) -> bool:
    """Whether ``period`` ended (at least SETTLE) before ``now``: its figures no longer
    change but for late corrections."""
    return period.bounds()[1] + SETTLE <= now


def lag() -> datetime.timedelta:
    """How old an open period's snapshot may be read although something changed since."""
    return settings.STATISTICS_LAG


def audit_mark() -> int | None:
    """The newest audit event's key: every step that changes a case records one. Read once
    a request."""
    memo = _memo()
    if memo is not None and "mark" in memo:
        return memo["mark"]
    mark = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    if memo is not None:
        memo["mark"] = mark
    return mark


def usable(
    snapshot: FigureSnapshot, period: Period, now: datetime.datetime, mark: int | None
) -> bool:
    """Whether a page reads ``snapshot`` at ``now`` (``mark``: the newest audit event now).

    A period over: if the snapshot was taken after it ended and is younger than MAX_AGE.
    A period open: if taken the same local day, and either nothing was recorded since or
    it is younger than the lag."""
    age = now - snapshot.taken_at
    if is_over(period, now):
        return snapshot.taken_at >= period.bounds()[1] + SETTLE and age <= MAX_AGE
    if timezone.localdate(snapshot.taken_at) != timezone.localdate(now):
        return False
    return (snapshot.mark is not None and snapshot.mark == mark) or age <= lag()


# -- the memo of one request -------------------------------------------------------------------

_request = Local()


def _request_started(**kwargs) -> None:
    _request.memo = {}


def _request_finished(**kwargs) -> None:
    _request.memo = None


request_started.connect(_request_started, dispatch_uid="reports-snapshots-started")
request_finished.connect(_request_finished, dispatch_uid="reports-snapshots-finished")


def _memo() -> dict | None:
    return getattr(_request, "memo", None)


# -- figures ---------------------------------------------------------------------------------


class _Scope:
    """A report over one set of markets with its formula choices: what a snapshot's key holds
    besides the period."""

    def __init__(
        self, report: WorkflowReport, markets: QuerySet[Market], variants: dict[str, str]
    ) -> None:
        self.report, self.markets, self.variants = report, markets, variants
        self.ids = market_ids(markets)
        self.markets_key = markets_key(self.ids)
        self.variants_key = variants_key(variants)
        self.fingerprint = fingerprint(report)

    def memo_key(self, kind: str, period: Period, language: str) -> tuple:
        return (
            self.report.slug,
            kind,
            self.markets_key,
            self.variants_key if kind == Kind.FIGURES else "",
            language,
            period,
        )

    def stored(self, kind: str, periods: Sequence[Period], language: str) -> dict:
        """(period kind, first, after) -> the snapshot, for those of ``periods`` stored with
        this scope and definition: one query."""
        if not periods:
            return {}
        rows = FigureSnapshot.objects.filter(
            workflow=self.report.slug,
            kind=kind,
            markets_key=self.markets_key,
            variants=self.variants_key if kind == Kind.FIGURES else "",
            language=language,
            fingerprint=self.fingerprint,
            first__in={p.first for p in periods},
        )
        return {(row.period_kind, row.first, row.after): row for row in rows}

    def store(
        self,
        kind: str,
        period: Period,
        language: str,
        values,
        taken_at: datetime.datetime,
        seconds: float,
        mark: int | None,
    ) -> None:
        """Insert or replace the snapshot (two requests storing the same one at once both
        succeed; the later wins)."""
        row = FigureSnapshot(
            workflow=self.report.slug,
            kind=kind,
            market_id=self.ids[0] if len(self.ids) == 1 else None,
            market_ids=self.ids,
            markets_key=self.markets_key,
            period_kind=period.kind,
            first=period.first,
            after=period.after,
            variants=self.variants_key if kind == Kind.FIGURES else "",
            language=language,
            fingerprint=self.fingerprint,
            values=values,
            taken_at=taken_at,
            seconds=round(seconds, 3),
            mark=mark,
        )
        FigureSnapshot.objects.bulk_create(
            [row],
            update_conflicts=True,
            unique_fields=UNIQUE_FIELDS,
            update_fields=[
                "market",
                "market_ids",
                "fingerprint",
                "values",
                "taken_at",
                "seconds",
                "mark",
            ],
        )


UNIQUE_FIELDS = [
    "workflow",
    "kind",
    "markets_key",
    "period_kind",
    "first",
    "after",
    "variants",
    "language",
]


def figures(
    report: WorkflowReport,
    markets: QuerySet[Market],
    periods: Sequence[Period],
    variants: dict[str, str],
) -> list[tuple[Values, datetime.datetime]]:
    """Each period's figures and the moment they describe: a usable snapshot's, else
    computed now (and stored when the period is over)."""
    scope = _Scope(report, markets, variants)
    memo = _memo()
    results: dict[Period, tuple[Values, datetime.datetime]] = {}
    for period in periods:
        if memo is not None and (hit := memo.get(scope.memo_key(Kind.FIGURES, period, ""))):
            results[period] = hit
    now = timezone.now()
    wanted = [p for p in dict.fromkeys(periods) if p not in results]
    stored = scope.stored(Kind.FIGURES, wanted, "")
    # Only an open period's snapshot needs it.
    mark = audit_mark() if any(not is_over(p, now) for p in wanted) else None
    for period in dict.fromkeys(periods):
        if period in results:
            continue
        row = stored.get((period.kind, period.first, period.after))
        if row is not None and usable(row, period, now, mark) and (values := _decode(row.values)):
            results[period] = (values, row.taken_at)
        else:
            results[period] = _compute(scope, period)
        if memo is not None:
            memo[scope.memo_key(Kind.FIGURES, period, "")] = results[period]
    return [(dict(results[p][0]), results[p][1]) for p in periods]


def take(
    report: WorkflowReport,
    markets: QuerySet[Market],
    periods: Sequence[Period],
    variants: dict[str, str],
    *,
    breakdowns: Sequence[Period] = (),
    language: str | None = None,
) -> int:
    """Compute and store the figures of ``periods`` (and the chart data of ``breakdowns``
    in ``language``) whatever is stored: the background jobs. Returns how many snapshots
    were taken."""
    scope = _Scope(report, markets, variants)
    for period in periods:
        _compute(scope, period)
    language = language or settings.LANGUAGE_CODE
    for period in breakdowns:
        with translation.override(language):
            _compute_breakdowns(scope, period, language)
    return len(periods) + len(breakdowns)


def due(
    report: WorkflowReport,
    markets: QuerySet[Market],
    period: Period,
    variants: dict[str, str],
    language: str,
) -> list[str]:
    """The kinds (figures, chart data in ``language``) of the open ``period`` to take again
    before pages stop reading them: not stored, not usable, or older than half the lag
    with something recorded since."""
    scope = _Scope(report, markets, variants)
    now, mark = timezone.now(), audit_mark()
    kinds: list[str] = []
    for kind in (Kind.FIGURES, Kind.BREAKDOWNS):
        row = scope.stored(kind, [period], language if kind == Kind.BREAKDOWNS else "").get(
            (period.kind, period.first, period.after)
        )
        settled = row is not None and row.mark is not None and row.mark == mark
        if (
            row is None
            or not usable(row, period, now, mark)
            or (not settled and now - row.taken_at > lag() / 2)
        ):
            kinds.append(kind)
    return kinds


def _compute(scope: _Scope, period: Period) -> tuple[Values, datetime.datetime]:
    # The mark before the figures: a step recorded while they are computed makes them stale.
    mark = audit_mark()
    taken_at = timezone.now()
    started = time.perf_counter()
    values = scope.report.figures(scope.markets, period, variants=scope.variants)
    encoded = _encode(values)
    if encoded is None:
        logger.warning("%s: figures of unexpected types, not stored", scope.report.slug)
    else:
        seconds = time.perf_counter() - started
        scope.store(Kind.FIGURES, period, "", encoded, taken_at, seconds, mark)
    return values, taken_at


# Stored as JSON pairs in their order (jsonb would sort an object's keys): a Decimal as its
# text, so 50.0 stays Decimal("50.0"), the rest as it is.
_PLAIN = (int, float, bool, type(None))


class _Unstorable(ValueError):
    pass


def _to_json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _PLAIN):
        return value
    raise _Unstorable(type(value).__name__)


def _from_json(value):
    return Decimal(value) if isinstance(value, str) else value


def _encode(values: Values) -> list | None:
    try:
        return [[slug, _to_json(value)] for slug, value in values.items()]
    except _Unstorable:
        return None


def _decode(stored) -> Values | None:
    if not isinstance(stored, list):
        return None
    return {slug: _from_json(value) for slug, value in stored}


# -- chart data --------------------------------------------------------------------------------


def breakdowns(
    report: WorkflowReport, markets: QuerySet[Market], period: Period
) -> list[Breakdown]:
    """The period's chart data in the active language: stored, else computed now (and
    stored)."""
    scope = _Scope(report, markets, {})
    language = translation.get_language() or ""
    memo = _memo()
    key = scope.memo_key(Kind.BREAKDOWNS, period, language)
    if memo is not None and key in memo:
        return list(memo[key])
    now = timezone.now()
    result = None
    row = scope.stored(Kind.BREAKDOWNS, [period], language).get(
        (period.kind, period.first, period.after)
    )
    if row is not None and usable(row, period, now, None if is_over(period, now) else audit_mark()):
        result = _decode_breakdowns(row.values)
    if result is None:
        result = _compute_breakdowns(scope, period, language)
    if memo is not None:
        memo[key] = result
    return list(result)


def _compute_breakdowns(scope: _Scope, period: Period, language: str) -> list[Breakdown]:
    mark = audit_mark()
    taken_at = timezone.now()
    started = time.perf_counter()
    charts = scope.report.breakdowns(scope.markets, period)
    encoded = _encode_breakdowns(charts)
    if encoded is not None:
        seconds = time.perf_counter() - started
        scope.store(Kind.BREAKDOWNS, period, language, encoded, taken_at, seconds, mark)
    return charts


def _encode_breakdowns(charts: list[Breakdown]) -> list | None:
    try:
        return [
            {
                "slug": chart.slug,
                "title": str(chart.title),
                "rows": [[str(label), _to_json(value)] for label, value in chart.rows],
                "chart": chart.chart,
            }
            for chart in charts
        ]
    except _Unstorable:
        return None


def _decode_breakdowns(stored) -> list[Breakdown] | None:
    if not isinstance(stored, list):
        return None
    return [
        Breakdown(
            chart["slug"],
            chart["title"],
            [(label, _from_json(value)) for label, value in chart["rows"]],
            chart=chart["chart"],
        )
        for chart in stored
    ]


class LazyBreakdowns(Sequence[Breakdown]):
    """The chart data, fetched when first read: the comparison of many markets shows none,
    and computing it for each market would cost as much as the figures."""

    def __init__(self, load: Callable[[], list[Breakdown]]) -> None:
        self._load = load
        self._charts: list[Breakdown] | None = None

    def _all(self) -> list[Breakdown]:
        if self._charts is None:
            self._charts = self._load()
        return self._charts

    def __getitem__(self, index):  # type: ignore[override]
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Breakdown]:
        return iter(self._all())

    def __repr__(self) -> str:
        return f"LazyBreakdowns({self._charts!r})"


# -- housekeeping ----------------------------------------------------------------------------


def prune(now: datetime.datetime | None = None) -> int:
    """Delete the snapshots too old to be read; returns how many."""
    now = now or timezone.now()
    deleted, _ = FigureSnapshot.objects.filter(taken_at__lt=now - MAX_AGE).delete()
    return deleted


def forget(markets: Sequence[int]) -> int:
    """Delete every snapshot covering one of ``markets`` (after changing their data in bulk)."""
    wanted = set(markets)
    doomed = [
        pk
        for pk, ids in FigureSnapshot.objects.values_list("pk", "market_ids").iterator()
        if wanted & set(ids or ())
    ]
    deleted = 0
    for start in range(0, len(doomed), 1000):
        count, _ = FigureSnapshot.objects.filter(pk__in=doomed[start : start + 1000]).delete()
        deleted += count
    return deleted
