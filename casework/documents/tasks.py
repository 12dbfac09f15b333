"""Celery adapters for documents: take an id, call a service (DESIGN.md §8)."""

import datetime

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.conf import settings

from casework.documents import rendering, services


@worker_process_init.connect
def _warm_up_renderer(**kwargs) -> None:
    # Loading the fonts takes ~0.3 s; each pool process does it once at start
    # instead of in its first render.
    rendering.font_config()
    rendering.frame_stylesheet()


class DocumentRenderTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Called once retries are exhausted (or for a permanent error): the page
        # stops waiting and shows the failure instead.
        document_id = args[0] if args else kwargs.get("document_id")
        services.document_mark_failed(document_id, f"{type(exc).__name__}: {exc}")


@shared_task(
    base=DocumentRenderTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(services.PermanentDocumentError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.DOCUMENT_RENDER_SOFT_LIMIT,
    time_limit=settings.DOCUMENT_RENDER_HARD_LIMIT,
)
def render_document(self, document_id: int) -> None:
    services.document_render(document_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def requeue_stale_documents(minutes: int = 10) -> int:
    """For a beat schedule: send again the documents whose render message was lost."""
    return services.document_requeue_stale(older_than=datetime.timedelta(minutes=minutes))
