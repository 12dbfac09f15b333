"""The portal: workers and hiring parties see the cases they are a party to (DESIGN.md §9).

Every dispute page looks the dispute up with ``get_dispute_for_party`` and every
agreement page with ``get_agreement_for_party``, so anyone who is not a party
gets 404. No page shows an ID number or another party's phone.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agreements import services as agreement_services
from agreements.access import get_agreement_for_party
from agreements.models import Agreement, Party, PaymentStatus, Signature
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.core.locking import reread
from casework.core.roles import PORTAL_ROLES, Role, roles_of
from casework.disputes import services
from casework.disputes.access import get_dispute_for_party
from casework.disputes.models import ClaimType, Dispute, Session
from casework.documents.access import documents_of
from casework.documents.views import kind_title
from casework.parties.identifiers import mask_phone
from portal.forms import (
    ClaimFormSet,
    OnlineDisputeForm,
    PaymentReportForm,
    SigningCodeForm,
    WithdrawForm,
)

S = Dispute.State

# What happens next, in plain words, for both sides of the dispute.
NEXT_STEP = {
    S.RECEIVED: gettext_lazy(
        "The mediation body has the application and will decide within a few working days "
        "whether to accept it."
    ),
    S.ACCEPTED: gettext_lazy(
        "The application was accepted. A mediator will take the case and contact both sides."
    ),
    S.IN_MEDIATION: gettext_lazy(
        "A mediator is helping both sides reach an agreement. If there is none by the "
        "deadline, and both sides do not agree to more time, mediation ends."
    ),
    S.SETTLED: gettext_lazy(
        "The terms are agreed. The agreement takes effect when both sides and the mediator "
        "have signed and the mediation body has sealed it."
    ),
    S.EFFECTIVE: gettext_lazy(
        "The agreement is in force and binding. Each instalment must be paid by its due date."
    ),
    S.PERFORMED: gettext_lazy("Everything agreed has been paid."),
    S.DEFAULTED: gettext_lazy(
        "An instalment was not paid on time. The worker may apply for labour dispute "
        "arbitration, or to a court for a payment order."
    ),
    S.NOT_ACCEPTED: gettext_lazy(
        "The application was not accepted. The worker may apply for labour dispute arbitration."
    ),
    S.TERMINATED: gettext_lazy(
        "Mediation ended without an agreement. Either side may apply for labour dispute "
        "arbitration."
    ),
    S.WITHDRAWN: gettext_lazy("The application was withdrawn."),
    S.REFERRED: gettext_lazy("The case was passed on for the next step:"),
    S.CLOSED: gettext_lazy("The case is closed."),
}

# States after which the worker may go to arbitration: the time limit matters then.
ARBITRATION_STATES = (S.NOT_ACCEPTED, S.TERMINATED, S.DEFAULTED)


@dataclass(frozen=True)
class DisputeRow:
    dispute: Dispute
    respondent_name: str
    applicant_names: str
    is_applicant: bool
    next_deadline: datetime.date | None


def next_deadline(dispute: Dispute) -> datetime.date | None:
    """The open case's deadline, or the next unpaid instalment of an effective agreement."""
    if dispute.state in Dispute.OPEN_STATES:
        return dispute.due_date
    settlement = getattr(dispute, "settlement", None)
    if dispute.state == S.EFFECTIVE and settlement is not None:
        unpaid = [i.due_date for i in settlement.instalments.all() if not i.is_paid]
        return min(unpaid, default=None)
    return None


def is_applicant(user, dispute: Dispute) -> bool:
    person = getattr(user, "person", None)
    return person is not None and any(a.pk == person.pk for a in dispute.applicants.all())


def dispute_rows(user) -> list[DisputeRow]:
    disputes = (
        Dispute.objects.for_party(user)
        .select_related("respondent_organization", "respondent_person", "settlement")
        .prefetch_related("applicants", "settlement__instalments")
        .order_by("-received_at", "-pk")
    )
    return [
        DisputeRow(
            dispute=d,
            respondent_name=d.respondent.name,
            applicant_names="、".join(a.name for a in d.applicants.all()),
            is_applicant=is_applicant(user, d),
            next_deadline=next_deadline(d),
        )
        for d in disputes
    ]


