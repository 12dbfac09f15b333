"""Celery adapters for documents: take an id, call a service (docs/workflows.md)."""

import dataclasses

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from casework.documents import rendering, services


@worker_process_init.connect
def _warm_up_renderer(**kwargs) -> None:
    # Loading the fonts takes ~0.3 s; each pool process does it once at start
    # instead of in its first render.
    rendering.font_config()
    rendering.frame_stylesheet()


# No Celery retries: after an error the row is pending again with a back-off and the
# sweep sends it (services.document_sweep), so a retry survives a lost message or a
# restarted worker, and no message waits in a worker with a countdown longer than the
# broker's visibility timeout. A render whose worker died leaves its row "rendering"
# until the lease runs out; then the sweep sends it again.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.DOCUMENT_RENDER_SOFT_LIMIT,
    time_limit=settings.DOCUMENT_RENDER_HARD_LIMIT,
)
def render_document(document_id: int) -> None:
    services.document_render(document_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_documents() -> dict:
    """Every DOCUMENT_SWEEP_SECONDS (CELERY_BEAT_SCHEDULE): lost and unsent renders."""
    return dataclasses.asdict(services.document_sweep())


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def requeue_stale_documents(minutes: int = 10) -> dict:
    """The sweep's former name, for a beat process still running the old schedule."""
    return dataclasses.asdict(services.document_sweep())
