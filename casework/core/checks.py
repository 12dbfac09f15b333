"""System checks of the case core (calendar coverage)."""

import datetime

from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connection
from django.utils import timezone

WARN_DAYS_BEFORE_YEAR_END = 60


@register()
def check_calendar_coverage(app_configs=None, **kwargs) -> list[Warning]:
    """Warn when deadlines run, or will soon run, into a year with no holiday schedule."""
    missing = schedule_missing_years(timezone.localdate())
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


def years_to_cover(today: datetime.date) -> list[int]:
    """This year, and next year once its end is near: deadlines run into both."""
    years = [today.year]
    if datetime.date(today.year, 12, 31) - today <= datetime.timedelta(WARN_DAYS_BEFORE_YEAR_END):
        years.append(today.year + 1)
    return years


def schedule_missing_years(today: datetime.date) -> list[int]:
    return [year for year in years_to_cover(today) if not _year_known(year)]


def _year_known(year: int) -> bool:
    # Checks also run before migrate and against unreachable databases: never fail there.
    from casework.core.calendar import PACKAGE_YEARS, WorkCalendar
    from casework.core.models import HolidayOverride

    if year in PACKAGE_YEARS:
        return True
    try:
        if HolidayOverride._meta.db_table not in connection.introspection.table_names():
            return False
        return WorkCalendar().is_known(year)
    except DatabaseError:
        return False


@register()
def check_case_models(app_configs=None, **kwargs) -> list[Error]:
    """Every case model keeps its legal state in a protected FSM field (docs/workflows.md)."""
    from django.apps import apps
    from django_fsm import FSMField

    from casework.core.models import CaseBase

    errors = []
    for model in apps.get_models():
        if not issubclass(model, CaseBase):
            continue
        field = next((f for f in model._meta.fields if f.name == "state"), None)
        if not isinstance(field, FSMField) or not field.protected:
            errors.append(
                Error(
                    f"{model._meta.label}.state must be FSMField(protected=True): the state "
                    "changes only through transitions run by casework.core.transitions.perform().",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors
