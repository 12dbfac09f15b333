"""Operations on gig agreements (docs/workflows.md): keyword-only, each in one transaction.

Every step works on the locked copy of the agreement (casework.core.locking:
lock, re-read, check, write only the changed fields). State changes go through
``flows.run_step()``. Signing takes two calls: the
party asks for a one-time code (``signing_code_send``), which goes to their own
phone after commit, and signs by entering it (``agreement_sign``). A refused
code still counts as an attempt and leaves an audit row: those writes commit
before the refusal is raised.
"""

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import flows, text
from agreements import notifications as notices
from agreements.models import (
    Agreement,
    Party,
    PaymentStatus,
    Signature,
    SigningCode,
    StandardTerms,
)
from casework.core.audit import Actor, record_event
from casework.core.locking import lock, locked, save_changed
from casework.core.models import Market
from casework.core.sms import Sms
from casework.notifications.services import message_of, mobile_of, notify
from casework.parties import identifiers
from casework.parties.models import Organization, Person, RealNameCheck
from casework.parties.services import real_name_check_record
from casework.parties.verification import (
    IdentityServiceUnavailable,
    identifier_problem,
    identity_backend,
    passed_check,
)

CODE_DIGITS = 6
# Audit notes are part of the hash chain: the same words whatever the actor's language.
PARTY_ZH = {Party.WORKER: "乙方（零工）", Party.HIRING: "甲方（用工方）"}

# The fields of an agreement a counter form or a change may set.
PARTICULARS = (
    "trade",
    "job_description",
    "work_place",
    "start_date",
    "end_date",
    "work_hours",
    "rest",
    "pay_rate",
    "pay_unit",
    "pay_total",
    "payment_method",
    "payment_date",
    "safety",
    "injury_cover",
    "insurance_details",
    "special_terms",
    "hiring_party_first",
)


class SigningRefused(ValidationError):
    """A signing code was refused; the attempt has been counted and recorded."""


# -- making an agreement --------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    market: Market,
    worker: Person,
    hiring_party: Organization | Person,
    actor: Actor,
    particulars: dict,
    hiring_signer: Person | None = None,
    intermediary: Organization | None = None,
    supersedes: Agreement | None = None,
) -> Agreement:
    """A draft made from the active standard terms, owned by the staff member who made it."""
    terms = StandardTerms.active()
    if terms is None:
        raise ValidationError(_("No standard terms are active: a supervisor must publish them."))
    unknown = set(particulars) - set(PARTICULARS)
    if unknown:
        raise ValueError(f"not agreement particulars: {sorted(unknown)}")
    agreement = Agreement(
        market=market,
        terms=terms,
        worker=worker,
        hiring_organization=hiring_party if isinstance(hiring_party, Organization) else None,
        hiring_person=hiring_party if isinstance(hiring_party, Person) else None,
        hiring_signer=hiring_signer if isinstance(hiring_party, Organization) else None,
        intermediary=intermediary,
        supersedes=supersedes,
        owner=actor.user,
        created_by=actor.user,
        **particulars,
    )
    agreement.full_clean(exclude=["code", "process", "state"])
    agreement.save()
    flows.start(agreement)
    note = supersedes.code if supersedes is not None else ""
    record_event(agreement, actor=actor, action="created", to_state=agreement.state, note=note)
    return agreement


@transaction.atomic
def agreement_make_at_counter(
    *,
    market: Market,
    worker: Person,
    hiring_party: Organization | Person,
    actor: Actor,
    particulars: dict,
    hiring_signer: Person | None = None,
    intermediary: Organization | None = None,
    checked_in_person: list[Person | Organization] = (),
    send_now: bool = True,
) -> Agreement:
    """The counter quick form (即时快招) in one transaction.

    Parties new to the registry come as unsaved, validated instances and are saved
    here; ``checked_in_person`` are the parties whose ID card or licence the clerk
    has just seen. Any refusal leaves no party, check, agreement or audit row.
    """
    for party in (worker, hiring_party, hiring_signer):
        if party is not None and party.pk is None:
            party.save()
    if isinstance(hiring_party, Organization) and hiring_signer is not None:
        # The clerk named this person as the one acting for the organisation.
        hiring_party.representatives.add(hiring_signer)
    for party in checked_in_person:
        real_name_check_record(
            party=party,
            method=RealNameCheck.Method.LICENCE_SEEN
            if isinstance(party, Organization)
            else RealNameCheck.Method.ID_CARD_SEEN,
            result=RealNameCheck.Result.PASSED,
            by=actor.user,
            note=_("checked at the counter when the agreement was made"),
        )
    agreement = agreement_create(
        market=market,
        worker=worker,
        hiring_party=hiring_party,
        hiring_signer=hiring_signer,
        intermediary=intermediary,
        actor=actor,
        particulars=particulars,
    )
    if send_now:
        agreement_send(agreement=agreement, actor=actor)
    return agreement


