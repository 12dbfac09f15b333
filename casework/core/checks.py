"""System checks of the case core (calendar coverage)."""

import datetime

from django.core.checks import Warning, register
from django.db import DatabaseError, connection
from django.utils import timezone

WARN_DAYS_BEFORE_YEAR_END = 60


@register()
def check_calendar_coverage(app_configs=None, **kwargs) -> list[Warning]:
    """Warn when deadlines run, or will soon run, into a year with no holiday schedule."""
    from casework.core.calendar import PACKAGE_YEARS

    today = timezone.localdate()
    years = [today.year]
    if datetime.date(today.year, 12, 31) - today <= datetime.timedelta(WARN_DAYS_BEFORE_YEAR_END):
        years.append(today.year + 1)
    missing = [year for year in years if year not in PACKAGE_YEARS]
    missing = [year for year in missing if not _overrides_exist(year)]
    if not missing:
        return []
    listed = ", ".join(str(year) for year in missing)
    return [
        Warning(
            f"No official holiday schedule for {listed}: deadlines in it count Monday to "
            "Friday (minus New Year, Labour Day and National Day) and are shown as provisional.",
            hint="A supervisor should enter the State Council holiday schedule (holidays and "
            "make-up working days) in the admin under Calendar overrides.",
            id="core.W001",
        )
    ]


def _overrides_exist(year: int) -> bool:
    # Checks also run before migrate and against unreachable databases: never fail there.
    from casework.core.calendar import WorkCalendar
    from casework.core.models import HolidayOverride

    try:
        if HolidayOverride._meta.db_table not in connection.introspection.table_names():
            return False
        return WorkCalendar().is_known(year)
    except DatabaseError:
        return False
