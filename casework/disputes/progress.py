"""The progress of a wage dispute for its parties (办件进度, casework.core.portal).

The path: received, accepted, in mediation, terms agreed, agreement in force, paid.
While the case is open its next step is due by the case's current deadline (15
days from receipt, Art. 14, or the agreed extension: ``Dispute.due_date``); once
the agreement is in force, by the next unpaid instalment's due date.
"""

from django.utils.translation import gettext_lazy as _

from casework.core import portal as registry
from casework.disputes.models import Dispute

S = Dispute.State

PATH = (
    (S.RECEIVED, _("Application received")),
    (S.ACCEPTED, _("Application accepted")),
    (S.IN_MEDIATION, _("Mediation")),
    (S.SETTLED, _("Terms agreed")),
    (S.EFFECTIVE, _("Agreement in force")),
    (S.PERFORMED, _("Paid as agreed")),
)
ENDS = {
    S.NOT_ACCEPTED: _("Not accepted"),
    S.TERMINATED: _("Mediation ended without an agreement"),
    S.WITHDRAWN: _("Application withdrawn"),
    S.DEFAULTED: _("Not paid as agreed"),
    S.REFERRED: _("Passed on for arbitration or a payment order"),
    S.CLOSED: _("Case closed"),
}


def dispute_progress(dispute: Dispute) -> registry.Progress:
    when = {
        **registry.reached(dispute),
        S.RECEIVED: dispute.received_at,
    }
    for state, moment in (
        (S.ACCEPTED, dispute.accepted_at),
        (S.IN_MEDIATION, dispute.mediation_started_at),
    ):
        if moment is not None:
            when[state] = moment
    steps = registry.steps_along(PATH, dispute.state, when, ENDS)
    if dispute.state in Dispute.OPEN_STATES:
        steps = registry.with_next(steps, due=dispute.due_date)
    elif dispute.state == S.EFFECTIVE:
        settlement = getattr(dispute, "settlement", None)
        if settlement is not None:
            unpaid = [i.due_date for i in settlement.instalments.all() if not i.is_paid]
            steps = registry.with_next(steps, due=min(unpaid, default=None))
    return registry.Progress(steps)


registry.register_progress(Dispute, dispute_progress)
