"""The portal: workers and hiring parties see the cases they are a party to (DESIGN.md §9).

Every dispute page looks the dispute up with ``get_dispute_for_party``, so anyone
who is not a party gets 404. No page shows an ID number or another party's phone.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import TransitionNotAllowed

from casework.core.audit import Actor
from casework.core.roles import PORTAL_ROLES, Role, roles_of
from casework.disputes import services
from casework.disputes.access import get_dispute_for_party
from casework.disputes.models import Dispute, Session
from casework.documents.access import documents_visible_to
from casework.documents.views import kind_title
from portal.forms import ClaimFormSet, OnlineDisputeForm, WithdrawForm

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
    types = ContentType.objects.get_for_models(Dispute, Session)
    subjects = Q(subject_type=types[Dispute], subject_id=dispute.pk) | Q(
        subject_type=types[Session], subject_id__in=[s.pk for s in sessions]
    )
    docs = documents_visible_to(user).filter(subjects).order_by("created_at", "pk")
    return [(doc, kind_title(doc)) for doc in docs]


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
    form = OnlineDisputeForm(request.POST or None, request.FILES or None, applicant=person)
    claims = ClaimFormSet(request.POST or None, prefix="claims")
    if request.method == "POST" and all([form.is_valid(), claims.is_valid()]):
        try:
            data = form.cleaned_data
            dispute = services.dispute_file_online(
                applicant=person,
                respondent=form.respondent(),
                market=data["market"],
                mediation_body=data["mediation_body"],
                matter=data["matter"],
                reasons=data["reasons"],
                claims=claims.claims(),
                actor=Actor.from_request(request),
                knew_of_infringement_on=data["knew_of_infringement_on"],
                employment_ended_on=data["employment_ended_on"],
                evidence=tuple(data["evidence"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Your application was received. Your case number is %(code)s.")
                % {"code": dispute.code},
            )
            return redirect("portal:dispute", code=dispute.code)
    return render(request, "portal/dispute_new.html", {"form": form, "claims": claims})
