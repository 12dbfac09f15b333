"""System checks of the case core (calendar coverage, case models, production parts)."""

import datetime

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.module_loading import import_string

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


# Caches every web and worker process sees alike; the others count rate limits and
# keep one-time codes per process.
SHARED_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
    "django.core.cache.backends.db.DatabaseCache",
)

# Pluggable services whose development stand-ins say so with ``demo = True``.
DEMO_BACKEND_SETTINGS = {
    "SMS_BACKEND": (
        "core.E010",
        "SMS_BACKEND is the development outbox: no text message reaches anyone, and "
        "staff can read every party's signing code in the outbox.",
    ),
    "IDENTITY_VERIFICATION_BACKEND": (
        "core.E011",
        "IDENTITY_VERIFICATION_BACKEND is the demo identity service: it passes the demo "
        "people and nobody else, so no real-name check means anything.",
    ),
}


@register(Tags.security, deploy=True)
def check_production_parts(app_configs=None, **kwargs) -> list:
    """check --deploy refuses the embedded set-up's stand-ins (docs/architecture.md)."""
    if settings.DEBUG:
        return []
    problems: list = []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in SHARED_CACHES:
        problems.append(
            Error(
                f"The cache ({backend}) is not shared: with several web processes each "
                "counts its own rate limits, and a login throttle can be walked around.",
                hint="Set CACHE_URL to a Redis database (redis://127.0.0.1:6379/1).",
                id="core.E012",
            )
        )
    for name, (check_id, message) in DEMO_BACKEND_SETTINGS.items():
        if _is_demo(getattr(settings, name)):
            problems.append(
                Error(
                    message,
                    hint=f"Set {name} to the market's own gateway class.",
                    id=check_id,
                )
            )
    if settings.TWO_FACTOR_DEMO_EXEMPT:
        problems.append(
            Error(
                "TWO_FACTOR_DEMO_EXEMPT is on: anyone who logs in with the published demo "
                "password skips two-step verification.",
                hint="Unset TWO_FACTOR_DEMO_EXEMPT; it is for `make run` only.",
                id="core.E013",
            )
        )
    if settings.DATABASES["default"].get("CONN_MAX_AGE") == 0:
        problems.append(
            Warning(
                "DATABASE_CONN_MAX_AGE=0 opens a database connection for every request.",
                hint="Leave it unset (60 s with a database server) or set a number of seconds.",
                id="core.W010",
            )
        )
    return problems


def _is_demo(path: str) -> bool:
    try:
        return bool(getattr(import_string(path), "demo", False))
    except ImportError:
        return False  # reported where the backend is first used, with the import error


@register(Tags.security)
def check_two_factor_roles(app_configs=None, **kwargs) -> list[Error]:
    """TWO_FACTOR_ROLES names only roles that exist: a typo must not switch the factor off."""
    from casework.core.roles import Role
    from casework.core.twofactor import SUPERUSER

    unknown = sorted(set(settings.TWO_FACTOR_ROLES) - set(Role.values) - {SUPERUSER})
    if not unknown:
        return []
    return [
        Error(
            f"TWO_FACTOR_ROLES names no such role: {', '.join(unknown)}.",
            hint=f"Use {', '.join([*Role.values, SUPERUSER])}.",
            id="core.E014",
        )
    ]
