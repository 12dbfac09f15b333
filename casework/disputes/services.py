"""Operations on wage disputes (docs/workflows.md): keyword-only, each in one transaction.

Every step follows the locking rule (casework.core.locking): it works on the
locked copy of the dispute (``with locked(dispute) as dispute:``), so the state,
the holder and every condition are checked on what the lock sees, and only the
changed fields are written. State changes go through ``flows.run_step()``,
which completes the dispute's open viewflow task and runs the transition
through ``perform()``. Steps that belong to the mediator holding the case check
``_require_holder`` first: a mediator cannot act on a case another mediator holds.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from casework.core.audit import Actor, record_event
from casework.core.locking import copy_into, locked, save_changed
from casework.core.models import Market
from casework.core.queues import claim_next, reassign
from casework.core.roles import Role
from casework.core.uploads import removed_on_failure
from casework.disputes import flows
from casework.disputes import notifications as notices
from casework.disputes.documents import EXTENDED_STEP, FILED_STEP
from casework.disputes.evidence import evidence_content_type
from casework.disputes.models import (
    Channel,
    ClaimItem,
    Dispute,
    Evidence,
    Extension,
    Instalment,
    Payment,
    ScheduledSession,
    Session,
    Settlement,
)
from casework.documents.services import document_issue, transition_documents
from casework.notifications.services import mobile_of, notify
from casework.parties.models import Organization, Person
from casework.surveys.services import invite as invite_to_survey

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    claim_type: str
    amount: Decimal
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    description: str = ""


def _require_holder(dispute: Dispute, actor: Actor) -> None:
    if actor.user is not None and dispute.owner_id != actor.user.pk:
        raise PermissionDenied(_("This case is held by another mediator."))


def _is_staff(actor: Actor) -> bool:
    return actor.user is not None and actor.user.has_perm("disputes.view_dispute")


# -- intake ---------------------------------------------------------------------------


@transaction.atomic
def dispute_file(
    *,
    market: Market,
    mediation_body: Organization,
    applicants: list[Person],
    respondent: Organization | Person,
    channel: str,
    received_at: datetime.datetime,
    matter: str,
    reasons: str,
    claims: list[Claim],
    actor: Actor,
    applicant_details: str = "",
    knew_of_infringement_on: datetime.date | None = None,
    employment_ended_on: datetime.date | None = None,
    evidence: tuple = (),
    source_agreement_code: str = "",
) -> Dispute:
    """Record a received application and open its flow (state: received)."""
    if not applicants:
        raise ValidationError(_("A dispute needs at least one applicant."))
    if not claims:
        raise ValidationError(_("List at least one claim."))
    if channel == Channel.ORAL and not applicant_details.strip():
        raise ValidationError(_("Record the applicant's basic details of an oral application."))
    dispute = Dispute(
        market=market,
        mediation_body=mediation_body,
        respondent_organization=respondent if isinstance(respondent, Organization) else None,
        respondent_person=respondent if isinstance(respondent, Person) else None,
        channel=channel,
        received_at=received_at,
        matter=matter,
        reasons=reasons,
        applicant_details=applicant_details,
        knew_of_infringement_on=knew_of_infringement_on,
        employment_ended_on=employment_ended_on,
        filed_by=actor.user,
        source_agreement_code=source_agreement_code,
    )
    dispute.compute_deadlines()
    dispute.full_clean(exclude=["code", "process", "state"])
    dispute.save()
    dispute.applicants.set(applicants)
    for claim in claims:
        item = ClaimItem(dispute=dispute, **claim.__dict__)
        item.full_clean()
        item.save()
    dispute.refresh_claims()
    dispute.priority = dispute.compute_priority(len(applicants))
    Dispute.objects.filter(pk=dispute.pk).update(
        total_claimed=dispute.total_claimed,
        claim_types=dispute.claim_types,
        priority=dispute.priority,
    )
    record_event(
        dispute,
        actor=actor,
        action=FILED_STEP,
        to_state=dispute.state,
        note=str(Channel(channel).label),
        # The 申请登记回执, rendered after commit like a transition's documents.
        documents=transition_documents(dispute, FILED_STEP, by=actor.user),
    )
    flows.start(dispute)
    # Files last: storage is outside the transaction, so nothing after them may fail.
    for upload in evidence:
        evidence_add(dispute=dispute, upload=upload, actor=actor, _event=False)
    return dispute


@transaction.atomic
def dispute_file_online(
    *, applicant: Person, respondent: Organization | Person, **details
) -> Dispute:
    """A worker's application from the portal; a respondent new to the registry is
    registered in the same transaction, so a refused application leaves nothing saved."""
    if respondent.pk is None:
        respondent.full_clean(exclude=["user"])
        respondent.save()
    return dispute_file(
        applicants=[applicant],
        respondent=respondent,
        channel=Channel.ONLINE,
        received_at=timezone.now(),
        # What staff need to reach the worker; the full ID number stays on the person record.
        applicant_details=f"{applicant.name}，{applicant.masked_id}，{applicant.mobile}",
        **details,
    )


def evidence_add(*, dispute: Dispute, upload, actor: Actor, description: str = "", _event=True):
    """Attach a checked evidence file to an open case (by its holder once it is held)."""
    with locked(dispute) as dispute:
        if dispute.state not in Dispute.OPEN_STATES:
            raise ValidationError(_("Evidence can be added only while the case is open."))
        if dispute.owner_id and _is_staff(actor):
            _require_holder(dispute, actor)
        item = Evidence(dispute=dispute, description=description, uploaded_by=actor.user)
        with removed_on_failure(item):
            item.store(upload, content_type=evidence_content_type(upload))
            if _event:
                record_event(
                    dispute,
                    actor=actor,
                    action="evidence_added",
                    to_state=dispute.state,
                    note=item.original_name,
                )
    return item


def dispute_accept(*, dispute: Dispute, actor: Actor, note: str = ""):
    with locked(dispute) as dispute:
        result = flows.run_step(dispute, "accept", actor=actor, note=note)
        _notify(
            dispute,
            notices.ACCEPTED,
            _applicants(dispute),
            date=_zh(timezone.localdate(dispute.accepted_at)),
            due=_zh(dispute.due_date),
        )
        return result


def dispute_refuse(*, dispute: Dispute, actor: Actor, reason: str):
    if not reason.strip():
        raise ValidationError(_("Give the reason for not accepting the application."))
    with locked(dispute) as dispute:
        result = flows.run_step(dispute, "refuse", actor=actor, note=reason, reason=reason.strip())
        _notify(dispute, notices.NOT_ACCEPTED, _applicants(dispute), reason=reason.strip())
        return result


# -- the queue ------------------------------------------------------------------------


def dispute_take_next(*, actor: Actor, markets) -> Dispute | None:
    """Give the mediator the highest-priority unassigned case, or None if there is none."""
    with transaction.atomic():
        dispute = claim_next(
            Dispute.objects.filter(market__in=markets).unassigned().in_queue_order(), actor=actor
        )
        if dispute is not None:
            flows.run_step(dispute, "start_mediation", actor=actor)
    return dispute


def dispute_take(*, dispute: Dispute, actor: Actor) -> bool:
    """Take one chosen case; False when someone else took it first."""
    with transaction.atomic():
        taken = claim_next(
            Dispute.objects.filter(pk=dispute.pk, state=Dispute.State.ACCEPTED), actor=actor
        )
        if taken is None:
            return False
        flows.run_step(taken, "start_mediation", actor=actor)
    copy_into(dispute, taken)
    return True


def mediators_of(market: Market):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(groups__name=Role.MEDIATOR, staff_profile__markets=market, is_active=True)
        .order_by("username")
        .distinct()
    )


def dispute_reassign(*, dispute: Dispute, to, actor: Actor, reason: str) -> None:
    """Hand a held case to another mediator of its market (unassigned ones wait in the queue)."""
    with locked(dispute) as dispute:
        if dispute.owner_id is None or dispute.state in Dispute.FINAL_STATES:
            raise ValidationError(_("Only a case a mediator holds can be reassigned."))
        if not mediators_of(dispute.market).filter(pk=to.pk).exists():
            raise ValidationError(_("Choose a mediator of this market."))
        reassign(dispute, to=to, actor=actor, reason=reason)
        flows.reassign_task(dispute, to)


# -- mediation ------------------------------------------------------------------------


def extension_record(
    *,
    dispute: Dispute,
    new_due: datetime.date,
    applicant_agreed: bool,
    respondent_agreed: bool,
    note: str,
    actor: Actor,
) -> Extension:
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if dispute.state not in (Dispute.State.IN_MEDIATION, Dispute.State.SETTLED):
            raise ValidationError(_("Only a case in mediation can be extended."))
        if not (applicant_agreed and respondent_agreed):
            raise ValidationError(
                _("An extension needs the agreement of both parties; otherwise mediation ends.")
            )
        if new_due <= dispute.due_date:
            raise ValidationError(_("The new deadline must be after the current one."))
        extension = Extension.objects.create(
            dispute=dispute,
            previous_due=dispute.due_date,
            new_due=new_due,
            applicant_agreed=True,
            respondent_agreed=True,
            note=note,
            recorded_by=actor.user,
        )
        dispute.due_date, dispute.reminded_on, dispute.escalated_on = new_due, None, None
        save_changed(dispute)
        record_event(
            dispute,
            actor=actor,
            action=EXTENDED_STEP,
            to_state=dispute.state,
            note=f"{extension.previous_due} → {new_due}: {note}",
            # The 延长调解期限确认书 of this extension.
            documents=transition_documents(dispute, EXTENDED_STEP, by=actor.user),
        )
    return extension


def session_record(
    *,
    dispute: Dispute,
    held_at: datetime.datetime,
    mode: str,
    place: str,
    attendees: str,
    notes: str,
    actor: Actor,
) -> Session:
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if dispute.state not in (Dispute.State.IN_MEDIATION, Dispute.State.SETTLED):
            raise ValidationError(_("Sessions are recorded while the case is in mediation."))
        session = Session(
            dispute=dispute,
            held_at=held_at,
            mode=mode,
            place=place,
            attendees=attendees,
            notes=notes,
            recorded_by=actor.user,
        )
        session.full_clean()
        session.save()
        doc = document_issue(subject=session, kind="dispute_session_record", by=actor.user)
        record_event(
            dispute,
            actor=actor,
            action="session_recorded",
            to_state=dispute.state,
            documents=[doc.verification_code],
        )
    return session


def session_schedule(
    *,
    dispute: Dispute,
    starts_at: datetime.datetime,
    mode: str,
    place: str,
    actor: Actor,
) -> ScheduledSession:
    """Fix a mediation session in advance; both parties are told its date and place."""
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if dispute.state not in (Dispute.State.IN_MEDIATION, Dispute.State.SETTLED):
            raise ValidationError(_("Sessions are scheduled while the case is in mediation."))
        if starts_at <= timezone.now():
            raise ValidationError(_("A session is scheduled for a time still to come."))
        session = ScheduledSession(dispute=dispute, starts_at=starts_at, mode=mode, place=place)
        session.scheduled_by = cast(User, actor.user)  # a step's actor is a user
        session.full_clean()
        session.save()
        local = timezone.localtime(starts_at)
        record_event(
            dispute,
            actor=actor,
            action="session_scheduled",
            to_state=dispute.state,
            note=f"{local:%Y-%m-%d %H:%M} {place}",
        )
        _notify(
            dispute,
            notices.SESSION_SCHEDULED,
            _parties(dispute),
            date=f"{local.year}年{local.month}月{local.day}日",
            time=f"{local:%H:%M}",
            place=place,
        )
    return session


def settlement_record(
    *,
    dispute: Dispute,
    amount: Decimal,
    method: str,
    terms: str,
    instalments: list[tuple[datetime.date, Decimal]],
    actor: Actor,
):
    """Record the agreed terms and issue the draft 调解协议书 (state: settled)."""
    if not instalments:
        raise ValidationError(_("Give at least one payment date and amount."))
    total = sum(amt for _d, amt in instalments)
    if total != amount:
        raise ValidationError(
            _(
                "The instalments add up to %(total)s yuan but the agreed amount is "
                "%(amount)s yuan: they must be equal."
            )
            % {"total": f"{total:.2f}", "amount": f"{amount:.2f}"}
        )
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if dispute.state != Dispute.State.IN_MEDIATION:
            raise TransitionNotAllowed(f"{dispute.code}: terms are recorded in mediation")
        Settlement.objects.filter(dispute=dispute).delete()
        settlement = Settlement(dispute=dispute, amount=amount, method=method, terms=terms)
        settlement.full_clean(exclude=["dispute"])
        settlement.save()
        for seq, (due, amt) in enumerate(sorted(instalments), start=1):
            Instalment.objects.create(settlement=settlement, seq=seq, due_date=due, amount=amt)
        dispute.settlement = settlement
        result = flows.run_step(dispute, "settle", actor=actor)
        _notify(dispute, notices.SETTLEMENT_READY, _parties(dispute), amount=f"{amount:.2f}")
        return result


def settlement_revise(*, dispute: Dispute, actor: Actor, note: str):
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        return flows.run_step(dispute, "revise", actor=actor, note=note)


def mark_label(mark: str) -> str:
    """The mark's name in the system's language, for the audit note."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(Settlement._meta.get_field(mark).verbose_name)


