"""Working days and legal deadlines (docs/domain.md, "Working days").

The official schedule comes from the ``chinese-calendar`` package; supervisors
add the days of a year it does not know yet as ``HolidayOverride`` rows, and a
row always wins over the package. A year that neither covers is counted with a
fallback (Mon–Fri minus the fixed-date statutory holidays) and any deadline
running into it is *provisional*: ``unknown_years()`` says which years those are.

Every count starts the day after the triggering day (民法典 Art. 201). Dates are
local (Asia/Shanghai); the ``deadline_*`` helpers take the aware datetime a
case stores and convert it first.
"""

import datetime

import chinese_calendar
from chinese_calendar.constants import holidays as _CC_HOLIDAYS
from django.utils import timezone

from casework.core.models import HolidayOverride

ONE_DAY = datetime.timedelta(days=1)
PACKAGE_YEARS = range(min(_CC_HOLIDAYS).year, max(_CC_HOLIDAYS).year + 1)

# Statutory holidays on fixed solar dates (全国年节及纪念日放假办法, 2024 revision, Art. 2):
# New Year's Day, Labour Day and National Day. The lunar holidays and the make-up working
# days need the State Council's yearly notice, so an unknown year stays provisional.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


class WorkCalendar:
    """Answers "is this a working day?", reading the override rows once per year.

    Make one per computation (the module functions do); a batch job can share one
    across many cases. It does not see override rows added after it read a year.
    """

    def __init__(self) -> None:
        self._overrides: dict[int, dict[datetime.date, bool]] = {}

    def overrides(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._overrides:
            rows = HolidayOverride.objects.filter(
                date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
            ).values_list("date", "is_workday")
            self._overrides[year] = dict(rows)
        return self._overrides[year]

    def preload(self, first: int, last: int) -> None:
        """Read in one query the override rows of the years ``first``..``last`` that
        chinese-calendar does not cover.

        For pages showing many deadlines: afterwards ``is_known`` and
        ``unknown_years`` cost no query for those years (none at all when the
        package covers them).
        """
        wanted = [
            year
            for year in range(first, last + 1)
            if year not in self._overrides and year not in PACKAGE_YEARS
        ]
        if not wanted:
            return
        rows = HolidayOverride.objects.filter(
            date__gte=datetime.date(wanted[0], 1, 1), date__lte=datetime.date(wanted[-1], 12, 31)
        ).values_list("date", "is_workday")
        for year in wanted:
            self._overrides[year] = {}
        for day, is_workday in rows:
            self._overrides[day.year][day] = is_workday

    def is_known(self, year: int) -> bool:
        return year in PACKAGE_YEARS or bool(self.overrides(year))

    def is_workday(self, day: datetime.date) -> bool:
        override = self.overrides(day.year).get(day)
        if override is not None:
            return override
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def add_calendar_days(self, start: datetime.date, days: int) -> datetime.date:
        """Day ``days`` after ``start``; a last day that is a rest day moves to the next workday."""
        _check_days(days)
        day = start + datetime.timedelta(days=days)
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The ``days``-th working day after ``start`` (make-up working days count)."""
        _check_days(days)
        day = start
        while days:
            day += ONE_DAY
            if self.is_workday(day):
                days -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start`` (overdue)."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def resume_after_pause(
        self, deadline: datetime.date, paused_on: datetime.date, resumed_on: datetime.date
    ) -> datetime.date:
        """The new deadline of a working-day clock paused on one day and resumed on another.

        The working days left after ``paused_on`` are counted again from ``resumed_on``
        (e.g. the acceptance clock of a complaint while a supplement is outstanding).
        """
        left = max(self.working_days_between(paused_on, deadline), 0)
        return self.add_working_days(resumed_on, left)

    def unknown_years(self, start: datetime.date, end: datetime.date) -> list[int]:
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if not self.is_known(year)]


def _check_days(days: int) -> None:
    if days < 0:
        raise ValueError("a period cannot be negative")


def is_workday(day: datetime.date) -> bool:
    return WorkCalendar().is_workday(day)


def add_calendar_days(start: datetime.date, days: int) -> datetime.date:
    return WorkCalendar().add_calendar_days(start, days)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    return WorkCalendar().add_working_days(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkCalendar().working_days_between(start, end)


def resume_after_pause(
    deadline: datetime.date, paused_on: datetime.date, resumed_on: datetime.date
) -> datetime.date:
    return WorkCalendar().resume_after_pause(deadline, paused_on, resumed_on)


def unknown_years(start: datetime.date, end: datetime.date) -> list[int]:
    """Years in the range that neither chinese-calendar nor the override table covers."""
    return WorkCalendar().unknown_years(start, end)


def deadline_calendar_days(received_at: datetime.datetime, days: int) -> datetime.date:
    """Deadline ``days`` calendar days after an aware timestamp, counted in local dates."""
    return add_calendar_days(timezone.localdate(received_at), days)


def deadline_working_days(received_at: datetime.datetime, days: int) -> datetime.date:
    """Deadline ``days`` working days after an aware timestamp, counted in local dates."""
    return add_working_days(timezone.localdate(received_at), days)
