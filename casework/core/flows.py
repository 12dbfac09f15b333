"""Running a case's transitions as the steps of its viewflow process (docs/workflows.md).

A workflow's flow (its ``flows.py``) has one human task per step. ``run_step()``
takes the case's open task under the flow's row lock, runs the transition
through ``perform()`` (state, audit row, documents) and completes the task, so
the task, the new state and the audit row commit together; the flow's gates
then read the case's new state to choose the next task.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from django.db import connection, transaction
from django.shortcuts import redirect
from django_fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.core import locking, rows
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
        # No savepoint: it is the step's transaction (and two round trips fewer).
        with transaction.atomic(savepoint=False):
            locked_process(flow_class, process_pk)
            yield


process_lock = ProcessLock()


def locked_process(flow_class, process_pk):
    """The process row, locked for the transaction: the flow's lock, and the row it reads.

    Plain SQL (casework.core.rows): the steps' transactions are short, and building this
    query with the ORM took longer than running it.
    """
    model = flow_class.process_class
    table = connection.ops.quote_name(model._meta.db_table)
    for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT {rows.columns(model)} FROM {table} WHERE id = %s{for_update}"  # noqa: S608
    found = rows.instances(model, sql, [process_pk])
    return found[0] if found else None


def locked_open_task(flow_class, case: CaseBase) -> Task | None:
    """The case's open task, its process locked (the flow's lock) and attached to it."""
    process = locked_process(flow_class, case.process_id)
    table = connection.ops.quote_name(Task._meta.db_table)
    sql = (
        f"SELECT {rows.columns(Task)} FROM {table} WHERE process_id = %s "  # noqa: S608
        f"AND status IN ({', '.join(['%s'] * len(OPEN))}) ORDER BY id DESC LIMIT 1"
    )
    found = rows.instances(Task, sql, [case.process_id, *OPEN])
    if not found:
        return None
    task = cast(Task, found[0])
    task.process = process
    return task


def start_process(flow_class, case: CaseBase) -> None:
    """Open the case's process with ``flow_class.start`` (a StartHandle taking ``case=``)."""
    with transaction.atomic():
        process = flow_class.start.run(case=case)
        type(case).objects.filter(pk=case.pk).update(process=process)
        case.process = process


def open_task(case: CaseBase) -> Task | None:
    # With its process: the activation reads it.
    return (
        Task.objects.filter(process_id=case.process_id, status__in=OPEN)
        .select_related("process")
        .order_by("-pk")
        .first()
    )


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
    with locking.locked(case) as current:
        task = locked_open_task(flow_class, current)
        if task is None:
            # The process has moved on (a second click, a stale page): like a transition
            # from the wrong state, not a server error.
            raise TransitionNotAllowed(f"{current.code} has no open task for {transition!r}")
        activation = task.flow_task.activation_class(task)
        event = perform(current, transition, actor=actor, note=note, **kwargs)
        if activation.task.status == STATUS.NEW:
            assign(task, actor.user or current.owner)
        if complete:
            activation.start(None)
            activation.execute()
    return event


def take_task(flow_class, case: CaseBase, user) -> None:
    """Put ``user`` on the case's open task when it waits in a queue (taking the case)."""
    with locking.locked(case) as current:
        task = locked_open_task(flow_class, current)
        if task is not None and task.status == STATUS.NEW:
            assign(task, user)


def assign(task: Task, user) -> None:
    """viewflow's assign of a new task (its owner, status ASSIGNED) as one plain UPDATE:
    taking a case from a queue comes here, the busiest step there is. As with viewflow's,
    who may do it is the step's question, answered before (perform() checks the
    transition's permission; a party withdrawing holds none of the staff's)."""
    table = connection.ops.quote_name(Task._meta.db_table)
    sql = f"UPDATE {table} SET owner_id = %s, status = %s WHERE id = %s AND status = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, STATUS.ASSIGNED, task.pk, STATUS.NEW])
        if cursor.rowcount != 1:
            raise TransitionNotAllowed(f"task {task.pk} is no longer new")
    task.owner, task.status = user, STATUS.ASSIGNED


def reassign_task(flow_class, case: CaseBase, to) -> None:
    """Move the open task with the case when a supervisor reassigns it."""
    with locking.locked(case) as current:
        task = locked_open_task(flow_class, current)
        if task is not None and task.owner_id is not None:
            task.flow_task.activation_class(task).reassign(to)