def agreement_update(*, agreement: Agreement, particulars: dict, actor: Actor) -> Agreement:
    """Change a draft's particulars; a sent agreement's text is fixed."""
    unknown = set(particulars) - set(PARTICULARS)
    if unknown:
        raise ValueError(f"not agreement particulars: {sorted(unknown)}")
    with locked(agreement) as agreement:
        if agreement.state != Agreement.State.DRAFT:
            raise ValidationError(_("Only a draft can be changed."))
        for field, value in particulars.items():
            setattr(agreement, field, value)
        agreement.full_clean(exclude=["code", "process", "state"])
        save_changed(agreement)
        record_event(agreement, actor=actor, action="draft_changed")
    return agreement


def agreement_send(
    *, agreement: Agreement, actor: Actor, sign_deadline: datetime.datetime | None = None
) -> Agreement:
    """Fix the text and its hash, and ask both parties to sign by the deadline."""
    now = timezone.now()
    deadline = sign_deadline or now + datetime.timedelta(hours=settings.AGREEMENT_SIGN_HOURS)
    if deadline <= now:
        raise ValidationError(_("The signing deadline must be in the future."))
    with locked(agreement) as agreement:
        agreement.final_text = text.compose(agreement)
        agreement.text_hash = agreement.compute_hash()
        agreement.sign_deadline = deadline
        flows.run_step(agreement, "send_for_signing", actor=actor, note=agreement.text_hash)
        when = timezone.localtime(deadline)
        for signer in _signers(agreement):
            _notify(agreement, notices.READY_TO_SIGN, signer, deadline=f"{when:%Y-%m-%d %H:%M}")
    return agreement


def _signers(agreement: Agreement) -> list:
    """Who is told about the agreement: the worker, and the hiring side's signer (an
    organisation without a named handling person: its representative)."""
    return [agreement.worker, agreement.hiring_party_signer or agreement.hiring_organization]


def _notify(agreement: Agreement, template: str, party, **params: str) -> None:
    """A text to a party, queued in the step's transaction, sent after commit."""
    notify(
        template,
        agreement,
        mobile_of(party),
        {"code": agreement.code, **params},
        sign=agreement.market.name,
    )


def agreement_cancel(*, agreement: Agreement, actor: Actor, reason: str) -> Agreement:
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    flows.run_step(agreement, "cancel", actor=actor, note=reason, reason=reason)
    return agreement


# -- real-name checks (双实名) --------------------------------------------------------


@dataclass(frozen=True)
class PartyStatus:
    """Whether one side may sign: its checks, and what is missing in words."""

    party: str
    signer: Person | None
    check: RealNameCheck | None  # the person's, or the organisation's
    signer_check: RealNameCheck | None  # the handling person's, for an organisation
    problems: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return not self.problems


def party_status(agreement: Agreement, party: str) -> PartyStatus:
    if party == Party.WORKER:
        return _person_status(party, agreement.worker, _("The worker"))
    if agreement.hiring_person_id:
        return _person_status(party, agreement.hiring_person, _("The hiring party"))
    org, signer = agreement.hiring_organization, agreement.hiring_signer
    problems = []
    org_check = passed_check(org)
    if org_check is None:
        problem = identifier_problem(org)
        problems.append(
            problem
            or _("The hiring party's business licence and handling person have not been checked.")
        )
    signer_check = passed_check(signer) if signer is not None else None
    if signer_check is None:
        problems.append(_("The handling person's identity has not been checked."))
    return PartyStatus(party, signer, org_check, signer_check, tuple(problems))


