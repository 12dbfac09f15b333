"""End to end with a real Celery worker: a transition's document is rendered after commit.

Runs only in make test-services (CELERY_BROKER_URL and a PostgreSQL
DATABASE_URL set); tests/celery_worker.py starts the worker.
"""

import os
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from casework.documents.models import Document
from casework.documents.services import document_issue
from tests.celery_worker import NEEDS_BROKER, celery_worker_process  # noqa: F401  (a fixture)
from tests.documents.conftest import pdftotext

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason=NEEDS_BROKER),
]


def wait_until_done(doc: Document, timeout: float = 60) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc.refresh_from_db()
        # Rendering is a state the worker passes through (a lease), not an end.
        if doc.status not in (Document.Status.PENDING, Document.Status.RENDERING):
            return doc
        time.sleep(0.25)
    raise AssertionError(f"document {doc.pk} still {doc.status} after {timeout} s")


# transaction=True: the worker's own connection sees only committed rows.
# serialized_rollback=True: an earlier transactional test may have flushed content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_renders_and_seals_an_issued_document(
    celery_worker_process,  # noqa: F811  (the fixture imported above)
    market,
    settings,
    tmp_path,
):
    ContentType.objects.clear_cache()  # ids cached before a flush are stale
    settings.MEDIA_ROOT = celery_worker_process / "media"  # where the worker stores files

    with transaction.atomic():
        doc = document_issue(subject=market, kind="market_card")
        # Nothing is sent before commit, so the worker cannot see a missing row.
        assert Document.objects.get(pk=doc.pk).status == "pending"

    doc = wait_until_done(doc)

    assert doc.status == "ready", doc.error
    assert doc.seal and doc.sha256 and doc.pages == 1
    text = pdftotext(doc.file.read(), tmp_path)
    assert "零工市场信息公示卡" in "".join(text.split())
    assert "测试区人民路1号" in text
