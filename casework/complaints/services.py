"""Operations on complaints against intermediaries (docs/workflows.md): keyword-only, one
transaction.

Every step follows the locking rule (casework.core.locking): it works on the
locked copy of the complaint (``with locked(complaint) as complaint:``), so the
state, the holder and every condition (the one supplement notice, the single
extension) are checked on what the lock sees, and only the changed fields are
written. State changes go through ``flows.run_step()``. Steps on a complaint belong to
the officer holding it (首问负责: whoever receives a complaint at the counter
holds it; one from the portal or the public form waits in the queue until an
officer takes it). The complainant is told of each decision on acceptance and
of the result by text message after commit, unless it left no number.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.complaints import flows
from casework.complaints import notifications as notices
from casework.complaints.documents import FEEDBACK_RESULT_ZH, INTERVIEW_KIND, NOT_ACCEPTED_ZH
from casework.complaints.models import (
    PUBLISHED_PENALTIES,
    SANCTIONING,
    Channel,
    Complaint,
    ComplaintEvidence,
    DecisionItem,
    ExtensionRequest,
    FeedbackResult,
    Interview,
    NotAcceptedReason,
    Outcome,
    Penalty,
    PenaltyDecision,
    ReferralTarget,
    Sanction,
    SanctionKind,
    feedback_late,
    months_before,
    new_tracking_code,
    tracking_hash,
)
from casework.complaints.penalties import Conduct, Measure, rule_for
from casework.core import calendar
from casework.core.audit import Actor, record_event
from casework.core.dates import MSG_FUTURE
from casework.core.locking import copy_into, locked, save_changed
from casework.core.models import Market, markets_for
from casework.core.queues import claim_next, reassign
from casework.core.uploads import checked_content_type, removed_on_failure
from casework.documents.services import document_issue
from casework.notifications.services import notify
from casework.parties import identifiers
from casework.parties.models import Organization, Person
from casework.surveys.services import invite as invite_to_survey

logger = logging.getLogger(__name__)

STAFF_CHANNELS = (Channel.COUNTER, Channel.PHONE)
WORK = "complaints.work_complaint"
# A market's supervisors are those who approve extensions (no separate permission).
SUPERVISE = "complaints.approve_extension"


def _require_holder(complaint: Complaint, actor: Actor) -> None:
    if actor.user is not None and complaint.owner_id != actor.user.pk:
        raise PermissionDenied(_("Take this complaint before working on it."))


def _require_state(complaint: Complaint, *states: str) -> None:
    if complaint.state not in states:
        raise ValidationError(
            _("Complaint %(code)s is %(state)s; this step is not possible now."),
            code="wrong_state",
            params={"code": complaint.code, "state": complaint.get_state_display()},
        )


# -- intake ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    tracking_code: str  # shown once; only its hash is stored


def _check_intake(
    *, channel, categories, complainant, complainant_name, anonymous, conduct_on, deposit
) -> None:
    errors = []
    if not categories:
        errors.append(_("Choose at least one kind of conduct."))
    if set(categories) - set(Conduct.values):
        errors.append(_("Unknown kind of conduct."))
    if conduct_on > timezone.localdate():
        errors.append(_("The conduct cannot have happened in the future."))
    if channel == Channel.PORTAL and complainant is None:
        errors.append(_("A complaint from the portal needs the worker who makes it."))
    if anonymous and (complainant is not None or complainant_name.strip()):
        errors.append(_("An anonymous complaint records no complainant."))
    if Conduct.DEPOSIT in categories and (deposit[0] is None or not deposit[1]):
        errors.append(_("For a deposit, give the amount and how many workers paid it."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def complaint_file(
    *,
    market: Market,
    channel: str,
    categories: list[str],
    facts: str,
    conduct_on: datetime.date,
    respondent_name_given: str,
    actor: Actor,
    respondent_details_given: str = "",
    respondent: Organization | None = None,
    complainant: Person | None = None,
    complainant_name: str = "",
    contact_mobile: str = "",
    anonymous: bool = False,
    deposit_amount: Decimal | None = None,
    deposit_workers: int | None = None,
    received_at: datetime.datetime | None = None,
    evidence: tuple = (),
) -> Filed:
    """Record a received complaint and open its flow; staff who receive it hold it."""
    categories = list(dict.fromkeys(categories))
    _check_intake(
        channel=channel,
        categories=categories,
        complainant=complainant,
        complainant_name=complainant_name,
        anonymous=anonymous,
        conduct_on=conduct_on,
        deposit=(deposit_amount, deposit_workers),
    )
    for upload in evidence:
        checked_content_type(upload, max_bytes=settings.COMPLAINT_EVIDENCE_MAX_BYTES)
    if contact_mobile:
        contact_mobile = identifiers.normalise_mobile(contact_mobile)
    received_at = received_at or timezone.now()
    by_staff = channel in STAFF_CHANNELS and actor.user is not None
    code = new_tracking_code()
    complaint = Complaint(
        market=market,
        channel=channel,
        received_at=received_at,
        received_by=actor.user if by_staff else None,
        owner=actor.user if by_staff else None,
        anonymous=anonymous,
        complainant=complainant,
        complainant_name=complainant_name.strip(),
        contact_mobile=contact_mobile,
        tracking_hash=tracking_hash(code),
        categories=categories,
        facts=facts,
        conduct_on=conduct_on,
        deposit_amount=deposit_amount if Conduct.DEPOSIT in categories else None,
        deposit_workers=deposit_workers if Conduct.DEPOSIT in categories else None,
        respondent_name_given=respondent_name_given,
        respondent_details_given=respondent_details_given,
        respondent=respondent,
        acceptance_due=calendar.add_working_days(
            timezone.localdate(received_at), settings.COMPLAINT_ACCEPTANCE_WORKING_DAYS
        ),
    )
    complaint.full_clean(exclude=["code", "process", "state", "owner"])
    complaint.save()
    record_event(
        complaint,
        actor=actor,
        action="filed",
        to_state=complaint.state,
        note=str(Channel(channel).label) + ("（匿名）" if anonymous else ""),
    )
    flows.start(complaint)
    if by_staff:
        flows.take_task(complaint, actor.user)
    # Files last: storage is outside the transaction, so nothing after them may fail.
    for upload in evidence:
        evidence_add(complaint=complaint, upload=upload, actor=actor, _event=False)
    return Filed(complaint, code)


def evidence_add(
    *, complaint: Complaint, upload, actor: Actor, _event: bool = True
) -> ComplaintEvidence:
    content_type = checked_content_type(upload, max_bytes=settings.COMPLAINT_EVIDENCE_MAX_BYTES)
    with locked(complaint) as complaint:
        if _event:  # added later, not with the complaint itself: by the officer holding it
            _require_holder(complaint, actor)
            if complaint.state in Complaint.FINAL_STATES:
                raise ValidationError(_("Evidence can be added only while the case is open."))
        item = ComplaintEvidence(complaint=complaint, uploaded_by=actor.user)
        with removed_on_failure(item):
            item.store(upload, content_type=content_type)
            if _event:
                record_event(
                    complaint,
                    actor=actor,
                    action="evidence_added",
                    to_state=complaint.state,
                    note=item.original_name,
                )
    return item


def complaint_by_tracking_code(code: str) -> Complaint | None:
    return (
        Complaint.objects.select_related("market").filter(tracking_hash=tracking_hash(code)).first()
    )


# -- taking and handing over -------------------------------------------------------------


def complaint_take(*, complaint: Complaint, actor: Actor) -> bool:
    """Take a complaint waiting in the queue; False when another officer took it first."""
    if not actor.user.has_perm("complaints.work_complaint"):
        raise PermissionDenied(_("Only a complaint officer can take a complaint."))
    with transaction.atomic():
        taken = claim_next(
            Complaint.objects.filter(pk=complaint.pk).exclude(state__in=Complaint.FINAL_STATES),
            actor=actor,
        )
        if taken is None:
            return False
        flows.take_task(taken, actor.user)
    copy_into(complaint, taken)
    return True


def complaint_reassign(*, complaint: Complaint, to, actor: Actor, reason: str) -> None:
    """A supervisor hands the complaint over; the hand-over is recorded (首问负责)."""
    if actor.user is not None and not actor.user.has_perm("complaints.reassign_complaint"):
        raise PermissionDenied(_("Only a supervisor can hand a complaint over."))
    with locked(complaint) as complaint:
        if complaint.state in Complaint.FINAL_STATES:
            raise ValidationError(_("A finished complaint is not handed over."))
        works_here = markets_for(to).filter(pk=complaint.market_id).exists()
        if not (to.has_perm("complaints.work_complaint") and works_here):
            raise ValidationError(
                _("%(name)s does not handle complaints of this market."), params={"name": to}
            )
        reassign(complaint, to=to, actor=actor, reason=reason)
        flows.reassign_task(complaint, to)


# -- acceptance -----------------------------------------------------------------------


@transaction.atomic
def respondent_register(
    *, complaint: Complaint, intermediary: Organization, actor: Actor
) -> Organization:
    """Register a new intermediary (already validated) and identify it as the respondent.

    The intermediary is kept only if it becomes the respondent.
    """
    intermediary.kind = Organization.Kind.INTERMEDIARY
    intermediary.save()
    respondent_link(complaint=complaint, respondent=intermediary, actor=actor)
    return intermediary


def respondent_link(*, complaint: Complaint, respondent: Organization, actor: Actor) -> None:
    """Identify the respondent in the registry of intermediaries."""
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        _require_state(complaint, *Complaint.ACCEPTANCE_STATES)
        if respondent.kind != Organization.Kind.INTERMEDIARY:
            raise ValidationError(_("Only a job intermediary can be the respondent."))
        complaint.respondent = respondent
        save_changed(complaint)
        record_event(
            complaint,
            actor=actor,
            action="respondent_identified",
            to_state=complaint.state,
            note=f"{respondent.name}（{respondent.credit_code}）",
        )


def supplement_request(
    *, complaint: Complaint, items: list[str], due: datetime.date, actor: Actor
) -> None:
    """The one notice listing every missing item (一次性告知); the acceptance clock stops.

    "Only one notice" is checked on the locked complaint: two officers' notices sent
    at the same moment cannot both be issued.
    """
    items = [item.strip() for item in items if item.strip()]
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        if complaint.supplement_requested_at is not None:
            raise ValidationError(
                _(
                    "A supplement notice was already issued for this complaint on %(day)s. "
                    "All missing items go in one notice; a second notice is not allowed."
                ),
                code="second_supplement_notice",
                params={"day": timezone.localdate(complaint.supplement_requested_at)},
            )
        if not items:
            raise ValidationError(_("List every missing item, one per line."))
        if due <= timezone.localdate():
            raise ValidationError(_("Give the complainant a date after today."))
        _require_state(complaint, Complaint.State.RECEIVED)
        flows.run_step(
            complaint,
            "request_supplement",
            actor=actor,
            items=items,
            due=due,
            note="；".join(items),
        )
        _notify(complaint, notices.SUPPLEMENT, items="；".join(items), due=_zh(due))


def supplement_receive(*, complaint: Complaint, note: str, actor: Actor) -> None:
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        if not note.strip():
            raise ValidationError(_("Say what arrived."))
        flows.run_step(
            complaint, "receive_supplement", actor=actor, received=note.strip(), note=note.strip()
        )


def complaint_accept(*, complaint: Complaint, actor: Actor) -> None:
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        _require_state(complaint, Complaint.State.RECEIVED)
        if not complaint.has_respondent():
            raise ValidationError(
                _(
                    "Identify the intermediary in the registry first, "
                    "or do not accept the complaint."
                )
            )
        if not complaint.within_two_years():
            raise ValidationError(
                _("The conduct is more than 2 years old: the complaint cannot be accepted.")
            )
        flows.run_step(complaint, "accept", actor=actor)
        _notify(complaint, notices.ACCEPTED, date=_zh(timezone.localdate(complaint.accepted_at)))


def complaint_not_accept(
    *, complaint: Complaint, reason: str, actor: Actor, authority: str = "", explanation: str = ""
) -> None:
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        if reason not in NotAcceptedReason.values:
            raise ValidationError(_("Choose the reason for not accepting."))
        if reason == NotAcceptedReason.NOT_COMPETENT and not authority.strip():
            raise ValidationError(_("Name the authority that can handle this complaint."))
        flows.run_step(
            complaint,
            "not_accept",
            actor=actor,
            reason=reason,
            authority=authority.strip(),
            explanation=explanation.strip(),
            note=str(NotAcceptedReason(reason).label),
        )
        authority = complaint.competent_authority
        _notify(
            complaint,
            notices.NOT_ACCEPTED,
            reason=NOT_ACCEPTED_ZH[reason],
            advice=f"您可以向{authority}反映。" if authority else "",
        )


# -- investigation ------------------------------------------------------------------


def investigation_start(*, complaint: Complaint, actor: Actor) -> None:
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        flows.run_step(complaint, "start_investigation", actor=actor)


def interview_record(
    *,
    complaint: Complaint,
    held_at: datetime.datetime,
    place: str,
    interviewee_role: str,
    interviewee_name: str,
    investigators: str,
    record: str,
    actor: Actor,
    interviewee_position: str = "",
) -> Interview:
    """Record one questioning; its 调查笔录 is issued as a document."""
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        _require_state(complaint, Complaint.State.INVESTIGATING)
        if held_at > timezone.now():
            raise ValidationError(_("An investigation record is made after the questioning."))
        interview = Interview(
            complaint=complaint,
            held_at=held_at,
            place=place,
            interviewee_role=interviewee_role,
            interviewee_name=interviewee_name,
            interviewee_position=interviewee_position,
            investigators=investigators,
            record=record,
            recorded_by=actor.user,
        )
        interview.full_clean()
        interview.save()
        doc = document_issue(subject=interview, kind=INTERVIEW_KIND, by=actor.user)
        record_event(
            complaint,
            actor=actor,
            action="interview_recorded",
            to_state=complaint.state,
            note=f"{Interview.Role(interviewee_role).label}：{interviewee_name}",
            documents=[doc.verification_code],
        )
    return interview


def extension_request(*, complaint: Complaint, reason: str, actor: Actor) -> ExtensionRequest:
    """Ask once for more time; "once" and "one request waiting" are checked under the lock."""
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        _require_state(complaint, *Complaint.INVESTIGATION_STATES)
        if complaint.extended:
            raise ValidationError(_("The investigation has already been extended once."))
        if complaint.pending_extension() is not None:
            raise ValidationError(_("An extension request is already waiting for approval."))
        if not reason.strip():
            raise ValidationError(_("Say why more time is needed."))
        request = ExtensionRequest.objects.create(
            complaint=complaint,
            reason=reason.strip(),
            requested_by=actor.user,
            previous_due=complaint.investigation_due,
        )
        record_event(
            complaint,
            actor=actor,
            action="extension_requested",
            to_state=complaint.state,
            note=reason.strip(),
        )
    return request


def extension_decide(
    *, request: ExtensionRequest, approve: bool, actor: Actor, note: str = ""
) -> None:
    """A supervisor other than the asker approves (30 more working days) or refuses.

    The complaint is locked first (the order every step locks in), then the request;
    "decided once" and "extended once" are checked on the locked rows.
    """
    user = actor.user
    if not user.has_perm("complaints.approve_extension"):
        raise PermissionDenied(_("Only a supervisor can approve an extension."))
    if user.pk == request.requested_by_id:
        raise PermissionDenied(_("Someone other than the officer who asked must decide."))
    with locked(request.complaint) as complaint:
        current = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if current.approved is not None:
            raise ValidationError(_("This extension request has already been decided."))
        if not markets_for(user).filter(pk=complaint.market_id).exists():
            raise PermissionDenied(_("This complaint belongs to another market."))
        _require_state(complaint, *Complaint.INVESTIGATION_STATES)
        if not approve and not note.strip():
            raise ValidationError(_("Say why the extension is refused."))
        if approve and complaint.extended:
            raise ValidationError(_("The investigation has already been extended once."))
        current.approved = approve
        current.decided_by = user
        current.decided_at = timezone.now()
        current.decision_note = note.strip()
        update = ["approved", "decided_by", "decided_at", "decision_note"]
        if approve:
            current.new_due = calendar.add_working_days(
                complaint.investigation_due, settings.COMPLAINT_EXTENSION_WORKING_DAYS
            )
            update.append("new_due")
            complaint.investigation_due = current.new_due
            complaint.extended = True
            complaint.escalated_on = None
            save_changed(complaint)
        current.save(update_fields=update)
        record_event(
            complaint,
            actor=actor,
            action="extension_approved" if approve else "extension_refused",
            to_state=complaint.state,
            note=(f"{current.previous_due} → {current.new_due}" if approve else note.strip()),
        )
    copy_into(request, current)


# -- decision, hearing, closing, referral -----------------------------------------------


@dataclass(frozen=True)
class Item:
    """One conduct found, with the measures ordered or proposed for it and the fine."""

    conduct: str
    measures: tuple[str, ...] = ()
    workers_affected: int | None = None
    amount: Decimal | None = None
    justification: str = ""


SANCTIONING_OUTCOMES = (Outcome.ORDER_TO_CORRECT, Outcome.PENALTY_PROPOSED)
# The single-conduct fields' names for an item's fields (a decision given the old way).
SINGLE_FIELDS = {
    "conduct": "conduct_found",
    "workers_affected": "workers_affected",
    "amount": "penalty_amount",
    "justification": "penalty_justification",
    "measures": "measures",
}


# The measures a decision given with the single-conduct fields implies for its conduct.
IMPLIED_MEASURES: dict[str, tuple[str, ...]] = {
    Outcome.ORDER_TO_CORRECT: (Measure.CORRECT,),
    Outcome.PENALTY_PROPOSED: (Measure.CORRECT, Measure.FINE),
}


@dataclass(frozen=True)
class Decision:
    """A decision: one or more conducts in ``items``, or one in the single fields."""

    outcome: str
    findings: str
    conduct_found: str = ""
    workers_affected: int | None = None
    measures: str = ""
    correction_due: datetime.date | None = None
    penalty_amount: Decimal | None = None
    penalty_justification: str = ""
    items: tuple[Item, ...] = ()

    def lines(self) -> tuple[Item, ...]:
        """The conducts found; none when no violation was found."""
        if self.outcome == Outcome.NO_VIOLATION:
            return ()
        if self.items or not self.conduct_found:
            return self.items
        measures = IMPLIED_MEASURES.get(self.outcome, ())
        single = Item(
            self.conduct_found,
            measures,
            self.workers_affected,
            self.penalty_amount,
            self.penalty_justification,
        )
        return (single,)

    def field_name(self, index: int, field: str) -> str:
        """Where the form shows an item's problem: its formset row, or the single field."""
        return f"items-{index}-{field}" if self.items else SINGLE_FIELDS[field]


