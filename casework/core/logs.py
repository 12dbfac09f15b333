"""Log lines: the request id, JSON output, personal data masked (docs/architecture.md).

A request id lives in a context variable for the length of a request
(casework.core.middleware.RequestIdMiddleware) and of a Celery task: a task sent
during a request carries it in its message headers (before_task_publish), and
the worker sets it again while the task runs (task_prerun / task_postrun), so
the worker's lines show the id of the request that caused them. Tasks run
in-process (the embedded set-up) simply still see the request's variable.

The handler's filters add the id to every record and mask resident ID numbers
and mobile numbers; DJANGO_LOG_FORMAT=json selects JsonFormatter (one JSON
object a line). scrub_event is the before_send hook of Sentry/GlitchTip
reporting (SENTRY_DSN in casework.settings).

This module is imported by casework.settings: it must not need Django set up.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid
from typing import Any

from celery import signals

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "casework_request_id", default=None
)
# The header a task message carries the id in (a name of ours: no clash with Celery's).
TASK_HEADER = "casework_request_id"
_VALID_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def new_request_id(incoming: str | None = None) -> str:
    """The incoming X-Request-ID if it is a plausible token, else a new one."""
    if incoming and _VALID_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


# --- personal data --------------------------------------------------------------------

# GB 11643 resident ID: 17 digits and a check digit or X; mobile numbers: 1[3-9] + 9 digits.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])")


def mask_personal_data(text: str) -> str:
    """110105********002X, 138****8000: enough to tell records apart, not to identify."""
    text = _RESIDENT_ID.sub(r"\1********\2", text)
    return _MOBILE.sub(r"\1****\2", text)


def remove_personal_data(text: str) -> str:
    """For reports leaving the server (Sentry): the whole number goes."""
    text = _RESIDENT_ID.sub("[Filtered]", text)
    return _MOBILE.sub("[Filtered]", text)


class RequestIdFilter(logging.Filter):
    """Adds request_id (None outside a request or task) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class PersonalDataFilter(logging.Filter):
    """Masks resident ID and mobile numbers in the message and the traceback."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


class TextFormatter(logging.Formatter):
    """The plain format; a line outside a request or task shows "-" for the id."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_id = request_id or "-"
        try:
            return super().format(record)
        finally:
            record.request_id = request_id


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601 with zone), level, logger, message,
    request_id, and the request's or task's fields when the record has them."""

    EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "task", "task_id")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created).astimezone().isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for field in self.EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


# --- Celery: the id travels with the task --------------------------------------------

_task_tokens: dict[str, contextvars.Token] = {}


@signals.before_task_publish.connect(dispatch_uid="casework_request_id_publish")
def put_request_id_in_headers(headers: dict | None = None, **_kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _request_id_of(task) -> str | None:
    request = getattr(task, "request", None)
    value = getattr(request, TASK_HEADER, None)  # a worker: message headers are attributes
    if not value:
        value = (getattr(request, "headers", None) or {}).get(TASK_HEADER)  # apply(headers=)
    return value if isinstance(value, str) and _VALID_ID.fullmatch(value) else None


@signals.task_prerun.connect(dispatch_uid="casework_request_id_prerun")
def set_request_id_for_task(task_id: str | None = None, task=None, **_kwargs) -> None:
    request_id = _request_id_of(task)
    if request_id is None and request_id_var.get() is not None:
        return  # run in-process during a request: the request's id is still set
    if task_id is not None:
        _task_tokens[task_id] = request_id_var.set(request_id)


@signals.task_postrun.connect(dispatch_uid="casework_request_id_postrun")
def clear_request_id_after_task(task_id: str | None = None, **_kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (never in a prefork worker)
            request_id_var.set(None)


# --- Sentry / GlitchTip ---------------------------------------------------------------

_REQUEST_KEYS_DROPPED = ("data", "cookies", "query_string")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return remove_personal_data(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """before_send: no request bodies, cookies or query strings; no ID or mobile numbers."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in _REQUEST_KEYS_DROPPED:
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in {"cookie", "authorization", "x-csrftoken"}
            }
    return _scrub(event)
