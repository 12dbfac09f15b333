"""The public directory page /markets/: every market's public fields, and nothing private."""

import pytest
from django.urls import reverse
from django.utils import translation

from casework.complaints.models import Complaint
from casework.directory.figures import last_complete_month
from tests.directory.conftest import month_key

PUBLIC_FIELDS = ("name", "region", "address", "opening_hours", "main_trades", "hotline")


def test_anyone_sees_every_market_with_its_public_fields(client, mapped_market, other_market):
    response = client.get(reverse("directory:index"))

    assert response.status_code == 200
    page = response.content.decode()
    for market in (mapped_market, other_market):
        for field in PUBLIC_FIELDS:
            assert getattr(market, field) in page
        assert market.complaint_channel in page
        assert reverse("directory:card", args=[market.code]) in page
    assert "30.274150, 120.155150" in page
    assert reverse("directory:map") in page


def test_the_figures_name_their_month_and_source(client, mapped_market):
    with translation.override("en"):
        page = client.get(reverse("directory:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "1860" in page and "42.5" in page
    assert f"{month_key(last_complete_month())}，市场填报" in page  # the default language


def test_the_page_is_chinese_by_default_and_english_on_request(client, market):
    chinese = client.get(reverse("directory:index")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/markets/"})
    english = client.get(reverse("directory:index")).content.decode()

    assert '<html lang="zh-hans">' in chinese
    assert '<html lang="en">' in english and "Gig market directory" in english


@pytest.fixture
def private_data(
    mapped_market, sam_supervisor, alice_mediator, wang_worker, new_dispute, make_complaint
):
    """A supervisor, staff, a dispute and a complaint with their people, all in the market."""
    sam_supervisor.first_name, sam_supervisor.last_name = "吴", "国华督导"
    sam_supervisor.save()
    dispute = new_dispute("in_mediation")
    complaint = make_complaint(
        "investigating", complainant=wang_worker.person, anonymous=False, channel="portal"
    )
    return {
        "staff": [sam_supervisor.get_full_name(), alice_mediator.get_full_name()],
        "cases": [dispute.code, complaint.code],
        "people": [wang_worker.person.name, dispute.respondent.name, complaint.respondent.name],
    }


PUBLIC_URLS = ["directory:index", "directory:map", "directory:feed_json", "directory:feed_geojson"]


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_no_staff_case_or_person_is_shown(client, private_data, name):
    content = client.get(reverse(name)).content.decode()

    for text in private_data["staff"] + private_data["cases"] + private_data["people"]:
        assert text not in content, text
    assert Complaint.objects.exists()  # the data was there to leak
