"""Work queues: the ones shown on each role's home page, and taking work from them.

A workflow app registers its queues in its AppConfig.ready():

    queues.register(Role.MEDIATOR, Queue(_("Unassigned disputes"), "disputes:queue", count))

``count(user)`` returns how many items wait for that user. The cases a role may start
("new" actions) are registered the same way with ``register_start(StartAction(...))``
and shown on the home page to those with the permissions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.core import locking
from casework.core.audit import record_event
from casework.core.claiming import claim_locked

if TYPE_CHECKING:
    from casework.core.models import CaseBase


@dataclass(frozen=True)
class Queue:
    title: str | Promise  # usually a lazy translation
    url_name: str
    count: Callable[[object], int]
    url_query: str = ""

    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.url_query}" if self.url_query else "")


_QUEUES: dict[str, list[Queue]] = {}


def register(role: str, queue: Queue) -> None:
    _QUEUES.setdefault(role, []).append(queue)


def queues_for(role: str) -> list[Queue]:
    return list(_QUEUES.get(role, []))


@dataclass(frozen=True)
class StartAction:
    """Something a role starts from its home page ("Record an oral application"), shown
    to those who hold every one of ``permissions``."""

    title: str | Promise
    url_name: str
    permissions: tuple[str, ...]

    def url(self) -> str:
        return reverse(self.url_name)


_STARTS: list[StartAction] = []


def register_start(action: StartAction) -> None:
    """A workflow's "new" action, registered from its queues module like its queues."""
    if action not in _STARTS:
        _STARTS.append(action)


def starts_for(user) -> list[StartAction]:
    """The actions ``user`` may start (portal users none: theirs are on the portal)."""
    from casework.core.roles import PORTAL_ROLES, roles_of

    roles = set(roles_of(user))
    if not user.is_superuser and (not roles or roles <= PORTAL_ROLES):
        return []
    return [a for a in _STARTS if all(user.has_perm(p) for p in a.permissions)]


def claim_next(queryset, *, actor) -> "CaseBase | None":
    """Give the first unowned case of ``queryset`` (in its order) to ``actor.user``.

    Two people pressing "take next" at once never get the same case: one
    conditional UPDATE picks, locks and takes it (casework.core.claiming). The
    locked copy is returned, with its "claimed" audit event written; a caller
    inside a transaction goes on working on it under the same lock.
    """
    with transaction.atomic(savepoint=False):  # a caller's transaction needs no savepoint
        case = claim_locked(queryset, actor.user)
        if case is not None:
            record_event(case, actor=actor, action="claimed", to_state=case.state)  # type: ignore[attr-defined]
        return case


def reassign(case: "CaseBase", *, to, actor, reason: str) -> None:
    """A supervisor hands a case to someone else; the reason goes into the audit trail.

    The caller checks, on the same locked copy, that the case may be reassigned.
    """
    if not reason.strip():
        raise ValidationError(_("Give the reason for the reassignment."), code="reason_required")
    with locking.locked(case) as current:
        previous = current.owner
        current.owner = to
        locking.save_changed(current)
        handed_from = previous.get_username() if previous else "-"
        record_event(
            current,
            actor=actor,
            action="reassigned",
            to_state=current.state,
            note=f"{handed_from} → {to.get_username()}: {reason.strip()}",
        )