def decision_problems(decision: Decision) -> dict[str, str]:
    """What is missing or wrong in a decision, by field (the form shows them)."""
    problems = {}
    if decision.outcome not in Outcome.values:
        problems["outcome"] = _("Choose the decision.")
    lines = decision.lines()
    if decision.outcome != Outcome.NO_VIOLATION and not lines:
        problems["items" if decision.items else "conduct_found"] = _("Choose the conduct found.")
    if not decision.findings.strip():
        problems["findings"] = _("Write down the facts found.")
    if decision.outcome in SANCTIONING_OUTCOMES and not decision.measures.strip():
        problems["measures"] = _("Write down what the intermediary must do.")
    due = decision.correction_due
    late = due is None or due <= timezone.localdate()
    if decision.outcome == Outcome.ORDER_TO_CORRECT and late:
        problems["correction_due"] = _("Give a date after today by which to correct.")
    seen: set[str] = set()
    for index, item in enumerate(lines):
        found = item_problems(decision.outcome, item)
        if item.conduct in seen:
            found.setdefault("conduct", _("This conduct is already listed: one row per conduct."))
        seen.add(item.conduct)
        problems.update({decision.field_name(index, f): m for f, m in found.items()})
    return problems


def item_problems(outcome: str, item: Item) -> dict[str, str]:
    """What is wrong in one conduct of a decision, by the item's field."""
    problems = {}
    if item.conduct not in Conduct.values:
        problems["conduct"] = _("Choose the conduct found.")
    if item.conduct == Conduct.DEPOSIT and not item.workers_affected:
        problems["workers_affected"] = _("Give how many workers paid a deposit.")
    measures = set(item.measures)
    if measures - set(Measure.values):
        problems["measures"] = _("Unknown measure.")
    elif outcome in SANCTIONING_OUTCOMES and not measures:
        problems["measures"] = _("Choose at least one measure for this conduct.")
    elif outcome == Outcome.ORDER_TO_CORRECT and measures - {Measure.CORRECT}:
        # The market orders a correction itself; the rest is for the authority to impose.
        problems["measures"] = _(
            "An order to correct orders a correction only: propose the other measures "
            "with the decision “penalty proposed”."
        )
    if outcome == Outcome.PENALTY_PROPOSED:
        problems.update(_fine_problems(item))
    return problems


