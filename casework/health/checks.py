"""The checks behind /readyz: each returns a component's status within about a second.

A check returns a dict with "status" ("ok", "warn", "fail" or "skipped") and
perhaps one short detail; "ms" is added by run_checks(). Details never carry
personal data, URLs or credentials: errors are reported by exception class only.
Only "fail" makes the probe fail: "warn" (a seal certificate expiring within 30
days, a beat record this process cannot see) is for monitoring, not for taking
the instance out of the load balancer.
"""

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from cryptography import x509
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections

from casework import celery_app
from casework.documents.sealing import trusted_seal_cert

logger = logging.getLogger(__name__)

# Every check gets this long; the broker and Redis cache already have 1 s socket
# timeouts (settings), so a hung service ends a check's thread soon after.
CHECK_TIMEOUT = 1.0
DATABASE = "default"
SWEEP_TASK = "casework.documents.tasks.sweep_documents"
BEAT_KEY = "health:beat:documents-sweep"
# The beat is late when the documents sweep was last sent this many intervals ago.
BEAT_LATE_INTERVALS = 4
CERT_WARN_DAYS = 30

Result = dict


def embedded() -> bool:
    """No broker: tasks run in-process, so there is no worker or beat to check."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def _error(exc: BaseException) -> Result:
    return {"status": "fail", "error": type(exc).__name__}


def check_database() -> Result:
    connection = connections[DATABASE]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # The check runs in a thread of its own: leave no connection behind.
        connection.close()
    return {"status": "ok"}


def check_cache() -> Result:
    key, value = f"health:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != value:
        return {"status": "fail", "error": "value not read back"}
    return {"status": "ok"}


def check_storage() -> Result:
    # Outside documents/ and evidence/, so documents_orphans never sees the probe file.
    name = default_storage.save(f"health/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ok":
                return {"status": "fail", "error": "content not read back"}
    finally:
        default_storage.delete(name)
    return {"status": "ok"}


def _broker_connection():
    """An open connection to the broker, or the connection error within about a second."""
    conn = celery_app.connection_for_write()
    try:
        # One immediate retry, no back-off: a refused connection fails at once.
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT)
        conn.default_channel  # noqa: B018  (Redis: opening the channel PINGs the server)
    except BaseException:
        conn.release()
        raise
    return conn


def check_broker() -> Result:
    if embedded():
        return {"status": "skipped"}
    with _broker_connection():
        return {"status": "ok"}


def check_worker() -> Result:
    # control.ping rather than a beat-scheduled heartbeat task: it tells "no worker" apart
    # from "no beat" (the beat check), needs no extra task in the schedule and answers
    # even when every worker is busy rendering. limit=1 returns at the first reply. The
    # connection is opened first: ping's own publish retries a refused broker for seconds.
    if embedded():
        return {"status": "skipped"}
    with _broker_connection() as conn:
        replies = celery_app.control.ping(timeout=CHECK_TIMEOUT * 0.7, limit=1, connection=conn)
    if not replies:
        return {"status": "fail", "error": "no worker answered"}
    return {"status": "ok"}


def record_beat_send(sender=None, **kwargs) -> None:
    """after_task_publish: the beat sent the documents sweep (every DOCUMENT_SWEEP_SECONDS).

    Recorded when sent, not when run: a sweep dropped from a busy queue (it expires
    after one interval) says nothing about the beat. The sweep itself is unchanged.
    """
    if sender != SWEEP_TASK:
        return
    try:
        cache.set(BEAT_KEY, time.time(), timeout=None)
    except Exception as exc:  # a cache outage must not break publishing
        logger.warning("could not record the beat's documents sweep: %r", exc)


def check_beat() -> Result:
    if embedded():
        return {"status": "skipped"}
    sent = cache.get(BEAT_KEY)
    if sent is None:
        if not getattr(settings, "CACHE_URL", ""):
            # The beat writes to its own memory: this process cannot see it.
            return {"status": "warn", "error": "needs CACHE_URL shared with the beat"}
        return {"status": "fail", "error": "no documents sweep sent yet"}
    age = time.time() - float(sent)
    late = BEAT_LATE_INTERVALS * settings.DOCUMENT_SWEEP_SECONDS
    result: Result = {"status": "ok" if age <= late else "fail", "age_s": round(age, 1)}
    if age > late:
        result["error"] = f"last documents sweep sent more than {late} s ago"
    return result


def _load_certificate(data: bytes) -> x509.Certificate:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def check_seal_certificate() -> Result:
    path = trusted_seal_cert()
    if path is None:
        # The embedded set-up makes its demo seal on first use.
        return {"status": "ok", "demo": True, "detail": "demo seal not made yet"}
    cert = _load_certificate(path.read_bytes())
    left = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    days = left.total_seconds() / 86400
    result: Result = {"status": "ok", "days_left": int(days)}
    if not settings.SEAL_CERT_FILE:
        result["demo"] = True
    if days <= 0:
        result.update(status="fail", error="the seal certificate has expired")
    elif days <= CERT_WARN_DAYS:
        result.update(
            status="warn", error=f"the seal certificate expires within {CERT_WARN_DAYS} days"
        )
    return result


CHECKS: dict[str, Callable[[], Result]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "worker": check_worker,
    "beat": check_beat,
    "seal_certificate": check_seal_certificate,
}


def _timed(check: Callable[[], Result]) -> Result:
    start = time.perf_counter()
    try:
        result = check()
    except Exception as exc:
        logger.warning("health check %s failed: %r", check.__name__, exc)
        result = _error(exc)
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


def run_checks(timeout: float = CHECK_TIMEOUT) -> dict:
    """Run every check at once; one still running after ``timeout`` seconds fails."""
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    futures = {name: pool.submit(_timed, check) for name, check in CHECKS.items()}
    # A little over the checks' own timeout, so their own error is reported first.
    wait(futures.values(), timeout=timeout + 0.2)
    # Do not wait for a hung check's thread: it ends with its socket timeout.
    pool.shutdown(wait=False, cancel_futures=True)
    components = {}
    for name, future in futures.items():
        if future.done() and not future.cancelled():
            components[name] = future.result()
        else:
            components[name] = {"status": "fail", "error": f"no answer within {timeout:g} s"}
    failed = any(result["status"] == "fail" for result in components.values())
    return {"status": "fail" if failed else "ok", "components": components}
