"""A broker that refuses connections or never answers costs a step nothing but time ≤ 1 s.

The request part needs no Redis: the app is pointed at a closed port of
127.0.0.1, or at a listener there that accepts and never replies. Afterwards
the app is pointed back (in-process here; at the real broker and worker in the
``services`` test) and the sweep alone makes every document ready.
"""

import datetime
import os
import re
import socket
import threading
import time

import kombu.pools
import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from casework import celery_app
from casework.core import broker as broker_sends
from casework.disputes.models import Dispute
from casework.documents import services
from casework.documents.models import Document
from tests.celery_worker import NEEDS_BROKER, celery_worker_process  # noqa: F401  (a fixture)

STEP_SECONDS = 3  # what a step may take with the broker gone


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more: connections are refused
    return port


class HungListener:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:  # closed
                return
            self.held.append(conn)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


def _point_celery_at(url: str | None, *, eager: bool) -> None:
    # Drop the pooled connections to the previous broker (not celery_app.close(): that
    # also unregisters the app, and tasks imported later would never reach it).
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()  # kombu's global producer pools, which even eager sends use
    # The write URL: CELERY_BROKER_URL in the environment (make test-services) would
    # override broker_url itself.
    celery_app.conf.broker_write_url = url
    celery_app.conf.task_always_eager = eager
    broker_sends.resume()


@pytest.fixture
def broker(request):
    """``broker.gone(url)`` sends tasks to ``url`` for real; ``broker.back()`` undoes it."""
    previous = (celery_app.conf.broker_write_url, celery_app.conf.task_always_eager)

    class Switch:
        def gone(self, url: str) -> None:
            _point_celery_at(url, eager=False)

        def back(self) -> None:
            _point_celery_at(previous[0], eager=previous[1])

    switch = Switch()
    yield switch
    switch.back()


@pytest.fixture
def hung_listener():
    listener = HungListener()
    yield listener
    listener.close()


def post_step(client, url: str):
    """POST a step's form as a browser would: with the hidden fields of its page."""
    page = client.get(url).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    return client.post(url, hidden)


def accept_with_the_broker_gone(client, dispute, alice_mediator, capture_on_commit):
    client.force_login(alice_mediator)
    url = reverse("disputes:accept", args=[dispute.code])
    with capture_on_commit(execute=True):  # hooks run as after a real commit
        started = time.monotonic()
        response = post_step(client, url)
        took = time.monotonic() - started
    return response, took


def assert_step_done_and_document_pending(response, took, dispute) -> Document:
    assert broker_sends.paused(), "the send did not fail: was the broker gone?"
    assert response.status_code == 302, response.content.decode()[:500]
    assert response.url == reverse("disputes:detail", args=[dispute.code])
    assert took < STEP_SECONDS, f"the step took {took:.1f} s"
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.ACCEPTED
    notice = Document.objects.get(kind="dispute_acceptance_notice")
    assert notice.status == "pending"  # saved; its render is the sweep's now
    return notice


def sweep_a_minute_later() -> None:
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        services.document_sweep()


def test_the_broker_settings_bound_a_send_to_about_a_second(settings):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 1
    assert settings.CELERY_TASK_PUBLISH_RETRY is False


def test_a_step_returns_at_once_when_the_broker_refuses_connections(
    client, new_dispute, alice_mediator, broker, django_capture_on_commit_callbacks
):
    dispute = new_dispute()
    broker.gone(f"redis://127.0.0.1:{closed_port()}/0")

    response, took = accept_with_the_broker_gone(
        client, dispute, alice_mediator, django_capture_on_commit_callbacks
    )

    notice = assert_step_done_and_document_pending(response, took, dispute)
    broker.back()
    sweep_a_minute_later()
    assert Document.objects.get(pk=notice.pk).status == "ready"


def test_a_step_returns_in_time_when_the_broker_never_answers(
    client, new_dispute, alice_mediator, broker, hung_listener, django_capture_on_commit_callbacks
):
    dispute = new_dispute()
    broker.gone(f"redis://127.0.0.1:{hung_listener.port}/0")

    response, took = accept_with_the_broker_gone(
        client, dispute, alice_mediator, django_capture_on_commit_callbacks
    )

    assert hung_listener.held, "the request never reached the hung listener"
    notice = assert_step_done_and_document_pending(response, took, dispute)
    broker.back()
    sweep_a_minute_later()
    assert Document.objects.get(pk=notice.pk).status == "ready"


def test_the_next_sends_skip_a_broker_that_just_failed(db, broker, hung_listener):
    broker.gone(f"redis://127.0.0.1:{hung_listener.port}/0")

    started = time.monotonic()
    results = [services.send_render(n) for n in (1, 2, 3)]

    assert results == [False, False, False]
    assert time.monotonic() - started < 2  # one wait, not three


# With the real broker and worker: the documents of a step taken while the broker was
# down are rendered by the worker once the sweep runs, with nobody doing anything else.


@pytest.mark.celery_worker
@pytest.mark.services
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason=NEEDS_BROKER)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_broker_returns_the_sweep_gets_every_document_ready(
    celery_worker_process,  # noqa: F811  (the fixture imported above)
    client,
    new_dispute,
    alice_mediator,
    broker,
    settings,
):
    ContentType.objects.clear_cache()  # ids cached before a flush are stale
    settings.MEDIA_ROOT = celery_worker_process / "media"  # where the worker stores files
    dispute = new_dispute()
    broker.gone(f"redis://127.0.0.1:{closed_port()}/0")

    started = time.monotonic()
    response = post_step(client_logged_in(client, alice_mediator), step(dispute))
    took = time.monotonic() - started

    notice = assert_step_done_and_document_pending(response, took, dispute)
    broker.back()  # the real broker again
    deadline = time.monotonic() + 60
    while Document.objects.get(pk=notice.pk).status != "ready":
        assert time.monotonic() < deadline, "not ready a minute after the broker returned"
        sweep_a_minute_later()  # what beat does every few seconds
        time.sleep(0.5)
    assert not Document.objects.exclude(status="ready").exists()


def client_logged_in(client, user):
    client.force_login(user)
    return client


def step(dispute) -> str:
    return reverse("disputes:accept", args=[dispute.code])
