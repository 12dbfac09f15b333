"""Celery tasks of the notifications (docs/notifications.md)."""

from celery import shared_task

from casework.notifications import services


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def deliver(pk: int) -> str:
    """Send one message (services.deliver): once, whatever runs it twice."""
    return services.deliver(pk)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_notifications() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): retries, the end of the quiet hours, lost tasks."""
    return services.sweep()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def remind_staff() -> dict:
    """Every hour (CELERY_BEAT_SCHEDULE): the holder of a case due within 3 days, once per
    case and deadline; the market's supervisors, once per escalation (reminders.py)."""
    from casework.notifications import reminders

    return reminders.remind_staff()