def mark_record(*, dispute: Dispute, mark: str, actor: Actor, at: datetime.datetime | None = None):
    """Record one of the four marks; the fourth makes the agreement effective (Art. 14)."""
    if mark not in Settlement.MARKS:
        raise ValueError(mark)
    if at is not None and at > timezone.now():
        raise ValidationError(_("A signature or seal cannot be dated in the future."))
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if dispute.state != Dispute.State.SETTLED:
            raise ValidationError(_("Marks are recorded on agreed terms waiting for signatures."))
        settlement = Settlement.objects.select_for_update().get(dispute=dispute)
        if getattr(settlement, mark):
            raise ValidationError(_("This mark is already recorded."))
        setattr(settlement, mark, at or timezone.now())
        update = [mark]
        if mark == "mediator_signed_at":
            settlement.mediator = actor.user
            update.append("mediator")
        settlement.save(update_fields=update)
        dispute.settlement = settlement
        record_event(
            dispute,
            actor=actor,
            action="mark_recorded",
            to_state=dispute.state,
            note=mark_label(mark),
        )
        if settlement.marks_complete:
            flows.run_step(dispute, "make_effective", actor=actor)
            invite_to_survey(dispute)  # mediation ended: the parties rate it
            _notify(
                dispute,
                notices.EFFECTIVE,
                _parties(dispute),
                date=_zh(timezone.localdate()),
                amount=f"{settlement.amount:.2f}",
            )
    return settlement