def dispute_documents(user, dispute: Dispute, sessions: list[Session]) -> list[tuple]:
    """(document, title) for the documents of the dispute and its sessions the user may open."""
    return [(doc, kind_title(doc)) for doc in documents_of(user, dispute, sessions)]


def can_file(user) -> bool:
    return Role.WORKER in roles_of(user) and getattr(user, "person", None) is not None


@login_required
def home(request):
    roles = roles_of(request.user)
    if not set(roles) & PORTAL_ROLES:
        return redirect("home")
    person = getattr(request.user, "person", None)
    organizations = person.organizations.all() if person else []
    return render(
        request,
        "portal/home.html",
        {
            "person": person,
            "organizations": organizations,
            "agreements": agreement_rows(request.user),
            "disputes": dispute_rows(request.user),
            "can_file": can_file(request.user),
        },
    )


def _dispute_page(request, dispute: Dispute, withdraw_form: WithdrawForm):
    sessions = list(dispute.sessions.all())
    settlement = getattr(dispute, "settlement", None)
    instalments = list(settlement.instalments.all()) if settlement else []
    applicants = list(dispute.applicants.all())
    applicant = getattr(request.user, "person", None) in applicants
    context = {
        "dispute": dispute,
        "applicants": applicants,
        "respondent": dispute.respondent,
        "mediation_body": dispute.mediation_body,
        "is_applicant": applicant,
        "next_step": NEXT_STEP[dispute.state],
        "next_deadline": next_deadline(dispute),
        "limitation_date": (
            dispute.limitation_date() if dispute.state in ARBITRATION_STATES else None
        ),
        "claims": list(dispute.claims.all()),
        "evidence": list(dispute.evidence.all()),
        "sessions": sessions,
        "settlement": settlement,
        "instalments": instalments,
        "paid_total": sum((i.paid for i in instalments), Decimal("0")),
        "documents": dispute_documents(request.user, dispute, sessions),
        "can_withdraw": applicant and dispute.state in Dispute.OPEN_STATES,
        "withdraw_form": withdraw_form,
    }
    return render(request, "portal/dispute.html", context)


@login_required
def dispute_detail(request, code: str):
    dispute = get_dispute_for_party(request.user, code)
    return _dispute_page(request, dispute, WithdrawForm())


@login_required
@require_POST
def dispute_withdraw(request, code: str):
    dispute = get_dispute_for_party(request.user, code)
    if not is_applicant(request.user, dispute):
        raise PermissionDenied("Only an applicant may withdraw the application.")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _dispute_page(request, dispute, form)
    try:
        services.dispute_withdraw(
            dispute=dispute, reason=form.cleaned_data["reason"], actor=Actor.from_request(request)
        )
    except TransitionNotAllowed:
        messages.error(request, _("This application can no longer be withdrawn."))
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("portal:dispute", code=dispute.code)


@login_required
@one_time_form
def dispute_new(request):
    if Role.WORKER not in roles_of(request.user):
        raise PermissionDenied("Only workers apply for mediation in the portal.")
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(
            request,
            _(
                "Your login is not yet linked to a registered person. "
                "Please ask the market's counter staff."
            ),
        )
        return redirect("portal:home")
    agreement = source_agreement(request)
    if agreement is not None and agreement.dispute_id:
        messages.info(request, _("A wage dispute was already opened from this agreement."))
        return redirect("portal:dispute", code=agreement.dispute.code)
    form, claims = _dispute_forms(request, person, agreement)
    if request.method == "POST" and all([form.is_valid(), claims.is_valid()]):
        try:
            dispute = _file_online(request, person, form, claims, agreement)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Your application was received. Your case number is %(code)s.")
                % {"code": dispute.code},
            )
            return redirect("portal:dispute", code=dispute.code)
    context = {"form": form, "claims": claims, "agreement": agreement}
    return render(request, "portal/dispute_new.html", context)


def _dispute_forms(request, person, agreement: Agreement | None):
    """The application form and its claims; from an agreement they start filled in."""
    respondent = agreement.hiring_party if agreement is not None else None
    if request.method == "POST":
        form = OnlineDisputeForm(
            request.POST, request.FILES or None, applicant=person, respondent=respondent
        )
        return form, ClaimFormSet(request.POST, prefix="claims")
    initial, claims_initial = dispute_initial(agreement) if agreement else ({}, None)
    form = OnlineDisputeForm(applicant=person, respondent=respondent, initial=initial)
    return form, ClaimFormSet(initial=claims_initial, prefix="claims")


