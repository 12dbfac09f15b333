"""Gig agreements in the portal: both parties read, sign and follow their agreement.

Every page looks the agreement up with ``get_agreement_for_party``, so anyone who
is not a party gets 404. No page shows an ID number or another party's phone. The
pages and the "My agreements" section of the portal home are registered in
casework.core.portal (imported by AgreementsConfig.ready()), and an unpaid agreement
is registered as an origin of the disputes' online application.
"""

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agreements import services as agreement_services
from agreements.access import get_agreement_for_party
from agreements.forms_portal import PaymentReportForm, SigningCodeForm
from agreements.models import Agreement, Party, PaymentStatus, Signature
from agreements.next_steps import next_steps
from casework.core import portal as registry
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.core.locking import reread
from casework.disputes import origins as dispute_origins
from casework.documents.access import documents_of
from casework.documents.views import kind_title
from casework.parties.identifiers import mask_phone

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


def _step_url(agreement: Agreement, action: str) -> str:
    if action == "see_dispute":
        return reverse("portal:dispute", args=[agreement.dispute.code])
    if action == "open_dispute":
        return dispute_from_agreement_url(agreement)
    anchors = {"sign": "sign", "wait": "sign", "download": "documents"}
    anchors |= {"complete": "completion", "confirm_payment": "payment"}
    return agreement_url(agreement, anchors.get(action, ""))


def next_actions(agreement: Agreement, party: str | None) -> list[Action]:
    """What the user should do next on the agreement, in plain words, as links."""
    return [
        Action(step.label, _step_url(agreement, step.action))
        for step in next_steps(agreement, party)
    ]


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
    except ValidationError as exc:  # before the work's first day
        for message in exc.messages:
            messages.error(request, message)
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


def source_agreement(request, code: str) -> Agreement:
    """The agreement named by ``?agreement=``: the user's own, completed and unpaid, or 404."""
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
        "claim_type": dispute_origins.UNPAID_WAGES,
        "amount": data["amount"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "description": _("Pay under gig agreement %(code)s") % {"code": agreement.code},
    }
    return form, [claim]


def dispute_origin(request, code: str) -> dispute_origins.Origin:
    """``disputes/new/?agreement=<code>``: the application starts from the unpaid agreement."""
    agreement = source_agreement(request, code)
    initial, claims_initial = dispute_initial(agreement)
    return dispute_origins.Origin(
        code=agreement.code,
        respondent=agreement.hiring_party,
        initial=initial,
        claims_initial=claims_initial,
        open=partial(agreement_services.dispute_open, agreement=agreement),
        notice=_(
            "This application is filled in from gig agreement %(code)s. Check every field, "
            "change what is not right, and send it."
        )
        % {"code": agreement.code},
        respondent_note=_("The hiring party of gig agreement %(code)s.") % {"code": agreement.code},
        dispute=agreement.dispute if agreement.dispute_id else None,
        already_opened=_("A wage dispute was already opened from this agreement."),
    )


def home_context(user) -> dict:
    """The "My agreements" section of the portal home: always shown."""
    return {"agreements": agreement_rows(user)}


urlpatterns = [
    path("agreements/<str:code>/", agreement_detail, name="agreement"),
    path("agreements/<str:code>/code/", agreement_code, name="agreement_code"),
    path("agreements/<str:code>/sign/", agreement_sign, name="agreement_sign"),
    path("agreements/<str:code>/complete/", agreement_complete, name="agreement_complete"),
    path("agreements/<str:code>/payment/", agreement_payment, name="agreement_payment"),
]

registry.register(
    registry.PortalWorkflow(
        name="agreements",
        urls=urlpatterns,
        home=registry.HomeSection("portal/agreement_list.html", home_context),
        order=10,
    )
)
dispute_origins.register_origin("agreement", dispute_origin)
