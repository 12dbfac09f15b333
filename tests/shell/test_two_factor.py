"""Two-step verification (casework.core.twofactor): required of supervisors, auditors and
superusers; an authenticator app's codes and one-time backup codes (django-otp)."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.core import twofactor
from casework.core.checks import check_production_parts, check_two_factor_roles
from casework.core.logins import DEMO_PASSWORD
from tests.conftest import PASSWORD, make_user
from tests.test_authorization_matrix import url_patterns

CODE_PAGE = reverse("two_factor")


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_ROLES = ["supervisor", "auditor", "superuser"]
    settings.TWO_FACTOR_DEMO_EXEMPT = False


def log_in(client, username: str, password: str = PASSWORD):
    answer = client.post(reverse("login"), {"username": username, "password": password})
    assert answer.status_code == 302, answer.content.decode()[:300]
    return answer


def current_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def enrol(client, user: User) -> tuple[TOTPDevice, list[str]]:
    """Set up an authenticator through the pages; the device and the backup codes shown."""
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    assert page.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    device.refresh_from_db()
    return device, codes


def owes_code(answer) -> bool:
    return answer.status_code == 302 and answer["Location"].startswith(CODE_PAGE)


def in_chinese(client, method: str, url: str, data=None):
    with translation.override("zh-hans"):
        return getattr(client, method)(url, data or {})


# --- before the second factor, nothing ----------------------------------------------------


# Any value that fits the converter: the middleware answers before the view looks it up.
SAMPLE_ARGUMENT = {
    "int": "7",
    "str": "x",
    "slug": "x",
    "path": "x/y",
    "uuid": str(uuid.UUID(int=7)),
}


def sample_url(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGUMENT[m[1] or "str"], route)


def test_a_supervisor_reaches_no_page_before_the_second_factor(client, sam_supervisor):
    log_in(client, "sam")
    reached = []
    for name, route in url_patterns():
        if name in twofactor.OPEN_VIEWS:
            continue  # logout among them: a POST would end the session under test
        url = sample_url(route)
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            if not owes_code(answer):
                reached.append(f"{method.upper()} {url} ({name}): {answer.status_code}")
    assert reached == []
    # The admin, which the URL walk leaves out, too.
    for url in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{sam_supervisor.pk}/change/"):
        assert owes_code(client.get(url)), url


def test_the_code_page_keeps_where_the_user_was_going(client, sam_supervisor):
    log_in(client, "sam")
    answer = client.get(reverse("disputes:queue"))
    assert answer["Location"] == f"{CODE_PAGE}?next=/disputes/"
    # No authenticator yet: on to setting one up, still keeping the destination.
    assert client.get(answer["Location"])["Location"] == (
        f"{reverse('two_factor_enrol')}?next=%2Fdisputes%2F"
    )


def test_an_auditor_and_a_superuser_owe_it_and_a_mediator_does_not(
    client, audrey_auditor, alice_mediator
):
    User.objects.create_superuser("root", password=PASSWORD)
    for username, owes in (("audrey", True), ("root", True), ("alice", False)):
        client.logout()
        log_in(client, username)
        assert owes_code(client.get(reverse("home"))) == owes, username


def test_the_roles_are_configurable(client, settings, alice_mediator, sam_supervisor):
    settings.TWO_FACTOR_ROLES = ["mediator"]
    log_in(client, "alice")
    assert owes_code(client.get(reverse("home")))
    client.logout()
    log_in(client, "sam")
    assert client.get(reverse("home")).status_code == 200


def test_a_misspelt_role_fails_the_system_check(settings):
    settings.TWO_FACTOR_ROLES = ["supervisor", "superviser"]
    [error] = check_two_factor_roles()
    assert error.id == "core.E014" and "superviser" in error.msg
    settings.TWO_FACTOR_ROLES = ["supervisor", "superuser"]
    assert check_two_factor_roles() == []


# --- enrolment ----------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_key_and_confirms_with_the_first_code(
    client, settings, sam_supervisor
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wait a slow machine cannot outlast
    log_in(client, "sam")
    page = client.get(reverse("two_factor_enrol")).content.decode()
    device = TOTPDevice.objects.get(user=sam_supervisor, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    assert twofactor.readable_key(device) in page
    # The same key until confirmed: a reload must not invalidate the scanned code.
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.filter(user=sam_supervisor).count() == 1

    wrong = in_chinese(client, "post", reverse("two_factor_enrol"), {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=sam_supervisor).confirmed
    # A code right after a wrong one waits out django-otp's throttle.
    too_soon = in_chinese(client, "post", reverse("two_factor_enrol"), {"code": "000000"})
    assert "请等待" in too_soon.content.decode()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        device, codes = enrol(client, sam_supervisor)

    assert device.confirmed and len(codes) == twofactor.BACKUP_CODE_COUNT == len(set(codes))
    assert client.get(reverse("disputes:queue")).status_code == 200


def test_full_width_digits_are_read(client, sam_supervisor):
    log_in(client, "sam")
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=sam_supervisor)
    full_width = current_code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    client.post(reverse("two_factor_enrol"), {"code": full_width[:3] + " " + full_width[3:]})
    device.refresh_from_db()
    assert device.confirmed


def test_a_password_alone_cannot_replace_the_authenticator(client, sam_supervisor):
    log_in(client, "sam")
    first, _codes = enrol(client, sam_supervisor)
    client.logout()
    log_in(client, "sam")

    answer = client.get(reverse("two_factor_enrol"))

    assert answer["Location"].startswith(CODE_PAGE)
    client.post(reverse("two_factor_enrol"), {"code": "123456"})
    assert list(TOTPDevice.objects.filter(user=sam_supervisor)) == [first]


def test_a_verified_user_moves_to_a_new_phone(client, sam_supervisor):
    log_in(client, "sam")
    old, old_codes = enrol(client, sam_supervisor)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        new, new_codes = enrol(client, sam_supervisor)

    assert list(TOTPDevice.objects.filter(user=sam_supervisor)) == [new] and new != old
    assert not set(old_codes) & set(new_codes)


# --- the code at each login ---------------------------------------------------------------


def test_the_app_code_passes_once(client, sam_supervisor):
    log_in(client, "sam")
    device, _codes = enrol(client, sam_supervisor)
    client.logout()

    later = timezone.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        log_in(client, "sam")
        code = current_code(device)
        answer = client.post(CODE_PAGE, {"code": code, "next": "/disputes/"})
        assert answer["Location"] == "/disputes/"
        assert client.get(reverse("disputes:queue")).status_code == 200

        # The same code in another session (someone who watched it typed): refused.
        client.logout()
        log_in(client, "sam")
        again = in_chinese(client, "post", CODE_PAGE, {"code": code})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()
    assert owes_code(client.get(reverse("home")))


def test_backup_codes_work_once(client, sam_supervisor):
    log_in(client, "sam")
    _device, codes = enrol(client, sam_supervisor)
    client.logout()

    log_in(client, "sam")
    spaced = codes[0][:4].upper() + " " + codes[0][4:]  # as read off paper
    assert client.post(CODE_PAGE, {"code": spaced})["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.logout()

    log_in(client, "sam")
    reused = in_chinese(client, "post", CODE_PAGE, {"code": codes[0]})
    assert "已使用" in reused.content.decode()
    assert owes_code(client.get(reverse("home")))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        assert client.post(CODE_PAGE, {"code": codes[1]})["Location"] == reverse("home")
    assert twofactor.remaining_backup_codes(sam_supervisor) == twofactor.BACKUP_CODE_COUNT - 2


def test_new_backup_codes_replace_the_old_ones(client, sam_supervisor):
    log_in(client, "sam")
    _device, old = enrol(client, sam_supervisor)
    settings_page = client.get(reverse("two_factor_settings")).content.decode()
    assert "10" in settings_page

    page = client.post(reverse("two_factor_backup_codes")).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)

    assert len(new) == twofactor.BACKUP_CODE_COUNT and not set(old) & set(new)
    client.logout()
    log_in(client, "sam")
    assert owes_code(client.post(CODE_PAGE, {"code": old[2]})) is False
    assert owes_code(client.get(reverse("home")))


def test_wrong_codes_make_the_user_wait(client, settings, sam_supervisor):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60
    log_in(client, "sam")
    device, _codes = enrol(client, sam_supervisor)
    client.logout()
    log_in(client, "sam")

    first = in_chinese(client, "post", CODE_PAGE, {"code": "000000"})
    second = in_chinese(client, "post", CODE_PAGE, {"code": "000000"})

    assert "验证码不正确" in first.content.decode()
    assert "次数过多" in second.content.decode()
    # While the wait lasts, even the right code is refused.
    right = client.post(CODE_PAGE, {"code": current_code(device)})
    assert right.status_code == 200
    assert owes_code(client.get(reverse("home")))


def test_an_unsafe_next_goes_home(client, sam_supervisor):
    log_in(client, "sam")
    _device, codes = enrol(client, sam_supervisor)
    client.logout()
    log_in(client, "sam")
    answer = client.post(CODE_PAGE, {"code": codes[0], "next": "https://evil.example/"})
    assert answer["Location"] == reverse("home")


def test_logging_out_ends_the_verified_session(client, sam_supervisor):
    log_in(client, "sam")
    enrol(client, sam_supervisor)
    client.post(reverse("logout"))
    log_in(client, "sam")
    assert owes_code(client.get(reverse("home")))


# --- the demo exemption -------------------------------------------------------------------


def test_the_demo_password_skips_the_second_factor_only_where_the_demo_allows(
    client, settings, market
):
    user = make_user("demo_sup", "supervisor", markets=[market])
    user.set_password(DEMO_PASSWORD)
    user.save()

    log_in(client, "demo_sup", DEMO_PASSWORD)
    assert owes_code(client.get(reverse("home")))
    client.logout()

    settings.TWO_FACTOR_DEMO_EXEMPT = True
    log_in(client, "demo_sup", DEMO_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_the_exemption_does_not_cover_other_passwords(client, settings, sam_supervisor):
    settings.TWO_FACTOR_DEMO_EXEMPT = True
    log_in(client, "sam")
    assert owes_code(client.get(reverse("home")))


def test_the_demo_exemption_is_a_deploy_check_error(settings):
    settings.DEBUG = False
    settings.TWO_FACTOR_DEMO_EXEMPT = True
    assert "core.E013" in [problem.id for problem in check_production_parts()]
