"""The mediation flow (viewflow): who must act next on each dispute.

    start → review intake → mediate → collect marks → follow up performance → refer → close

Each human task is one step of the mediators' work. A step is done by
``run_step()``, which, under the flow's row lock, takes the dispute's open
task, runs the dispute's transition through ``perform()`` (state, audit row
and documents) and completes the task, so the task, the new state and the
audit row commit together. The gates read the dispute's new state to choose
the next task; a withdrawn, refused or terminated dispute ends the process.

The 3-day reminder and the day-15 escalation are not viewflow Timer nodes: the
deadline moves when the parties agree an extension, so the beat task
``tasks.sweep_deadlines`` compares the stored deadline with today instead.
"""

from django.db import transaction
from django.shortcuts import redirect
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.core.audit import Actor
from casework.core.transitions import perform
from casework.disputes.models import Dispute

State = Dispute.State

# Transitions that put a mediator on the open task without finishing it.
ASSIGNING = frozenset({"start_mediation"})
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _case_page(request, **kwargs):
    # The flow's views are not mounted: disputes are worked on the dispute pages.
    return redirect("disputes:queue")


def dispute_of(activation) -> Dispute:
    return Dispute.objects.get(process_id=activation.process.pk)


def _in(*states):
    return lambda activation: dispute_of(activation).state in states


def _owner(activation):
    return dispute_of(activation).owner


class DisputeFlow(flow.Flow):
    process_title = "劳动争议调解"
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.review_intake)

    review_intake = (
        flow.View(_case_page).Permission("disputes.accept_dispute").Next(this.after_review)
    )
    after_review = flow.If(_in(State.ACCEPTED)).Then(this.mediate).Else(this.end)

    # The mediators' queue: unassigned until a mediator takes the case.
    mediate = flow.View(_case_page).Permission("disputes.mediate_dispute").Next(this.after_mediate)
    after_mediate = flow.If(_in(State.SETTLED)).Then(this.collect_marks).Else(this.end)

    collect_marks = flow.View(_case_page).Assign(_owner).Next(this.after_marks)
    after_marks = (
        flow.Switch()
        .Case(this.follow_up, _in(State.EFFECTIVE))
        .Case(this.mediate_again, _in(State.IN_MEDIATION))
        .Default(this.end)
    )
    mediate_again = flow.View(_case_page).Assign(_owner).Next(this.after_mediate)

    follow_up = flow.View(_case_page).Assign(_owner).Next(this.after_follow_up)
    after_follow_up = flow.If(_in(State.PERFORMED)).Then(this.close).Else(this.refer)

    refer = flow.View(_case_page).Assign(_owner).Next(this.close)
    close = flow.View(_case_page).Assign(_owner).Next(this.end)

    end = flow.End()

    def start_process(self, activation, dispute: Dispute):
        activation.process.artifact = dispute
        return activation.process


def start(dispute: Dispute) -> None:
    """Open the dispute's process; its first task waits for intake review."""
    with transaction.atomic():
        process = DisputeFlow.start.run(dispute=dispute)
        Dispute.objects.filter(pk=dispute.pk).update(process=process)
        dispute.process = process


def open_task(dispute: Dispute) -> Task | None:
    return (
        Task.objects.filter(process_id=dispute.process_id, status__in=OPEN).order_by("-pk").first()
    )


def run_step(dispute: Dispute, transition: str, *, actor: Actor, note: str = "", **kwargs):
    """Run one transition as the completion of the dispute's open task.

    Raises TransitionNotAllowed / PermissionDenied (from perform) before
    anything is written when the step is not possible for this actor.
    """
    with DisputeFlow.lock(dispute.process_id):
        task = open_task(dispute)
        if task is None:
            raise RuntimeError(f"{dispute.code} has no open task for {transition!r}")
        activation = task.flow_task.activation_class(task)
        event = perform(dispute, transition, actor=actor, note=note, **kwargs)
        _take(activation, actor.user or dispute.owner)
        if transition not in ASSIGNING:
            activation.start(None)
            activation.execute()
        return event


def _take(activation, user) -> None:
    if activation.task.status == STATUS.NEW:
        activation.assign(user)


def reassign_task(dispute: Dispute, to) -> None:
    """Move the open task with the case when a supervisor reassigns it."""
    with DisputeFlow.lock(dispute.process_id):
        task = open_task(dispute)
        if task is not None and task.owner_id is not None:
            task.flow_task.activation_class(task).reassign(to)
