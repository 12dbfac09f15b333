"""Sign-in by mobile number and text code (docs/portal.md): codes, limits, no enumeration,
portal sessions."""

import datetime
import re

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.core.models import SmsMessage
from casework.notifications.models import Notification
from portal import accounts
from portal.accounts import code_hash
from portal.middleware import SESSION_FLAG
from portal.models import SignInCode
from tests.conftest import PASSWORD, clear_own_cache, make_person
from tests.formtoken_client import FormTokenClient

WANG_MOBILE = "13800138000"  # wang_worker's number (tests/conftest.py)
UNKNOWN_MOBILE = "13611112222"
SIGNIN = reverse("portal:signin")
CODE = reverse("portal:signin_code")


@pytest.fixture(autouse=True)
def _fresh_limits():
    clear_own_cache()
    yield
    clear_own_cache()


def send_code(client, mobile: str):
    # The text goes out after the commit (eager Celery in the tests).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(SIGNIN, {"mobile": mobile})


def last_code(mobile: str) -> str:
    message = SmsMessage.objects.filter(to=mobile).first()
    assert message is not None, f"no text to {mobile}"
    return re.search(r"\d{6}", message.text).group()


def enter(client, code: str):
    return client.post(CODE, {"code": code})


def confirm_mobile(client, mobile: str):
    """Send a code to ``mobile`` and enter it: the answer to the right code."""
    assert send_code(client, mobile).status_code == 302
    return enter(client, last_code(mobile))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_worker_signs_in_with_a_code(client, wang_worker):
    response = send_code(client, WANG_MOBILE)
    assert response.status_code == 302 and response.url == CODE
    page = client.get(CODE).content.decode()
    assert "138****8000" in page and WANG_MOBILE not in page
    response = enter(client, last_code(WANG_MOBILE))
    assert response.url == reverse("portal:home")
    assert client.session[SESSION_FLAG]
    assert "王小明" in client.get(reverse("portal:home")).content.decode()


def test_the_code_message_is_urgent_and_its_own_step(client, wang_worker):
    send_code(client, WANG_MOBILE)
    row = Notification.objects.get(recipient=WANG_MOBILE)
    assert row.urgent and row.template == "portal_signin_code"
    assert row.subject == SignInCode.objects.get()


def _comparable(response) -> tuple:
    body = response.content.decode()
    body = re.sub(r'name="(csrfmiddlewaretoken|submission)" value="[^"]*"', "", body)
    return response.status_code, response.get("Location"), body


def test_a_known_and_an_unknown_number_get_the_same_answer(wang_worker):
    known, unknown = FormTokenClient(), FormTokenClient()
    sent_known, sent_unknown = send_code(known, WANG_MOBILE), send_code(unknown, UNKNOWN_MOBILE)
    assert _comparable(sent_known) == _comparable(sent_unknown)
    assert sent_known.status_code == 302 and sent_known.url == CODE
    # The code pages differ only by the masked number.
    page_known = known.get(CODE).content.decode().replace("138****8000", "NUMBER")
    page_unknown = unknown.get(CODE).content.decode().replace("136****2222", "NUMBER")
    strip = re.compile(r'name="(csrfmiddlewaretoken|submission)" value="[^"]*"')
    assert strip.sub("", page_known) == strip.sub("", page_unknown)
    # Both numbers got a code by the same work: a row and a message each.
    assert SignInCode.objects.filter(mobile=WANG_MOBILE).count() == 1
    assert SignInCode.objects.filter(mobile=UNKNOWN_MOBILE).count() == 1
    assert SmsMessage.objects.filter(to=UNKNOWN_MOBILE).count() == 1
    # Only the right code tells them apart: the unknown number goes on to registration.
    assert enter(unknown, last_code(UNKNOWN_MOBILE)).url == reverse("portal:register")
    assert "_auth_user_id" not in unknown.session
    assert enter(known, last_code(WANG_MOBILE)).url == reverse("portal:home")


def _work(mobile: str) -> list[str]:
    """The SQL a request for a code runs, with the values taken out: what it does."""
    ContentType.objects.clear_cache()  # both calls start from the same cache
    with CaptureQueriesContext(connection) as queries:
        assert send_code(FormTokenClient(), mobile).url == CODE
    values = re.compile(r"\b\d+\b|'[^']*'|\"s\d+_x\d+\"")
    return [values.sub("?", query["sql"]) for query in queries.captured_queries]


def test_a_known_and_an_unknown_number_cost_the_same_work(wang_worker):
    """The timing class: both answers come from the same statements in the same order
    (the code row, its text queued and sent, the limits), whoever owns the number; no
    statement reads a login or a person. Measured times would only add the machine's
    noise to this."""
    known, unknown = _work(WANG_MOBILE), _work(UNKNOWN_MOBILE)
    assert known == unknown
    assert not any("parties_person" in sql or "auth_user" in sql for sql in known)


def test_a_malformed_number_is_refused_with_the_form(client, db):
    response = send_code(client, "12345")
    assert response.status_code == 200
    assert "11" in response.content.decode()
    assert not SignInCode.objects.exists()


def test_codes_are_stored_only_as_keyed_hashes(client, wang_worker):
    send_code(client, WANG_MOBILE)
    code = last_code(WANG_MOBILE)
    row = SignInCode.objects.get()
    assert row.code_hash == code_hash(WANG_MOBILE, code) and code not in row.code_hash
    assert code not in str([getattr(row, f.attname) for f in row._meta.fields])
    assert code not in Notification.objects.get().text  # the queue shows it masked
    enter(client, code)
    assert code not in str(Notification.objects.get().params)  # and forgets it once sent