def _file_online(request, person, form, claims, agreement: Agreement | None) -> Dispute:
    data = form.cleaned_data
    details = {
        "market": data["market"],
        "mediation_body": data["mediation_body"],
        "matter": data["matter"],
        "reasons": data["reasons"],
        "claims": claims.claims(),
        "actor": Actor.from_request(request),
        "knew_of_infringement_on": data["knew_of_infringement_on"],
        "employment_ended_on": data["employment_ended_on"],
        "evidence": tuple(data["evidence"]),
    }
    if agreement is not None:
        return agreement_services.dispute_open(agreement=agreement, **details)
    return services.dispute_file_online(applicant=person, respondent=form.respondent(), **details)


# -- gig agreements (零工服务协议) --------------------------------------------------------

A = Agreement.State

STALE = gettext_lazy(
    "The agreement changed while this page was open. Here is how it stands now; "
    "please check and try again if needed."
)


@dataclass(frozen=True)
class Action:
    """One next step for the user, as a link to where it is done."""

    label: str
    url: str


@dataclass(frozen=True)
class AgreementRow:
    agreement: Agreement
    party: str | None
    other_party: str
    actions: list[Action]


def agreement_url(agreement: Agreement, anchor: str = "") -> str:
    url = reverse("portal:agreement", args=[agreement.code])
    return f"{url}#{anchor}" if anchor else url


def other_party_name(agreement: Agreement, party: str | None) -> str:
    if party == Party.WORKER:
        return agreement.hiring_party.name
    return agreement.worker.name


def _signing_actions(agreement: Agreement, party: str) -> list[Action]:
    if party in agreement.signed_parties():
        return [Action(_("Waiting for the other party to sign"), agreement_url(agreement, "sign"))]
    if agreement.may_sign_now(party):
        return [Action(_("Sign now"), agreement_url(agreement, "sign"))]
    return [Action(_("Waiting for the hiring party to sign first"), agreement_url(agreement))]


def _payment_actions(agreement: Agreement) -> list[Action]:
    if agreement.dispute_id:
        url = reverse("portal:dispute", args=[agreement.dispute.code])
        return [Action(_("See the wage dispute"), url)]
    if agreement.payment_status == PaymentStatus.UNPAID:
        return [Action(_("Open a wage dispute"), dispute_from_agreement_url(agreement))]
    if not agreement.payment_status:
        return [Action(_("Confirm payment"), agreement_url(agreement, "payment"))]
    return []


def next_actions(agreement: Agreement, party: str | None) -> list[Action]:
    """What the user should do next on the agreement, in plain words."""
    if party is None:
        return []
    if agreement.state in Agreement.SIGNING_STATES:
        return _signing_actions(agreement, party)
    if agreement.state == A.SIGNED:
        actions = [Action(_("Download the signed PDF"), agreement_url(agreement, "documents"))]
        if party == Party.HIRING:
            actions.append(
                Action(_("Mark the work completed"), agreement_url(agreement, "completion"))
            )
        return actions
    if agreement.state == A.COMPLETED and party == Party.WORKER:
        return _payment_actions(agreement)
    return []


def agreement_rows(user) -> list[AgreementRow]:
    # Drafts are still being prepared at the counter: nothing for a party to do yet.
    agreements = (
        Agreement.objects.for_party(user)
        .exclude(state=A.DRAFT)
        .select_related("worker", "hiring_organization", "hiring_person", "hiring_signer")
        .select_related("dispute")
        .prefetch_related("signatures")
        .order_by("-created_at", "-pk")
    )
    rows = []
    for agreement in agreements:
        party = agreement.party_of(user)
        rows.append(
            AgreementRow(
                agreement, party, other_party_name(agreement, party), next_actions(agreement, party)
            )
        )
    return rows


def agreement_documents(user, agreement: Agreement) -> list[tuple]:
    """(document, title) for the agreement's documents the user may open."""
    return [(doc, kind_title(doc)) for doc in documents_of(user, agreement)]


