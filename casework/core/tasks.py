"""Celery tasks of the case core."""

from celery import shared_task

from casework.core import formtokens


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_form_tokens() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): forget one-time form tokens older than a day."""
    return formtokens.purge()
