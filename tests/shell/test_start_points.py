"""The home page's start points (casework.core.queues.register_start): each role sees the
"new" actions it may take, each opens for it, and none it may not (issue 17, item 3)."""

import pytest
from django.urls import reverse

from casework.core.queues import starts_for

ALL = {
    "disputes:file",
    "disputes:file_oral",
    "complaints:new",
    "agreements:new",
    "assistance:apply",
}


def shown(client, user) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    return {name for name in ALL if f'href="{reverse(name)}"' in page}


@pytest.mark.parametrize(
    "persona",
    ["alice_mediator", "carol_caseworker", "olga_officer", "sam_supervisor", "audrey_auditor"],
)
def test_each_role_sees_what_it_may_start_and_each_opens(client, db, persona, request):
    user = request.getfixturevalue(persona)
    names = shown(client, user)
    assert names == {action.url_name for action in starts_for(user)}
    for name in names:
        assert client.get(reverse(name)).status_code == 200, name
    for name in ALL - names:
        assert client.get(reverse(name)).status_code == 403, name


def test_a_caseworker_starts_a_hardship_application_and_no_dispute(client, carol_caseworker):
    names = shown(client, carol_caseworker)
    assert "assistance:apply" in names and "disputes:file_oral" not in names


def test_a_portal_user_has_no_staff_start_points(wang_worker):
    assert starts_for(wang_worker) == []


def test_the_dispute_queue_offers_the_same_start_points(client, alice_mediator):
    client.force_login(alice_mediator)
    page = client.get(reverse("disputes:queue")).content.decode()
    assert f'href="{reverse("disputes:file_oral")}"' in page
    assert f'href="{reverse("disputes:file")}"' in page
