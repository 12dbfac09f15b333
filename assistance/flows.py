"""The assistance flow (viewflow): who must act next on each case.

    start → review → decide → support ⇄ approve placement → in post → support … → end

``review`` waits in the caseworkers' queue until one takes it (start_review);
it ends when the caseworker proposes certification (the public notice) or
declines. ``decide`` is for a supervisor other than the proposer (the
two-person rule is also the transition's permission). ``support`` stays with
the caseworker through the plan and referrals, and ends when a placement is
proposed, which a supervisor approves in ``approve_placement``. Leaving a post
brings the case back to ``support``. Withdrawal or expiry ends any task.
"""

from viewflow import this
from viewflow.workflow import flow

from assistance.models import AssistanceCase
from casework.core import flows as core_flows
from casework.core.audit import Actor

State = AssistanceCase.State

# Transitions that record progress on the open task (or take it) without finishing it.
PROGRESS = frozenset({"start_review", "start_plan", "refer", "referral_ended", "start_post"})


gates = core_flows.CaseGates(AssistanceCase, "assistance:queue")
_in, _owner = gates.in_states, gates.owner
_case_page = gates.page


class AssistanceFlow(flow.Flow):
    process_title = "就业援助"
    lock_impl = core_flows.process_lock

    start = flow.StartHandle(this.start_process).Next(this.review)

    # The caseworkers' queue of new applications.
    review = flow.View(_case_page).Permission("assistance.work_case").Next(this.after_review)
    after_review = flow.If(_in(State.ON_NOTICE)).Then(this.decide).Else(this.end)

    decide = flow.View(_case_page).Permission("assistance.approve_case").Next(this.after_decide)
    after_decide = flow.If(_in(State.CERTIFIED)).Then(this.support).Else(this.end)

    support = flow.View(_case_page).Assign(_owner).Next(this.after_support)
    after_support = (
        flow.If(_in(State.PLACEMENT_PROPOSED)).Then(this.approve_placement).Else(this.end)
    )

    approve_placement = (
        flow.View(_case_page).Permission("assistance.approve_case").Next(this.after_approval)
    )
    after_approval = (
        flow.Switch()
        .Case(this.in_post, _in(State.PLACED))
        .Case(this.support_again, _in(State.REFERRED))
        .Default(this.end)
    )

    in_post = flow.View(_case_page).Assign(_owner).Next(this.after_post)
    after_post = flow.If(_in(State.EXITED)).Then(this.support_again).Else(this.end)

    support_again = flow.View(_case_page).Assign(_owner).Next(this.after_support)

    end = flow.End()

    def start_process(self, activation, case: AssistanceCase):
        activation.process.artifact = case
        return activation.process


def start(case: AssistanceCase) -> None:
    core_flows.start_process(AssistanceFlow, case)


def run_step(case: AssistanceCase, transition: str, *, actor: Actor, note: str = "", **kwargs):
    """Run ``transition`` as the work on the case's open task (casework.core.flows)."""
    complete = transition not in PROGRESS
    return core_flows.run_step(
        AssistanceFlow, case, transition, actor=actor, note=note, complete=complete, **kwargs
    )
