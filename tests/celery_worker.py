"""A real Celery worker process for tests marked ``celery_worker`` (make test-services).

The worker gets the same broker and the *test* database (pytest-django's
test_<name>), a private var/ folder for its files and seal, and a queue of
its own, so that it never takes tasks from a developer's worker or run.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import Exchange, Queue

from casework import celery_app

NEEDS_BROKER = "needs CELERY_BROKER_URL (a real broker); run by make test-services"
NEEDS_SERVER_DB = "needs a database server (DATABASE_URL=postgres://...) the worker can share"


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def _wait_until_ready(process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{log.read_text()}")
        if " ready." in log.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Celery worker did not start in {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start one worker for the session; yields its var/ folder (media and seal)."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(NEEDS_BROKER)
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_SERVER_DB)
    with django_db_blocker.unblock():
        test_database = database_url(connection.settings_dict)  # NAME is test_<name> now
    var_dir = tmp_path_factory.mktemp("worker-var")
    queue = f"casework-test-{uuid.uuid4().hex[:8]}"
    log = var_dir / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database,
        "CASEWORK_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings"),
    }
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "casework",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue  # this run's tasks go to this worker only
    try:
        _wait_until_ready(process, log)
        yield var_dir
    finally:
        celery_app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _delete_queue(queue)


def _delete_queue(queue: str) -> None:
    # The queue's name is unique to this run: leave nothing of it in the broker.
    with celery_app.connection_for_write() as conn:
        # Declared here first so that kombu knows its binding and removes it too.
        declaration = Queue(queue, Exchange(queue, type="direct"), routing_key=queue)
        bound = declaration(conn.default_channel)
        bound.declare()
        bound.delete()