def dispute_terminate(*, dispute: Dispute, reason: str, note: str, actor: Actor):
    if reason not in Dispute.TerminationReason.values:
        raise ValidationError(_("Choose why mediation ends."))
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if reason == Dispute.TerminationReason.DEADLINE_PASSED and dispute.days_left() >= 0:
            raise ValidationError(_("The mediation deadline has not passed yet."))
        event = flows.run_step(
            dispute, "terminate", actor=actor, note=note, reason=reason, outcome=note
        )
        invite_to_survey(dispute)  # mediation ended: the parties rate it
        return event


def dispute_withdraw(*, dispute: Dispute, reason: str, actor: Actor):
    """The applicant withdraws (in the portal, or through the mediator holding the case)."""
    if not reason.strip():
        raise ValidationError(_("Record the applicant's reason for withdrawing."))
    with locked(dispute) as dispute:
        if dispute.owner_id and _is_staff(actor):
            _require_holder(dispute, actor)
        event = flows.run_step(dispute, "withdraw", actor=actor, note=reason, reason=reason.strip())
        invite_to_survey(dispute)  # mediation ended: the parties rate it
        return event


# -- performance ----------------------------------------------------------------------


def payment_record(
    *,
    dispute: Dispute,
    instalment: Instalment,
    amount: Decimal,
    paid_on: datetime.date,
    note: str,
    actor: Actor,
) -> Payment:
    """Record a payment; when everything is paid the agreement is performed.

    The amount still owed is read from the locked instalment: two payments
    recorded at once can never add up to more than the instalment.
    """
    if paid_on > timezone.localdate():
        raise ValidationError(_("A payment cannot be dated in the future."))
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        if dispute.state != Dispute.State.EFFECTIVE:
            raise ValidationError(_("Payments are recorded on an effective agreement."))
        instalment = Instalment.objects.select_for_update().get(pk=instalment.pk)
        if instalment.settlement.dispute_id != dispute.pk:
            raise ValidationError(_("This instalment belongs to another case."))
        if amount <= 0 or amount > instalment.outstanding:
            raise ValidationError(
                _("The payment must be more than ¥0 and at most the ¥%(left)s still owed.")
                % {"left": instalment.outstanding}
            )
        payment = Payment.objects.create(
            instalment=instalment,
            amount=amount,
            paid_on=paid_on,
            note=note,
            recorded_by=actor.user,
        )
        Instalment.objects.filter(pk=instalment.pk).update(paid=F("paid") + amount)
        record_event(
            dispute,
            actor=actor,
            action="payment_recorded",
            to_state=dispute.state,
            note=f"#{instalment.seq} ¥{amount} {paid_on}",
        )
        settlement = instalment.settlement
        paid = Instalment.objects.filter(settlement=settlement).aggregate(total=Sum("paid"))
        _notify(
            dispute,
            notices.PAYMENT_RECORDED,
            _applicants(dispute),
            amount=f"{amount:.2f}",
            seq=instalment.seq,
            paid_on=_zh(paid_on),
            left=f"{max(settlement.amount - (paid['total'] or 0), Decimal(0)):.2f}",
        )
        if dispute.all_paid():
            flows.run_step(dispute, "mark_performed", actor=actor)
    return payment


