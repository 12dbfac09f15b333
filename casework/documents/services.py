"""Issuing and rendering documents (DESIGN.md §6, §8).

document_issue() runs inside the caller's transaction and only writes a
PENDING row; the PDF is rendered, sealed and stored by a Celery task after
commit, never inside a transaction. Rendering is idempotent: a ready
document is left alone, and when two runs race only one file stays referenced.
"""

import datetime
import functools
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone, translation

from casework.core.models import Market
from casework.documents.models import Document
from casework.documents.registry import DocumentKind, UnknownDocumentKind, get_kind
from casework.documents.rendering import DocumentMeta, render
from casework.documents.sealing import seal_pdf

logger = logging.getLogger(__name__)


# Celery retries 5 times; redeliveries after a lost worker come on top of those.
MAX_ATTEMPTS = 10


class PermanentDocumentError(Exception):
    """Rendering cannot succeed by trying again (missing row, unknown kind)."""


def subject_market(subject: models.Model) -> Market | None:
    if isinstance(subject, Market):
        return subject
    return getattr(subject, "market", None)


def _snapshot(kind: DocumentKind, subject: models.Model) -> dict:
    # A JSON round trip turns dates and decimals into strings now, so the row holds
    # exactly what the PDF will show, however often it is rendered.
    return json.loads(json.dumps(kind.context(subject), cls=DjangoJSONEncoder))


def document_issue(*, subject: models.Model, kind: DocumentKind | str, by=None) -> Document:
    """Create the next version of ``kind`` for ``subject`` and render it after commit."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    market = subject_market(subject)
    with transaction.atomic():
        # Two concurrent issues would compute the same version; the unique
        # constraint then rejects the second one instead of duplicating it.
        latest = Document.objects.filter(
            subject_type=subject_type, subject_id=subject.pk, kind=kind.slug
        ).aggregate(v=Max("version"))["v"]
        with translation.override(settings.LANGUAGE_CODE):
            title = str(kind.title)
        doc = Document.objects.create(
            subject_type=subject_type,
            subject_id=subject.pk,
            kind=kind.slug,
            title=title[:120],
            version=(latest or 0) + 1,
            context=_snapshot(kind, subject),
            seal=kind.seal,
            market_name=market.name if market else "",
            created_by=by if by is not None and by.is_authenticated else None,
        )
    # robust: a broker outage must not break the committed transition; the row
    # stays pending and document_requeue_stale() sends it again later.
    transaction.on_commit(functools.partial(_enqueue_render, doc.pk), robust=True)
    return doc


def _enqueue_render(document_id: int) -> None:
    from casework.documents.tasks import render_document

    render_document.delay(document_id)


def document_meta(doc: Document) -> DocumentMeta:
    return DocumentMeta(
        title=doc.title,
        market_name=doc.market_name,
        verification_code=doc.verification_code,
        version=doc.version,
        issued_at=doc.created_at,
    )


def document_render(document_id: int) -> Document:
    """Render, seal and store one document; a no-op unless it is still pending."""
    try:
        doc = Document.objects.get(pk=document_id)
        kind = get_kind(doc.kind)
    except (Document.DoesNotExist, UnknownDocumentKind) as exc:
        raise PermanentDocumentError(f"document {document_id}: {exc!r}") from exc
    if doc.status != Document.Status.PENDING:
        return doc
    if doc.attempts >= MAX_ATTEMPTS:
        # A render that keeps killing its worker is redelivered (acks_late) without
        # Celery counting a retry; the attempts counter ends that loop.
        document_mark_failed(doc.pk, f"gave up after {doc.attempts} attempts")
        raise PermanentDocumentError(f"document {doc.pk}: too many attempts")
    Document.objects.filter(pk=doc.pk).update(attempts=models.F("attempts") + 1)
    rendered = render(kind.template, doc.context, document_meta=document_meta(doc))
    data = seal_pdf(rendered.data) if doc.seal else rendered.data
    return _store(doc, data, rendered.pages)


def document_file_name(doc: Document) -> str:
    # No personal data in storage names: kind, code and version only.
    return f"{doc.kind}-{doc.verification_code}-v{doc.version}.pdf"


def _store(doc: Document, data: bytes, pages: int) -> Document:
    doc.file.save(document_file_name(doc), ContentFile(data), save=False)
    won = Document.objects.filter(pk=doc.pk, status=Document.Status.PENDING).update(
        status=Document.Status.READY,
        file=doc.file.name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=pages,
        ready_at=timezone.now(),
        error="",
    )
    if not won:
        # Another run finished first and its file is the one referenced: drop ours.
        logger.info("document %s was rendered twice; removing %s", doc.pk, doc.file.name)
        doc.file.storage.delete(doc.file.name)
    return Document.objects.get(pk=doc.pk)


def document_requeue_stale(*, older_than: datetime.timedelta) -> int:
    """Enqueue again the documents pending for longer than ``older_than`` (lost messages)."""
    cutoff = timezone.now() - older_than
    stale = list(
        Document.objects.filter(status=Document.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for document_id in stale:
        _enqueue_render(document_id)  # idempotent: a run that finds it ready does nothing
    return len(stale)


def document_mark_failed(document_id: int, error: str) -> None:
    """Record the final failure; a document that became ready meanwhile stays ready."""
    Document.objects.filter(pk=document_id, status=Document.Status.PENDING).update(
        status=Document.Status.FAILED, error=error[:4000]
    )


def document_matches(doc: Document, upload) -> bool:
    """Whether ``upload`` is byte for byte the stored document (same size and SHA-256)."""
    if doc.status != Document.Status.READY:
        return False
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    return size == doc.size and hmac.compare_digest(digest.hexdigest(), doc.sha256)
