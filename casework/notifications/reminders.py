"""Staff reminders through the same service (docs/notifications.md, "Staff reminders").

Each workflow app says, in its ``notifications.py``, which of its cases have a deadline
coming (``register_deadlines``: a function of (today, until) yielding ``Due`` rows) and
which audit actions are escalations (``register_escalation``). The beat task
``remind_staff`` knows no workflow: the holder of each case due within REMIND_DAYS gets
one reminder per case and deadline; the supervisors of the case's market get one per
escalation event. Each goes by the channel the user chose (StaffProfile.notify_by).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import CaseEvent
from casework.notifications.registry import Template, register
from casework.notifications.services import notify_staff

DEADLINE = "staff_deadline_reminder"
ESCALATED = "staff_escalation"

# A holder is reminded of a deadline this many days ahead.
REMIND_DAYS = 3
# Escalation events looked back on (the task runs every hour; the key sends each once).
ESCALATION_LOOKBACK = datetime.timedelta(days=2)

register(
    Template(
        DEADLINE,
        _("Staff: deadline coming"),
        "您经办的案件{code}的{what}将于{deadline}到期，请及时办理。",
        params=("code", "what", "deadline"),
    ),
    Template(
        ESCALATED,
        _("Staff: case escalated"),
        "案件{code}已逾期上报：{note}。经办人：{holder}。",
        params=("code", "note", "holder"),
    ),
)


@dataclass(frozen=True)
class Due:
    """A case whose deadline ``deadline`` (``what``, in Chinese) its holder must meet."""

    case: Any  # a CaseBase: code, market, owner
    holder: Any  # the user who holds the case
    deadline: datetime.date
    what: str


_DEADLINES: list[Callable[[datetime.date, datetime.date], Iterable[Due]]] = []
_ESCALATIONS: set[str] = set()


def register_deadlines(source: Callable[[datetime.date, datetime.date], Iterable[Due]]) -> None:
    """``source(today, until)``: the held cases with a deadline from today to ``until``."""
    if source not in _DEADLINES:
        _DEADLINES.append(source)


def register_escalation(*actions: str) -> None:
    """Audit actions that report a case to the market's supervisors."""
    _ESCALATIONS.update(actions)


def _zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def remind_staff(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    until = today + datetime.timedelta(days=REMIND_DAYS)
    reminded = escalated = 0
    for source in _DEADLINES:
        for due in source(today, until):
            with transaction.atomic():
                reminded += (
                    notify_staff(
                        DEADLINE,
                        due.case,
                        due.holder,
                        {"code": due.case.code, "what": due.what, "deadline": _zh(due.deadline)},
                        sign=due.case.market.name,
                        step=f"due-{due.deadline.isoformat()}",
                    )
                    is not None
                )
    events = CaseEvent.objects.filter(
        action__in=sorted(_ESCALATIONS), at__gte=now - ESCALATION_LOOKBACK
    ).order_by("at", "pk")
    for event in events:
        escalated += _escalate(event)
    return {"reminded": reminded, "escalated": escalated}


def _escalate(event: CaseEvent) -> int:
    model: Any = ContentType.objects.get_for_id(event.subject_type_id).model_class()
    if model is None:
        return 0
    cases = model._default_manager.filter(pk=event.subject_id)
    case = cases.select_related("market", "owner").first()
    if case is None or not hasattr(case, "market"):
        return 0
    owner = case.owner
    holder = (owner.get_full_name() or owner.get_username()) if owner is not None else "无"
    sent = 0
    for supervisor in case.market.supervisors.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            sent += (
                notify_staff(
                    ESCALATED,
                    case,
                    supervisor,
                    {"code": case.code, "note": event.note or event.action, "holder": holder},
                    sign=case.market.name,
                    step=f"event-{event.seq}",
                )
                is not None
            )
    return sent
