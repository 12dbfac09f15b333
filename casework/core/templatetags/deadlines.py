"""{% load deadlines %}{% deadline case.mediation_due %} or {% deadline due "working" %}.

Shows the due date with the days left, coloured: overdue, due within three
days, or in time; marked provisional when the date lies in a year whose
official holiday schedule is not known yet.
"""

import datetime

from django import template
from django.utils import timezone

from casework.core.calendar import WorkCalendar

register = template.Library()

DUE_SOON_DAYS = 3


def deadline_status(
    due: datetime.date,
    counting: str = "calendar",
    today: datetime.date | None = None,
    calendar: WorkCalendar | None = None,
) -> dict:
    """The badge's data. A list page passes one preloaded ``calendar`` for all its rows."""
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar()
    working = counting == "working"
    left = calendar.working_days_between(today, due) if working else (due - today).days
    if today > due and left >= 0:
        # Past a working-day deadline with only rest days since (Sunday after a Friday
        # deadline): overdue all the same, by calendar days.
        left, working = (due - today).days, False
    level = "overdue" if left < 0 else "soon" if left <= DUE_SOON_DAYS else "ok"
    return {
        "due": due,
        "left": left,
        "overdue_by": -left,
        "working": working,
        "level": level,
        "provisional": bool(calendar.unknown_years(min(today, due), max(today, due))),
    }


@register.inclusion_tag("core/_deadline.html")
def deadline(due: datetime.date | None, counting: str = "calendar") -> dict:
    if due is None:
        return {"due": None}
    return deadline_status(due, counting)
