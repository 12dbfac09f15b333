"""A Celery worker killed (SIGKILL, the whole process group) in the middle of 20 renders.

Every document ends ready exactly once within 2 minutes of the restart, with no
file left that no row references, with nobody doing anything but the beat
sweep. The worker is this test's own (tests/celery_worker.py starts the shared
one that other tests use), with a short render time limit so that its lease
runs out in 22 s instead of 100 s. Runs in make test-services only.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction

from casework import celery_app
from casework.documents import services
from casework.documents.files import orphan_files, stored_files
from casework.documents.models import Document
from tests.celery_worker import (
    NEEDS_BROKER,
    NEEDS_SERVER_DB,
    _delete_queue,
    _wait_until_ready,
    database_url,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason=NEEDS_BROKER),
]

COUNT = 20
SOFT_LIMIT, HARD_LIMIT = 8, 12  # the worker's render limits: a lease of 12 + 10 s
RECOVERY_SECONDS = 120


class Worker:
    """A prefork worker in a process group of its own, on a queue of its own."""

    def __init__(self, var_dir: Path, database: str):
        self.var_dir = var_dir
        self.queue = f"casework-kill-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database,
            "CASEWORK_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings"),
            "DOCUMENT_RENDER_SOFT_LIMIT": str(SOFT_LIMIT),
            "DOCUMENT_RENDER_HARD_LIMIT": str(HARD_LIMIT),
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.var_dir / f"worker-{self.starts}.log"
        with open(log, "w") as out:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "casework", "worker", "-l", "info"),
                    *("--pool=prefork", "--concurrency=2", "-Q", self.queue),
                    *("-n", f"{self.queue}-{self.starts}@%h"),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                ],
                cwd=django_settings.BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for killpg
            )
        _wait_until_ready(self.process, log)

    def kill(self) -> None:
        """SIGKILL the main process and its pool children at once: nothing cleans up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _forget_unacked(queue: str) -> None:
    # The killed worker's messages wait in the broker's unacked set until its visibility
    # timeout; drop those of this queue so that nothing of the test stays in Redis.
    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    for tag, raw in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(raw)
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def own_worker(django_db_blocker, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_SERVER_DB)
    with django_db_blocker.unblock():
        database = database_url(connection.settings_dict)
    worker = Worker(tmp_path_factory.mktemp("killed-worker-var"), database)
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = worker.queue
    try:
        yield worker
    finally:
        celery_app.conf.task_default_queue = previous_queue
        worker.stop()
        _forget_unacked(worker.queue)
        _delete_queue(worker.queue)


def statuses(ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Document.objects.filter(pk__in=ids).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {timeout} s"
        time.sleep(0.1)


# transaction=True: the worker's own connection sees only committed rows.
# serialized_rollback=True: an earlier transactional test may have flushed content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_renders_lost_with_a_killed_worker_all_end_ready_exactly_once(own_worker, market, settings):
    ContentType.objects.clear_cache()  # ids cached before a flush are stale
    settings.MEDIA_ROOT = own_worker.var_dir / "media"  # where the worker stores files
    # This process plays beat: the sweep's view of a lease and its grace for new sends.
    settings.DOCUMENT_RENDER_LEASE = HARD_LIMIT + 10
    settings.DOCUMENT_SWEEP_SECONDS = 1
    own_worker.start()

    with transaction.atomic():
        ids = [document_issue_card(market) for _ in range(COUNT)]
    wait_for(lambda: statuses(ids).get("rendering"), 60, "a render")
    time.sleep(0.5)  # well inside a render (a sealed card takes about a second)
    own_worker.kill()

    at_kill = statuses(ids)
    assert at_kill.get("ready", 0) < COUNT, at_kill  # documents were still in flight
    assert at_kill.get("rendering"), at_kill  # and some were lost mid-render
    own_worker.start()
    restarted = time.monotonic()

    def all_ready() -> bool:
        services.document_sweep()  # what beat runs every DOCUMENT_SWEEP_SECONDS
        time.sleep(0.9)
        return statuses(ids).get("ready", 0) == COUNT

    wait_for(all_ready, RECOVERY_SECONDS, f"all {COUNT} ready after the restart")
    took = time.monotonic() - restarted

    docs = list(Document.objects.filter(pk__in=ids))
    names = {doc.file.name for doc in docs}
    assert len(names) == COUNT  # one file each
    for doc in docs:
        assert hashlib.sha256(default_storage.open(doc.file.name).read()).hexdigest() == (
            doc.sha256
        )
    finals = {name for name in stored_files("documents") if not name.startswith("documents/tmp")}
    # A kill between a render's final file and its row (storage and database cannot be
    # one transaction) leaves that one run's file unreferenced: the solo worker had one
    # render in flight. documents_orphans removes it (docs/workflows.md, "Documents:
    # faults and recovery"); every document still has exactly one file of its own.
    assert finals >= names and len(finals - names) <= 1, sorted(finals - names)
    time.sleep(max(0.0, settings.DOCUMENT_RENDER_LEASE - took) + 1)
    services.document_sweep()  # removes a temporary file the kill may have cut short
    call_command("documents_orphans", "--delete", "--older-than", "0", stdout=StringIO())
    assert orphan_files() == []
    assert {n for n in stored_files("documents") if not n.startswith("documents/tmp")} == names
    print(f"killed at {at_kill}; all {COUNT} ready {took:.1f} s after the restart")


def document_issue_card(market) -> int:
    return services.document_issue(subject=market, kind="market_card").pk
