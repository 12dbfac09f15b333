"""Celery tasks of the complaints workflow: thin adapters over services."""

from celery import shared_task

from casework.complaints.services import sweep_deadlines as sweep


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def sweep_deadlines() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE): record overdue acceptance and investigation deadlines."""
    return sweep().__dict__