def _sides(agreement: Agreement) -> list[dict]:
    """Both signing sides, hiring party first as in the text, with their signatures."""
    signatures = {s.party: s for s in agreement.signatures.all()}
    hiring = agreement.hiring_party.name
    if agreement.hiring_organization_id and agreement.hiring_signer_id:
        hiring = f"{hiring}（{_('handling person')}：{agreement.hiring_signer.name}）"
    return [
        {"label": Party.HIRING.label, "name": hiring, "signature": signatures.get(Party.HIRING)},
        {
            "label": Party.WORKER.label,
            "name": agreement.worker.name,
            "signature": signatures.get(Party.WORKER),
        },
    ]


def _open_code(agreement: Agreement, party: str | None):
    """The code last sent to the user's phone while it can still be used, if any."""
    if party is None or not agreement.may_sign_now(party):
        return None
    return agreement.codes.filter(party=party, used_at=None, retired_at=None).first()


def _signing_context(agreement: Agreement, party: str | None) -> dict:
    signing = agreement.state in Agreement.SIGNING_STATES
    status = agreement_services.party_status(agreement, party) if signing and party else None
    signed = agreement.signed_parties()
    code = _open_code(agreement, party)
    return {
        "signing": signing,
        "my_status": status,
        "i_signed": party in signed,
        "may_sign": party is not None and agreement.may_sign_now(party),
        "hiring_first_pending": signing
        and agreement.hiring_party_first
        and Party.HIRING not in signed,
        "open_code": code,
        "open_code_phone": mask_phone(code.mobile) if code else "",
    }


def _agreement_page(request, agreement: Agreement, sign_form: SigningCodeForm | None = None):
    party = agreement.party_of(request.user)
    documents = agreement_documents(request.user, agreement)
    context = {
        "agreement": agreement,
        "party": party,
        "is_worker": party == Party.WORKER,
        "is_hiring": party == Party.HIRING,
        "other_party": other_party_name(agreement, party),
        "sides": _sides(agreement),
        "actions": next_actions(agreement, party),
        "documents": documents,
        # Refresh until the PDFs are ready, but never while someone may be typing a code.
        "documents_pending": agreement.state not in Agreement.SIGNING_STATES
        and any(doc.is_pending for doc, _title in documents),
        "sign_form": sign_form or SigningCodeForm(),
        "can_complete": party == Party.HIRING and agreement.state == A.SIGNED,
        "can_report_payment": party == Party.WORKER
        and agreement.state == A.COMPLETED
        and not agreement.payment_status,
        "dispute_url": dispute_from_agreement_url(agreement),
        **_signing_context(agreement, party),
    }
    return render(request, "portal/agreement.html", context)


def _back(agreement: Agreement, anchor: str = ""):
    return redirect(agreement_url(agreement, anchor))


def _party_or_403(user, agreement: Agreement) -> str:
    # Another handling person of the organisation sees the agreement but does not sign it.
    party = agreement.party_of(user)
    if party is None:
        raise PermissionDenied("Only the signing party may act on the agreement.")
    return party


@login_required
def agreement_detail(request, code: str):
    return _agreement_page(request, get_agreement_for_party(request.user, code))


@login_required
@require_POST
@one_time_form
def agreement_code(request, code: str):
    """Send a one-time code to the signer's own phone (意愿确认)."""
    agreement = get_agreement_for_party(request.user, code)
    party = _party_or_403(request.user, agreement)
    try:
        row = agreement_services.signing_code_send(
            agreement=agreement, party=party, actor=Actor.from_request(request)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("A code was sent by text message to %(phone)s. Enter it below to sign.")
            % {"phone": mask_phone(row.mobile)},
        )
    return _back(agreement, "sign")


