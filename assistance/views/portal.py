"""Hardship assistance in the portal: a worker applies for certification online and
follows the application.

Only a worker whose login is linked to a registered person applies; every page
looks the case up with ``online.get_case_for_applicant``, so anyone else gets 404.
No page shows the disability or 低保 details declared: they are read by staff only
(assistance.privacy). The pages and the "My hardship applications" section of the
portal home are registered in casework.core.portal (imported by
AssistanceConfig.ready()).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assistance import online
from assistance.forms_portal import OnlineApplicationForm
from assistance.models import AssistanceCase
from assistance.progress import assistance_progress
from casework.core import portal as registry
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.core.portal import Step
from casework.core.roles import Role, roles_of


def applicant_person(user):
    """The worker's registered person, or None when the user may not apply here."""
    if Role.WORKER not in roles_of(user):
        return None
    return getattr(user, "person", None)


def registration_url() -> str | None:
    """Where a worker registers (the portal's registration page), if the site has one."""
    for name in ("portal:register", "registration:register", "register"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@login_required
@require_http_methods(["GET", "POST"])
@one_time_form
def assistance_new(request):
    if Role.WORKER not in roles_of(request.user):
        messages.error(request, _("Only workers apply for hardship certification here."))
        return redirect("portal:home")
    person = applicant_person(request.user)
    if person is None:
        messages.error(
            request,
            _(
                "Register with your name, ID number and mobile first: an application "
                "is made in the name of a registered person."
            ),
        )
        return redirect(registration_url() or "portal:home")
    existing = online.open_case_of(person)
    if existing is not None:
        messages.info(request, already_open_message(existing))
        return redirect("portal:assistance", code=existing.code)
    posted = request.method == "POST"
    form = OnlineApplicationForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        try:
            case = online.case_apply_online(
                market=form.cleaned_data["market"],
                person=person,
                actor=Actor.from_request(request),
                facts=form.facts(),
                sensitive=form.sensitive(),
                documents=form.documents(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _(
                    "Your application was received. Its number is %(code)s. A caseworker "
                    "reviews it by %(day)s."
                )
                % {"code": case.code, "day": case.review_due},
            )
            return redirect("portal:assistance", code=case.code)
    return render(request, "portal/assistance_new.html", {"form": form, "person": person})


def already_open_message(case: AssistanceCase) -> str:
    return _(
        "You already have an open application (%(code)s): a new one can be made only when "
        "it is over."
    ) % {"code": case.code}


@login_required
@require_GET
def assistance_detail(request, code: str):
    case = online.get_case_for_applicant(request.user, code)
    context = {
        "case": case,
        "documents": list(case.supporting_documents.all()),
    }
    return render(request, "portal/assistance.html", context)


@login_required
@require_GET
def assistance_document(request, code: str, pk: int):
    item = online.document_for_applicant(request.user, code, pk)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )


@dataclass(frozen=True)
class CaseRow:
    case: AssistanceCase
    next_step: Step | None


def home_context(user) -> dict | None:
    """ "My hardship applications" on the portal home: for workers who may apply or did."""
    cases = list(
        online.cases_of_applicant(user).select_related("market").order_by("-applied_on", "-pk")
    )
    person = applicant_person(user)
    if person is None and not cases:
        return None
    rows = [CaseRow(case, assistance_progress(case).next) for case in cases]
    can_apply = person is not None and not any(
        row.case.state not in AssistanceCase.FINAL_STATES for row in rows
    )
    return {"rows": rows, "can_apply": can_apply}


urlpatterns = [
    path("assistance/new/", assistance_new, name="assistance_new"),
    path("assistance/<str:code>/", assistance_detail, name="assistance"),
    path(
        "assistance/<str:code>/documents/<int:pk>/",
        assistance_document,
        name="assistance_document",
    ),
]

registry.register(
    registry.PortalWorkflow(
        name="assistance",
        urls=urlpatterns,
        home=registry.HomeSection("portal/assistance_list.html", home_context),
        order=40,
    )
)
