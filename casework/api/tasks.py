"""Celery tasks of the HTTP API."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from casework.api.models import IdempotentCall, PartyToken


def purge(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Forget idempotency keys older than API_IDEMPOTENCY_HOURS and tokens a day past
    their end (revoked or expired): (keys, tokens) deleted."""
    now = now or timezone.now()
    keys_before = now - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    keys, _ = IdempotentCall.objects.filter(created_at__lt=keys_before).delete()
    day_ago = now - datetime.timedelta(days=1)
    tokens, _ = PartyToken.objects.filter(expires_at__lt=day_ago).delete()
    return keys, tokens


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_api_records() -> tuple[int, int]:
    """Hourly (CELERY_BEAT_SCHEDULE)."""
    return purge()
