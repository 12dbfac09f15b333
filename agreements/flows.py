"""The agreement flow (viewflow): who must act next on each agreement.

    start → prepare → collect signatures → in force → end

The staff member who made the agreement owns every task (首问负责). ``prepare``
is completed by sending the draft for signing (or cancelling it);
``collect_signatures`` by the second signature, a cancellation or expiry; the
first signature only records progress on it. ``in_force`` ends when the work
is completed, the agreement is terminated or a changed agreement replaces it.
Each step runs through ``run_step()`` (casework.core.flows), so the task, the
new state and the audit row commit together.
"""

from viewflow import this
from viewflow.workflow import flow

from agreements.models import Agreement
from casework.core import flows as core_flows
from casework.core.audit import Actor

State = Agreement.State

# Transitions that record progress on the open task without finishing it.
PROGRESS = frozenset({"sign_first"})


gates = core_flows.CaseGates(Agreement, "agreements:list")
_in, _owner = gates.in_states, gates.owner
_agreement_page = gates.page


class AgreementFlow(flow.Flow):
    process_title = "零工服务协议"
    lock_impl = core_flows.process_lock

    start = flow.StartHandle(this.start_process).Next(this.prepare)

    prepare = flow.View(_agreement_page).Assign(_owner).Next(this.after_prepare)
    after_prepare = flow.If(_in(State.SENT)).Then(this.collect_signatures).Else(this.end)

    collect_signatures = flow.View(_agreement_page).Assign(_owner).Next(this.after_signing)
    after_signing = flow.If(_in(State.SIGNED)).Then(this.in_force).Else(this.end)

    in_force = flow.View(_agreement_page).Assign(_owner).Next(this.end)

    end = flow.End()

    def start_process(self, activation, case: Agreement):
        activation.process.artifact = case
        return activation.process


def start(agreement: Agreement) -> None:
    """Open the agreement's process; its first task is preparing the draft."""
    core_flows.start_process(AgreementFlow, agreement)


def run_step(agreement: Agreement, transition: str, *, actor: Actor, note: str = "", **kwargs):
    """Run ``transition`` as the work on the agreement's open task (casework.core.flows)."""
    complete = transition not in PROGRESS
    return core_flows.run_step(
        AgreementFlow, agreement, transition, actor=actor, note=note, complete=complete, **kwargs
    )
