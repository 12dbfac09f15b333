"""Handing a dispute to a labour dispute arbitration committee, and its outcome
(docs/domain.md, "Wage disputes", "Arbitration hand-off").

A dispute whose mediation was terminated, or whose agreement was not performed, can go to
arbitration (劳动争议调解仲裁法 Art. 14, 15). The hand-off is one ``ArbitrationHandoff``
per dispute, in three steps, each under the locking rule on the dispute's row:

* ``handoff_record``: the committee chosen, the hand-off packet (移送仲裁材料) issued. A
  terminated dispute stays terminated (a final state): the hand-off is a record on it. A
  defaulted one is also referred (``refer_arbitration``, DEFAULTED → REFERRED) through the
  flow, as the referral step does; one already referred to arbitration is only recorded.
* ``filing_record``: the committee's case number and the day it accepted the application,
  from which the 45 days (60 with the chair's extension, Art. 43) run.
* ``result_record``: how the committee ended the case, and when.

Who: the mediator holding the dispute, or a supervisor of its market. The referral of a
defaulted case is the holder's transition, so only the holder hands one off.
"""

import datetime
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.audit import Actor, record_event
from casework.core.locking import locked
from casework.core.models import markets_for
from casework.disputes import flows
from casework.disputes.models import ArbitrationCommittee, ArbitrationHandoff, Dispute
from casework.documents.services import transition_documents

S = Dispute.State
# The audit actions of the three steps; the hand-off issues the packet under its name.
HANDOFF_STEP = "arbitration_handoff"
FILING_STEP = "arbitration_filed"
RESULT_STEP = "arbitration_result"
# Supervisors are those who may reassign disputes (there is no separate permission).
SUPERVISE = "disputes.reassign_dispute"


def handoff_possible(dispute: Dispute) -> bool:
    """Mediation failed or the agreement was not performed, and no hand-off yet."""
    if hasattr(dispute, "arbitration"):
        return False
    if dispute.state in (S.TERMINATED, S.DEFAULTED):
        return True
    return dispute.state == S.REFERRED and dispute.referral == Dispute.Referral.ARBITRATION


def is_market_supervisor(user, dispute: Dispute) -> bool:
    return user.has_perm(SUPERVISE) and markets_for(user).filter(pk=dispute.market_id).exists()


def refusal(user, dispute: Dispute) -> str | None:
    """Why ``user`` may not record an arbitration step on ``dispute`` (None: they may)."""
    if user is None:
        return None
    if dispute.owner_id == user.pk and user.has_perm("disputes.mediate_dispute"):
        return None
    if is_market_supervisor(user, dispute):
        return None
    return _("Only the mediator holding the case or a supervisor of its market can do this.")


def may_hand_off(user, dispute: Dispute) -> bool:
    """Whether the case page offers ``user`` the hand-off (handoff_record checks again)."""
    if refusal(user, dispute) is not None or not handoff_possible(dispute):
        return False
    # A defaulted case is referred by its holder's step of the flow (its refer task).
    return dispute.state != S.DEFAULTED or dispute.owner_id == user.pk


def _require(actor: Actor, dispute: Dispute) -> None:
    reason = refusal(actor.user, dispute)
    if reason is not None:
        raise PermissionDenied(reason)


def _handoff_of(dispute: Dispute) -> ArbitrationHandoff:
    """The dispute's hand-off, read again and locked after the dispute's row."""
    handoff = ArbitrationHandoff.objects.select_for_update().filter(dispute=dispute).first()
    if handoff is None:
        raise ValidationError(_("This case has not been handed to an arbitration committee."))
    return handoff


