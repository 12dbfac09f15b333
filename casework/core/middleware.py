import logging
import time

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import empty
from django.utils.translation.trans_real import parse_accept_lang_header

from casework.core.logs import new_request_id, request_id_var

request_logger = logging.getLogger("casework.request")


class ChosenLanguageMiddleware:
    """Chinese unless the user picked another language with the switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would
    show English to every staff PC set up in English; the market's working
    language is Chinese, so only the language cookie set by the switch counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/"):
            # Programs have no switch: the API follows Accept-Language (docs/api.md).
            chosen = self._accepted(request)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response

    def _accepted(self, request) -> str | None:
        for code, _quality in parse_accept_lang_header(request.headers.get("accept-language", "")):
            language = code.lower()
            if language.startswith("zh"):
                return settings.LANGUAGE_CODE
            if language.split("-")[0] in self.supported:
                return language.split("-")[0]
        return None


class PermissionsPolicyMiddleware:
    """Switches off the browser features no page uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestIdMiddleware:
    """Gives each request an id for its log lines and the tasks it sends; logs the request.

    The id is the incoming X-Request-ID when it is a plausible token (a proxy's or
    load balancer's), else a new one; it is returned as X-Request-ID. The line
    logged at the end (logger casework.request) has the method, the path without
    its query string (it may hold personal data), the status, the duration and the
    user's id (never the name). First in MIDDLEWARE so every line of the request
    has the id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            status = response.status_code
            request_logger.log(
                logging.WARNING if status >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _user_id(request) -> int | None:
    # Only a user the request already loaded: reading it here would query the session
    # (and the database) on requests that never needed it, such as /healthz.
    user = request.__dict__.get("user")
    user = getattr(user, "_wrapped", user)
    if user is None or user is empty or not user.is_authenticated:
        return None
    return user.pk


class ErrorPageMiddleware:
    """Django answers a wrong method (405) and some refusals (429) with an empty body:
    those get the site's page saying what to do next (templates/405.html, 429.html),
    with the response's own headers (Allow, Retry-After) kept."""

    PAGES = (405, 429)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code not in self.PAGES or response.streaming or response.content:
            return response
        page = render(request, f"{response.status_code}.html", status=response.status_code)
        for header in ("Allow", "Retry-After"):
            if header in response:
                page[header] = response[header]
        return page
