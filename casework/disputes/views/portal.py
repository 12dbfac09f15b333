"""Disputes in the portal: a worker applies online and both sides follow the case.

Every page looks the dispute up with ``get_dispute_for_party``, so anyone who is
not a party gets 404. No page shows an ID number or another party's phone. The
pages and the "My cases" section of the portal home are registered in
casework.core.portal (imported by DisputesConfig.ready()).

An application may start from a record of another workflow (a gig agreement
that was not paid): that workflow registers an origin with ``register_origin``,
so this module needs no knowledge of it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import TransitionNotAllowed

from casework.core import portal as registry
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.core.roles import Role, roles_of
from casework.disputes import services
from casework.disputes.access import get_dispute_for_party
from casework.disputes.forms_portal import ClaimFormSet, OnlineDisputeForm, WithdrawForm
from casework.disputes.models import Dispute, Session
from casework.disputes.origins import Origin, application_origin
from casework.documents.access import documents_of
from casework.documents.views import kind_title

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


def home_context(user) -> dict:
    """The "My cases" section of the portal home: always shown, with "apply" if allowed."""
    return {"disputes": dispute_rows(user), "can_file": can_file(user)}


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
    origin = application_origin(request)
    if origin is not None and origin.dispute is not None:
        messages.info(request, origin.already_opened)
        return redirect("portal:dispute", code=origin.dispute.code)
    form, claims = _dispute_forms(request, person, origin)
    if request.method == "POST" and all([form.is_valid(), claims.is_valid()]):
        try:
            dispute = _file_online(request, person, form, claims, origin)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Your application was received. Your case number is %(code)s.")
                % {"code": dispute.code},
            )
            return redirect("portal:dispute", code=dispute.code)
    context = {"form": form, "claims": claims, "origin": origin}
    return render(request, "portal/dispute_new.html", context)


def _dispute_forms(request, person, origin: Origin | None):
    """The application form and its claims; from an origin they start filled in."""
    respondent = origin.respondent if origin is not None else None
    if request.method == "POST":
        form = OnlineDisputeForm(
            request.POST, request.FILES or None, applicant=person, respondent=respondent
        )
        return form, ClaimFormSet(request.POST, prefix="claims")
    initial, claims_initial = (origin.initial, origin.claims_initial) if origin else ({}, None)
    form = OnlineDisputeForm(applicant=person, respondent=respondent, initial=initial)
    return form, ClaimFormSet(initial=claims_initial, prefix="claims")


def _file_online(request, person, form, claims, origin: Origin | None) -> Dispute:
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
    if origin is not None:
        return origin.open(**details)
    return services.dispute_file_online(applicant=person, respondent=form.respondent(), **details)


urlpatterns = [
    path("disputes/new/", dispute_new, name="dispute_new"),
    path("disputes/<str:code>/", dispute_detail, name="dispute"),
    path("disputes/<str:code>/withdraw/", dispute_withdraw, name="dispute_withdraw"),
]

registry.register(
    registry.PortalWorkflow(
        name="disputes",
        urls=urlpatterns,
        home=registry.HomeSection("portal/dispute_list.html", home_context),
        order=20,
    )
)