def _fine_problems(item: Item) -> dict[str, str]:
    """A proposed fine: given with the measure "fine", and justified outside the range."""
    amount = item.amount
    if Measure.FINE not in item.measures:
        if amount is not None:
            return {"amount": _("Tick the measure “fine”, or leave the amount empty.")}
        return {}
    if amount is None or amount <= 0:
        return {"amount": _("Give the proposed fine.")}
    rule = rule_for(item.conduct)
    outside = rule is None or not rule.allows(amount, item.workers_affected)
    if outside and not item.justification.strip():
        return {
            "justification": _("The proposed fine is outside the statutory range: explain why.")
        }
    return {}


def _kept(outcome: str, item: Item) -> Item:
    """The item as stored: a fine and its justification only where one is proposed."""
    fined = outcome == Outcome.PENALTY_PROPOSED and Measure.FINE in item.measures
    return Item(
        conduct=item.conduct,
        measures=tuple(dict.fromkeys(item.measures)),
        workers_affected=item.workers_affected,
        amount=item.amount if fined else None,
        justification=item.justification.strip() if fined else "",
    )


def _decision_fields(decision: Decision, lines: tuple[Item, ...]) -> dict:
    """The complaint's own decision fields: the first conduct, the total fine proposed."""
    first = lines[0] if lines else Item("")
    amounts = [line.amount for line in lines if line.amount is not None]
    justified = [line for line in lines if line.justification]
    justification = "\n".join(
        f"{Conduct(line.conduct).label}：{line.justification}"
        if len(lines) > 1
        else line.justification
        for line in justified
    )
    return {
        "outcome": decision.outcome,
        "findings": decision.findings,
        "measures": decision.measures,
        "conduct_found": first.conduct,
        "workers_affected": first.workers_affected,
        "penalty_amount": sum(amounts, Decimal(0)) if amounts else None,
        "penalty_justification": justification,
        "correction_due": decision.correction_due
        if decision.outcome == Outcome.ORDER_TO_CORRECT
        else None,
    }


