"""Idempotency keys: every creating call carries ``Idempotency-Key`` (docs/api.md).

The first call with a key runs and its answer is kept; the same key again, with the same
body, gets that answer without running again (a phone resending on a bad network files
one case, not two). The same key with another body is refused (422
``idempotency_key_reused``); while the first is still running, 409 ``in_progress``. A key
belongs to its caller and is kept ``API_IDEMPOTENCY_HOURS`` (24 by default).
"""

import datetime
import hashlib
import json
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Status
from ninja.responses import NinjaJSONEncoder

from casework.api.errors import ApiError
from casework.api.models import IdempotentCall

HEADER = "Idempotency-Key"


# The operation ids (site.operation_id) of the idempotent views, for the schema's header.
OPERATIONS: set[str] = set()
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "description": "One per user action (a UUID): the same key again gets the same answer.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
}


def operation_id(view) -> str:
    return f"{view.__module__}_{view.__name__}".replace(".", "_")


def _fingerprint(request) -> str:
    # A parsed multipart body cannot be read again: its fields and files are hashed below.
    multipart = request.content_type == "multipart/form-data"
    digest = hashlib.sha256(b"" if multipart else request.body)
    for name in sorted(request.POST):
        digest.update(f"{name}={request.POST.getlist(name)}".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}:{upload.name}:{upload.size}".encode())
    return digest.hexdigest()


def _key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > 100:
        raise ApiError(
            400,
            _("Send a unique Idempotency-Key header (1 to 100 characters) with this call."),
            code="idempotency_key_missing",
        )
    return key


def _claim(request, operation: str) -> tuple[IdempotentCall, bool]:
    owner, key = request.api_owner, _key(request)
    fingerprint = _fingerprint(request)
    # A key past its keeping time is forgotten (the hourly purge may not have run yet).
    kept_since = timezone.now() - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotentCall.objects.filter(owner=owner, key=key, created_at__lt=kept_since).delete()
    try:
        with transaction.atomic():
            row = IdempotentCall.objects.create(
                owner=owner, key=key, operation=operation, fingerprint=fingerprint
            )
        return row, True
    except IntegrityError:
        row = IdempotentCall.objects.get(owner=owner, key=key)
    if row.operation != operation or row.fingerprint != fingerprint:
        raise ApiError(
            422,
            _("This Idempotency-Key was used for another request; use a new key."),
            code="idempotency_key_reused",
        )
    if row.status is None:
        raise ApiError(409, _("The first call with this key is still running."), code="in_progress")
    return row, False


def idempotent(view):
    """Wrap a creating API view that returns ``Status(status, data)``."""

    OPERATIONS.add(operation_id(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        row, first = _claim(request, f"{request.method} {request.path}")
        if not first:
            return Status(row.status, row.body)
        try:
            answer = view(request, *args, **kwargs)
        except Exception:
            # A refused call may be sent again with the same key once it is put right.
            IdempotentCall.objects.filter(pk=row.pk).delete()
            raise
        status, data = (
            (answer.status_code, answer.value) if isinstance(answer, Status) else (200, answer)
        )
        stored = json.loads(json.dumps(_plain(data), cls=NinjaJSONEncoder))
        IdempotentCall.objects.filter(pk=row.pk).update(status=status, body=stored)
        return Status(status, stored)

    return wrapper


def _plain(data):
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json")
    return data