def test_a_code_expires_after_five_minutes(client, wang_worker):
    send_code(client, WANG_MOBILE)
    code = last_code(WANG_MOBILE)
    later = timezone.now() + datetime.timedelta(minutes=5, seconds=1)
    with time_machine.travel(later, tick=False):
        response = enter(client, code)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_sixth_try_is_refused_even_with_the_right_code(client, wang_worker):
    send_code(client, WANG_MOBILE)
    code = last_code(WANG_MOBILE)
    for _try in range(5):
        assert enter(client, _wrong(code)).status_code == 200
    response = enter(client, code)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert SignInCode.objects.get().attempts == 6


def test_a_code_works_once(client, wang_worker):
    send_code(client, WANG_MOBILE)
    code = last_code(WANG_MOBILE)
    assert enter(client, code).status_code == 302
    with pytest.raises(accounts.Refused):
        accounts.code_check(mobile=WANG_MOBILE, code=code)


def test_a_new_code_retires_the_previous_one_and_waits_a_minute(client, wang_worker):
    send_code(client, WANG_MOBILE)
    first = last_code(WANG_MOBILE)
    response = send_code(client, WANG_MOBILE)  # at once: refused, the same for any number
    assert response.status_code == 200
    assert f'href="{CODE}"' in response.content.decode()  # back to the code already sent
    assert SignInCode.objects.count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        assert send_code(client, WANG_MOBILE).status_code == 302
        second = last_code(WANG_MOBILE)
        assert SignInCode.objects.filter(retired_at__isnull=False).count() == 1
        if first != second:
            assert enter(client, first).status_code == 200
        assert enter(client, second).url == reverse("portal:home")


def test_codes_per_number_are_limited(client, db, settings):
    settings.PORTAL_CODE_MOBILE_LIMIT = 2
    start = timezone.now()
    for minute in range(2):
        with time_machine.travel(start + datetime.timedelta(minutes=minute * 2), tick=False):
            assert send_code(FormTokenClient(), UNKNOWN_MOBILE).status_code == 302
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        assert send_code(FormTokenClient(), UNKNOWN_MOBILE).status_code == 429
    assert SignInCode.objects.count() == 2


def test_codes_per_address_are_limited(client, db, settings):
    settings.PORTAL_CODE_IP_LIMIT = 3
    for n in range(3):
        assert send_code(client, f"1361111000{n}").status_code == 302
    assert send_code(client, "13611110009").status_code == 429
    assert SignInCode.objects.count() == 3


def test_code_tries_per_address_are_limited(client, wang_worker, settings):
    settings.PORTAL_CODE_ENTRY_IP_LIMIT = 2
    send_code(client, WANG_MOBILE)
    code = last_code(WANG_MOBILE)
    enter(client, _wrong(code))
    enter(client, _wrong(code))
    assert enter(client, code).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_staff_login_is_never_signed_in_by_a_code(client, alice_mediator):
    make_person("调解员本人", "110105199003071212", UNKNOWN_MOBILE, user=alice_mediator)
    response = confirm_mobile(client, UNKNOWN_MOBILE)
    assert response.url == reverse("portal:register")
    assert "_auth_user_id" not in client.session


def test_an_inactive_portal_login_is_not_signed_in(client, wang_worker):
    wang_worker.is_active = False
    wang_worker.save()
    assert confirm_mobile(client, WANG_MOBILE).url == reverse("portal:register")
    assert "_auth_user_id" not in client.session


def test_a_portal_session_is_refused_on_staff_pages(client, wang_worker):
    confirm_mobile(client, WANG_MOBILE)
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get("/disputes/").status_code == 403
    assert client.get(reverse("access_log")).status_code == 403
    assert client.get("/admin/").status_code == 403
    assert client.get(reverse("home")).url == reverse("portal:home")
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_password_session_of_a_worker_is_not_a_portal_session(client, wang_worker):
    assert client.login(username="wang", password=PASSWORD)
    assert SESSION_FLAG not in client.session
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_portal_session_ends_after_its_lifetime(client, wang_worker, settings):
    confirm_mobile(client, WANG_MOBILE)
    later = timezone.now() + datetime.timedelta(seconds=settings.PORTAL_SESSION_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("portal:home"))
    assert response.url == reverse("portal:signin")
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_number_goes_back(client, db):
    assert client.get(CODE).url == SIGNIN
    assert client.post(CODE, {"code": "123456"}).url == SIGNIN


def test_odd_input_is_a_form_error(client, wang_worker):
    send_code(client, WANG_MOBILE)
    for odd in ("", "abc", "１２３", "1" * 30, "12345\x00"):
        assert enter(client, odd).status_code == 200
    assert SignInCode.objects.get().attempts == 0  # not a try of the code


def test_the_login_page_links_to_the_code_sign_in(client, db):
    assert SIGNIN in client.get(reverse("login")).content.decode()


def test_a_worker_who_signs_out_comes_back_to_the_code_sign_in(client, wang_worker):
    client.force_login(wang_worker)
    page = client.get(reverse("portal:home")).content.decode()
    assert f'name="next" value="{SIGNIN}"' in page
    response = client.post(reverse("logout"), {"next": SIGNIN})
    assert response.url == SIGNIN and "_auth_user_id" not in client.session