@login_required
@require_POST
def agreement_sign(request, code: str):
    agreement = get_agreement_for_party(request.user, code)
    party = _party_or_403(request.user, agreement)
    if party in agreement.signed_parties():
        # A double click or a second tab: the first request signed.
        messages.info(request, _("You have signed this agreement."))
        return _back(agreement, "sign")
    form = SigningCodeForm(request.POST)
    if not form.is_valid():
        return _agreement_page(request, agreement, form)
    try:
        agreement_services.agreement_sign(
            agreement=agreement,
            party=party,
            code=form.cleaned_data["code"],
            actor=Actor.from_request(request),
            channel=Signature.Channel.PORTAL,
            user_agent=request.headers.get("user-agent", ""),
        )
    except ValidationError as exc:  # SigningRefused: the attempt is already counted
        form.add_error("code", exc.messages)
        agreement = reread(agreement)
        return _agreement_page(request, agreement, form)
    except (TransitionNotAllowed, ConcurrentTransition):
        messages.error(request, STALE)
        return _back(agreement)
    agreement = reread(agreement)
    messages.success(request, _signed_message(agreement))
    return _back(agreement, "documents" if agreement.state == A.SIGNED else "sign")


def _signed_message(agreement: Agreement) -> str:
    if agreement.state == A.SIGNED:
        return _(
            "You have signed. Both parties have now signed: the agreement is in force and "
            "the signed PDF is being prepared."
        )
    return _("You have signed. The agreement comes into force when the other party signs.")


@login_required
@require_POST
def agreement_complete(request, code: str):
    """The hiring party says the work is done; the worker is then asked about the pay."""
    agreement = get_agreement_for_party(request.user, code)
    if _party_or_403(request.user, agreement) != Party.HIRING:
        raise PermissionDenied("Only the hiring party marks the work completed.")
    if agreement.state != A.SIGNED:
        messages.error(request, STALE)
        return _back(agreement)
    try:
        agreement_services.agreement_complete(
            agreement=agreement, actor=Actor.from_request(request)
        )
    except (TransitionNotAllowed, ConcurrentTransition):
        messages.error(request, STALE)
    else:
        messages.success(
            request, _("The work is marked completed. The worker will confirm the payment.")
        )
    return _back(agreement)


@login_required
@require_POST
@one_time_form
def agreement_payment(request, code: str):
    """The worker confirms the pay arrived, or reports it unpaid."""
    agreement = get_agreement_for_party(request.user, code)
    if _party_or_403(request.user, agreement) != Party.WORKER:
        raise PermissionDenied("Only the worker reports the payment.")
    form = PaymentReportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Answer paid or unpaid.")  # only our two buttons post here
    try:
        agreement_services.payment_report(
            agreement=agreement, paid=form.paid, actor=Actor.from_request(request)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _payment_message(form.paid))
    return _back(agreement, "payment")


def _payment_message(paid: bool) -> str:
    if paid:
        return _("Thank you: the payment is confirmed.")
    return _(
        "The pay is recorded as not received. You can open a wage dispute: the "
        "mediation body will help you get it."
    )


# -- a wage dispute opened from an unpaid agreement ------------------------------------


def dispute_from_agreement_url(agreement: Agreement) -> str:
    return f"{reverse('portal:dispute_new')}?agreement={agreement.code}"


def source_agreement(request) -> Agreement | None:
    """The agreement named by ``?agreement=``: the user's own, completed and unpaid, or 404."""
    code = request.GET.get("agreement")
    if code is None:
        return None
    agreement = get_agreement_for_party(request.user, code)
    if (
        agreement.party_of(request.user) != Party.WORKER
        or agreement.state != A.COMPLETED
        or agreement.payment_status != PaymentStatus.UNPAID
    ):
        raise Http404("No unpaid agreement of yours with this number.")
    return agreement


def dispute_initial(agreement: Agreement) -> tuple[dict, list[dict]]:
    """The dispute form's and the first claim's starting values, from the agreement."""
    data = agreement_services.dispute_initial(agreement)
    today = timezone.localdate()
    ended = timezone.localdate(agreement.completed_at) if agreement.completed_at else today
    form = {
        "market": agreement.market,
        "matter": data["matter"],
        "reasons": data["reasons"],
        # The day the pay fell due, unless the worker reports it before then.
        "knew_of_infringement_on": min(agreement.payment_date, today),
        "employment_ended_on": min(ended, today),
    }
    claim = {
        "claim_type": ClaimType.UNPAID_WAGES,
        "amount": data["amount"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "description": _("Pay under gig agreement %(code)s") % {"code": agreement.code},
    }
    return form, [claim]
