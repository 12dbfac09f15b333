"""The load balancer's probes: /healthz (liveness) and /readyz (readiness)."""

import datetime
import socket
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import OperationalError

from casework import celery_app
from casework.health import checks
from tests.test_settings import manage, production_env

COMPONENTS = {"database", "cache", "broker", "storage", "worker", "beat", "seal_certificate"}


@pytest.fixture
def embedded(settings):
    # The embedded set-up whatever the shell exported (make test-services sets a broker).
    settings.CELERY_TASK_ALWAYS_EAGER = True


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def write_cert(path, not_after: datetime.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test seal")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - datetime.timedelta(days=400))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    # Fast because it touches nothing: no query (a wall-clock bound here failed on a busy
    # CI machine when this was a worker's first request; speed belongs in benchmarks).
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_lists_every_component_on_the_embedded_set_up(client, db, embedded):
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert set(report["components"]) == COMPONENTS
    for name in ("broker", "worker", "beat"):
        assert report["components"][name]["status"] == "skipped"
    for name in ("database", "cache", "storage", "seal_certificate"):
        assert report["components"][name]["status"] == "ok"
        assert isinstance(report["components"][name]["ms"], float)


def test_readyz_needs_no_login(client, db, embedded, alice_mediator):
    assert client.get("/readyz").status_code == 200
    client.force_login(alice_mediator)
    assert client.get("/readyz").status_code == 200


class _Unreachable:
    def cursor(self):
        raise OperationalError("connection refused")

    def close(self):
        pass


def test_readyz_fails_naming_an_unreachable_database(client, db, embedded, monkeypatch):
    monkeypatch.setattr(checks, "connections", {checks.DATABASE: _Unreachable()})
    response = client.get("/readyz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "fail"
    assert report["components"]["database"] == {
        "status": "fail",
        "error": "OperationalError",
        "ms": report["components"]["database"]["ms"],
    }
    assert report["components"]["cache"]["status"] == "ok"


def test_readyz_fails_naming_an_unreachable_broker(client, db, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    url = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    # With CELERY_BROKER_URL in the environment (make test-services) the write URL
    # would still name the real broker.
    monkeypatch.setitem(celery_app.conf, "broker_write_url", url)
    start = time.perf_counter()
    response = client.get("/readyz")
    assert time.perf_counter() - start < 2
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["broker"]["status"] == "fail"
    assert components["worker"]["status"] == "fail"
    assert components["database"]["status"] == "ok"
    assert str(url) not in response.content.decode()


def test_a_hung_check_fails_after_its_timeout(client, db, embedded, monkeypatch):
    def hung():
        time.sleep(3)
        return {"status": "ok"}

    monkeypatch.setitem(checks.CHECKS, "cache", hung)
    start = time.perf_counter()
    response = client.get("/readyz")
    assert time.perf_counter() - start < 2
    assert response.status_code == 503
    assert response.json()["components"]["cache"]["status"] == "fail"


@pytest.mark.parametrize(
    ("days", "status", "code"),
    [(365, "ok", 200), (10, "warn", 200), (-1, "fail", 503)],
)
def test_seal_certificate_expiry(client, db, embedded, settings, tmp_path, days, status, code):
    cert = tmp_path / "seal.pem"
    write_cert(cert, datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days))
    settings.SEAL_CERT_FILE = str(cert)
    result = checks.check_seal_certificate()
    assert result["status"] == status
    response = client.get("/readyz")
    assert response.status_code == code
    assert response.json()["components"]["seal_certificate"]["status"] == status


def test_the_demo_certificate_is_checked_once_made(settings):
    from casework.documents.sealing import ensure_demo_seal

    ensure_demo_seal(settings.SEAL_DEMO_DIR)
    result = checks.check_seal_certificate()
    assert result["status"] == "ok"
    assert result["demo"] is True
    assert result["days_left"] > 30


def test_beat_is_late_when_the_sweep_was_not_sent_for_a_few_intervals(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHE_URL = "redis://cache.invalid/1"  # only read to tell a shared cache
    settings.DOCUMENT_SWEEP_SECONDS = 15
    checks.cache.delete(checks.BEAT_KEY)
    assert checks.check_beat()["status"] == "fail"

    checks.record_beat_send(sender=checks.SWEEP_TASK)
    assert checks.check_beat()["status"] == "ok"

    checks.cache.set(checks.BEAT_KEY, time.time() - 61)
    late = checks.check_beat()
    assert late["status"] == "fail"
    assert "60 s" in late["error"]
    checks.cache.delete(checks.BEAT_KEY)


def test_other_tasks_do_not_count_as_the_beat(settings):
    checks.cache.delete(checks.BEAT_KEY)
    checks.record_beat_send(sender="casework.documents.tasks.render_document")
    assert checks.cache.get(checks.BEAT_KEY) is None


def test_the_probes_are_exempt_from_the_https_redirect(tmp_path):
    # The production settings (DJANGO_HTTPS=1), in a process of their own.
    probe = (
        "from django.test import Client; "
        "c = Client(HTTP_HOST='casework.example.gov.cn'); "
        "print(c.get('/healthz').status_code, c.get('/accounts/login/').status_code)"
    )
    result = manage(
        "shell", "--no-imports", "-c", probe, env=production_env(tmp_path), tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]
