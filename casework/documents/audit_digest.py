"""The audit digest (审计链摘要), the sealed document of a core AuditDigest.

Each day's digest (casework.core.digests) is issued as a sealed PDF, time-stamped
under RFC 3161 when SEAL_TSA_URL is set. The PDF carries the digest's SHA-256 in its
metadata and on its first page, and the whole listing of chain heads as an attached
JSON file: a copy kept anywhere proves what the trail held that day, without the
database. ``sealed_digest_check()`` compares a digest row with its sealed copy for
``verify_audit --digests``. See docs/architecture.md, "The audit trail".
"""

import json
import logging
from io import BytesIO

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader

from casework.core.digests import GENESIS
from casework.core.models import AuditDigest
from casework.documents.access import register_scope
from casework.documents.models import Document
from casework.documents.registry import DocumentKind, register
from casework.documents.rendering import PdfAttachment
from casework.documents.sealing import validate_seal
from casework.documents.services import document_issue

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "audit-digest sha256="
LISTING_NAME = "audit-chain-heads.json"


def digest_context(digest: AuditDigest) -> dict:
    listing = json.dumps(digest.heads, separators=(",", ":"), ensure_ascii=True)
    return {
        "digest": {
            "day": digest.day.isoformat(),
            "taken_at": timezone.localtime(digest.taken_at).strftime("%Y-%m-%d %H:%M:%S %z"),
            "chains": digest.chains,
            "events": digest.events,
            "sha256": digest.sha256,
            "previous": digest.previous,
            "first": digest.previous == GENESIS,
        },
        "subject": f"{SUBJECT_PREFIX}{digest.sha256}",
        "listing_name": LISTING_NAME,
        "listing": listing,
    }


def digest_attachments(snapshot: dict) -> list[PdfAttachment]:
    return [
        PdfAttachment(
            name=LISTING_NAME,
            data=snapshot["listing"].encode("ascii"),
            description="[app_label.model, id, seq, hash] of every audit chain",
        )
    ]


AUDIT_DIGEST = register(
    DocumentKind(
        slug="audit_digest",
        title=_("Audit digest"),
        template="pdf/core/audit_digest.html",
        context=digest_context,
        seal=True,
        for_parties=False,
        attachments=digest_attachments,
    )
)

# Hashes only, no personal data: staff who may read the audit trail may open them.
register_scope(
    AuditDigest,
    staff=lambda markets: AuditDigest.objects.all(),
    permission="core.view_caseevent",
)


def digests_with_documents(digests: list[AuditDigest], visible) -> list[tuple]:
    """(digest, its latest sealed document or None) for the page listing digests."""
    subject_type = ContentType.objects.get_for_model(AuditDigest)
    documents = visible.filter(
        kind=AUDIT_DIGEST.slug,
        subject_type=subject_type,
        subject_id__in=[digest.pk for digest in digests],
    ).order_by("version")
    latest = {doc.subject_id: doc for doc in documents}
    return [(digest, latest.get(digest.pk)) for digest in digests]


def digest_count(user) -> int:
    """The home page's count of digests (core.queues)."""
    return AuditDigest.objects.count()


def seal_digest(digest: AuditDigest) -> None:
    """Issue the digest's sealed document (hooks.seal_digest, set in DocumentsConfig)."""
    document_issue(subject=digest, kind=AUDIT_DIGEST)


def sealed_digest_check(digest: AuditDigest) -> tuple[str, str]:
    """(problem, note) about the digest's sealed copy (hooks.sealed_digest_check)."""
    doc = (
        Document.objects.for_subject(digest)
        .filter(kind=AUDIT_DIGEST.slug)
        .order_by("-version")
        .first()
    )
    if doc is None:
        return "no sealed document was issued for it", ""
    if doc.status != Document.Status.READY:
        return "", f"its sealed document is {doc.status}; only the row was checked"
    try:
        with doc.file.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        return f"its sealed document {doc.verification_code} cannot be read ({exc})", ""
    seal = validate_seal(data)
    if not seal.valid:
        return (
            f"its sealed document {doc.verification_code} fails the seal check: {seal.problem}",
            "",
        )
    if sealed_sha256(data) != digest.sha256:
        return f"the row differs from its sealed document {doc.verification_code}", ""
    return "", ""


def sealed_sha256(data: bytes) -> str:
    """The digest SHA-256 a sealed PDF states in its metadata ("" if none)."""
    try:
        info = PdfFileReader(BytesIO(data)).trailer_view["/Info"]
        subject = str(info.get("/Subject", ""))
    except Exception:  # an unreadable file states nothing
        logger.info("cannot read the metadata of a sealed digest", exc_info=True)
        return ""
    return subject.removeprefix(SUBJECT_PREFIX) if subject.startswith(SUBJECT_PREFIX) else ""
