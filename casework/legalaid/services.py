"""The steps of a legal-aid referral, each under the locking rule (docs/workflows.md,
"Locking"): the source case's row is locked first, then the referral's; each step writes
an event on the case's audit trail, so it shows in the case's history.

refer -> answer (accepted or declined) -> outcome (after an acceptance).
"""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.audit import Actor, record_event
from casework.core.locking import lock, locked, save_changed
from casework.documents.services import document_issue
from casework.legalaid.documents import GROUND_ZH, RESULT_ZH
from casework.legalaid.models import Ground, LegalAidCentre, LegalAidReferral
from casework.legalaid.registry import Source, source_of
from casework.parties.models import Person

State = LegalAidReferral.State


def _require_may_act(source: Source, actor: Actor) -> None:
    if actor.user is None or not source.may_act(actor.user):
        raise PermissionDenied(_("You may not record legal-aid referrals for this case."))


def _user(actor: Actor) -> Any:
    return actor.user


def allowed_grounds(source: Source, case: Any) -> list[str]:
    """The green-channel grounds the case qualifies for, then the hardship check."""
    return [*source.green_grounds(case), Ground.HARDSHIP]


def check_referral(case: Any, *, worker: Person, centre: LegalAidCentre, ground: str):
    """Raise ValidationError when ``case`` (a locked copy) may not refer ``worker``."""
    source = source_of(case)
    if case.state not in source.states:
        raise ValidationError(_("A case in this state cannot be referred to legal aid."))
    if worker.pk not in {person.pk for person in source.workers(case)}:
        raise ValidationError(
            {"worker": _("Only a worker who is a party to the case can be referred.")}
        )
    if centre.market_id != case.market_id or not centre.active:
        raise ValidationError({"centre": _("Choose an active centre of the case's market.")})
    if ground not in allowed_grounds(source, case):
        raise ValidationError({"ground": _("This ground does not fit the case's matter.")})
    if referrals_of(case).open().filter(worker=worker).exists():
        raise ValidationError(
            {"worker": _("This worker already has an open legal-aid referral from this case.")}
        )


def referrals_of(case: Any):
    return LegalAidReferral.objects.for_subject(case)


def referral_make(
    *,
    case: Any,
    worker: Person,
    centre: LegalAidCentre,
    ground: str,
    summary: str,
    actor: Actor,
) -> LegalAidReferral:
    """Refer a worker of ``case`` to a legal-aid centre and issue the referral letter."""
    source = source_of(case)
    _require_may_act(source, actor)
    with locked(case) as case:
        check_referral(case, worker=worker, centre=centre, ground=ground)
        referral = LegalAidReferral.objects.create(
            subject_type=ContentType.objects.get_for_model(case, for_concrete_model=True),
            subject_id=case.pk,
            market_id=case.market_id,
            worker=worker,
            centre=centre,
            ground=ground,
            summary=summary.strip(),
            referred_at=timezone.now(),
            referred_by=_user(actor),
        )
        letter = document_issue(subject=referral, kind=source.letter_kind, by=actor.user)
        record_event(
            case,
            actor=actor,
            action="legal_aid_referred",
            note=f"{centre.name}（{GROUND_ZH[ground]}）",
            documents=[letter.verification_code],
        )
    return referral


def _check_day(day: datetime.date, after: datetime.date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if day < after:
        raise ValidationError({field: message})


def referral_answer(
    *,
    referral: LegalAidReferral,
    accepted: bool,
    answered_on: datetime.date,
    centre_reference: str = "",
    decline_reason: str = "",
    actor: Actor,
) -> LegalAidReferral:
    """Record the centre's answer: accepted (with its reference) or declined (with why)."""
    case: Any = referral.subject
    _require_may_act(source_of(case), actor)
    if not accepted and not decline_reason.strip():
        raise ValidationError({"decline_reason": _("Give the reason the centre declined.")})
    with locked(case) as case:
        fresh = lock(referral)
        if fresh.state != State.REFERRED:
            raise ValidationError(_("The centre's answer has already been recorded."))
        referred_on = timezone.localdate(fresh.referred_at)
        _check_day(
            answered_on, referred_on, "answered_on", _("The answer cannot precede the referral.")
        )
        fresh.state = State.ACCEPTED if accepted else State.DECLINED
        fresh.answered_on = answered_on
        fresh.centre_reference = centre_reference.strip() if accepted else ""
        fresh.decline_reason = "" if accepted else decline_reason.strip()
        fresh.answer_recorded_by = _user(actor)
        save_changed(fresh)
        note = fresh.centre_reference if accepted else fresh.decline_reason
        action = "legal_aid_accepted" if accepted else "legal_aid_declined"
        record_event(case, actor=actor, action=action, note=f"{fresh.centre.name}：{note}")
    return fresh


def referral_outcome(
    *,
    referral: LegalAidReferral,
    concluded_on: datetime.date,
    result: str,
    result_note: str = "",
    actor: Actor,
) -> LegalAidReferral:
    """Record how the legal aid ended, once, after the centre accepted the referral."""
    case: Any = referral.subject
    _require_may_act(source_of(case), actor)
    with locked(case) as case:
        fresh = lock(referral)
        if fresh.state != State.ACCEPTED:
            raise ValidationError(
                _("An outcome can be recorded only once the centre has accepted.")
            )
        _check_day(
            concluded_on,
            fresh.answered_on or timezone.localdate(fresh.referred_at),
            "concluded_on",
            _("The outcome cannot precede the acceptance."),
        )
        fresh.state = State.CONCLUDED
        fresh.concluded_on = concluded_on
        fresh.result = result
        fresh.result_note = result_note.strip()
        fresh.outcome_recorded_by = _user(actor)
        save_changed(fresh)
        record_event(
            case,
            actor=actor,
            action="legal_aid_concluded",
            note=f"{fresh.centre.name}：{RESULT_ZH.get(result, result)}",
        )
    return fresh