def complaint_decide(*, complaint: Complaint, decision: Decision, actor: Actor) -> None:
    """Record the decision and its conducts; the items are saved before the transition so
    that the decision document, issued by it, lists every one."""
    lines = tuple(_kept(decision.outcome, line) for line in decision.lines())
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        problems = decision_problems(decision)
        if problems:
            raise ValidationError(problems)
        if not complaint.has_interview():
            raise ValidationError(
                _("Record at least one investigation record (调查笔录) before deciding.")
            )
        DecisionItem.objects.bulk_create(
            DecisionItem(complaint=complaint, position=index, **line.__dict__)
            for index, line in enumerate(lines)
        )
        flows.run_step(
            complaint,
            "decide",
            actor=actor,
            by=actor.user,
            note=str(Outcome(decision.outcome).label),
            **_decision_fields(decision, lines),
        )


def respondent_hear(*, complaint: Complaint, statement: str, waived: bool, actor: Actor) -> None:
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        if not waived and not statement.strip():
            raise ValidationError(
                _("Write down the respondent's statement, or tick that it made none.")
            )
        flows.run_step(
            complaint,
            "hear_respondent",
            actor=actor,
            statement=statement.strip(),
            waived=waived,
        )


def default_result(complaint: Complaint) -> str:
    """The result as the complainant is told it, in the words the notice uses."""
    if complaint.state == Complaint.State.AWAITING_FEEDBACK:
        return _feedback_result(complaint)
    outcome = {
        Outcome.ORDER_TO_CORRECT: "经调查，被投诉人存在违法行为，已责令其限期改正",
        Outcome.PENALTY_PROPOSED: "经调查，被投诉人存在违法行为，已依法提出处罚意见",
        Outcome.NO_VIOLATION: "经调查，未发现被投诉人存在所投诉的违法行为",
        Outcome.MINOR_CORRECTED: "经调查，被投诉人违法行为轻微并已改正，依法不予处罚",
    }.get(complaint.outcome, "")
    return f"{outcome}。" if outcome else ""


