"""Running a case's transitions as the steps of its viewflow process (docs/workflows.md).

A workflow's flow (its ``flows.py``) has one human task per step. ``run_step()``
takes the case's open task under the flow's row lock, runs the transition
through ``perform()`` (state, audit row, documents) and completes the task, so
the task, the new state and the audit row commit together; the flow's gates
then read the case's new state to choose the next task.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.shortcuts import redirect
from django_fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.core import locking
from casework.core.audit import Actor
from casework.core.models import CaseBase, CaseEvent
from casework.core.transitions import perform

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@dataclass(frozen=True)
class CaseGates:
    """What a workflow's flow reads of its case: the case, its state and its owner.

    The case is found by the process's artifact: a first task may be created before
    the case row points at its new process.
    """

    model: type[CaseBase]
    # The flow's own views are not mounted: cases are worked on the workflow's pages,
    # and a stray link to a flow view lands on this page.
    pages: str

    def case_of(self, activation) -> CaseBase:
        return self.model.objects.get(pk=activation.process.artifact_object_id)

    def in_states(self, *states):
        return lambda activation: self.case_of(activation).state in states

    def owner(self, activation):
        return self.case_of(activation).owner

    def page(self, request, **kwargs):
        return redirect(self.pages)


class ProcessLock:
    """viewflow's flow lock for our flows: a blocking row lock on the process.

    viewflow's ``select_for_update_lock`` asks with NOWAIT and retries on the
    error; inside our step's transaction that error aborts the whole
    transaction ("current transaction is aborted"). Our steps lock the case row
    first (casework.core.locking), so two steps on one case never reach this
    lock together, and waiting for it is short and cannot deadlock: every path
    takes the case row, then the process row.
    """

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            list(
                flow_class.process_class._default_manager.filter(pk=process_pk)
                .select_for_update()
                .values_list("pk", flat=True)
            )
            yield


process_lock = ProcessLock()


def start_process(flow_class, case: CaseBase) -> None:
    """Open the case's process with ``flow_class.start`` (a StartHandle taking ``case=``)."""
    with transaction.atomic():
        process = flow_class.start.run(case=case)
        type(case).objects.filter(pk=case.pk).update(process=process)
        case.process = process


def open_task(case: CaseBase) -> Task | None:
    return Task.objects.filter(process_id=case.process_id, status__in=OPEN).order_by("-pk").first()


def run_step(
    flow_class,
    case: CaseBase,
    transition: str,
    *,
    actor: Actor,
    note: str = "",
    complete: bool = True,
    **kwargs,
) -> CaseEvent:
    """Run one transition as the work on the case's open task.

    ``complete=False`` only puts the actor on the task (taking a case from a
    queue). Raises TransitionNotAllowed / PermissionDenied (from perform)
    before anything is written when the step is not possible for this actor.
    The case row is locked first and everything is checked on the locked copy.
    """
    with locking.locked(case) as current, flow_class.lock(current.process_id):
        task = open_task(current)
        if task is None:
            # The process has moved on (a second click, a stale page): like a transition
            # from the wrong state, not a server error.
            raise TransitionNotAllowed(f"{current.code} has no open task for {transition!r}")
        activation = task.flow_task.activation_class(task)
        event = perform(current, transition, actor=actor, note=note, **kwargs)
        if activation.task.status == STATUS.NEW:
            activation.assign(actor.user or current.owner)
        if complete:
            activation.start(None)
            activation.execute()
    return event


def take_task(flow_class, case: CaseBase, user) -> None:
    """Put ``user`` on the case's open task when it waits in a queue (taking the case)."""
    with locking.locked(case) as current, flow_class.lock(current.process_id):
        task = open_task(current)
        if task is not None and task.status == STATUS.NEW:
            task.flow_task.activation_class(task).assign(user)


def reassign_task(flow_class, case: CaseBase, to) -> None:
    """Move the open task with the case when a supervisor reassigns it."""
    with locking.locked(case) as current, flow_class.lock(current.process_id):
        task = open_task(current)
        if task is not None and task.owner_id is not None:
            task.flow_task.activation_class(task).reassign(to)