def handoff_record(
    *, dispute: Dispute, committee: ArbitrationCommittee, actor: Actor, note: str = ""
) -> ArbitrationHandoff:
    """Hand the dispute to ``committee`` and issue the hand-off packet."""
    with locked(dispute) as dispute:
        _require(actor, dispute)
        if ArbitrationHandoff.objects.filter(dispute=dispute).exists():
            raise ValidationError(_("This case has already been handed to arbitration."))
        if not handoff_possible(dispute):
            raise ValidationError(
                _(
                    "A case can be handed to arbitration only after mediation was terminated "
                    "or the agreement was not performed."
                )
            )
        if committee.market_id != dispute.market_id:
            raise ValidationError(_("Choose an arbitration committee of this market."))
        if dispute.state == S.DEFAULTED:
            # The referral is the holder's step of the flow (its refer task).
            if dispute.owner_id != getattr(actor.user, "pk", None):
                raise PermissionDenied(
                    _("Only the mediator holding the case can refer it to arbitration.")
                )
            flows.run_step(dispute, "refer_arbitration", actor=actor, note=note)
        handoff = ArbitrationHandoff.objects.create(
            dispute=dispute,
            committee=committee,
            handed_off_at=timezone.now(),
            handed_off_by=cast(User, actor.user),
            note=note,
        )
        record_event(
            dispute,
            actor=actor,
            action=HANDOFF_STEP,
            to_state=dispute.state,
            note=committee.name,
            # The 移送仲裁材料 for the committee, rendered after commit.
            documents=transition_documents(dispute, HANDOFF_STEP, by=actor.user),
        )
    return handoff


def filing_record(
    *,
    dispute: Dispute,
    case_number: str,
    filed_on: datetime.date,
    extended: bool,
    actor: Actor,
) -> ArbitrationHandoff:
    """The committee accepted the application: its case number, the day, the due date.

    Recorded again to correct it or to add the chair's extension, until a result is in."""
    with locked(dispute) as dispute:
        _require(actor, dispute)
        handoff = _handoff_of(dispute)
        if handoff.is_closed:
            raise ValidationError(_("The arbitration result has already been recorded."))
        if filed_on < timezone.localdate(handoff.handed_off_at):
            raise ValidationError(
                {"filed_on": _("The committee cannot have accepted the case before the hand-off.")}
            )
        if filed_on > timezone.localdate():
            raise ValidationError({"filed_on": _("The day of acceptance cannot be in the future.")})
        handoff.committee_case_number = case_number.strip()
        handoff.filed_on = filed_on
        handoff.extended = extended
        handoff.compute_due_date()
        handoff.save(update_fields=["committee_case_number", "filed_on", "extended", "due_date"])
        record_event(
            dispute,
            actor=actor,
            action=FILING_STEP,
            to_state=dispute.state,
            note=f"{handoff.committee_case_number} {filed_on} → {handoff.due_date}",
        )
    return handoff


def result_record(
    *,
    dispute: Dispute,
    result: str,
    closed_on: datetime.date,
    actor: Actor,
    note: str = "",
) -> ArbitrationHandoff:
    """How the committee ended the case (award, mediation, withdrawal, not accepted)."""
    if result not in ArbitrationHandoff.Result.values:
        raise ValidationError({"result": _("Choose the result.")})
    with locked(dispute) as dispute:
        _require(actor, dispute)
        handoff = _handoff_of(dispute)
        filed_on = handoff.filed_on
        if filed_on is None:
            raise ValidationError(
                _("Record the committee's acceptance of the case before its result.")
            )
        if handoff.is_closed:
            raise ValidationError(_("The arbitration result has already been recorded."))
        if closed_on < filed_on:
            raise ValidationError(
                {"closed_on": _("The case cannot have closed before the committee accepted it.")}
            )
        if closed_on > timezone.localdate():
            raise ValidationError({"closed_on": _("The closing day cannot be in the future.")})
        handoff.result, handoff.closed_on, handoff.result_note = result, closed_on, note
        handoff.save(update_fields=["result", "closed_on", "result_note"])
        # The audit event moves the statistics' mark: 仲裁结案率 is computed again.
        record_event(
            dispute,
            actor=actor,
            action=RESULT_STEP,
            to_state=dispute.state,
            note=f"{ArbitrationHandoff.Result(result).label} {closed_on}",
        )
    return handoff


def awaiting_outcome(markets):
    """Hand-offs filed with a committee and still without a result, soonest due first."""
    return (
        ArbitrationHandoff.objects.awaiting_outcome()
        .filter(dispute__market__in=markets)
        .select_related("dispute", "committee", "dispute__owner")
        .order_by("due_date", "pk")
    )


def overdue_count(markets, *, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return awaiting_outcome(markets).filter(due_date__lt=today).count()
