"""The progress of a complaint for its complainant (办件进度, casework.core.portal).

The path: received, accepted, investigated, decided, the respondent heard, closed
with the result. The acceptance decision is due within
COMPLAINT_ACCEPTANCE_WORKING_DAYS (5) working days of receipt (the clock stops while
a supplement is awaited, and the complainant's supplement is then due); the decision
within the investigation's working days from acceptance (``Complaint.current_due``).
A complaint referred to labour inspection goes along its own path: passed on, then
closed with the result once the inspection has reported back (due
COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS after the referral).
"""

from django.utils.translation import gettext_lazy as _

from casework.complaints.models import Complaint
from casework.core import portal as registry

S = Complaint.State

PATH = (
    (S.RECEIVED, _("Complaint received")),
    (S.ACCEPTED, _("Complaint accepted")),
    (S.INVESTIGATING, _("Investigation")),
    (S.DECIDED, _("Decision on the complaint")),
    (S.RESPONDENT_HEARD, _("The intermediary heard")),
    (S.CLOSED, _("Closed, result sent to you")),
)
INSPECTION_PATH = (
    (S.RECEIVED, _("Complaint received")),
    (S.ACCEPTED, _("Complaint accepted")),
    (S.AWAITING_FEEDBACK, _("Passed on to labour inspection")),
    (S.CLOSED, _("Closed, result sent to you")),
)
ENDS = {
    S.NOT_ACCEPTED: _("Not accepted"),
    S.REFERRED: _("Passed on to another authority"),
}


def complaint_progress(complaint: Complaint) -> registry.Progress:
    when = {**registry.reached(complaint), S.RECEIVED: complaint.received_at}
    for state, moment in (
        (S.ACCEPTED, complaint.accepted_at),
        (S.DECIDED, complaint.decided_at),
        (S.RESPONDENT_HEARD, complaint.heard_at),
        (S.CLOSED, complaint.closed_at),
        (S.REFERRED, complaint.referred_at),
    ):
        if moment is not None:
            when[state] = moment
    # Waiting for the complainant's supplement: the case stands at "received".
    state = S.RECEIVED if complaint.state == S.SUPPLEMENT_REQUESTED else complaint.state
    if complaint.feedback_due is not None:  # referred to labour inspection
        return _inspection_progress(complaint, when)
    steps = registry.steps_along(PATH, state, when, ENDS)
    if complaint.state == S.SUPPLEMENT_REQUESTED:
        steps = registry.with_next(
            steps,
            label=_("Send the missing material"),
            due=complaint.supplement_due,
            note=_("The acceptance deadline waits until the material arrives."),
        )
    elif complaint.state == S.RECEIVED:
        steps = registry.with_next(steps, due=complaint.acceptance_due, counting="working")
    elif complaint.state in Complaint.INVESTIGATION_STATES:
        steps = registry.with_next(steps, due=complaint.investigation_due, counting="working")
    return registry.Progress(steps)


def _inspection_progress(complaint: Complaint, when: dict) -> registry.Progress:
    when[S.AWAITING_FEEDBACK] = complaint.referred_at
    steps = registry.steps_along(INSPECTION_PATH, complaint.state, when)
    if complaint.awaits_feedback():
        steps = registry.with_next(
            steps,
            label=_("Labour inspection reports back; then you are told the result"),
            due=complaint.feedback_due,
            counting="working",
        )
    elif complaint.state == S.AWAITING_FEEDBACK:
        steps = registry.with_next(
            steps, note=_("Labour inspection has reported back; the result follows.")
        )
    return registry.Progress(steps)


registry.register_progress(Complaint, complaint_progress)
