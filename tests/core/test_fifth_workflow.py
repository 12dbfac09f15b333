"""A fifth workflow plugs in by registration alone (docs/architecture.md).

tests/caseapp/ is that workflow: its documents, its home-page queue and its party
page reach the staff home, the document registry and the portal, and nothing
outside its folder names it but INSTALLED_APPS.
"""

import subprocess

from django.conf import settings
from django.urls import reverse

from casework.documents.registry import documents_for_transition
from tests.caseapp.models import SampleCase


def test_its_queue_is_on_the_mediators_home_page(client, market, alice_mediator):
    SampleCase.objects.create(market=market)
    client.force_login(alice_mediator)

    page = client.get(reverse("home")).content.decode()

    assert "Sample cases to take" in page


def test_its_documents_are_issued_by_its_transitions():
    assert documents_for_transition(SampleCase, "accept")


def test_its_party_page_is_in_the_portal(client, market, alice_mediator):
    case = SampleCase.objects.create(market=market, owner=alice_mediator)
    client.force_login(alice_mediator)

    response = client.get(reverse("portal:sample", args=[case.code]))

    assert response.status_code == 200


def test_no_product_code_names_it():
    # Its one registration is the INSTALLED_APPS line of tests/settings.py.
    product = ["casework", "agreements", "assistance", "portal", "templates", "locale"]
    found = subprocess.run(
        ["git", "grep", "-l", "caseapp", "--", *product],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert found == []
