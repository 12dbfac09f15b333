"""Evidence files of a dispute: the shared upload check with the disputes' size limit."""

from django.conf import settings

from casework.core.uploads import ALLOWED, checked_content_type

__all__ = ["ALLOWED", "evidence_content_type"]


def evidence_content_type(upload) -> str:
    """The checked content type of ``upload``, or ValidationError with a message for staff."""
    return checked_content_type(upload, max_bytes=settings.DISPUTE_EVIDENCE_MAX_BYTES)
