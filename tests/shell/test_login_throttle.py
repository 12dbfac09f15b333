"""Failed logins: the sixth wrong password finds the account locked (django-axes)."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from casework.core.ratelimit import limit_key
from tests.conftest import PASSWORD

LOCKED = "此账号因密码错误次数过多已被锁定"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    cache.delete(limit_key("login", "127.0.0.1"))
    yield
    cache.delete(limit_key("login", "127.0.0.1"))


def log_in(client, username: str, password: str):
    with translation.override("zh-hans"):
        return client.post(
            reverse("login"),
            {"username": username, "password": password},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )


def test_the_sixth_wrong_password_locks_the_account_with_a_chinese_message(client, sam_supervisor):
    answers = [log_in(client, "sam", "wrong") for _ in range(6)]

    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert answers[5].status_code == 429
    assert LOCKED in answers[5].content.decode()
    # Locked: even the right password is refused now.
    right = log_in(client, "sam", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_an_administrator_unlocks_the_account(client, sam_supervisor):
    for _ in range(6):
        log_in(client, "sam", "wrong")

    call_command("axes_reset_username", "sam", verbosity=0)

    assert log_in(client, "sam", PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(client, sam_supervisor):
    for _ in range(4):
        log_in(client, "sam", "wrong")
    assert log_in(client, "sam", PASSWORD).status_code == 302
    client.logout()

    answers = [log_in(client, "sam", "wrong") for _ in range(4)]

    assert all(a.status_code == 200 for a in answers)


def test_the_admin_login_is_throttled_too(client, sam_supervisor):
    for _ in range(6):
        client.post(reverse("admin:login"), {"username": "sam", "password": "wrong"})

    assert log_in(client, "sam", PASSWORD).status_code == 429


def test_many_attempts_from_one_address_are_slowed_down(client, sam_supervisor, settings):
    settings.LOGIN_IP_LIMIT = 3
    answers = [log_in(client, f"nobody{n}", "wrong").status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