def _feedback_result(complaint: Complaint) -> str:
    if complaint.feedback_recorded_at is None:
        return ""
    what = FEEDBACK_RESULT_ZH.get(FeedbackResult(complaint.feedback_result), "")
    reference = f"（{complaint.feedback_reference}）" if complaint.feedback_reference else ""
    return f"您的投诉已移送{complaint.referral_body}依法处理。经其反馈，该投诉{what}{reference}。"


def _require_feedback(complaint: Complaint) -> None:
    if complaint.awaits_feedback():
        raise ValidationError(
            _(
                "Complaint %(code)s was referred to labour inspection, which has not reported "
                "back yet: record its feedback before closing."
            ),
            code="feedback_missing",
            params={"code": complaint.code},
        )


def complaint_close(*, complaint: Complaint, result: str, actor: Actor) -> None:
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        _require_feedback(complaint)
        # The default result is worded from the decision the lock sees.
        result = result.strip() or default_result(complaint)
        if not result:
            raise ValidationError(_("Write down the result the complainant is told."))
        flows.run_step(complaint, "close", actor=actor, result=result)
        if complaint.outcome in SANCTIONING:
            _publish_sanction(complaint)
        _notify(complaint, notices.RESULT, result=result)
        invite_to_survey(complaint)  # closed: the complainant rates the service


