"""Document pages: the public verification page and the staff status/download pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.core.audit import log_access
from casework.core.models import AccessLog, AuditDigest
from casework.core.ratelimit import limit_key, over_limit
from casework.documents import sealing, services
from casework.documents.access import documents_visible_to, get_document_for_user, may_retry
from casework.documents.audit_digest import digests_with_documents
from casework.documents.forms import (
    VerifyCodeForm,
    VerifyUploadForm,
    is_well_formed_code,
    normalize_code,
)
from casework.documents.models import Document
from casework.documents.registry import UnknownDocumentKind, get_kind, public_summary


def kind_title(doc: Document) -> str:
    try:
        return get_kind(doc.kind).title  # translated into the reader's language
    except UnknownDocumentKind:
        return doc.title


VERIFY_SCOPE = "documents:verify"


def rate_limit_key(address: str | None) -> str:
    return limit_key(VERIFY_SCOPE, address)


def _rate_limited(request) -> bool:
    # Codes are unguessable anyway (31^16); the limit keeps scanning slow and visible.
    return over_limit(
        request,
        VERIFY_SCOPE,
        limit=settings.DOCUMENT_VERIFY_LIMIT,
        window=settings.DOCUMENT_VERIFY_WINDOW,
    )


def verify_lookup(request):
    form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("documents:verify", code=form.cleaned_data["code"])
    return render(request, "documents/verify_lookup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request, code: str):
    if _rate_limited(request):
        return render(request, "documents/verify_limited.html", status=429)
    normalized = normalize_code(code)
    if normalized != code and is_well_formed_code(normalized):
        return redirect("documents:verify", code=normalized)
    doc = Document.objects.filter(verification_code=normalized).first()
    if doc is None:
        return render(request, "documents/verify_not_found.html", {"code": code}, status=404)
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    matches = seal_check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        matches = services.document_matches(doc, upload)
        if doc.seal:
            # Both answers: the bytes vouch for this exact file, the seal for what a
            # PDF reader shows (the market's seal, unchanged since sealing).
            seal_check = sealing.validate_seal(b"".join(upload.chunks()))
    # Only what the document is, never its content: the page is public.
    context = {
        "doc": doc,
        "kind_title": kind_title(doc),
        "summary": public_summary(doc.subject),
        "form": form,
        "matches": matches,
        "seal_check": seal_check,
    }
    return render(request, "documents/verify.html", context)


# No permission_required here: get_document_for_user checks the staff permission and
# lets portal users (who have none) open only their own cases' documents.
@login_required
def detail(request, pk: int):
    doc = get_document_for_user(request.user, pk)
    context = {
        "doc": doc,
        "kind_title": kind_title(doc),
        "can_retry": doc.is_failed and may_retry(request.user, doc),
    }
    return render(request, "documents/detail.html", context)


@login_required
@require_POST
def retry(request, pk: int):
    """The "Retry" button of a failed document: render it again."""
    doc = get_document_for_user(request.user, pk)  # 404 outside the user's scope
    if not may_retry(request.user, doc):
        raise PermissionDenied
    if services.document_retry(doc.pk, by=request.user):
        messages.success(request, gettext("The document is being produced again."))
    else:
        messages.info(request, gettext("Only a document that could not be produced is retried."))
    return redirect("documents:detail", pk=doc.pk)


@login_required
def download(request, pk: int):
    doc = get_document_for_user(request.user, pk)
    if not doc.is_ready or not doc.file:
        raise Http404("The document is not ready.")
    # Issued PDFs may carry full personal data (agreements), so every export is logged.
    log_access(request, doc, gettext("the PDF file"), action=AccessLog.Action.EXPORT)
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=services.document_file_name(doc),
        content_type="application/pdf",
    )


@login_required
@permission_required("core.view_caseevent", raise_exception=True)
def audit_digests(request):
    """The daily sealed audit digests, newest first, each with its document."""
    page = Paginator(AuditDigest.objects.order_by("-day"), 31).get_page(request.GET.get("page"))
    rows = digests_with_documents(list(page), documents_visible_to(request.user))
    return render(request, "documents/audit_digests.html", {"page": page, "rows": rows})


@login_required
@require_GET
def status(request, pk: int):
    """A document's status for a page waiting on it (static/js/documents.js): the same
    scope as its page; never cached."""
    doc = get_document_for_user(request.user, pk)
    response = JsonResponse(
        {"status": doc.status, "label": str(doc.get_status_display()), "pending": doc.is_pending}
    )
    response["Cache-Control"] = "no-store"
    return response
