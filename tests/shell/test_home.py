import pytest
from django.urls import reverse

from casework.core.queues import _QUEUES, Queue, register
from casework.core.roles import Role
from tests.conftest import PASSWORD


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_login_page_speaks_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_logging_in_reaches_the_role_home_page(client, alice_mediator):
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert str(Role.MEDIATOR.label) in response.content.decode()


def test_home_lists_the_queues_registered_for_the_role(client, alice_mediator):
    queue = Queue("Unassigned disputes (test)", "home", lambda user: 7)
    register(Role.MEDIATOR, queue)
    try:
        client.force_login(alice_mediator)
        page = client.get(reverse("home")).content.decode()
    finally:
        _QUEUES[Role.MEDIATOR].remove(queue)
    assert "Unassigned disputes (test)" in page
    assert ">7<" in page


def test_home_shows_only_the_users_own_markets(client, alice_mediator, other_market):
    client.force_login(alice_mediator)
    page = client.get(reverse("home")).content.decode()
    assert "测试区零工市场" in page
    assert other_market.name not in page


@pytest.mark.parametrize("fixture", ["wang_worker", "hui_hiring"])
def test_portal_users_are_sent_to_the_portal(db, client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("portal:home")


def test_the_language_switch_turns_the_page_english(client, alice_mediator):
    client.force_login(alice_mediator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in page
    assert "My work" in page


def test_a_browser_asking_for_english_still_gets_chinese_until_the_user_switches(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert 'lang="en"' in page.content.decode()


def test_the_language_switch_names_english_in_english(client, db):
    page = client.get(reverse("login")).content.decode()
    assert ">English</button>" in page
