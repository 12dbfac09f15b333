"""Reporting periods: a month, a quarter, a year or a custom range of days.

A period is a half-open range of local days [first, after) in settings.TIME_ZONE
(Asia/Shanghai), so a case closed at 23:59 on the last day of a month counts in
that month wherever the server runs. ``bounds()`` gives the aware datetimes that
queries compare timestamps with; dates compare with ``first``/``after`` directly.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KINDS = {
    "month": gettext_lazy("month"),
    "quarter": gettext_lazy("quarter"),
    "year": gettext_lazy("year"),
    "custom": gettext_lazy("custom range"),
}
# A custom range longer than this is a mistake, not a report.
MAX_CUSTOM_DAYS = 366 * 5


class PeriodError(ValueError):
    """A period the request names cannot be read; the message says why, in the UI language."""


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    after: datetime.date  # the day after the last day

    @property
    def last(self) -> datetime.date:
        return self.after - datetime.timedelta(days=1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes at local midnight."""
        zone = timezone.get_default_timezone()
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.after, datetime.time.min, tzinfo=zone)
        return start, end

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)s-%(month)02d") % {"year": self.first.year, "month": self.first.month}
        if self.kind == "quarter":
            quarter = (self.first.month - 1) // 3 + 1
            return _("%(year)s Q%(quarter)s") % {"year": self.first.year, "quarter": quarter}
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()} – {self.last.isoformat()}"

    @property
    def key(self) -> str:
        """The value of the ``period`` query parameter that names this period."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def previous(self) -> "Period":
        if self.kind == "custom":
            length = self.after - self.first
            return Period("custom", self.first - length, self.first)
        return parse(_shift(self, -1))

    def next(self) -> "Period":
        if self.kind == "custom":
            length = self.after - self.first
            return Period("custom", self.after, self.after + length)
        return parse(_shift(self, 1))


def month(year: int, month_number: int) -> Period:
    first = datetime.date(year, month_number, 1)
    return Period("month", first, _add_months(first, 1))


def current_month(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return month(today.year, today.month)


def months_ending(period: Period, count: int) -> list[Period]:
    """The ``count`` months up to and including the month ``period`` ends in, oldest first."""
    last = period.last
    end = month(last.year, last.month)
    months = [end]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def parse(key: str | None, *, today: datetime.date | None = None) -> Period:
    """The period a ``period`` parameter names: 2026-11, 2026-Q4, 2026, or
    2026-01-01..2026-03-31; the current month when empty."""
    key = (key or "").strip()
    if not key:
        return current_month(today)
    try:
        return _parse(key)
    except PeriodError:
        raise
    except (ValueError, OverflowError):
        raise PeriodError(
            _("“%(key)s” is not a period: use 2026-11, 2026-Q4, 2026 or 2026-01-01..2026-03-31.")
            % {"key": key[:40]}
        ) from None


def _parse(key: str) -> Period:
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", key):
        return month(int(match[1]), int(match[2]))
    if match := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", key):
        first = datetime.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
        return Period("quarter", first, _add_months(first, 3))
    if re.fullmatch(r"\d{4}", key):
        first = datetime.date(int(key), 1, 1)
        return Period("year", first, datetime.date(first.year + 1, 1, 1))
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", key):
        first = datetime.date.fromisoformat(match[1])
        last = datetime.date.fromisoformat(match[2])
        if last < first:
            raise PeriodError(_("The range ends before it starts."))
        if (last - first).days > MAX_CUSTOM_DAYS:
            raise PeriodError(_("A custom range may span at most five years."))
        return Period("custom", first, last + datetime.timedelta(days=1))
    raise ValueError(key)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _shift(period: Period, steps: int) -> str:
    months = {"month": 1, "quarter": 3, "year": 12}[period.kind] * steps
    return Period(period.kind, _add_months(period.first, months), period.after).key
