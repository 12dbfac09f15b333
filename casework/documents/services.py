"""Issuing and rendering documents (docs/workflows.md, "Documents").

document_issue() runs inside the caller's transaction and only writes a
PENDING row; the PDF is rendered, sealed and stored by a Celery task after
commit, never inside a transaction. A row's life::

    pending --claim--> rendering --> ready
       ^                  |  an error: pending again after a back-off, or failed
       |                  |  a lost render (worker killed): its lease runs out
       +---- the sweep ---+
    failed --staff retry--> pending

Every status change is a conditional UPDATE. A render first claims the row
(pending, or rendering past its lease -> rendering with a new lease), so one
run at a time works on it, and the lease value fences its final update: a run
that lost its claim deletes its own file. Nothing waits on the broker: a send
that fails leaves the row pending and document_sweep() sends it again.
"""

import contextlib
import datetime
import hashlib
import hmac
import json
import logging
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, models, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation

from casework.core import broker
from casework.core.models import Market
from casework.documents.files import TEMP_FOLDER, stored_files
from casework.documents.models import Document
from casework.documents.registry import (
    DocumentKind,
    UnknownDocumentKind,
    documents_for_transition,
    get_kind,
)
from casework.documents.rendering import DocumentMeta, RenderedPdf, render
from casework.documents.sealing import seal_pdf

logger = logging.getLogger(__name__)


# Renders that ended in an error or were lost before the document is given up
# (failed: staff retry it). A render that keeps killing its worker ends here too.
MAX_ATTEMPTS = 10
# After an error the sweep sends the render again after 10 s, 20 s, 40 s ... at most 10 min.
RETRY_DELAY_FIRST = datetime.timedelta(seconds=10)
RETRY_DELAY_MAX = datetime.timedelta(minutes=10)
# The sweep sends at most this many renders per run; the next run sends the rest.
SWEEP_BATCH = 500


class PermanentDocumentError(Exception):
    """Rendering cannot succeed by trying again (missing row)."""


class StorageError(Exception):
    """Storing the PDF failed (a full or read-only disk, an object store that is down)."""


# Errors of the surroundings, not of the document: the render is tried again, however
# often, with a back-off, and the document is never given up for them.
TRANSIENT_ERRORS = (OSError, DatabaseError, StorageError)


def subject_market(subject: models.Model) -> Market | None:
    if isinstance(subject, Market):
        return subject
    return getattr(subject, "market", None)


def _snapshot(kind: DocumentKind, subject: models.Model) -> dict:
    # A JSON round trip turns dates and decimals into strings now, so the row holds
    # exactly what the PDF will show, however often it is rendered.
    return json.loads(json.dumps(kind.context(subject), cls=DjangoJSONEncoder))


def send_grace() -> datetime.timedelta:
    """How long after issuing (or a retry) the sweep leaves a render to its first send."""
    return datetime.timedelta(seconds=2 * settings.DOCUMENT_SWEEP_SECONDS)


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
            # If the send after commit never reaches the broker, the sweep sends it then.
            resend_at=timezone.now() + send_grace(),
        )
    transaction.on_commit(render_after_commit(doc.pk), robust=True)
    return doc


def transition_documents(case: models.Model, transition: str, *, by=None) -> list[str]:
    """Issue the documents ``transition`` produces for ``case``; their verification codes.

    casework.core.transitions.perform() calls it through ``hooks.transition_documents``
    (set in DocumentsConfig.ready()), on the locked case, inside the transition's
    transaction and before its audit row, which records the codes.
    """
    return [
        document_issue(subject=case, kind=kind, by=by).verification_code
        for kind in documents_for_transition(type(case), transition)
    ]


def render_after_commit(document_id: int):
    """The on_commit hook sending one render: a named function, for Django's logging."""

    def send_render_after_commit() -> None:
        send_render(document_id)

    send_render_after_commit.document_id = document_id  # which document (tests pick one)
    return send_render_after_commit


# The task that renders one document, found by name: casework.documents.tasks imports
# this module to run it (DocumentsConfig.ready() imports the tasks module).
RENDER_TASK = "casework.documents.tasks.render_document"


def send_render(document_id: int) -> bool:
    """Send the render to Celery; False when the broker cannot take it. Never raises.

    Called in web requests: a broker that is down or hung costs the user at most one
    short wait and then nothing but a pending document, which the sweep sends again
    (casework.core.broker).
    """
    return broker.send(RENDER_TASK, (document_id,), what=f"document {document_id}")


def document_meta(doc: Document) -> DocumentMeta:
    return DocumentMeta(
        title=doc.title,
        market_name=doc.market_name,
        verification_code=doc.verification_code,
        version=doc.version,
        issued_at=doc.created_at,
    )


