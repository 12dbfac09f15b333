"""seed_demo: the demo a new user sees after `make run`."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from casework.core.models import CaseEvent, Market
from casework.core.roles import Role
from casework.disputes.models import Dispute
from casework.documents.models import Document
from casework.parties.models import Organization, Person
from casework.parties.seed import ORGANIZATIONS

LOGINS = ["mediator", "mediator2", "caseworker", "officer", "supervisor", "auditor", "regional"]
PORTAL_LOGINS = ["worker", "worker2", "employer"]


@pytest.fixture(scope="module")
def _market_card(seeded_demo, django_db_blocker) -> None:
    # Render the market card only: the demo disputes' PDFs would take minutes.
    with django_db_blocker.unblock():
        seeded_demo.run(Document.objects.get(kind="market_card").pk)


@pytest.fixture
def seeded(seeded_demo, _market_card, demo_media, db) -> str:
    """seed_demo's output; the demo is made once for this module (tests/seeded.py)."""
    return seeded_demo.output


def test_it_prints_every_login(seeded):
    for username in [*LOGINS, *PORTAL_LOGINS, "admin"]:
        assert f"  {username} " in seeded
    assert "demo12345" in seeded


def test_running_it_twice_changes_nothing(seeded):
    models = (Market, User, Person, Organization, Dispute, Document, CaseEvent)
    counts = [model.objects.count() for model in models]
    call_command("seed_demo", stdout=StringIO())
    assert [model.objects.count() for model in models] == counts
    # The command's own organisations, once each (workflow seeds add their own).
    codes = [org["credit_code"] for org in ORGANIZATIONS]
    assert Organization.objects.filter(credit_code__in=codes).count() == len(codes)
    assert Document.objects.filter(kind="market_card").count() == 1
    assert CaseEvent.objects.for_subject(Market.objects.get()).count() == 2


def test_one_user_per_role_with_a_working_password(seeded):
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists(), role
    for username in [*LOGINS, *PORTAL_LOGINS, "admin"]:
        assert authenticate(username=username, password="demo12345"), username


def test_the_parties_are_all_kinds(seeded):
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds == {"employer", "intermediary", "mediation_body"}
    assert Person.objects.filter(user__username="employer").get().organizations.exists()


@pytest.mark.parametrize("username", LOGINS)
def test_each_staff_login_reaches_its_home_page(client, seeded, username):
    client.login(username=username, password="demo12345")
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert "城东区零工市场" in page.content.decode()


@pytest.mark.parametrize("username", PORTAL_LOGINS)
def test_each_portal_login_reaches_the_portal(client, seeded, username):
    client.login(username=username, password="demo12345")
    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("portal:home")
    assert page.status_code == 200


def test_the_demo_market_card_is_ready_and_verifiable(client, seeded):
    doc = Document.objects.get(kind="market_card")
    assert doc.status == Document.Status.READY
    assert doc.seal
    page = client.get(reverse("documents:verify", args=[doc.verification_code]))
    assert page.status_code == 200
    assert doc.sha256 in page.content.decode()


def test_the_demo_audit_trail_verifies(seeded):
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def test_staff_find_the_market_card_on_their_home_page(client, seeded):
    client.login(username="mediator", password="demo12345")
    doc = Document.objects.get(kind="market_card")
    assert (
        reverse("documents:detail", args=[doc.pk]) in client.get(reverse("home")).content.decode()
    )


def test_the_demo_data_holds_every_invariant(seeded):
    out = StringIO()
    call_command("check_invariants", stdout=out, stderr=StringIO())
    assert "All invariants hold." in out.getvalue()
