"""Celery tasks of the assistance workflow: thin adapters over services."""

from celery import shared_task

from assistance import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def expire_certifications() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): certifications past their expiry end."""
    return services.expire_certifications()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def remind_term_ending() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): people whose post term ends within 30 days are told,
    once per placement and term end."""
    return services.remind_term_ending()
