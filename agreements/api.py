"""Gig agreements in the HTTP API (docs/api.md): the parties' agreements and the
systems' records.

The party calls under /me/agreements/ do what the portal's agreement page does
(agreements/views/portal.py), with the same services and the same lookups: anyone who is
not a party gets 404, and only the person who signs for a side may act on it (403).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from ninja import Router, Schema, Status

from agreements import services as agreement_services
from agreements.access import get_agreement_for_party
from agreements.forms_portal import SigningCodeForm
from agreements.models import Agreement, Party, Signature
from agreements.next_steps import next_steps
from casework.api import registry
from casework.api.auth import PartyAuth
from casework.api.errors import ApiError, form_error, from_django, responses
from casework.api.idempotency import idempotent
from casework.api.party import document_out
from casework.api.schemas import DocumentOut
from casework.core.audit import Actor
from casework.documents.access import documents_of
from casework.parties.identifiers import mask_phone

A = Agreement.State


def party_cases(user):
    # Drafts are still being prepared at the counter, as on the portal home.
    agreements = Agreement.objects.for_party(user).exclude(state=Agreement.State.DRAFT)
    return agreements.prefetch_related("signatures")  # the progress reads who signed when


def record(agreement: Agreement) -> dict:
    return registry.plain(
        trade=agreement.trade,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        pay_rate=agreement.pay_rate,
        pay_unit=agreement.pay_unit,
        pay_total=agreement.pay_total,
        payment_date=agreement.payment_date,
        injury_cover=agreement.injury_cover,
        sent_at=agreement.sent_at,
        signed_at=agreement.signed_at,
        completed_at=agreement.completed_at,
        ended_at=agreement.ended_at,
        payment_status=agreement.payment_status,
    )


def parties(agreement: Agreement) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("worker", agreement.worker),
        ("hiring_party", agreement.hiring_party),
    ]
    if agreement.hiring_signer_id:
        rows.append(("hiring_signer", agreement.hiring_signer))
    return rows


# -- the party's calls -----------------------------------------------------------------

router = Router(auth=PartyAuth(), tags=["party"])


class SideOut(Schema):
    party: str  # "hiring" or "worker"
    label: str
    name: str
    signer: str | None = None  # the handling person who signs for an organisation
    signed: bool
    signed_at: datetime.datetime | None = None


class ActionOut(Schema):
    action: str  # agreements.next_steps.NextStep.action
    label: str


class TermsOut(Schema):
    trade: str
    trade_label: str
    job_description: str
    work_place: str
    start_date: datetime.date
    end_date: datetime.date
    work_hours: str
    rest: str
    pay_rate: Decimal
    pay_unit: str
    pay_unit_label: str
    pay_total: Decimal | None = None
    payment_method: str
    payment_method_label: str
    payment_date: datetime.date
    safety: str
    injury_cover: str
    injury_cover_label: str
    insurance_details: str
    special_terms: str


class AgreementOut(Schema):
    code: str
    state: str
    state_label: str
    my_party: str | None = None  # "worker", "hiring", or null for another handling person
    other_party: str
    sides: list[SideOut]
    hiring_party_first: bool
    sign_deadline: datetime.datetime | None = None
    may_sign: bool
    # Why my side cannot sign yet (a real-name check missing), while signing is open.
    sign_problems: list[str] = []
    # The masked phone a code was sent to, while that code can still be used.
    open_code_mobile: str | None = None
    can_complete: bool
    can_report_payment: bool
    payment_status: str | None = None
    next_actions: list[ActionOut]
    final_text: str
    text_hash: str
    terms: TermsOut
    sent_at: datetime.datetime | None = None
    signed_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None
    documents: list[DocumentOut] = []


class CodeSentOut(Schema):
    detail: str
    mobile: str  # masked
    expires_at: datetime.datetime


class SignIn(Schema):
    code: str


class PaymentIn(Schema):
    paid: bool


def _sides(agreement: Agreement) -> list[dict]:
    """Hiring party first, as in the text."""
    signatures = {s.party: s for s in agreement.signatures.all()}
    signer = agreement.hiring_signer if agreement.hiring_organization_id else None
    rows = [
        (Party.HIRING, agreement.hiring_party.name, signer.name if signer else None),
        (Party.WORKER, agreement.worker.name, None),
    ]
    return [
        {
            "party": party.value,
            "label": str(party.label),
            "name": name,
            "signer": signer_name,
            "signed": party in signatures,
            "signed_at": signatures[party].signed_at if party in signatures else None,
        }
        for party, name, signer_name in rows
    ]


def _open_code_mobile(agreement: Agreement, party: str | None) -> str | None:
    if party is None or not agreement.may_sign_now(party):
        return None
    row = agreement.codes.filter(party=party, used_at=None, retired_at=None).first()
    return mask_phone(row.mobile) if row else None


def _sign_problems(agreement: Agreement, party: str | None) -> list[str]:
    if party is None or agreement.state not in Agreement.SIGNING_STATES:
        return []
    return [str(p) for p in agreement_services.party_status(agreement, party).problems]


def _terms(agreement: Agreement) -> dict:
    fields = [name for name in TermsOut.model_fields if not name.endswith("_label")]
    labels = {
        f"{name}_label": str(getattr(agreement, f"get_{name}_display")())
        for name in ("trade", "pay_unit", "payment_method", "injury_cover")
    }
    return {**{name: getattr(agreement, name) for name in fields}, **labels}


def agreement_out(user, agreement: Agreement) -> dict:
    """The agreement as its party sees it on the portal page."""
    party = agreement.party_of(user)
    other = agreement.hiring_party.name if party == Party.WORKER else agreement.worker.name
    return {
        "code": agreement.code,
        "state": agreement.state,
        "state_label": str(agreement.get_state_display()),
        "my_party": party,
        "other_party": other,
        "sides": _sides(agreement),
        "hiring_party_first": agreement.hiring_party_first,
        "sign_deadline": agreement.sign_deadline,
        "may_sign": party is not None and agreement.may_sign_now(party),
        "sign_problems": _sign_problems(agreement, party),
        "open_code_mobile": _open_code_mobile(agreement, party),
        "can_complete": party == Party.HIRING and agreement.state == A.SIGNED,
        "can_report_payment": party == Party.WORKER
        and agreement.state == A.COMPLETED
        and not agreement.payment_status,
        "payment_status": agreement.payment_status or None,
        "next_actions": [
            {"action": step.action, "label": step.label} for step in next_steps(agreement, party)
        ],
        "final_text": agreement.final_text,
        "text_hash": agreement.text_hash,
        "terms": _terms(agreement),
        "sent_at": agreement.sent_at,
        "signed_at": agreement.signed_at,
        "completed_at": agreement.completed_at,
        "documents": [document_out(doc) for doc in documents_of(user, agreement)],
    }


def _current(request, code: str) -> dict:
    """The agreement as it stands now, read afresh (after a change, with its new signatures)."""
    return agreement_out(request.user, get_agreement_for_party(request.user, code))


def _signing_party(request, agreement: Agreement, wanted: str | None = None) -> str:
    # Another handling person of the organisation sees the agreement but does not sign it.
    party = agreement.party_of(request.user)
    if party is None or (wanted is not None and party != wanted):
        raise ApiError(
            403, _("Only the person who signs for this side may do this."), code="not_your_side"
        )
    return party


def _conflict() -> ApiError:
    return ApiError(409, code="conflict")


@router.get(
    "/{code}",
    response=responses({200: AgreementOut}, 404),
    url_name="party_agreement",
    summary="One of my gig agreements: its text, terms, signatures and next steps",
)
def agreement_detail(request, code: str):
    return _current(request, code)


@router.post(
    "/{code}/signing-code",
    response=responses({202: CodeSentOut}, 400, 403, 404, 409),
    url_name="party_agreement_code",
    summary="Send a signing code by text message to my phone (意愿确认)",
)
@idempotent
def signing_code(request, code: str):
    agreement = get_agreement_for_party(request.user, code)
    party = _signing_party(request, agreement)
    try:
        row = agreement_services.signing_code_send(
            agreement=agreement, party=party, actor=Actor.from_request(request)
        )
    except ValidationError as exc:  # not open for signing, not verified, asked too soon
        raise from_django(exc) from None
    phone = mask_phone(row.mobile)
    detail = _("A code was sent by text message to %(phone)s.") % {"phone": phone}
    return Status(202, {"detail": detail, "mobile": phone, "expires_at": row.expires_at})


@router.post(
    "/{code}/signature",
    response=responses({200: AgreementOut, 201: AgreementOut}, 400, 403, 404, 409),
    url_name="party_agreement_sign",
    summary="Sign with the code from the text message",
)
@idempotent
def signature(request, code: str, payload: SignIn):
    """201 when this call signed; 200 when my side had already signed (a second tap)."""
    agreement = get_agreement_for_party(request.user, code)
    party = _signing_party(request, agreement)
    if party in agreement.signed_parties():
        return agreement_out(request.user, agreement)
    form = SigningCodeForm({"code": payload.code})
    if not form.is_valid():
        raise form_error(form)
    try:
        agreement_services.agreement_sign(
            agreement=agreement,
            party=party,
            code=form.cleaned_data["code"],
            actor=Actor.from_request(request),
            # There is no API channel: a party signing for itself is what PORTAL records.
            channel=Signature.Channel.PORTAL,
            user_agent=request.headers.get("user-agent", ""),
        )
    except agreement_services.SigningRefused as exc:  # the attempt is already counted
        raise ApiError(
            422, exc.messages[0], code="code_refused", fields={"code": exc.messages}
        ) from None
    except ValidationError as exc:
        raise from_django(exc) from None
    except (TransitionNotAllowed, ConcurrentTransition):
        raise _conflict() from None
    return Status(201, _current(request, code))


@router.post(
    "/{code}/complete",
    response=responses({200: AgreementOut}, 400, 403, 404, 409),
    url_name="party_agreement_complete",
    summary="Mark the work completed (the hiring party)",
)
@idempotent
def complete(request, code: str):
    agreement = get_agreement_for_party(request.user, code)
    _signing_party(request, agreement, Party.HIRING)
    if agreement.state != A.SIGNED:
        raise _conflict()
    try:
        agreement_services.agreement_complete(
            agreement=agreement, actor=Actor.from_request(request)
        )
    except ValidationError as exc:  # before the work's first day
        raise from_django(exc) from None
    except (TransitionNotAllowed, ConcurrentTransition):
        raise _conflict() from None
    return _current(request, code)


@router.post(
    "/{code}/payment",
    response=responses({200: AgreementOut}, 400, 403, 404, 409),
    url_name="party_agreement_payment",
    summary="Confirm the pay arrived, or report it unpaid (the worker)",
)
@idempotent
def payment(request, code: str, payload: PaymentIn):
    agreement = get_agreement_for_party(request.user, code)
    _signing_party(request, agreement, Party.WORKER)
    try:
        agreement_services.payment_report(
            agreement=agreement, paid=payload.paid, actor=Actor.from_request(request)
        )
    except ValidationError as exc:
        raise from_django(exc) from None
    return _current(request, code)


registry.register(
    registry.ApiWorkflow(
        name="agreements",
        model=Agreement,
        party_cases=party_cases,
        documents=documents_of,
        record=record,
        parties=parties,
        title=lambda a: f"{a.code} {a.get_trade_display()}",
        related=("worker", "hiring_organization", "hiring_person", "hiring_signer"),
        router=router,
        order=10,
    )
)
