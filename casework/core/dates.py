"""Plausible dates: the one place that says which dates a form may accept.

Every workflow's forms attach these validators to their date and date-time
fields, so an absurd value (a receipt time centuries ago, a deadline in the
year 9999, an agreement that starts in 1900) is refused with one clear message
before anything is saved. The bounds:

- events that already happened (receipt, conduct, sessions, payments, marks):
  not before the system start year (settings.CASEWORK_START_YEAR) and not in
  the future (a few minutes of clock skew allowed for date-times);
- deadlines and due dates: not before the start year, at most
  DEADLINE_MAX_YEARS ahead;
- birth dates: from BIRTH_YEAR_MIN, not in the future;
- agreement terms: inside a window around today (two years back .. five years
  ahead) and at most settings.CASEWORK_TERM_MAX_DAYS long;
- search filters: the window of the stored data.

The database keeps a last line: check constraints refuse dates before
DB_FLOOR on the dates the queues sort and compute on. DB_FLOOR is fixed (a
migration cannot follow a setting); the start year may not go below it.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Clocks of the counter PC and the server differ a little; a minute is not "the future".
CLOCK_SKEW = datetime.timedelta(minutes=5)
DB_FLOOR_YEAR = 1990
DB_FLOOR = datetime.date(DB_FLOOR_YEAR, 1, 1)
DB_FLOOR_MOMENT = datetime.datetime(DB_FLOOR_YEAR, 1, 1, tzinfo=datetime.UTC)
DEFAULT_START_YEAR = 2000
BIRTH_YEAR_MIN = 1900
DEADLINE_MAX_YEARS = 10
TERM_AHEAD_YEARS = 5
TERM_BEHIND_YEARS = 2  # agreements are kept 2 years after they end (docs/domain.md)

MSG_TOO_OLD = _("Enter a date from %(year)s on; check the year.")
MSG_FUTURE = _("This date cannot be in the future.")
MSG_MOMENT_FUTURE = _("This time cannot be in the future.")
MSG_TOO_FAR = _("Enter a date at most %(years)s years ahead; check the year.")
MSG_TOO_FAR_BACK = _("Enter a date at most %(years)s years back; check the year.")
MSG_BIRTH_TOO_OLD = _("Enter a birth date from %(year)s on; check the year.")
MSG_TERM_TOO_LONG = _("An agreement cannot last more than %(days)s days; check the dates.")


def start_year() -> int:
    return max(getattr(settings, "CASEWORK_START_YEAR", DEFAULT_START_YEAR), DB_FLOOR_YEAR)


def earliest_day() -> datetime.date:
    return datetime.date(start_year(), 1, 1)


def latest_day(years: int = DEADLINE_MAX_YEARS) -> datetime.date:
    """The same day ``years`` years from today (negative: back)."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _day_of(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _too_old(value, year: int | None = None, message=MSG_TOO_OLD) -> None:
    year = year or start_year()
    if _day_of(value) < datetime.date(year, 1, 1):
        raise ValidationError(message, code="date_too_old", params={"year": year})


def _too_far(value, years: int = DEADLINE_MAX_YEARS) -> None:
    if _day_of(value) > latest_day(years):
        raise ValidationError(MSG_TOO_FAR, code="date_too_far", params={"years": years})


# -- validators: attach them to form fields ------------------------------------------------
# Each returns the value it checked, so a clean_<field>() can return it too; typed Any
# because Django's validators are declared as returning None.


def past_day(value: datetime.date | None, message=None, code="date_in_future") -> Any:
    """A day on which something already happened."""
    if value is None:
        return value
    _too_old(value)
    if value > timezone.localdate():
        raise ValidationError(message or MSG_FUTURE, code=code)
    return value


def past_moment(value: datetime.datetime | None, message=None) -> Any:
    """A time at which something already happened (receipt, session, signature)."""
    if value is None:
        return value
    _too_old(value)
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(message or MSG_MOMENT_FUTURE, code="date_in_future")
    return value


def deadline_day(value: datetime.date | None) -> Any:
    """A deadline or due date: not before the start year, not absurdly far ahead."""
    if value is None:
        return value
    _too_old(value)
    _too_far(value)
    return value


def term_day(value: datetime.date | None) -> Any:
    """A day of an agreement's term (first or last day of work, payment date): in a
    window around today, TERM_BEHIND_YEARS back to TERM_AHEAD_YEARS ahead."""
    if value is None:
        return value
    _too_old(value)
    if value < latest_day(-TERM_BEHIND_YEARS):
        raise ValidationError(
            MSG_TOO_FAR_BACK, code="date_too_far_back", params={"years": TERM_BEHIND_YEARS}
        )
    _too_far(value, TERM_AHEAD_YEARS)
    return value


def search_day(value: datetime.date | None) -> Any:
    """A day typed into a search filter: inside the window of the stored data."""
    return deadline_day(value)


def birth_day(value: datetime.date | None) -> Any:
    if value is None:
        return value
    _too_old(value, BIRTH_YEAR_MIN, MSG_BIRTH_TOO_OLD)
    if value > timezone.localdate():
        raise ValidationError(MSG_FUTURE, code="date_in_future")
    return value


def check_term(start: datetime.date | None, end: datetime.date | None) -> None:
    """An agreement's term is at most settings.CASEWORK_TERM_MAX_DAYS long."""
    days = getattr(settings, "CASEWORK_TERM_MAX_DAYS", 3 * 366)
    if start and end and (end - start).days + 1 > days:
        raise ValidationError(MSG_TERM_TOO_LONG, code="term_too_long", params={"days": days})


def with_validators(field, *validators):
    """Add validators to a form field (also one built by fields_for_model); returns it."""
    field.validators = [*field.validators, *validators]
    return field
