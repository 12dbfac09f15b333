"""Celery tasks of the case core."""

from celery import shared_task

from casework.core import digests, formtokens


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_form_tokens() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): forget one-time form tokens older than a day."""
    return formtokens.purge()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def take_audit_digest() -> str:
    """Daily (CELERY_BEAT_SCHEDULE): every audit chain's head, sealed (casework.core.digests).

    Run again the same day, it takes nothing new; the beat also runs it hourly so a day
    the worker was down at the usual time still gets its digest.
    """
    digest, _new = digests.take_digest()
    return digest.sha256
