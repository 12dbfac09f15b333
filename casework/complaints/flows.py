"""The complaint flow (viewflow): who must act next on each complaint.

    start → acceptance ⇄ awaiting supplement → investigate → hearing → closing → end
                                                  investigate → await feedback → end

``acceptance`` waits in the complaint officers' queue until one takes the
complaint (staff who receive a complaint at the counter or by phone take it
at once: 首问负责). It ends when the officer accepts, does not accept, or asks
for a supplement, which ``await_supplement`` waits for. ``investigate`` stays
with the officer from acceptance to the decision or a referral; starting the
investigation is progress on that task, not its end. ``hearing`` records the
respondent's statement on the decision, ``closing`` tells the complainant. A
complaint referred to labour inspection waits in ``await_feedback`` with its
officer: recording the inspection's feedback is progress on that task, closing
ends it.
"""

from viewflow import this
from viewflow.workflow import flow

from casework.complaints.models import Complaint
from casework.core import flows as core_flows
from casework.core.audit import Actor

State = Complaint.State

# Transitions that record progress on the open task without finishing it.
PROGRESS = frozenset({"start_investigation", "record_feedback"})


gates = core_flows.CaseGates(Complaint, "complaints:queue")
_in, _owner = gates.in_states, gates.owner
_case_page = gates.page


class ComplaintFlow(flow.Flow):
    process_title = "中介投诉"
    lock_impl = core_flows.process_lock

    start = flow.StartHandle(this.start_process).Next(this.acceptance)

    acceptance = (
        flow.View(_case_page).Permission("complaints.work_complaint").Next(this.after_acceptance)
    )
    after_acceptance = (
        flow.Switch()
        .Case(this.investigate, _in(State.ACCEPTED))
        .Case(this.await_supplement, _in(State.SUPPLEMENT_REQUESTED))
        .Default(this.end)
    )
    await_supplement = flow.View(_case_page).Assign(_owner).Next(this.after_supplement)
    after_supplement = flow.If(_in(State.RECEIVED)).Then(this.acceptance_again).Else(this.end)
    acceptance_again = flow.View(_case_page).Assign(_owner).Next(this.after_acceptance)

    investigate = flow.View(_case_page).Assign(_owner).Next(this.after_investigation)
    after_investigation = (
        flow.Switch()
        .Case(this.hearing, _in(State.DECIDED))
        .Case(this.await_feedback, _in(State.AWAITING_FEEDBACK))
        .Default(this.end)
    )
    await_feedback = flow.View(_case_page).Assign(_owner).Next(this.end)
    hearing = flow.View(_case_page).Assign(_owner).Next(this.closing)
    closing = flow.View(_case_page).Assign(_owner).Next(this.end)

    end = flow.End()

    def start_process(self, activation, case: Complaint):
        activation.process.artifact = case
        return activation.process


def start(complaint: Complaint) -> None:
    core_flows.start_process(ComplaintFlow, complaint)


def run_step(complaint: Complaint, transition: str, *, actor: Actor, note: str = "", **kwargs):
    """Run ``transition`` as the work on the complaint's open task (casework.core.flows)."""
    complete = transition not in PROGRESS
    return core_flows.run_step(
        ComplaintFlow, complaint, transition, actor=actor, note=note, complete=complete, **kwargs
    )


def take_task(complaint: Complaint, user) -> None:
    core_flows.take_task(ComplaintFlow, complaint, user)


def reassign_task(complaint: Complaint, to) -> None:
    core_flows.reassign_task(ComplaintFlow, complaint, to)
