"""What each workflow reports: its indicators, its ledger and its breakdowns.

A workflow app declares them in its own ``reports.py`` (autodiscovered by
ReportsConfig.ready()), so a fifth workflow adds its figures without touching
this app (docs/architecture.md, "Statistics and ledgers")::

    register(DisputeReport())

A report computes every figure of one period for a set of markets in one call
(``figures``), so it can share queries between them. Every indicator has exactly
one formula, written in ``Indicator.formula``: the page shows it as a tooltip and
docs/reports.md lists them all.

Two hooks serve the monthly outputs (casework/reports/monthly.py): ``monthly_table``
gives a workflow's monthly statistics table (月报表) in its fixed layout, and
``notable_cases`` the cases of a month its monthly work report names.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise

from casework.core.models import Market
from casework.reports.periods import Period

Text = str | Promise  # a string or a lazy translation


class Unit:
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"
    YUAN = "yuan"


@dataclass(frozen=True)
class Indicator:
    slug: str
    title: Text
    formula: Text
    unit: str = Unit.COUNT
    # Which way is good, for a target: "higher" (a rate to reach) or "lower" (a backlog).
    better: str = "higher"
    # The target a market starts with (a policy's figure), None for no target.
    default_target: Decimal | None = None
    # Figures of a state at one moment (open at the end) are not summed over months.
    stock: bool = False


@dataclass(frozen=True)
class Variant:
    """One way to compute an indicator whose formula policies word differently."""

    slug: str
    title: Text
    formula: Text


@dataclass(frozen=True)
class LedgerColumn:
    title: Text
    width: int = 14
    # Holds personal data (a name, an ID or mobile number): masked unless the user may
    # see full data, left out for the regional role.
    personal: bool = False


@dataclass
class Breakdown:
    """A chart's data: labels with one value each (a results pie, a funnel of states)."""

    slug: str
    title: Text
    rows: list[tuple[str, int]] = field(default_factory=list)
    chart: str = "bar"  # bar, pie or funnel


@dataclass(frozen=True)
class TableColumn:
    """One column of a monthly table: its key in ``MonthlyTable.values`` and its headers,
    top first (当期受理案件数 › 其中：集体争议 › 件数). Neighbouring columns that share
    their top headers share those cells, merged as on the printed form."""

    key: str
    heads: tuple[Text, ...]


@dataclass(frozen=True)
class MonthlyTable:
    """A workflow's monthly statistics table for a set of markets and one month.

    Counts only, so a region's table is the sum of its markets' tables."""

    title: Text
    columns: list[TableColumn]
    values: dict[str, int]
    # Printed under the table: how its columns add up.
    notes: list[Text] = field(default_factory=list)


class WorkflowReport:
    """A workflow's reporting, subclassed in its ``reports.py``."""

    slug: str = ""
    title: Text = ""
    # The model of its cases: staff with its view permission in a market see its figures.
    model: Any = None
    indicators: list[Indicator] = []
    # Indicator slug -> the ways it may be computed; the first is the default.
    variants: dict[str, list[Variant]] = {}
    ledger_columns: list[LedgerColumn] = []

    def figures(
        self, markets: QuerySet[Market], period: Period, *, variants: dict[str, str]
    ) -> dict[str, Decimal | int | None]:
        """Every indicator's value for ``period`` over ``markets`` (None: not defined,
        e.g. a rate over zero cases). ``variants`` names the chosen variant by slug."""
        raise NotImplementedError

    def breakdowns(self, markets: QuerySet[Market], period: Period) -> list[Breakdown]:
        return []

    def ledger_rows(
        self, markets: QuerySet[Market], period: Period, *, full_data: bool
    ) -> Iterator[list]:
        """One row per case of the period, in ``ledger_columns`` order, oldest first.

        Personal columns are masked unless ``full_data`` (casework.parties.identifiers:
        mask_name, mask_id, mask_phone)."""
        raise NotImplementedError

    def monthly_table(self, markets: QuerySet[Market], period: Period) -> MonthlyTable | None:
        """The workflow's monthly statistics table (月报表) for the month ``period`` over
        ``markets``, in the active language; None for a workflow that reports none."""
        return None

    @property
    def has_monthly_table(self) -> bool:
        return type(self).monthly_table is not WorkflowReport.monthly_table

    def notable_cases(
        self, markets: QuerySet[Market], period: Period, *, limit: int = 20
    ) -> list[tuple[str, str]]:
        """The month's cases its monthly work report names (overdue, group cases), at most
        ``limit`` of each kind: (case number, a short description in the active language).
        No personal data: no name, ID or mobile number."""
        return []

    def indicator(self, slug: str) -> Indicator:
        return next(i for i in self.indicators if i.slug == slug)


_REPORTS: dict[str, WorkflowReport] = {}


def register(report: WorkflowReport) -> WorkflowReport:
    _REPORTS[report.slug] = report
    return report


def reports() -> list[WorkflowReport]:
    return list(_REPORTS.values())


def get_report(slug: str) -> WorkflowReport | None:
    return _REPORTS.get(slug)


# -- helpers the workflows' reports share -------------------------------------------------


def rate(part: int | None, whole: int | None) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def percentile(values: Iterable[float], fraction: float) -> Decimal | None:
    """The nearest-rank percentile of ``values`` (0.5 the median), one decimal."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return Decimal(str(ordered[int(rank) - 1])).quantize(Decimal("0.1"))


def days_between(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / 86400


# Ledgers are the market's records: in Chinese whatever the exporting user's language.
LEDGER_LANGUAGE = "zh-hans"


def choice_labels(choices) -> dict[str, str]:
    """Each choice's label in the ledger's language, looked up once per export."""
    with translation.override(LEDGER_LANGUAGE):
        return {value: str(label) for value, label in choices}


def user_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """User.get_full_name(), else the username, from values() columns (no query per row)."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or ""