def _publish(complaint: Complaint, **decision) -> Sanction:
    """Put a final decision on the public list: the intermediary and the decision only."""
    return Sanction.objects.create(
        intermediary=complaint.respondent,
        complaint=complaint,
        market=complaint.market,
        conduct=complaint.conduct_found,
        **decision,
    )


def _publish_sanction(complaint: Complaint) -> Sanction:
    # The public list shows the statutory correction for the conduct, not the officer's
    # own words (they may name the workers concerned), nor the statutory fine, which only
    # the labour administration imposes (penalty_decision_record).
    conducts = [item.conduct for item in complaint.decision_items.all()]
    rules = [rule_for(conduct) for conduct in conducts or [complaint.conduct_found]]
    return _publish(
        complaint,
        outcome=SanctionKind(complaint.outcome),
        # One correction per conduct found, in the decision's order.
        measures="；".join(rule.correction for rule in rules if rule),
        decided_on=timezone.localdate(complaint.decided_at),
    )


# -- the labour administration's decision on a proposed penalty ---------------------------


@dataclass(frozen=True)
class Ruling:
    """The labour administration's decision (行政处罚决定书) on the penalty a complaint
    proposed, as the decision document states it."""

    authority: str
    document_number: str
    decided_on: datetime.date | None
    penalty: str
    amount: Decimal | None = None


PENALTY_ZH = {Penalty.FINE: "罚款", Penalty.WARNING: "警告", Penalty.NONE: "不予处罚"}


def ruling_date_problem(complaint: Complaint, day: datetime.date) -> str | None:
    """The administration decides on the proposal after it was made, and not in the future."""
    if day > timezone.localdate():
        return str(MSG_FUTURE)
    proposed = timezone.localdate(complaint.decided_at)
    if day < proposed:
        return _(
            "The labour administration decides after the complaint's decision (%(day)s): "
            "check the date."
        ) % {"day": proposed.isoformat()}
    return None


def ruling_problems(complaint: Complaint, ruling: Ruling) -> dict[str, str]:
    """What is missing or wrong in a ruling, by field (the form shows them).

    The amount is the authority's: recorded as decided, whatever the statutory range.
    """
    problems = {}
    if not ruling.authority.strip():
        problems["authority"] = _("Name the authority that decided.")
    if not ruling.document_number.strip():
        problems["document_number"] = _("Give the number of the decision document.")
    fine = ruling.penalty == Penalty.FINE
    if ruling.penalty not in Penalty.values:
        problems["penalty"] = _("Choose what the labour administration decided.")
    elif fine and (ruling.amount is None or ruling.amount <= 0):
        problems["amount"] = _("Give the fine decided, more than ¥0.")
    elif not fine and ruling.amount is not None:
        problems["amount"] = _("Only a fine has an amount: leave the amount empty.")
    if ruling.decided_on is None:
        problems["decided_on"] = _("Give the date of the decision.")
    elif date_problem := ruling_date_problem(complaint, ruling.decided_on):
        problems["decided_on"] = date_problem
    return problems


