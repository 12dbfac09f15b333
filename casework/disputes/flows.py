"""The mediation flow (viewflow): who must act next on each dispute.

    start → review intake → mediate → collect marks → follow up performance → refer → close

Each human task is one step of the mediators' work, done by ``run_step()``
(casework.core.flows): under the flow's row lock it runs the dispute's
transition through ``perform()`` and completes the open task, so the task, the
new state and the audit row commit together. The gates read the dispute's new
state to choose the next task; a withdrawn, refused or terminated dispute ends
the process. Taking a case from the queue (``start_mediation``) only assigns
the mediate task; recording the outcome (settle or terminate) completes it.

The 3-day reminder and the day-15 escalation are not viewflow Timer nodes: the
deadline moves when the parties agree an extension, so the beat task
``tasks.sweep_deadlines`` compares the stored deadline with today instead.
"""

from viewflow import this
from viewflow.workflow import flow

from casework.core import flows as core_flows
from casework.core.audit import Actor
from casework.disputes.models import Dispute

State = Dispute.State

# Transitions that put a mediator on the open task without finishing it.
ASSIGNING = frozenset({"start_mediation"})


gates = core_flows.CaseGates(Dispute, "disputes:queue")
_in, _owner = gates.in_states, gates.owner
_case_page = gates.page


class DisputeFlow(flow.Flow):
    process_title = "劳动争议调解"
    lock_impl = core_flows.process_lock

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

    def start_process(self, activation, case: Dispute):
        activation.process.artifact = case
        return activation.process


def start(dispute: Dispute) -> None:
    """Open the dispute's process; its first task waits for intake review."""
    core_flows.start_process(DisputeFlow, dispute)


def open_task(dispute: Dispute):
    return core_flows.open_task(dispute)


def run_step(dispute: Dispute, transition: str, *, actor: Actor, note: str = "", **kwargs):
    """Run ``transition`` as the work on the dispute's open task (see casework.core.flows)."""
    complete = transition not in ASSIGNING
    return core_flows.run_step(
        DisputeFlow, dispute, transition, actor=actor, note=note, complete=complete, **kwargs
    )


def reassign_task(dispute: Dispute, to) -> None:
    core_flows.reassign_task(DisputeFlow, dispute, to)
