"""The API's one error format (docs/api.md, "Errors").

Every refusal, whatever raised it, is answered as::

    {"error": {"status": 404, "code": "not_found", "message": "未找到。", "fields": {}}}

``code`` is stable and in English, for programs; ``message`` is for people, in Chinese
unless the request asks for English (``Accept-Language: en``); ``fields`` maps a field of
the request to its messages when the input was refused.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

MESSAGES = {
    400: _("The request is not valid."),
    401: _("Sign in first: the token is missing, wrong or expired."),
    403: _("You may not do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    409: _("This conflicts with the record as it stands now; read it again and retry."),
    413: _("The request is too large."),
    422: _("Some of the data given is not valid."),
    429: _("Too many requests: wait a moment and try again."),
}
CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}
ERROR_STATUSES = frozenset(CODES)


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    """A refusal with its status, code, message and the fields it concerns."""

    def __init__(
        self,
        status: int,
        message: object = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Iterable[object]] | None = None,
        wait: int | None = None,
    ) -> None:
        super().__init__(status, code)
        self.wait = wait  # seconds, for Retry-After
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message if message is not None else MESSAGES.get(status, "")
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}


def body(exc: ApiError) -> dict:
    return {
        "error": {
            "status": exc.status,
            "code": exc.code,
            "message": str(exc.message),
            "fields": exc.fields,
        }
    }


def from_django(
    exc: DjangoValidationError, *, status: int = 422, code: str = "invalid"
) -> ApiError:
    """A service's or a form's ValidationError: its messages, by field where it has fields."""
    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field" if name == "__all__" else name): msgs
            for name, msgs in exc.message_dict.items()
        }
        first = next(iter(fields.values()), [MESSAGES[status]])[0]
        return ApiError(status, first, code=code, fields=fields)
    messages = exc.messages or [str(MESSAGES[status])]
    return ApiError(status, " ".join(messages), code=code)


def form_error(form) -> ApiError:
    """A Django form's errors (the same validation as the page) as a 422."""
    fields = {
        ("non_field" if name == "__all__" else name): [str(m) for m in errors]
        for name, errors in form.errors.items()
    }
    first = next(iter(fields.values()), [str(MESSAGES[422])])[0]
    return ApiError(422, first, fields=fields)


def _pydantic_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "mobile") -> "mobile"; a parameter keeps its own name.
        name = ".".join(location[2:] if location[:1] == ["body"] else location[1:]) or "non_field"
        fields.setdefault(name, []).append(_pydantic_message(error))
    return fields


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return gettext("This field is required.")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return gettext("This value has the wrong type or form.")
    return gettext("This value is not valid.")


def install(api) -> None:
    """Answer every refusal of ``api`` in the one format."""

    def respond(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = api.create_response(request, body(exc), status=exc.status)
        if exc.status == 429 and exc.wait:
            response["Retry-After"] = str(exc.wait)
        return response

    def on_validation(request, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, ApiError(422, fields=_pydantic_fields(exc.errors)))

    def on_http(request, exc: HttpError) -> HttpResponse:
        return respond(request, ApiError(exc.status_code))

    def on_throttled(request, exc: Throttled) -> HttpResponse:
        return respond(request, ApiError(429, wait=exc.wait))

    api.add_exception_handler(ApiError, respond)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, lambda r, e: respond(r, ApiError(401)))
    api.add_exception_handler(AuthorizationError, lambda r, e: respond(r, ApiError(403)))
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, lambda r, e: respond(r, ApiError(404)))
    api.add_exception_handler(PermissionDenied, lambda r, e: respond(r, ApiError(403)))
    # A form body that cannot be parsed (multipart without its boundary): Django's own
    # answer would be its HTML 400 page.
    api.add_exception_handler(MultiPartParserError, lambda r, e: respond(r, ApiError(400)))
    api.add_exception_handler(DjangoValidationError, lambda r, e: respond(r, from_django(e)))


def responses(ok: dict, *statuses: int) -> dict:
    """An operation's response map: its answers and the errors it may give (always 400,
    401, 422 and 429; ``statuses`` adds others, e.g. 403, 404, 409).

    400 is a request that cannot be read (a body that is not JSON, a form without its
    boundary): any call may send one, whatever the operation expects."""
    errors = {400, 401, 422, 429, *statuses}
    return {**ok, frozenset(errors): ErrorOut}
