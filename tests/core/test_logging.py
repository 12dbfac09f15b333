"""Log lines: JSON output, the request id (also in Celery tasks), personal data masked,
and the Sentry/GlitchTip scrubber (casework.core.logs)."""

import io
import json
import logging

import pytest
from celery.app.task import Context

from casework.core import logs
from tests.core.logging_urls import log_task
from tests.test_settings import manage

REQUEST_ID = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


@pytest.fixture
def json_lines():
    """The JSON lines logged during the test, as the console handler would write them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    handler.addFilter(logs.PersonalDataFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def _by_logger(lines, name):
    return [line for line in lines if line["logger"] == name]


@pytest.mark.urls("tests.core.logging_urls")
# A real commit, so on_commit runs as in production. serialized_rollback like every
# transactional test here: a flush without it re-creates content types, which the next
# serialized test then fails to restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_request_line_and_its_task_line_share_the_request_id(client, json_lines):
    response = client.get("/send-task/?phone=13800138000", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response["X-Request-ID"] == REQUEST_ID
    lines = json_lines()
    (request_line,) = _by_logger(lines, "casework.request")
    assert request_line["request_id"] == REQUEST_ID
    assert request_line["method"] == "GET"
    assert request_line["path"] == "/send-task/"  # no query string
    assert request_line["status"] == 200
    assert isinstance(request_line["duration_ms"], float)
    assert "13800138000" not in json.dumps(lines)
    assert "+08:00" in request_line["time"] or request_line["time"].endswith("+00:00")
    task_lines = [line for line in lines if line["message"] == "task ran: sent by the page"]
    assert len(task_lines) == 1
    assert task_lines[0]["request_id"] == REQUEST_ID
    assert logs.request_id_var.get() is None  # cleared after the request


def test_the_id_travels_in_the_task_headers_to_the_worker(json_lines):
    # The web process: publishing a task during a request puts the id in its headers.
    headers: dict = {}
    token = logs.request_id_var.set(REQUEST_ID)
    try:
        logs.put_request_id_in_headers(headers=headers, body=None)
    finally:
        logs.request_id_var.reset(token)
    assert headers == {logs.TASK_HEADER: REQUEST_ID}

    # The worker: no request here; task_prerun sets the id from the headers, postrun clears it.
    assert logs.request_id_var.get() is None
    log_task.apply(args=["in the worker"], headers=headers)
    (line,) = [line for line in json_lines() if line["message"] == "task ran: in the worker"]
    assert line["request_id"] == REQUEST_ID
    assert logs.request_id_var.get() is None

    # A worker's request context has the message headers as attributes.
    task = type("Task", (), {"request": Context({logs.TASK_HEADER: REQUEST_ID})})()
    logs.set_request_id_for_task(task_id="t-1", task=task)
    assert logs.request_id_var.get() == REQUEST_ID
    logs.clear_request_id_after_task(task_id="t-1")
    assert logs.request_id_var.get() is None


def test_no_request_id_outside_a_request(json_lines):
    headers: dict = {}
    logs.put_request_id_in_headers(headers=headers)
    assert headers == {}
    logging.getLogger("tests.logging").info("no request")
    (line,) = json_lines()
    assert line["request_id"] is None


def test_a_valid_incoming_id_is_reused_and_an_invalid_one_replaced(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=REQUEST_ID)["X-Request-ID"] == REQUEST_ID
    for bad in ("short", "has spaces in it", "x" * 65, "<script>alert(1)</script>"):
        replaced = client.get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert replaced != bad
        assert len(replaced) == 32 and int(replaced, 16) >= 0  # a uuid4 hex
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second


def test_the_request_line_has_the_user_id_not_the_name(client, alice_mediator, json_lines):
    client.force_login(alice_mediator)
    client.get("/")
    (line,) = _by_logger(json_lines(), "casework.request")
    assert line["user_id"] == alice_mediator.pk
    assert "alice" not in json.dumps(line)


def test_id_and_mobile_numbers_are_masked(json_lines):
    logger = logging.getLogger("tests.logging")
    logger.info("person %s, mobile %s", "11010519491231002X", "13800138000")
    try:
        raise ValueError("bad number 440305198806150021")
    except ValueError:
        logger.exception("failed for 13912345678")
    first, second = json_lines()
    assert first["message"] == "person 110105********002X, mobile 138****8000"
    assert second["message"] == "failed for 139****5678"
    assert "440305********0021" in second["exception"]
    assert "440305198806150021" not in second["exception"]
    # Other numbers are left alone: amounts, case numbers, a longer digit run.
    assert logs.mask_personal_data("claim 12000 yuan, case 2024-0001") == (
        "claim 12000 yuan, case 2024-0001"
    )
    assert logs.mask_personal_data("1380013800012345") == "1380013800012345"


def test_the_text_format_shows_the_id(json_lines):
    formatter = logs.TextFormatter("[%(request_id)s] %(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    logs.RequestIdFilter().filter(record)
    assert formatter.format(record) == "[-] hello"
    assert record.request_id is None


def test_the_sentry_scrubber_removes_personal_data():
    event = {
        "message": "no such person 11010519491231002X",
        "request": {
            "url": "https://casework.example.gov.cn/parties/?mobile=13800138000",
            "method": "POST",
            "query_string": "mobile=13800138000",
            "data": {"id_number": "11010519491231002X"},
            "cookies": {"sessionid": "secret"},
            "headers": {"Cookie": "sessionid=secret", "User-Agent": "Firefox"},
        },
        "exception": {
            "values": [{"value": "ValueError: 110105199003071239 / 13912345678", "type": "E"}]
        },
        "breadcrumbs": {"values": [{"message": "sms to 13800138000"}]},
        "extra": {"count": 3},
    }

    scrubbed = logs.scrub_event(event, {})

    text = json.dumps(scrubbed)
    for personal in ("11010519491231002X", "110105199003071239", "13800138000", "13912345678"):
        assert personal not in text
    assert "secret" not in text
    request = scrubbed["request"]
    assert request["url"] == "https://casework.example.gov.cn/parties/"
    assert {"data", "cookies", "query_string"}.isdisjoint(request)
    assert request["headers"] == {"User-Agent": "Firefox"}
    assert scrubbed["message"] == "no such person [Filtered]"
    assert scrubbed["extra"] == {"count": 3}


def test_log_format_and_sentry_settings(tmp_path):
    bad = manage("check", env={"DJANGO_LOG_FORMAT": "xml"}, tmp_path=tmp_path)
    assert bad.returncode != 0
    assert "DJANGO_LOG_FORMAT='xml'" in bad.stderr
    # A DSN (Sentry or GlitchTip) starts reporting; nothing is sent by a check.
    env = {"DJANGO_LOG_FORMAT": "json", "SENTRY_DSN": "https://key@glitchtip.invalid/1"}
    good = manage("check", env=env, tmp_path=tmp_path)
    assert good.returncode == 0, good.stderr