def _ruling_recorder(complaint: Complaint, actor: Actor) -> Any:
    """The user who may record the ruling: the officer holding the complaint or a
    supervisor of its market (PermissionDenied for anyone else)."""
    user: Any = actor.user
    in_market = user is not None and markets_for(user).filter(pk=complaint.market_id).exists()
    holds = in_market and user.has_perm(WORK) and complaint.owner_id == user.pk
    if holds or (in_market and user.has_perm(SUPERVISE)):
        return user
    raise PermissionDenied(
        _(
            "Only the officer holding the complaint or a supervisor of its market may "
            "record the labour administration's decision."
        )
    )


def _require_awaiting_ruling(complaint: Complaint) -> None:
    _require_state(complaint, Complaint.State.CLOSED)
    if complaint.outcome != Outcome.PENALTY_PROPOSED:
        raise ValidationError(
            _("Only a complaint closed with a proposed penalty awaits a decision on it."),
            code="no_proposal",
        )
    if not complaint.awaits_penalty_decision():
        raise ValidationError(
            _("The labour administration's decision on this complaint is already recorded."),
            code="already_recorded",
        )


def penalty_decision_record(
    *, complaint: Complaint, ruling: Ruling, actor: Actor
) -> PenaltyDecision:
    """Record the labour administration's decision on the proposed penalty, once.

    A fine or a warning goes on the public list of sanctions, a fine with the amount
    decided (not the one proposed); no penalty publishes nothing. The complainant,
    told at closing that a penalty was proposed, is told what was decided.
    """
    with locked(complaint) as complaint:
        user = _ruling_recorder(complaint, actor)
        _require_awaiting_ruling(complaint)
        problems = ruling_problems(complaint, ruling)
        if problems or ruling.decided_on is None:
            raise ValidationError(problems)
        fine = ruling.penalty == Penalty.FINE
        decision = PenaltyDecision(
            complaint=complaint,
            authority=ruling.authority.strip(),
            document_number=ruling.document_number.strip(),
            decided_on=ruling.decided_on,
            penalty=ruling.penalty,
            amount=ruling.amount if fine else None,
            recorded_by=user,
        )
        decision.full_clean(exclude=["complaint"])
        decision.save()
        if decision.penalty in PUBLISHED_PENALTIES:
            _publish_penalty(complaint, decision)
        what = PENALTY_ZH[Penalty(decision.penalty)]
        amount = f"{decision.amount:,.2f}元" if fine else ""
        record_event(
            complaint,
            actor=actor,
            action="penalty_decision_recorded",
            to_state=complaint.state,
            note=f"{decision.authority}（{decision.document_number}）：{what}{amount}",
        )
        _notify(
            complaint,
            notices.PENALTY_DECIDED,
            authority=decision.authority,
            number=decision.document_number,
            decision=f"{what}{amount}",
        )
    return decision


def _publish_penalty(complaint: Complaint, decision: PenaltyDecision) -> Sanction:
    # Who decided and the decision's number are published with it; the fine is the one
    # decided, never the one proposed.
    return _publish(
        complaint,
        outcome=PUBLISHED_PENALTIES[Penalty(decision.penalty)],
        amount=decision.amount,
        authority=decision.authority,
        document_number=decision.document_number,
        decided_on=decision.decided_on,
    )


def complaint_refer(
    *, complaint: Complaint, target: str, body: str, reason: str, actor: Actor
) -> None:
    """Refer the complaint to another authority.

    Referred elsewhere, it ends here; referred to labour inspection it waits for the
    inspection's feedback, due within COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS, and
    closes on it (inspection_feedback_record, complaint_close).
    """
    body, reason = body.strip(), reason.strip()
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        if target not in ReferralTarget.values:
            raise ValidationError(_("Choose where the complaint is referred."))
        if not body:
            raise ValidationError(_("Name the body that receives the referral."))
        if not reason:
            raise ValidationError(_("Say why the complaint is referred."))
        facts = {"target": target, "body": body, "reason": reason, "note": body}
        if target == ReferralTarget.LABOUR_INSPECTION:
            due = calendar.add_working_days(
                timezone.localdate(), settings.COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS
            )
            flows.run_step(complaint, "refer_to_inspection", actor=actor, due=due, **facts)
        else:
            result = f"您的投诉已移送{body}依法处理。"
            flows.run_step(complaint, "refer", actor=actor, result=result, **facts)
        _notify(complaint, notices.REFERRED, body=body)


# -- labour inspection's feedback on a referred complaint ---------------------------------


