"""Disputes in the HTTP API (docs/api.md): the parties' cases and the systems' records,
and a worker's online application (POST /me/disputes/).

The application goes through the portal's own forms (OnlineDisputeForm and its claims'
formset) and the same filing function as the portal page, so what is refused there is
refused here, with the same messages. Only the claims are sent differently: a JSON list
in one form field, which is turned into the formset's fields here.
"""

import json
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
from casework.api.party import ChoicesOut, case_out
from casework.api.schemas import CaseOut, form_value
from casework.core.roles import Role, roles_of
from casework.disputes.forms_portal import ClaimForm, ClaimFormSet, OnlineDisputeForm
from casework.disputes.models import ClaimType, Dispute
from casework.disputes.views.portal import _file_online
from casework.documents.access import documents_of

router = Router(auth=PartyAuth(), tags=["party"])
CLAIMS_PREFIX = "claims"


def party_cases(user):
    # What the title and the progress read: the respondent, the instalments' due dates.
    return (
        Dispute.objects.for_party(user)
        .select_related("respondent_organization", "respondent_person", "settlement")
        .prefetch_related("settlement__instalments")
    )


def documents(user, dispute: Dispute):
    return documents_of(user, dispute, list(dispute.sessions.all()))


def record(dispute: Dispute) -> dict:
    return registry.plain(
        channel=dispute.channel,
        received_at=dispute.received_at,
        mediation_body=dispute.mediation_body.name if dispute.mediation_body_id else None,
        claim_types=dispute.claim_types.split(",") if dispute.claim_types else [],
        total_claimed=dispute.total_claimed,
        mediation_due=dispute.mediation_due,
        due_date=dispute.due_date,
        accepted_at=dispute.accepted_at,
        mediation_started_at=dispute.mediation_started_at,
        ended_at=dispute.ended_at,
        termination_reason=dispute.termination_reason,
        referral=dispute.referral,
        source_agreement=dispute.source_agreement_code,
    )


def parties(dispute: Dispute) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [("applicant", p) for p in dispute.applicants.all()]
    return [*rows, ("respondent", dispute.respondent)]


# -- filing online ------------------------------------------------------------------------


CLAIMS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["claim_type", "amount"],
        "properties": {
            "claim_type": {"type": "string", "enum": list(ClaimType.values)},
            "amount": {"type": "string", "description": 'Yuan, e.g. "3600" or "500.50".'},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "description": {"type": "string", "maxLength": 200},
        },
    },
}


class DisputeIn(Schema):
    """The portal's application form (OnlineDisputeForm), field by field."""

    model_config = ConfigDict(
        json_schema_extra={
            "required": [
                "market",
                "mediation_body",
                "respondent_kind",
                "matter",
                "reasons",
                "knew_of_infringement_on",
                "claims",
            ]
        }
    )

    market: str | None = form_value("The gig market's id.", type="integer")
    mediation_body: str | None = form_value(
        "The id of the mediation body asked to mediate.", type="integer"
    )
    respondent_kind: str | None = form_value(
        "Who owes the worker: an organisation or an individual.",
        enum=["organization", "person"],
    )
    org_credit_code: str | None = form_value(
        "For an organisation: its unified social credit code (18 characters)."
    )
    org_name: str | None = form_value("For an organisation: its name.")
    person_name: str | None = form_value("For an individual: the full name.")
    person_mobile: str | None = form_value("For an individual: the mobile number.")
    person_id_number: str | None = form_value("For an individual: the resident ID number.")
    matter: str | None = form_value("The matter in dispute, in one sentence.")
    reasons: str | None = form_value("The facts and reasons.")
    knew_of_infringement_on: str | None = form_value(
        "The day the worker knew of the infringement (for unpaid wages: the day the pay "
        "was due and not paid).",
        format="date",
    )
    employment_ended_on: str | None = form_value(
        "The day the employment ended; empty if it goes on.", format="date"
    )
    claims: str | None = form_value(
        "The claims, a JSON list: "
        '[{"claim_type": "unpaid_wages", "amount": "3600", "period_start": "2026-10-01", '
        '"period_end": "2026-10-12", "description": "12天×300元"}]. '
        "At least one; amount and claim type are required in each.",
        contentMediaType="application/json",
        contentSchema=CLAIMS,
    )


