"""The one way a case changes state.

perform() follows the locking rule (casework.core.locking): in one transaction
it locks the case row and re-reads it, checks the transition on the locked
copy, runs it, saves only the fields it changed (a stale copy raises
ConcurrentTransition), writes the audit row and creates the documents the
transition produces; rendering starts after commit. The documents come from
the documents layer through ``hooks.transition_documents`` (set by
casework.documents), called inside this transaction.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from casework.core import hooks, locking
from casework.core.audit import Actor, record_event
from casework.core.models import CaseBase, CaseEvent


def perform(
    case: CaseBase, transition: str, *, actor: Actor, note: str = "", **kwargs
) -> CaseEvent:
    """Run ``transition`` on the locked copy of ``case``; ``case`` then shows the result."""
    if not hasattr(getattr(case, transition, None), "_django_fsm"):
        raise ValueError(f"{type(case).__name__} has no transition {transition!r}")
    with locking.locked(case) as current:
        method = getattr(current, transition)
        _check(current, method, transition, actor)
        from_state = current.state
        method(**kwargs)
        locking.save_changed(current)
        documents = hooks.transition_documents(current, transition, by=actor.user)
        event = record_event(
            current,
            actor=actor,
            action=transition,
            from_state=from_state,
            to_state=current.state,
            note=note,
            documents=documents,
        )
    return event


def _check(case: CaseBase, method, transition: str, actor: Actor) -> None:
    if not can_proceed(method):
        raise TransitionNotAllowed(
            f"{case.code}: {transition!r} is not allowed from state {case.state!r}",
            object=case,
            method=method,
        )
    if actor.user is not None and not has_transition_perm(method, actor.user):
        label = method._django_fsm.get_transition(case.state).custom.get("label")
        raise PermissionDenied(
            _("You may not take this step (%(step)s) on %(code)s.")
            % {"step": label or transition, "code": case.code}
        )
