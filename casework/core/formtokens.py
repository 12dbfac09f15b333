"""One-time form tokens: a form sent twice creates its record once.

A double click, or a phone resending a POST on a bad network, sends the same
form twice. Every form that creates something carries a fresh random token
(``{% form_token %}``, casework.core.templatetags.formtokens); the view is
wrapped in ``@one_time_form``, which claims the token with an INSERT on a
unique column before the view runs. Of two requests with the same token only
one INSERT succeeds; the other never reaches the service and, once the first
has finished, is sent to the first one's result (see docs/workflows.md).
"""

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.models import FormToken

FIELD = "submission"  # the hidden input's name (the complaint forms used it first)
MAX_AGE = timezone.timedelta(days=1)
POLL_SECONDS = 0.2
SESSION_MARK = "form_tokens"
REDIRECTS = {301, 302, 303, 307, 308}
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")

State = FormToken.State
OnRepeat = Callable[[HttpRequest, FormToken], HttpResponse]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def mark_done(response: HttpResponse, result_url: str) -> HttpResponse:
    """For a view that answers a successful POST with a page instead of a redirect
    (a tracking code shown once): where a second submission of the form is sent."""
    response.form_token_result = result_url
    return response


def wait_seconds() -> float:
    return float(getattr(settings, "FORM_TOKEN_WAIT_SECONDS", 5.0))


# -- who sent the form -------------------------------------------------------------------


def mark_session(request: HttpRequest) -> None:
    """Give an anonymous visitor a session with the form page, so a double click sends
    both copies with the same session cookie (a token is bound to its session)."""
    if request.user.is_authenticated or SESSION_MARK in request.session:
        return
    request.session[SESSION_MARK] = True


def _owner(request: HttpRequest) -> dict:
    if request.user.is_authenticated:
        return {"user": request.user, "session_key": ""}
    mark_session(request)
    if request.session.session_key is None:
        request.session.save()  # a client without the cookie: bound to a new session
    return {"user": None, "session_key": request.session.session_key}


def _same_owner(row: FormToken, owner: dict) -> bool:
    user = owner["user"]
    return row.user_id == (user.pk if user else None) and row.session_key == owner["session_key"]


# -- claiming ----------------------------------------------------------------------------


@dataclass
class Claim:
    row: FormToken | None = None  # ours: run the view
    earlier: FormToken | None = None  # somebody's earlier submission of the same token


def _insert(token: str, owner: dict) -> FormToken | None:
    # Its own transaction, committed at once: the second request's INSERT fails on the
    # unique token (on PostgreSQL it waits for the first to commit, then fails).
    try:
        with transaction.atomic():
            return FormToken.objects.create(token=token, **owner)
    except IntegrityError:
        return None


def claim(token: str, owner: dict) -> Claim:
    """Ours, or the earlier submission once it is done (or after waiting for it)."""
    deadline = time.monotonic() + wait_seconds()
    while True:
        row = _insert(token, owner)
        if row is not None:
            return Claim(row=row)
        earlier = FormToken.objects.filter(token=token).first()
        if earlier is not None and (earlier.state == State.DONE or not _same_owner(earlier, owner)):
            return Claim(earlier=earlier)
        if time.monotonic() >= deadline:
            return Claim(earlier=earlier or FormToken(token=token, **owner))
        # Still being processed, or released a moment ago after form errors: try again.
        time.sleep(POLL_SECONDS)


def _finish(row: FormToken, result_url: str) -> None:
    FormToken.objects.filter(pk=row.pk).update(state=State.DONE, result_url=result_url[:500])


def _release(row: FormToken) -> None:
    # The form was not accepted: the same page may be corrected and sent again.
    FormToken.objects.filter(pk=row.pk).delete()


# -- the outcome of the view -------------------------------------------------------------


def _message_levels(request: HttpRequest) -> list[int]:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return []
    used = storage.used  # iterating marks the messages as shown; keep them for the page
    levels = [message.level for message in storage]
    storage.used = used
    return levels


def result_url(request: HttpRequest, response: HttpResponse, messages_before: int) -> str | None:
    """Where a second submission goes, or None when this one did not succeed."""
    marked = getattr(response, "form_token_result", None)
    if marked:
        return marked
    if response.status_code not in REDIRECTS:
        return None  # the form again, with its errors
    # A refusal (not possible now, changed meanwhile) is a redirect with an error message.
    if any(level >= messages.ERROR for level in _message_levels(request)[messages_before:]):
        return None
    return response["Location"]


def _run(request, row: FormToken, view, args, kwargs) -> HttpResponse:
    before = len(_message_levels(request))
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        _release(row)
        raise
    url = result_url(request, response, before)
    if url is None:
        _release(row)
    else:
        _finish(row, url)
    return response


# -- answers to a form that cannot be processed ----------------------------------------


def _problem(request, message: str, status: int) -> HttpResponse:
    return render(request, "core/form_token.html", {"message": message}, status=status)


def missing(request) -> HttpResponse:
    return _problem(
        request,
        _(
            "This form has no valid submission token, so it was not processed. Open the "
            "page again and send the form from there."
        ),
        400,
    )


def _not_yours(request) -> HttpResponse:
    return _problem(
        request,
        _("This form was opened by someone else. Open the page yourself and fill it in again."),
        403,
    )


def _pending(request) -> HttpResponse:
    return _problem(
        request,
        _(
            "This form was already sent and is still being processed. Wait a moment and "
            "look at the record before sending it again."
        ),
        409,
    )


def repeated(request, earlier: FormToken) -> HttpResponse:
    """The default answer to a second submission: the first one's result."""
    messages.info(
        request, _("This form was already sent; here is the result of the first submission.")
    )
    return redirect(earlier.result_url)


def _answer_earlier(request, earlier: FormToken, owner: dict, on_repeat) -> HttpResponse:
    if not _same_owner(earlier, owner):
        return _not_yours(request)
    if earlier.state != State.DONE:
        return _pending(request)
    return on_repeat(request, earlier)


# -- the decorator -----------------------------------------------------------------------


def one_time_form(view=None, *, on_repeat: OnRepeat | None = None):
    """Process each POST's token once; GET passes through. Put it below the login and
    permission decorators, so only a request that may post claims a token."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            token = request.POST.get(FIELD, "")
            if not _TOKEN.fullmatch(token):
                return missing(request)
            owner = _owner(request)
            found = claim(token, owner)
            if found.row is None:
                return _answer_earlier(request, found.earlier, owner, on_repeat or repeated)
            return _run(request, found.row, view, args, kwargs)

        wrapper.one_time_form = True  # found by tests/core/test_form_tokens.py
        return wrapper

    return decorate(view) if view is not None else decorate


def purge(now=None) -> int:
    """Forget tokens older than a day (a beat task): the same form sent after that
    is processed again, which nobody does by accident."""
    cutoff = (now or timezone.now()) - MAX_AGE
    deleted, _counts = FormToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted
