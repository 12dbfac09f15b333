"""Celery tasks of the assistance workflow: thin adapters over services."""

from celery import shared_task

from assistance import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def expire_certifications() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): certifications past their expiry end."""
    return services.expire_certifications()