def document_render(document_id: int) -> Document:
    """Render, seal and store one document if this run can claim it; the fresh row."""
    doc = _claim(document_id)
    if doc is None:  # ready, failed, or another run holds it
        try:
            return Document.objects.get(pk=document_id)
        except Document.DoesNotExist:
            raise PermanentDocumentError(f"document {document_id} does not exist") from None
    try:
        kind = get_kind(doc.kind)
        rendered = render(
            kind.template,
            doc.context,
            document_meta=document_meta(doc),
            attachments=kind.attachments(doc.context) if kind.attachments else (),
        )
        data = _sealed(doc, rendered) if doc.seal else rendered.data
        name = _publish(doc, data)
    except Exception as exc:
        _release(doc, exc)
        raise
    return _finish(doc, name, data, rendered.pages)


def _sealed(doc: Document, rendered: RenderedPdf) -> bytes:
    """The PDF with the market's seal, shown at the template's seal place (盖章)."""
    subject = doc.subject if rendered.seal_place else None
    return seal_pdf(
        rendered.data,
        place=rendered.seal_place,
        market=subject_market(subject) if subject is not None else None,
        market_name=doc.market_name,
    )


def _claim(document_id: int) -> Document | None:
    """Take the row for this run (pending, or rendering whose lease ran out)."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.DOCUMENT_RENDER_LEASE)
    claimable = Q(status=Document.Status.PENDING) | Q(
        status=Document.Status.RENDERING, lease_expires_at__lt=now
    )
    claimed = Document.objects.filter(claimable, pk=document_id).update(
        status=Document.Status.RENDERING,
        lease_expires_at=lease,
        resend_at=None,
        attempts=F("attempts") + 1,
    )
    return Document.objects.get(pk=document_id) if claimed else None


def _ours(doc: Document) -> models.QuerySet:
    # The lease value is this run's fencing token: a run whose lease ran out and was
    # claimed again changes nothing any more.
    return Document.objects.filter(
        pk=doc.pk, status=Document.Status.RENDERING, lease_expires_at=doc.lease_expires_at
    )


def retry_delay(attempts: int) -> datetime.timedelta:
    doublings = min(max(attempts - 1, 0), 16)  # attempts grow without bound in an outage
    return min(RETRY_DELAY_FIRST * 2**doublings, RETRY_DELAY_MAX)


def _release(doc: Document, exc: Exception) -> None:
    """After an error: pending again (the sweep retries after a back-off), or failed."""
    error = f"{type(exc).__name__}: {exc}"[:4000]
    transient = isinstance(exc, TRANSIENT_ERRORS)
    if isinstance(exc, UnknownDocumentKind) or (not transient and doc.attempts >= MAX_ATTEMPTS):
        changes = {"status": Document.Status.FAILED}
    else:
        changes = {
            "status": Document.Status.PENDING,
            "resend_at": timezone.now() + retry_delay(doc.attempts),
        }
    logger.warning("document %s: render %s failed: %s", doc.pk, doc.attempts, error)
    _ours(doc).update(error=error, lease_expires_at=None, **changes)


def document_file_name(doc: Document) -> str:
    # No personal data in storage names: kind, code and version only.
    return f"{doc.kind}-{doc.verification_code}-v{doc.version}.pdf"


def _publish(doc: Document, data: bytes) -> str:
    """Store the PDF under its final name, complete or not at all; the name used."""
    storage = doc.file.storage
    final = doc.file.field.generate_filename(doc, document_file_name(doc))
    try:
        storage.path(final)
    except NotImplementedError:
        # An object store (S3) shows an upload only once it is complete.
        return _guarded(storage.save, final, ContentFile(data))
    return _guarded(_save_via_temp, storage, final, data)


def _guarded(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:
        raise StorageError(f"{type(exc).__name__}: {exc}") from exc


def _save_via_temp(storage, final: str, data: bytes) -> str:
    # A local file is written in place: a full disk or a kill mid-write would leave part
    # of a PDF (personal data) under its final name. It is written under a temporary
    # name and hard-linked to the final one, which appears complete or not at all and
    # never replaces a file of another run. documents_orphans removes what a killed
    # process leaves in the temporary folder.
    temp = f"{TEMP_FOLDER}/{uuid.uuid4().hex}.part"
    try:
        temp = storage.save(temp, ContentFile(data))
        return _link(storage, temp, final)
    finally:
        _discard(storage, temp)


def _link(storage, temp: str, final: str) -> str:
    source = storage.path(temp)
    for _try in range(10):
        name = storage.get_available_name(final)
        target = storage.path(name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with contextlib.suppress(FileExistsError):  # taken meanwhile: another name
            os.link(source, target)
            return name
    raise StorageError(f"no free name for {final}")


def _discard(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.warning("could not delete %s; documents_orphans will", name, exc_info=True)


def _finish(doc: Document, name: str, data: bytes, pages: int) -> Document:
    try:
        won = _ours(doc).update(
            status=Document.Status.READY,
            file=name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            pages=pages,
            ready_at=timezone.now(),
            error="",
            lease_expires_at=None,
        )
    except Exception:
        _discard(doc.file.storage, name)  # the row stays rendering; the sweep retries
        raise
    if not won:
        # Our lease ran out and another run took over: its file is the one to keep.
        logger.info("document %s was rendered twice; removing %s", doc.pk, name)
        _discard(doc.file.storage, name)
    return Document.objects.get(pk=doc.pk)


@dataclass
class SweepResult:
    lost: int = 0  # renders whose lease ran out, made pending again
    given_up: int = 0  # of those, documents that had used up their attempts
    sent: int = 0  # renders sent
    unsent: int = 0  # renders due that could not be sent (the broker is down)
    temp_removed: int = 0  # temporary files of renders that were killed while writing


def document_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Bring back lost renders and send every pending render that is due (beat task)."""
    now = now or timezone.now()
    result = SweepResult()
    result.given_up, result.lost = _reclaim_lost(now)
    result.sent, result.unsent = _send_due(now)
    result.temp_removed = _remove_dead_temp_files(now)
    if result.lost or result.sent or result.unsent or result.temp_removed:
        logger.info("documents sweep: %s", result)
    return result


