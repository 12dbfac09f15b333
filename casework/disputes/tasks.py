"""Celery tasks of the disputes workflow: thin adapters over services."""

from celery import shared_task

from casework.disputes.services import remind_instalments as remind
from casework.disputes.services import sweep_deadlines as sweep


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def sweep_deadlines() -> dict:
    """Once a minute (CELERY_BEAT_SCHEDULE): reminders, escalations and missed instalments."""
    return sweep().__dict__


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def remind_instalments() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): the payer of an instalment due within 3 days is told,
    once per instalment and due date."""
    return remind()