@dataclass(frozen=True)
class Feedback:
    """What labour inspection reported back, as its reply states it."""

    day: datetime.date | None
    result: str
    reference: str
    note: str


def feedback_problems(complaint: Complaint, feedback: Feedback) -> dict[str, str]:
    """What is missing or wrong in the feedback, by field (the form shows them)."""
    problems = {}
    if feedback.result not in FeedbackResult.values:
        problems["result"] = _("Choose what labour inspection reported.")
    if not feedback.reference.strip():
        problems["reference"] = _("Give the inspection's reference number.")
    if not feedback.note.strip():
        problems["note"] = _("Write down what labour inspection reported.")
    referred = timezone.localdate(complaint.referred_at) if complaint.referred_at else None
    if feedback.day is None:
        problems["day"] = _("Give the date of the feedback.")
    elif feedback.day > timezone.localdate():
        problems["day"] = str(MSG_FUTURE)
    elif referred is not None and feedback.day < referred:
        problems["day"] = _("The feedback comes after the referral (%(day)s): check the date.") % {
            "day": referred.isoformat()
        }
    return problems


def inspection_feedback_record(*, complaint: Complaint, feedback: Feedback, actor: Actor) -> None:
    """Record labour inspection's feedback, once; the complaint can then be closed."""
    with locked(complaint) as complaint:
        _require_holder(complaint, actor)
        _require_state(complaint, Complaint.State.AWAITING_FEEDBACK)
        if complaint.feedback_recorded_at is not None:
            raise ValidationError(
                _("Labour inspection's feedback on this complaint is already recorded."),
                code="feedback_recorded",
            )
        problems = feedback_problems(complaint, feedback)
        if problems:
            raise ValidationError(problems)
        result = FeedbackResult(feedback.result)
        flows.run_step(
            complaint,
            "record_feedback",
            actor=actor,
            day=feedback.day,
            result=result,
            reference=feedback.reference.strip(),
            summary=feedback.note.strip(),
            note=f"{result.label}（{feedback.reference.strip()}）",
        )


# -- the intermediary record -----------------------------------------------------------


def repeat_since(today: datetime.date | None = None) -> datetime.date:
    return months_before(today or timezone.localdate(), settings.COMPLAINT_REPEAT_MONTHS)


def repeat_offender_ids(respondent_ids=None) -> set[int]:
    """Intermediaries with at least COMPLAINT_REPEAT_COUNT accepted complaints in the window."""
    rows = Complaint.objects.accepted_since(repeat_since()).exclude(respondent=None)
    if respondent_ids is not None:
        rows = rows.filter(respondent_id__in=respondent_ids)
    counted = rows.values("respondent_id").annotate(n=Count("pk"))
    return {row["respondent_id"] for row in counted if row["n"] >= settings.COMPLAINT_REPEAT_COUNT}


def is_repeat_offender(org: Organization) -> bool:
    return org.pk in repeat_offender_ids([org.pk])


# -- deadlines ------------------------------------------------------------------------


@dataclass
class SweepResult:
    acceptance_overdue: int = 0
    investigation_overdue: int = 0
    feedback_overdue: int = 0


def sweep_deadlines(today: datetime.date | None = None) -> SweepResult:
    """Record once, in each overdue complaint's trail, that its time limit has passed.

    Each complaint is locked and looked at again in its own transaction: one that
    was accepted, closed, extended or marked since the query is left alone.
    """
    today = today or timezone.localdate()
    result = SweepResult()
    overdue = (
        Complaint.objects.filter(escalated_on__isnull=True).filter(
            state=Complaint.State.RECEIVED, acceptance_due__lt=today
        )
        | Complaint.objects.filter(
            escalated_on__isnull=True,
            state__in=Complaint.INVESTIGATION_STATES,
            investigation_due__lt=today,
        )
        | Complaint.objects.filter(feedback_late(today), escalated_on__isnull=True)
    )
    for candidate in overdue.order_by("pk"):
        with locked(candidate) as complaint:
            due = complaint.current_due()
            if complaint.escalated_on is not None or due is None or due >= today:
                continue
            complaint.escalated_on = today
            save_changed(complaint)
            record_event(
                complaint,
                actor=Actor.system("deadline_sweep"),
                action="overdue",
                to_state=complaint.state,
                note=f"期限 {due} 已过",
            )
        if complaint.state == Complaint.State.RECEIVED:
            result.acceptance_overdue += 1
        elif complaint.state == Complaint.State.AWAITING_FEEDBACK:
            result.feedback_overdue += 1
        else:
            result.investigation_overdue += 1
    return result


# -- notices -------------------------------------------------------------------------


def _zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _notify(complaint: Complaint, template: str, **params: str) -> None:
    """A text message to the complainant, if it left a number: queued in the step's
    transaction, sent after commit (casework.notifications)."""
    notify(
        template,
        complaint,
        complaint.notice_mobile,
        {"code": complaint.code, **params},
        sign=complaint.market.name,
    )
