"""Eight tabs of one worker sending the signing code at the same moment, through a
threaded server (Django's live server, one thread per request), on PostgreSQL.

Signing locks the agreement's row and checks it on the locked copy, and no request
code refreshes a case with django-fsm's ``refresh_from_db()`` (which unprotects the
state field on the model class for a moment, so another thread's transition failed
with "Direct state modification is not allowed"). One request signs; the others
answer with the page saying the agreement is signed or the code used. No 500.
"""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, Party, Signature
from casework.core.audit import Actor
from casework.core.formtokens import FIELD, new_token
from tests.invariants import assert_invariants

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
TABS = 8
CSRF = "c" * 32  # an unmasked CSRF secret, as the cookie and as the form field
CODE_RE = re.compile(r"验证码(\d{6})")


def _code_for(agreement: Agreement, user) -> str:
    sent = []
    services.signing_code_send(
        agreement=agreement, party=Party.WORKER, actor=Actor(user=user), deliver=sent.append
    )
    return CODE_RE.search(sent[0].text).group(1)


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _post(url: str, session: str, data: dict) -> tuple[int, str]:
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF}).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (loopback)
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={CSRF}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_eight_tabs_signing_at_once_sign_once_without_a_server_error(
    live_server, new_agreement, verified_parties, wang_worker
):
    agreement = new_agreement(Agreement.State.SENT)
    code = _code_for(agreement, wang_worker)
    session = _session_cookie(wang_worker)
    url = live_server.url + reverse("portal:agreement_sign", args=[agreement.code])
    start = threading.Barrier(TABS)

    def tab(_n: int) -> tuple[int, str]:
        start.wait()
        return _post(url, session, {"code": code, FIELD: new_token()})

    with ThreadPoolExecutor(TABS) as pool:
        answers = list(pool.map(tab, range(TABS)))

    statuses = [status for status, _page in answers]
    assert statuses == [200] * TABS, [(s, p[-2000:]) for s, p in answers if s != 200]
    assert Signature.objects.filter(agreement=agreement, party=Party.WORKER).count() == 1
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.state == Agreement.State.PARTLY_SIGNED
    assert_invariants()
