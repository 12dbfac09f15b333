"""Complaints in the HTTP API (docs/api.md): the complainant's cases and the systems'
records, and a worker's complaint in their own name (POST /me/complaints/). An anonymous
complaint names nobody, in the API as on the pages; whoever wants anonymity uses the
public form.

The complaint goes through the portal's own form (IntakeForm) and the same service call
as the portal page (complaint_file, channel "portal"), so what is refused there is
refused here, with the same messages.
"""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from casework.api import registry
from casework.api.auth import PartyAuth
from casework.api.errors import ApiError, form_error, responses
from casework.api.idempotency import idempotent
from casework.api.party import case_out
from casework.api.schemas import CaseOut, form_value
from casework.complaints import services
from casework.complaints.access import complaints_of_complainant
from casework.complaints.forms_intake import IntakeForm
from casework.complaints.models import Channel, Complaint
from casework.complaints.penalties import Conduct
from casework.complaints.views.portal import complainant_person
from casework.core.audit import Actor
from casework.documents.access import documents_of

router = Router(auth=PartyAuth(), tags=["party"])


def record(complaint: Complaint) -> dict:
    return registry.plain(
        channel=complaint.channel,
        received_at=complaint.received_at,
        anonymous=complaint.anonymous,
        categories=list(complaint.categories),
        conduct_on=complaint.conduct_on,
        deposit_amount=complaint.deposit_amount,
        acceptance_due=complaint.acceptance_due,
        accepted_at=complaint.accepted_at,
        investigation_due=complaint.investigation_due,
        outcome=complaint.outcome,
        penalty_amount=complaint.penalty_amount,
        decided_at=complaint.decided_at,
        closed_at=complaint.closed_at,
    )


def parties(complaint: Complaint) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    if complaint.complainant_id and not complaint.anonymous:
        rows.append(("complainant", complaint.complainant))
    if complaint.respondent_id:
        rows.append(("respondent", complaint.respondent))
    return rows


# -- complaining --------------------------------------------------------------------------


class ComplaintIn(Schema):
    """The portal's complaint form (IntakeForm), field by field."""

    model_config = ConfigDict(
        json_schema_extra={
            "required": ["market", "categories", "facts", "conduct_on", "respondent_name_given"]
        }
    )

    market: str | None = form_value(
        "The id of the gig market whose complaint office should handle it.", type="integer"
    )
    categories: list[str] | None = form_value(
        "What the intermediary did: one or more (repeat the field).",
        type="array",
        items={"type": "string", "enum": list(Conduct.values)},
    )
    facts: str | None = form_value(
        "What happened: when and where, what was promised and done, what was lost."
    )
    conduct_on: str | None = form_value("The day, or the last day, of the conduct.", format="date")
    deposit_amount: str | None = form_value(
        'Only for a deposit taken: the total amount in yuan, e.g. "600.00".'
    )
    deposit_workers: str | None = form_value(
        "Only for a deposit taken: how many workers paid it.", type="integer"
    )
    respondent_name_given: str | None = form_value(
        "The intermediary's name, as on its sign, advertisement or receipt."
    )
    respondent_details_given: str | None = form_value("Its address, phone, or where it advertised.")


Evidence = Annotated[
    list[UploadedFile],
    File(None, description="Evidence: receipts, chat messages, advertisements (at most 10)."),
]


def _complainant(request):
    person = complainant_person(request.user)
    if person is None:
        raise ApiError(
            403,
            _(
                "Only a worker whose login is linked to a registered person can complain "
                "here. Use the public complaint form, or ask the market's counter staff."
            ),
            code="not_a_worker",
        )
    return person


def _refused(form: IntakeForm) -> ApiError:
    # The page asks to choose the files again (a browser drops them); a program sends
    # them again anyway, so that note is left out.
    notes = form.errors.get("evidence")
    if notes is not None:
        notes.data[:] = [e for e in notes.as_data() if e.code != "files_not_kept"]
        if not notes:
            del form.errors["evidence"]
    return form_error(form)


@router.post(
    "/",
    response=responses({201: CaseOut}, 400, 403, 409),
    url_name="party_complaint_file",
    summary="Complain about a job intermediary, in my own name (the worker)",
)
@idempotent
def file_complaint(
    request,
    payload: Form[ComplaintIn],
    evidence: Evidence,
):
    """The portal's complaint form: the same checks and messages, the same filing (channel
    "portal", the caller's registered person as the complainant). Sent as
    multipart/form-data; evidence files (PDF, JPEG, PNG, at most 10) are optional."""
    person = _complainant(request)
    data = {name: given for name, given in payload.dict().items() if given is not None}
    form = IntakeForm(data, MultiValueDict({"evidence": list(evidence or [])}))
    if not form.is_valid():
        raise _refused(form)
    try:
        filed = services.complaint_file(
            channel=Channel.PORTAL,
            complainant=person,
            actor=Actor.from_request(request),
            **form.filing_kwargs(),
        )
    except ValidationError as exc:
        form.add_service_error(exc)
        raise _refused(form) from None
    return Status(201, case_out(WORKFLOW, filed.complaint))


WORKFLOW = registry.register(
    registry.ApiWorkflow(
        name="complaints",
        model=Complaint,
        party_cases=complaints_of_complainant,
        documents=documents_of,
        record=record,
        parties=parties,
        title=lambda c: f"{c.code} {c.respondent_name_given}",
        related=("complainant", "respondent"),
        router=router,
        order=30,
    )
)
