"""Two anonymous visitors download a market's card at the same moment, on PostgreSQL
(casework/directory/card.py).

The card is issued again when the market's public fields or figures changed since the
last one. current_card() locks the market's row before it issues, and reads the latest
card again under the lock, so two first visitors issue one card, not two; the second
visitor waits for the first one's render instead of being told to come back later.
Both get the PDF, and the market's trail has one "document issued" event per card.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from casework.core.models import CaseEvent
from casework.documents.models import Document
from tests.invariants import assert_invariants

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
VISITORS = 2

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services"
    ),
]


def cards(market):
    return Document.objects.for_subject(market).filter(kind="market_card")


def _download_at_once(market) -> list[tuple[int, str, bytes]]:
    path = reverse("directory:card", args=[market.code])
    start = threading.Barrier(VISITORS)

    def download(_visitor) -> tuple[int, str, bytes]:
        try:
            start.wait()
            response = Client().get(path)  # anonymous
            body = b"".join(response.streaming_content) if response.streaming else b""
            return response.status_code, response.get("Content-Type", ""), body
        finally:
            connection.close()

    with ThreadPoolExecutor(VISITORS) as pool:
        return list(pool.map(download, range(VISITORS)))


def _both_got_the_card(results) -> None:
    assert [(status, kind) for status, kind, _b in results] == [
        (200, "application/pdf")
    ] * VISITORS, [(status, kind) for status, kind, _b in results]
    assert all(body.startswith(b"%PDF") for _s, _k, body in results)
    # The same document: the same file, byte for byte.
    assert len({body for _s, _k, body in results}) == 1


def _issued_events(market) -> int:
    return CaseEvent.objects.for_subject(market).filter(action="document_issued").count()


def test_two_first_visitors_at_once_issue_one_card_and_both_get_it(mapped_market):
    results = _download_at_once(mapped_market)

    _both_got_the_card(results)
    assert cards(mapped_market).count() == 1
    assert _issued_events(mapped_market) == 1
    assert_invariants()


def test_two_visitors_after_a_change_issue_one_new_version(mapped_market):
    _both_got_the_card(_download_at_once(mapped_market))
    mapped_market.hotline = "0571-87654321"
    mapped_market.save(update_fields=["hotline"])

    results = _download_at_once(mapped_market)

    _both_got_the_card(results)
    assert list(cards(mapped_market).order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]
    latest = cards(mapped_market).order_by("-version").first()
    assert latest.context["market"]["hotline"] == "0571-87654321"
    assert _issued_events(mapped_market) == 2
    assert_invariants()
