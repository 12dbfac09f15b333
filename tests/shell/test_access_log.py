from django.urls import reverse
from django.utils.translation import gettext as _

from casework.core.models import AccessLog


def _reveal(client, user, person):
    # Full numbers are shown for people with a case in the viewer's markets.
    assert person.disputes_applied.exists()
    client.force_login(user)
    client.post(reverse("parties:person_reveal", args=[person.pk]))


def test_an_auditor_sees_who_looked_at_full_personal_data(
    client, alice_mediator, audrey_auditor, wang_worker, new_dispute
):
    new_dispute()
    _reveal(client, alice_mediator, wang_worker.person)
    client.force_login(audrey_auditor)
    page = client.get(reverse("access_log")).content.decode()
    assert "Alice" in page
    assert "王小明" in page
    assert _("full ID number and mobile") in page


def test_the_auditor_home_counts_recent_entries(
    client, alice_mediator, audrey_auditor, wang_worker, new_dispute
):
    new_dispute()
    _reveal(client, alice_mediator, wang_worker.person)
    client.force_login(audrey_auditor)
    page = client.get(reverse("home")).content.decode()
    assert reverse("access_log") in page
    assert ">1<" in page


def test_another_markets_auditor_does_not_see_the_entries(
    client, alice_mediator, wang_worker, other_market, new_dispute
):
    new_dispute()
    from tests.conftest import make_user

    _reveal(client, alice_mediator, wang_worker.person)
    outsider = make_user("ottilie", "auditor", markets=[other_market])
    client.force_login(outsider)
    page = client.get(reverse("access_log")).content.decode()
    assert AccessLog.objects.count() == 1
    assert "王小明" not in page


def test_mediators_and_workers_cannot_open_the_access_log(client, alice_mediator, wang_worker):
    for user in (alice_mediator, wang_worker):
        client.force_login(user)
        assert client.get(reverse("access_log")).status_code == 403


def test_the_access_log_needs_a_login(client, db):
    assert client.get(reverse("access_log")).status_code == 302