def _person_status(party: str, person: Person, who: str) -> PartyStatus:
    check = passed_check(person)
    problems = ()
    if check is None:
        problem = identifier_problem(person)
        problems = (problem or _("%(who)s has not passed a real-name check.") % {"who": who},)
    return PartyStatus(party, person, check, None, problems)


def identity_verify(*, person: Person, actor: Actor) -> RealNameCheck:
    """Ask the identity-verification service about a person and record its answer."""
    problem = identifier_problem(person)
    if problem:
        raise ValidationError(problem)
    try:
        result = identity_backend().verify(person)
    except IdentityServiceUnavailable:
        # Nothing is known about the person: no check is recorded (the gateway logged why).
        raise ValidationError(
            _("The identity service cannot answer just now: try again in a few minutes.")
        ) from None
    return real_name_check_record(
        party=person,
        method=RealNameCheck.Method.VERIFICATION_SERVICE,
        result=RealNameCheck.Result.PASSED if result.passed else RealNameCheck.Result.FAILED,
        by=actor.user,
        note=result.note or ("" if result.passed else _("refused by the service")),
        backend_reference=result.reference,
    )


# -- signing (意愿确认) ----------------------------------------------------------------


def _code_hash(agreement: Agreement, party: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"{agreement.pk}:{party}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _check_signer(agreement: Agreement, party: str, actor: Actor) -> None:
    """Only the party itself, or counter staff helping it, may sign for a side."""
    user = actor.user
    if user is None:
        raise PermissionDenied
    if agreement.party_of(user) != party and not user.has_perm("agreements.add_agreement"):
        raise PermissionDenied(_("You cannot sign for this party."))


def _check_may_sign(agreement: Agreement, party: str) -> PartyStatus:
    if agreement.state not in Agreement.SIGNING_STATES:
        raise ValidationError(_("This agreement is not waiting for signatures."))
    if party in agreement.signed_parties():
        raise ValidationError(_("This party has already signed."))
    if not agreement.may_sign_now(party):
        raise ValidationError(_("The hiring party must sign first."))
    if agreement.deadline_passed():
        raise ValidationError(_("The signing deadline has passed."))
    status = party_status(agreement, party)
    if not status.verified:
        raise ValidationError(list(status.problems))
    return status


def signing_code_send(
    *,
    agreement: Agreement,
    party: str,
    actor: Actor,
    deliver: Callable[[Sms], None] | None = None,
) -> SigningCode:
    """Send a new one-time code to the signer's phone; earlier codes stop working.

    The code is queued as an urgent notification in this transaction and sent once it
    commits (casework.notifications). ``deliver``, if given, is also handed the message as
    the signer will get it, at once: seed_demo, which signs inside one long transaction,
    reads the code from it.
    """
    now = timezone.now()
    with transaction.atomic():
        agreement = lock(agreement)
        _check_signer(agreement, party, actor)
        status = _check_may_sign(agreement, party)
        last = agreement.codes.filter(party=party).first()
        wait = datetime.timedelta(seconds=settings.AGREEMENT_CODE_RESEND_SECONDS)
        if last is not None and last.used_at is None and now - last.created_at < wait:
            raise ValidationError(
                _("A code was sent less than %(seconds)s seconds ago; please wait.")
                % {"seconds": settings.AGREEMENT_CODE_RESEND_SECONDS}
            )
        agreement.codes.filter(party=party, used_at=None, retired_at=None).update(retired_at=now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        signer = status.signer
        row = SigningCode.objects.create(
            agreement=agreement,
            party=party,
            person=signer,
            mobile=signer.mobile,
            code_hash=_code_hash(agreement, party, code),
            text_hash=agreement.text_hash,
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=settings.AGREEMENT_CODE_MINUTES),
        )
        record_event(
            agreement,
            actor=actor,
            action="signing_code_sent",
            note=f"{PARTY_ZH[party]} → {identifiers.mask_phone(signer.mobile)}",
        )
        queued = notify(
            notices.SIGNING_CODE,
            agreement,
            signer.mobile,
            {
                "code": agreement.code,
                "digest": agreement.text_hash[:8],
                "otp": code,
                "minutes": settings.AGREEMENT_CODE_MINUTES,
            },
            sign=agreement.market.name,
        )
        if deliver is not None and queued is not None:
            deliver(message_of(queued))
    return row


def agreement_sign(
    *,
    agreement: Agreement,
    party: str,
    code: str,
    actor: Actor,
    channel: str = Signature.Channel.PORTAL,
    user_agent: str = "",
) -> Signature:
    """Sign for ``party`` with the code sent to its phone, or raise SigningRefused."""
    with transaction.atomic():
        agreement = lock(agreement)
        _check_signer(agreement, party, actor)
        status = _check_may_sign(agreement, party)
        row = agreement.codes.filter(party=party).first()
        refusal = _refusal(agreement, party, row, code)
        if refusal is not None:
            if row is not None:
                SigningCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            record_event(agreement, actor=actor, action="signing_code_refused", note=refusal)
        else:
            signature = _record_signature(agreement, party, row, status, actor, channel, user_agent)
    if refusal is not None:
        # Raised after the commit above, so the counted attempt and its audit row stay.
        raise SigningRefused(refusal)
    return signature


def _refusal(agreement: Agreement, party: str, row: SigningCode | None, code: str) -> str | None:
    if row is None:
        return _("Ask for a code first.")
    if row.used_at is not None:
        return _("This code has already been used.")
    if row.attempts >= settings.AGREEMENT_CODE_ATTEMPTS:
        return _("Too many wrong tries: ask for a new code.")
    if timezone.now() > row.expires_at:
        return _("The code has expired: ask for a new one.")
    if row.text_hash != agreement.text_hash:
        return _("The text changed after the code was sent: ask for a new code.")
    given = _code_hash(agreement, party, (code or "").strip())
    if hmac.compare_digest(row.code_hash, given):
        return None
    if agreement.codes.filter(party=party, code_hash=given).exclude(pk=row.pk).exists():
        return _("A newer code was sent; use the latest one.")
    return _("The code is wrong.")


def _record_signature(agreement, party, row, status, actor, channel, user_agent) -> Signature:
    now = timezone.now()
    SigningCode.objects.filter(pk=row.pk).update(used_at=now, attempts=row.attempts + 1)
    signature = Signature.objects.create(
        agreement=agreement,
        party=party,
        signer=status.signer,
        organization=agreement.hiring_organization if party == Party.HIRING else None,
        real_name_check=status.check,
        signer_check=status.signer_check,
        code=row,
        text_hash=agreement.text_hash,
        signed_at=now,
        client_ip=actor.client_ip,
        user_agent=user_agent[:300],
        channel=channel,
        user=actor.user,
    )
    note = f"{PARTY_ZH[party]}：{status.signer.name}，{agreement.text_hash}"
    transition = "sign_second" if agreement.both_signed() else "sign_first"
    flows.run_step(agreement, transition, actor=actor, note=note)
    if transition == "sign_second":
        if agreement.supersedes_id:
            _supersede(agreement.supersedes, by=agreement, actor=actor)
        _notify_signed(agreement)
    return signature


def _notify_signed(agreement: Agreement) -> None:
    """Tell both signers the agreement is in force and where to get it (电子劳动合同订立指引)."""
    for signer in _signers(agreement):
        _notify(agreement, notices.SIGNED, signer)


def _supersede(old: Agreement, *, by: Agreement, actor: Actor) -> None:
    old = lock(old)
    if old.state == Agreement.State.SIGNED:
        flows.run_step(old, "supersede", actor=actor, note=by.code, by_code=by.code)


# -- after signing ---------------------------------------------------------------------


@transaction.atomic
def agreement_change(*, agreement: Agreement, actor: Actor, particulars: dict) -> Agreement:
    """A change after signing: a new draft that replaces this agreement once signed."""
    agreement = lock(agreement)  # a second change made at the same moment waits here
    if agreement.state != Agreement.State.SIGNED:
        raise ValidationError(_("Only an agreement in force can be changed."))
    change = agreement.superseded_by
    if change is not None:
        raise ValidationError(
            _("A changed agreement %(code)s already exists.") % {"code": change.code}
        )
    current = {field: getattr(agreement, field) for field in PARTICULARS}
    return agreement_create(
        market=agreement.market,
        worker=agreement.worker,
        hiring_party=agreement.hiring_party,
        hiring_signer=agreement.hiring_signer,
        intermediary=agreement.intermediary,
        supersedes=agreement,
        actor=actor,
        particulars={**current, **particulars},
    )


def agreement_complete(*, agreement: Agreement, actor: Actor) -> Agreement:
    """The hiring party (or the counter) records the work done: not before its first day."""
    with locked(agreement) as current:
        if timezone.localdate() < current.start_date:
            raise ValidationError(
                _("The work starts on %(date)s: it can be marked completed from that day on.")
                % {"date": current.start_date}
            )
        flows.run_step(current, "complete", actor=actor)
    return agreement


def agreement_terminate(*, agreement: Agreement, actor: Actor, reason: str) -> Agreement:
    if not reason.strip():
        raise ValidationError(_("Give the reason for terminating."))
    flows.run_step(agreement, "terminate", actor=actor, note=reason, reason=reason)
    return agreement


def payment_report(*, agreement: Agreement, paid: bool, actor: Actor) -> Agreement:
    """The worker confirms the pay arrived, or reports it unpaid, once the work is done."""
    with locked(agreement) as agreement:
        if agreement.state != Agreement.State.COMPLETED:
            raise ValidationError(_("Payment is reported once the work is marked completed."))
        if agreement.payment_status == PaymentStatus.PAID:
            raise ValidationError(_("The payment has already been confirmed."))
        if not paid and timezone.localdate() <= agreement.payment_date:
            raise ValidationError(
                _("The pay is due by %(date)s: report it unpaid after that day.")
                % {"date": agreement.payment_date}
            )
        agreement.payment_status = PaymentStatus.PAID if paid else PaymentStatus.UNPAID
        agreement.payment_reported_at = timezone.now()
        save_changed(agreement)
        action = "payment_confirmed" if paid else "payment_reported_unpaid"
        record_event(agreement, actor=actor, action=action)
    return agreement


def dispute_initial(agreement: Agreement) -> dict:
    """What a wage dispute opened from this agreement starts with (the worker may edit it)."""
    amount = agreement.pay_total if agreement.pay_total is not None else agreement.pay_rate
    return {
        "respondent": agreement.hiring_party,
        "matter": _("Unpaid pay under gig agreement %(code)s") % {"code": agreement.code},
        "reasons": _(
            "Under gig agreement %(code)s the work (%(work)s, %(start)s to %(end)s) was "
            "completed, and the pay of %(amount)s yuan due by %(due)s has not been paid."
        )
        % {
            "code": agreement.code,
            "work": agreement.job_description[:100],
            "start": agreement.start_date,
            "end": agreement.end_date,
            "amount": f"{amount:.2f}",
            "due": agreement.payment_date,
        },
        "amount": Decimal(amount),
        "period_start": agreement.start_date,
        "period_end": agreement.end_date,
        "source_agreement_code": agreement.code,
    }


@transaction.atomic
def dispute_open(*, agreement: Agreement, actor: Actor, **details):
    """File the worker's wage dispute about this agreement's unpaid pay, and link the two.

    ``details`` are those of ``disputes.services.dispute_file_online`` other than the
    parties (the worker applies, the hiring party responds). One agreement opens one
    dispute, however quickly the form is sent twice.
    """
    from casework.disputes.services import dispute_file_online

    current = lock(agreement)
    if current.dispute_id:
        raise ValidationError(_("A wage dispute was already opened from this agreement."))
    if current.payment_status != PaymentStatus.UNPAID:
        raise ValidationError(_("Report the pay unpaid before opening a wage dispute."))
    dispute = dispute_file_online(
        applicant=current.worker,
        respondent=current.hiring_party,
        actor=actor,
        source_agreement_code=current.code,
        **details,
    )
    current.dispute = dispute
    save_changed(current)
    agreement.dispute = dispute
    record_event(current, actor=actor, action="dispute_opened", note=dispute.code)
    return dispute


# -- deadlines --------------------------------------------------------------------------


def expire_unsigned(*, now: datetime.datetime | None = None) -> int:
    """Expire every agreement not signed by its deadline (the beat task, once a minute)."""
    now = now or timezone.now()
    overdue = Agreement.objects.filter(
        state__in=Agreement.SIGNING_STATES, sign_deadline__lt=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(overdue):
        with transaction.atomic():
            agreement = lock(Agreement(pk=pk))
            if agreement.state in Agreement.SIGNING_STATES and agreement.deadline_passed():
                flows.run_step(agreement, "expire", actor=Actor.system("deadline"))
                expired += 1
    return expired
