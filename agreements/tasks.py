"""Celery tasks of the agreements workflow: thin adapters over services."""

from celery import shared_task

from agreements import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def expire_unsigned() -> int:
    """Once a minute (CELERY_BEAT_SCHEDULE): agreements not signed by their deadline expire."""
    return services.expire_unsigned()
