"""The party API (docs/api.md, "Parties"): what the portal shows a worker or a hiring
party, for a mini-program or a provincial app. Every case is looked up through its
workflow's own ``party_cases``, so a case of someone else is 404, as on the pages."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from casework.api import registry
from casework.api.auth import PartyAuth
from casework.api.errors import ApiError, responses
from casework.api.schemas import CaseDetailOut, CasesOut, DocumentOut, StepOut
from casework.core.audit import log_access
from casework.core.models import AccessLog, Market
from casework.core.portal import prefetch_reached, progress_of
from casework.core.roles import roles_of
from casework.documents import services as document_services
from casework.documents.access import get_document_for_user
from casework.documents.registry import UnknownDocumentKind, get_kind
from casework.parties.identifiers import mask_phone

router = Router(auth=PartyAuth(), tags=["party"])
MAX_CASES = 100


class MeOut(Schema):
    name: str | None = None
    mobile: str | None = None  # masked
    roles: list[str]


def _step(step) -> StepOut:
    return StepOut(
        label=str(step.label), done=step.done, when=step.when, due=step.due, note=str(step.note)
    )


def case_out(workflow: registry.ApiWorkflow, case, *, detail: bool = False) -> dict:
    progress = progress_of(case)
    steps = [_step(step) for step in progress.steps] if progress else []
    upcoming = progress.next if progress else None
    return {
        "workflow": workflow.name,
        "workflow_label": workflow.label,
        "code": case.code,
        "title": workflow.title(case),
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "market": {"code": case.market.code, "name": case.market.name},
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "next_step": _step(upcoming) if upcoming else None,
        "progress": steps,
    }


def _title(doc) -> str:
    try:
        return str(get_kind(doc.kind).title)
    except UnknownDocumentKind:
        return doc.title


def document_out(doc) -> DocumentOut:
    ready = doc.is_ready and bool(doc.file)
    return DocumentOut(
        id=doc.pk,
        kind=doc.kind,
        title=_title(doc),
        status=doc.status,
        ready=ready,
        verification_code=doc.verification_code,
        download_url=reverse("api:party_document_file", args=[doc.pk]) if ready else None,
    )


def _workflow(name: str) -> registry.ApiWorkflow:
    workflow = registry.get_workflow(name)
    if workflow is None:
        raise ApiError(404)
    return workflow


def party_case(request, name: str, code: str):
    """The case of this workflow and code that the caller is a party to, or 404."""
    workflow = _workflow(name)
    rows = workflow.party_cases(request.user).select_related("market")
    return workflow, get_object_or_404(rows, code=code)


@router.get("/me", response=responses({200: MeOut}), url_name="party_me", summary="Who I am")
def me(request):
    person = getattr(request.user, "person", None)
    return MeOut(
        name=person.name if person else None,
        mobile=mask_phone(person.mobile) if person and person.mobile else None,
        roles=roles_of(request.user),
    )


class ChoiceOut(Schema):
    id: int
    code: str = ""
    name: str
    region: str = ""


class ChoicesOut(Schema):
    choices: list[ChoiceOut]


@router.get(
    "/me/markets",
    response=responses({200: ChoicesOut}),
    url_name="party_markets",
    summary="The markets a case may be filed with (the filing forms' market ids)",
)
def markets(request):
    rows = Market.objects.order_by("code").values("id", "code", "name", "region")
    return {"choices": list(rows)}


class CasesQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_CASES)
    offset: int = Field(0, ge=0)


@router.get(
    "/me/cases", response=responses({200: CasesOut}), url_name="party_cases", summary="My cases"
)
def my_cases(request, query: Query[CasesQuery]):
    """Every case of every workflow the caller is a party to, newest first, with its
    progress (办件进度); ``limit`` at a time from ``offset`` (a handling person of a large
    employer may be a party to hundreds)."""
    end = query.offset + query.limit
    newest = []
    for workflow in registry.workflows():
        rows = workflow.party_cases(request.user).select_related("market")
        newest += [(case, workflow) for case in rows.order_by("-created_at", "-pk")[: end + 1]]
    newest.sort(key=lambda pair: (pair[0].created_at, pair[0].code), reverse=True)
    page = newest[query.offset : end]
    for workflow in registry.workflows():
        prefetch_reached([case for case, owner in page if owner is workflow])
    return {
        "cases": [case_out(workflow, case) for case, workflow in page],
        "has_more": len(newest) > end,
    }


@router.get(
    "/me/cases/{workflow}/{code}",
    response=responses({200: CaseDetailOut}, 404),
    url_name="party_case",
    summary="One of my cases, with its documents",
)
def my_case(request, workflow: str, code: str):
    found, case = party_case(request, workflow, code)
    documents = [document_out(doc) for doc in found.documents(request.user, case)]
    return {**case_out(found, case), "documents": documents}


@router.get(
    "/me/documents/{document_id}/file",
    response=responses({}, 404),
    url_name="party_document_file",
    summary="Download a document (PDF)",
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {"schema": {"type": "string"}}}}}
    },
)
def document_file(request, document_id: int):
    """The same access rules as the download page; every download is in the access log."""
    doc = get_document_for_user(request.user, document_id)
    if not doc.is_ready or not doc.file:
        raise ApiError(404, gettext("The document is not ready yet."), code="not_ready")
    log_access(request, doc, gettext("the PDF file"), action=AccessLog.Action.EXPORT)
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=document_services.document_file_name(doc),
        content_type="application/pdf",
    )
