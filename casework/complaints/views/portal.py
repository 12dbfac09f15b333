"""Complaints in the portal: a worker complains under their own name and follows it.

A portal complaint is always named (the complainant is the worker's Person);
whoever wants to stay anonymous uses the public form. The worker sees the same
decisions and result as the tracking page (views.public.PublicStatus) and the
complaint's documents meant for the parties; every page looks the complaint up
with ``get_complaint_for_complainant``, so anyone else gets 404. The pages and
the "My complaints" section of the portal home are registered in
casework.core.portal (imported by ComplaintsConfig.ready()).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from casework.complaints import services
from casework.complaints.access import complaints_of_complainant, get_complaint_for_complainant
from casework.complaints.forms_intake import IntakeForm
from casework.complaints.models import Channel, Complaint
from casework.complaints.views.public import PublicStatus
from casework.core import portal as registry
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.core.roles import Role, roles_of
from casework.documents.access import documents_of
from casework.documents.views import kind_title


def complainant_person(user):
    """The worker's registered person, or None when the user may not complain here."""
    if Role.WORKER not in roles_of(user):
        return None
    return getattr(user, "person", None)


@login_required
@one_time_form
def complaint_new(request):
    person = complainant_person(request.user)
    if person is None:
        messages.error(
            request,
            _(
                "Only a worker whose login is linked to a registered person can complain "
                "here. Use the public complaint form, or ask the market's counter staff."
            ),
        )
        return redirect("portal:home")
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.complaint_file(
                channel=Channel.PORTAL,
                complainant=person,
                actor=Actor.from_request(request),
                **form.filing_kwargs(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Your complaint was received. Its number is %(code)s.")
                % {"code": filed.complaint.code},
            )
            return redirect("portal:complaint", code=filed.complaint.code)
    return render(request, "portal/complaint_new.html", {"form": form})


def complaint_documents(user, complaint: Complaint) -> list[tuple]:
    """(document, title) for the complaint's documents the worker may open (no internal ones)."""
    return [(doc, kind_title(doc)) for doc in documents_of(user, complaint)]


@login_required
def complaint_detail(request, code: str):
    complaint = get_complaint_for_complainant(request.user, code)
    context = {
        "complaint": complaint,
        "status": PublicStatus.of(complaint),
        "evidence": list(complaint.evidence.all()),
        "documents": complaint_documents(request.user, complaint),
    }
    return render(request, "portal/complaint.html", context)


def home_context(user) -> dict | None:
    """The "My complaints" section of the portal home: for a worker who may complain or did."""
    complaints = list(complaints_of_complainant(user).order_by("-received_at", "-pk"))
    can_file = complainant_person(user) is not None
    if not (can_file or complaints):
        return None
    return {"complaints": complaints, "can_file": can_file}


urlpatterns = [
    path("complaints/new/", complaint_new, name="complaint_new"),
    path("complaints/<str:code>/", complaint_detail, name="complaint"),
]

registry.register(
    registry.PortalWorkflow(
        name="complaints",
        urls=urlpatterns,
        home=registry.HomeSection("portal/complaint_list.html", home_context),
        order=30,
    )
)