Evidence = Annotated[
    list[UploadedFile],
    File(None, description="Evidence: pay records, chat messages, attendance records."),
]


def _worker(request):
    """The caller's registered person: only a worker linked to one files (as on the page)."""
    if Role.WORKER not in roles_of(request.user):
        raise ApiError(403, _("Only workers apply for mediation."), code="not_a_worker")
    person = getattr(request.user, "person", None)
    if person is None:
        raise ApiError(
            403,
            _(
                "Your login is not yet linked to a registered person. "
                "Please ask the market's counter staff."
            ),
            code="not_a_worker",
        )
    return person


def _claims_data(raw: str | None) -> dict:
    """The JSON list of claims as the page's formset fields (claims-0-amount, ...)."""
    try:
        items = json.loads(raw) if raw else []
    except (ValueError, RecursionError):
        items = None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        message = _("Send the claims as a JSON list of objects.")
        raise ApiError(422, message, fields={"claims": [message]})
    data = {f"{CLAIMS_PREFIX}-TOTAL_FORMS": str(len(items)), f"{CLAIMS_PREFIX}-INITIAL_FORMS": "0"}
    for n, item in enumerate(items):
        for name in ClaimForm.base_fields:
            given = item.get(name)
            data[f"{CLAIMS_PREFIX}-{n}-{name}"] = "" if given is None else str(given)
    return data


def _claims_fields(claims) -> dict[str, list[str]]:
    """The formset's errors by claim: claims.0.amount, claims.1, claims."""
    fields: dict[str, list[str]] = {}
    for n, errors in enumerate(claims.errors):
        for name, messages in errors.items():
            key = f"claims.{n}" if name == "__all__" else f"claims.{n}.{name}"
            fields[key] = [str(m) for m in messages]
    overall = [
        # Django's own words are about forms; the page never shows them (it sends three).
        _("List at least one claim.") if error.code == "too_few_forms" else " ".join(error.messages)
        for error in claims.non_form_errors().as_data()
    ]
    if overall:
        fields["claims"] = overall
    return fields


def _refused(form, claims) -> ApiError:
    error = form_error(form)
    claim_fields = _claims_fields(claims)
    if not form.errors and claim_fields:
        error.message = next(iter(claim_fields.values()))[0]
    error.fields.update(claim_fields)
    return error


@router.get(
    "/mediation-bodies",
    response=responses({200: ChoicesOut}),
    url_name="party_mediation_bodies",
    summary="The mediation bodies an application may ask (the form's mediation_body ids)",
)
def mediation_bodies(request):
    bodies = OnlineDisputeForm.base_fields["mediation_body"].queryset  # type: ignore[attr-defined]
    return {"choices": list(bodies.order_by("name").values("id", "name"))}


@router.post(
    "/",
    response=responses({201: CaseOut}, 400, 403, 409),
    url_name="party_dispute_file",
    summary="Apply for mediation of a wage dispute (the worker)",
)
@idempotent
def file_dispute(
    request,
    payload: Form[DisputeIn],
    evidence: Evidence,
):
    """The portal's online application: the same form, the same checks and messages, the
    same filing. Sent as multipart/form-data; evidence files (PDF, JPEG, PNG) are optional.
    The dispute is received online in the caller's name; the answer is the new case."""
    person = _worker(request)
    data = {
        name: given
        for name, given in payload.dict().items()
        if name != "claims" and given is not None
    }
    files = MultiValueDict({"evidence": list(evidence or [])})
    form = OnlineDisputeForm(data, files, applicant=person)
    claims = ClaimFormSet(_claims_data(payload.claims), prefix=CLAIMS_PREFIX)
    if not all([form.is_valid(), claims.is_valid()]):
        raise _refused(form, claims)
    try:
        dispute = _file_online(request, person, form, claims, None)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        raise form_error(form) from None
    return Status(201, case_out(WORKFLOW, dispute))


WORKFLOW = registry.register(
    registry.ApiWorkflow(
        name="disputes",
        model=Dispute,
        party_cases=party_cases,
        documents=documents,
        record=record,
        parties=parties,
        title=lambda d: f"{d.code} {d.respondent.name}",
        related=("mediation_body", "respondent_organization", "respondent_person"),
        prefetch=("applicants",),
        router=router,
        order=20,
    )
)
