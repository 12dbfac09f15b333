"""The one way a case changes state.

perform() runs a django-fsm transition, saves the case (a stale copy raises
ConcurrentTransition), writes the audit row and creates the documents the
transition produces, all in one transaction; rendering starts after commit.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from casework.core.audit import Actor, record_event
from casework.core.models import CaseBase, CaseEvent


def perform(
    case: CaseBase, transition: str, *, actor: Actor, note: str = "", **kwargs
) -> CaseEvent:
    method = getattr(case, transition, None)
    if method is None or not hasattr(method, "_django_fsm"):
        raise ValueError(f"{type(case).__name__} has no transition {transition!r}")
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

    from casework.documents.registry import documents_for_transition
    from casework.documents.services import document_issue

    with transaction.atomic():
        from_state = case.state
        method(**kwargs)
        case.save()
        documents = [
            document_issue(subject=case, kind=kind, by=actor.user)
            for kind in documents_for_transition(type(case), transition)
        ]
        return record_event(
            case,
            actor=actor,
            action=transition,
            from_state=from_state,
            to_state=case.state,
            note=note,
            documents=[doc.verification_code for doc in documents],
        )