def _holder_step(dispute: Dispute, transition: str, *, actor: Actor, note: str = ""):
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        return flows.run_step(dispute, transition, actor=actor, note=note)


def dispute_mark_defaulted(*, dispute: Dispute, actor: Actor, note: str = ""):
    return _holder_step(dispute, "mark_defaulted", actor=actor, note=note)


def dispute_refer(*, dispute: Dispute, referral: str, actor: Actor, note: str = ""):
    transitions: dict[str, str] = {
        Dispute.Referral.PAYMENT_ORDER: "refer_payment_order",
        Dispute.Referral.ARBITRATION: "refer_arbitration",
    }
    if referral not in transitions:
        raise ValidationError(_("Choose a referral."))
    with locked(dispute) as dispute:
        _require_holder(dispute, actor)
        result = flows.run_step(dispute, transitions[referral], actor=actor, note=note)
        advice = notices.REFERRAL_ADVICE[referral]
        _notify(dispute, notices.REFERRED, _applicants(dispute), advice=advice)
        return result


def dispute_close(*, dispute: Dispute, actor: Actor, note: str = ""):
    return _holder_step(dispute, "close", actor=actor, note=note)


# -- notices --------------------------------------------------------------------------


def _zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _applicants(dispute: Dispute) -> list:
    return list(dispute.applicants.order_by("pk"))