def _reclaim_lost(now: datetime.datetime) -> tuple[int, int]:
    expired = Document.objects.filter(status=Document.Status.RENDERING, lease_expires_at__lt=now)
    lost = "LostRender: no result before the lease ran out (the worker stopped?)"
    given_up = expired.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Document.Status.FAILED,
        lease_expires_at=None,
        error=f"gave up after {MAX_ATTEMPTS} attempts; {lost}",
    )
    back = expired.update(
        status=Document.Status.PENDING, lease_expires_at=None, resend_at=now, error=lost
    )
    return given_up, back


def _send_due(now: datetime.datetime) -> tuple[int, int]:
    due = Document.objects.filter(status=Document.Status.PENDING).filter(
        Q(resend_at__isnull=True) | Q(resend_at__lte=now)
    )
    ids = list(due.order_by("resend_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    sent = []
    for document_id in ids:
        if not send_render(document_id):
            break  # the broker is down: the next sweep tries again
        sent.append(document_id)
    # Sent but not claimed within a lease: lost on the way, or waiting in a long queue
    # (then the second message finds the document ready and does nothing).
    # (Rows a quick render already took or put off are not due any more: left as they are.)
    later = now + datetime.timedelta(seconds=settings.DOCUMENT_RENDER_LEASE)
    due.filter(pk__in=sent).update(resend_at=later)
    return len(sent), len(ids) - len(sent)


def _remove_dead_temp_files(now: datetime.datetime) -> int:
    # A live render is younger than its lease, and so is its temporary file; an older
    # one was left by a killed process and holds part of a PDF (personal data).
    cutoff = now - datetime.timedelta(seconds=settings.DOCUMENT_RENDER_LEASE)
    storage = Document._meta.get_field("file").storage
    removed = 0
    for name in stored_files(TEMP_FOLDER):
        with contextlib.suppress(FileNotFoundError):
            if storage.get_modified_time(name) < cutoff:
                _discard(storage, name)
                removed += 1
    return removed


def document_retry(document_id: int, *, by=None) -> bool:
    """Make a failed document pending again and send its render after commit.

    False when it was not failed (already retried, or ready). The attempts start
    again from zero: whoever retries has presumably fixed the cause.
    """
    retried = Document.objects.filter(pk=document_id, status=Document.Status.FAILED).update(
        status=Document.Status.PENDING,
        attempts=0,
        error="",
        resend_at=timezone.now() + send_grace(),
    )
    if retried:
        logger.info("document %s: retried by %s", document_id, by or "a command")
        transaction.on_commit(render_after_commit(document_id), robust=True)
    return bool(retried)


def document_matches(doc: Document, upload) -> bool:
    """Whether ``upload`` is byte for byte the stored document (same size and SHA-256)."""
    if doc.status != Document.Status.READY:
        return False
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    return size == doc.size and hmac.compare_digest(digest.hexdigest(), doc.sha256)
