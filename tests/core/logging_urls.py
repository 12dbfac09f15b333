"""A page that sends a Celery task after its transaction commits (tests/core/test_logging.py)."""

import logging

from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from casework import celery_app

logger = logging.getLogger("tests.logging")


@celery_app.task(name="tests.core.logging_urls.log_task")
def log_task(note: str) -> None:
    logger.info("task ran: %s", note)


def send_task(request):
    with transaction.atomic():
        transaction.on_commit(lambda: log_task.delay("sent by the page"))
    logger.info("page for 13800138000, ID 11010519491231002X")
    return HttpResponse("sent")


urlpatterns = [path("send-task/", send_task)]
