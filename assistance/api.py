"""Hardship assistance in the HTTP API (docs/api.md): the applicant's cases and the
systems' records, and a worker's online application (POST /me/assistance/). The declared
disability and 低保 details never leave the staff pages (assistance.privacy), in the API
as on the portal.

The application goes through the portal's own form (OnlineApplicationForm) and the same
service (online.case_apply_online), so what is refused there is refused here, with the
same messages; one open application at a time (409 ``already_open``).
"""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from assistance import online
from assistance.forms_portal import OnlineApplicationForm
from assistance.models import AssistanceCase
from assistance.online import cases_of_applicant
from assistance.views.portal import already_open_message, applicant_person
from casework.api import registry
from casework.api.auth import PartyAuth
from casework.api.errors import ApiError, form_error, responses
from casework.api.idempotency import idempotent
from casework.api.party import case_out
from casework.api.schemas import CaseOut, form_value
from casework.core.audit import Actor
from casework.core.roles import Role, roles_of
from casework.documents.access import documents_of

router = Router(auth=PartyAuth(), tags=["party"])


def record(case: AssistanceCase) -> dict:
    return registry.plain(
        applied_on=case.applied_on,
        review_due=case.review_due,
        proposed_categories=list(case.proposed_categories),
        certified_on=case.certified_on,
        certification_expires=case.certification_expires,
        tier=case.tier,
        outcome=case.outcome,
        ended_at=case.ended_at,
    )


# -- applying -----------------------------------------------------------------------------


class ApplicationIn(Schema):
    """The portal's application form (OnlineApplicationForm), field by field."""

    model_config = ConfigDict(json_schema_extra={"required": ["market"]})

    market: str | None = form_value(
        "The id of the gig market whose service counter should handle it.", type="integer"
    )
    zero_employment_family: str | None = form_value(
        "Member of a zero-employment family.", type="boolean"
    )
    land_requisitioned: str | None = form_value("Farmland requisitioned.", type="boolean")
    single_parent_of_minors: str | None = form_value(
        "Single parent of minor children.", type="boolean"
    )
    unemployment_registered_on: str | None = form_value(
        "Registered unemployed since.", format="date"
    )
    other_reason: str | None = form_value("Any other reason for hardship.")
    disability_certificate: str | None = form_value(
        "Holds a disability certificate (then its number and doc_disability).", type="boolean"
    )
    disability_certificate_no: str | None = form_value("The disability certificate number.")
    disability_level: str | None = form_value("The kind and level of the disability.")
    dibao_family: str | None = form_value(
        "The family receives 低保 (then its certificate number and doc_dibao).", type="boolean"
    )
    dibao_reference: str | None = form_value("The 低保 certificate number.")


IdCard = Annotated[list[UploadedFile], File(None, description="The ID card, both sides.")]
Residence = Annotated[
    list[UploadedFile],
    File(None, description="The household register (户口簿) or residence permit (居住证)."),
]
Unemployment = Annotated[
    list[UploadedFile],
    File(None, description="The unemployment registration certificate or its record."),
]
Disability = Annotated[
    list[UploadedFile], File(None, description="The disability certificate, if one is declared.")
]
Dibao = Annotated[
    list[UploadedFile], File(None, description="The family's 低保 certificate, if declared.")
]
Other = Annotated[
    list[UploadedFile],
    File(None, description="Anything else, e.g. a land requisition or family record."),
]


def _applicant(request):
    """The caller's registered person: only a worker linked to one applies (as on the page)."""
    if Role.WORKER not in roles_of(request.user):
        raise ApiError(
            403, _("Only workers apply for hardship certification here."), code="not_a_worker"
        )
    person = applicant_person(request.user)
    if person is None:
        raise ApiError(
            403,
            _(
                "Register with your name, ID number and mobile first: an application "
                "is made in the name of a registered person."
            ),
            code="not_a_worker",
        )
    return person


@router.post(
    "/",
    response=responses({201: CaseOut}, 400, 403, 409),
    url_name="party_assistance_apply",
    summary="Apply for hardship certification (the worker)",
    # The ID card is required, but by the form (with its message), not by the parser.
    openapi_extra={
        "requestBody": {
            "content": {"multipart/form-data": {"schema": {"required": ["doc_id_card"]}}}
        }
    },
)
@idempotent
def apply(
    request,
    payload: Form[ApplicationIn],
    doc_id_card: IdCard,
    doc_residence: Residence,
    doc_unemployment: Unemployment,
    doc_disability: Disability,
    doc_dibao: Dibao,
    doc_other: Other,
):
    """The portal's online application: the same form, checks and messages, the same
    service. Sent as multipart/form-data with the documents (PDF, JPEG, PNG): the ID card
    always; the disability or 低保 certificate when declared. A second application while
    one is open is refused (409 ``already_open``)."""
    person = _applicant(request)
    existing = online.open_case_of(person)
    if existing is not None:
        raise ApiError(409, already_open_message(existing), code="already_open")
    uploads = {
        "doc_id_card": doc_id_card,
        "doc_residence": doc_residence,
        "doc_unemployment": doc_unemployment,
        "doc_disability": doc_disability,
        "doc_dibao": doc_dibao,
        "doc_other": doc_other,
    }
    data = {name: given for name, given in payload.dict().items() if given is not None}
    files = MultiValueDict({name: list(given or []) for name, given in uploads.items()})
    form = OnlineApplicationForm(data, files)
    if not form.is_valid():
        raise form_error(form)
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
        raise form_error(form) from None
    return Status(201, case_out(WORKFLOW, case))


WORKFLOW = registry.register(
    registry.ApiWorkflow(
        name="assistance",
        model=AssistanceCase,
        party_cases=cases_of_applicant,
        documents=documents_of,
        record=record,
        parties=lambda case: [("applicant", case.person)],
        title=lambda case: str(case.code),
        related=("person",),
        router=router,
        order=40,
    )
)
