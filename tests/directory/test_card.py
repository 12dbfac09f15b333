"""Each market's sealed card for anyone: /markets/<code>/card.pdf, verifiable at /verify/."""

from decimal import Decimal

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from casework.core.models import CaseEvent
from casework.directory.card import current_card
from casework.directory.figures import month_start
from casework.directory.models import MarketMonthFigures
from casework.directory.views import card_limit_key
from casework.documents.models import Document
from tests.documents.conftest import pdftotext, squeeze


def cards(market):
    return Document.objects.for_subject(market).filter(kind="market_card").order_by("version")


def download(client, market):
    response = client.get(reverse("directory:card", args=[market.code]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_anyone_downloads_the_card_with_the_market_and_its_figures(client, mapped_market, tmp_path):
    text = squeeze(pdftotext(download(client, mapped_market), tmp_path))

    for value in (mapped_market.name, mapped_market.address, mapped_market.hotline):
        assert squeeze(value) in text
    assert "求职人数1860人" in text and "日均成功对接42.5人/日" in text
    assert "市场填报" in text
    doc = cards(mapped_market).get()
    assert doc.is_ready and doc.verification_code in text
    assert doc.pages == 1  # the figures keep the seal on the card's one page
    assert CaseEvent.objects.filter(action="document_issued").count() == 1


def test_the_downloaded_card_is_verifiable(client, mapped_market):
    download(client, mapped_market)
    doc = cards(mapped_market).get()

    page = client.get(reverse("documents:verify", args=[doc.verification_code]))
    assert page.status_code == 200
    assert mapped_market.name in page.content.decode()


def test_the_same_card_serves_until_the_market_changes(client, mapped_market):
    download(client, mapped_market)
    download(client, mapped_market)
    assert cards(mapped_market).count() == 1

    mapped_market.hotline = "0571-87654321"
    mapped_market.save(update_fields=["hotline"])
    download(client, mapped_market)
    MarketMonthFigures.objects.filter(market=mapped_market).update(job_seekers=1900)
    download(client, mapped_market)

    versions = list(cards(mapped_market))
    assert [d.version for d in versions] == [1, 2, 3]
    assert versions[1].context["market"]["hotline"] == "0571-87654321"
    assert "1900 人" in versions[2].context["figures"][0][1]


def test_a_card_issued_without_figures_is_issued_again_when_they_come(market):
    first = current_card(market)
    assert first.context["figures"] == []
    MarketMonthFigures.objects.create(
        market=market,
        month=month_start(timezone.localdate()),
        job_seekers=5,
        daily_placements=Decimal("1.0"),
    )
    assert current_card(market).version == 2


def test_an_unknown_market_has_no_card(client, market):
    assert client.get(reverse("directory:card", args=["nowhere"])).status_code == 404


def test_downloads_are_rate_limited_per_address(client, market, settings):
    settings.DOCUMENT_VERIFY_LIMIT = 2
    cache.delete(card_limit_key("127.0.0.1"))
    statuses = [
        client.get(reverse("directory:card", args=[market.code])).status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
