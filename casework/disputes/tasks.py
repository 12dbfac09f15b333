"""Celery tasks of the disputes workflow: thin adapters over services."""

from celery import shared_task

from casework.disputes.services import sweep_deadlines as sweep


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def sweep_deadlines() -> dict:
    """Once a minute (CELERY_BEAT_SCHEDULE): reminders, escalations and missed instalments."""
    return sweep().__dict__