def _parties(dispute: Dispute) -> list:
    return [*_applicants(dispute), dispute.respondent]


def _notify(dispute: Dispute, template: str, parties: list, **params) -> None:
    """A text message to each party with a number: queued in the step's transaction (after
    its audit event), sent after commit (casework.notifications)."""
    for party in parties:
        notify(
            template,
            dispute,
            mobile_of(party),
            {"code": dispute.code, **params},
            sign=dispute.market.name,
        )


def remind_instalments(today: datetime.date | None = None) -> int:
    """The daily beat job: tell the payer of each unpaid instalment of an effective
    agreement falling due within notices.INSTALMENT_REMIND_DAYS. Once per instalment and
    due date (the notification's key), however often it runs."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=notices.INSTALMENT_REMIND_DAYS)
    due = (
        Instalment.objects.filter(
            settlement__dispute__state=Dispute.State.EFFECTIVE,
            due_date__gte=today,
            due_date__lte=until,
            paid__lt=F("amount"),
        )
        .select_related("settlement__dispute__market")
        .order_by("due_date", "pk")
    )
    reminded = 0
    for instalment in due:
        dispute = instalment.settlement.dispute
        with transaction.atomic():
            row = notify(
                notices.INSTALMENT_DUE,
                dispute,
                mobile_of(dispute.respondent),
                {
                    "code": dispute.code,
                    "seq": instalment.seq,
                    "amount": f"{instalment.outstanding:.2f}",
                    "due": _zh(instalment.due_date),
                },
                sign=dispute.market.name,
                step=f"instalment-{instalment.pk}-{instalment.due_date.isoformat()}",
            )
            reminded += row is not None
    return reminded


# -- deadlines ------------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    escalated: int = 0
    defaulted: int = 0


def sweep_deadlines(today: datetime.date | None = None) -> SweepResult:
    """The beat job: remind when few days are left, escalate on the deadline, mark defaults.

    Each case is handled in its own transaction, so one failure does not stop the sweep,
    and a reminder or escalation is written once (the date fields record it).
    """
    today = today or timezone.localdate()
    result = SweepResult()
    system = Actor.system("deadline-sweep")
    clock = Dispute.objects.filter(state__in=Dispute.CLOCK_STATES)
    remind_by = today + datetime.timedelta(days=settings.DISPUTE_REMIND_DAYS)
    for dispute in clock.filter(due_date__lte=remind_by, due_date__gt=today, reminded_on=None):
        with transaction.atomic():
            if Dispute.objects.filter(pk=dispute.pk, reminded_on=None).update(reminded_on=today):
                record_event(
                    dispute,
                    actor=system,
                    action="deadline_reminder",
                    to_state=dispute.state,
                    note=_("%(days)s days left") % {"days": dispute.days_left(today)},
                )
                result.reminded += 1
    for dispute in clock.filter(due_date__lte=today, escalated_on=None):
        with transaction.atomic():
            if Dispute.objects.filter(pk=dispute.pk, escalated_on=None).update(escalated_on=today):
                record_event(
                    dispute,
                    actor=system,
                    action="escalated",
                    to_state=dispute.state,
                    note=_("Mediation deadline %(due)s reached; supervisor notified.")
                    % {"due": dispute.due_date},
                )
                result.escalated += 1
    effective = Dispute.objects.filter(
        state=Dispute.State.EFFECTIVE,
        settlement__instalments__due_date__lt=today,
        settlement__instalments__paid__lt=F("settlement__instalments__amount"),
    ).distinct()
    for dispute in effective:
        try:
            flows.run_step(
                dispute,
                "mark_defaulted",
                actor=system,
                note=_("An instalment was not paid by its due date."),
            )
        except Exception:  # one broken case must not stop the sweep for the others
            logger.exception("sweep: could not mark %s defaulted", dispute.code)
            continue
        result.defaulted += 1
    return result
