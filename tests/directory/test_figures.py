"""The monthly figures: entered by a supervisor of the market only, one row per month."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from casework.core.models import CaseEvent
from casework.core.roles import Role
from casework.directory import registry
from casework.directory.figures import (
    DERIVED,
    ENTERED,
    figures_for,
    last_complete_month,
    month_start,
)
from casework.directory.models import MarketMonthFigures
from tests.conftest import make_user
from tests.directory.conftest import month_key


def url(market):
    return reverse("directory:figures", args=[market.code])


def data(month, seekers=120, placements="6.5"):
    return {"month": month_key(month), "job_seekers": seekers, "daily_placements": placements}


def test_a_supervisor_enters_a_month_and_again_replaces_it(client, market, sam_supervisor):
    client.force_login(sam_supervisor)
    month = last_complete_month()

    assert client.get(url(market)).status_code == 200
    assert client.post(url(market), data(month)).url == url(market)
    assert client.post(url(market), data(month, seekers=150)).url == url(market)

    row = MarketMonthFigures.objects.get(market=market)
    assert (row.month, row.job_seekers, row.daily_placements) == (month, 150, Decimal("6.5"))
    assert row.entered_by == sam_supervisor
    assert CaseEvent.objects.filter(action="directory_figures_entered").count() == 2


def test_a_supervisor_of_another_market_is_refused(client, market, other_market):
    other = make_user("otto", Role.SUPERVISOR, markets=[other_market])
    other_market.supervisors.add(other)
    client.force_login(other)

    assert client.get(url(market)).status_code == 403
    assert client.post(url(market), data(last_complete_month())).status_code == 403
    assert not MarketMonthFigures.objects.exists()


def test_staff_of_the_market_who_do_not_supervise_it_are_refused(client, market, alice_mediator):
    client.force_login(alice_mediator)
    assert client.get(url(market)).status_code == 403


def test_only_the_last_twelve_months_are_offered(client, market, sam_supervisor):
    client.force_login(sam_supervisor)
    response = client.post(url(market), data(month_start(last_complete_month()).replace(year=2001)))

    assert response.status_code == 200 and response.context["form"].errors["month"]
    assert not MarketMonthFigures.objects.exists()


def test_one_row_per_market_and_month(market):
    month = last_complete_month()
    MarketMonthFigures.objects.create(market=market, month=month, job_seekers=1, daily_placements=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketMonthFigures.objects.create(
            market=market, month=month, job_seekers=2, daily_placements=2
        )


@pytest.fixture
def derived_placements():
    """A stand-in for the workflow that derives daily placements (agreements/directory.py)."""
    before = registry.derived("daily_placements")
    figure = registry.register(
        registry.DerivedFigure(
            "daily_placements", "零工协议签订数", lambda market, month: Decimal("3.2")
        )
    )
    yield figure
    registry.unregister("daily_placements")
    if before is not None:
        registry.register(before)


def test_a_derived_figure_shows_when_nothing_newer_was_entered(market, derived_placements):
    MarketMonthFigures.objects.create(
        market=market,
        month=last_complete_month(last_complete_month()),  # the month before last
        job_seekers=10,
        daily_placements=Decimal("9.0"),
    )
    figures = figures_for(market)

    assert (figures["daily_placements"].source, figures["daily_placements"].value) == (
        DERIVED,
        Decimal("3.2"),
    )
    assert figures["daily_placements"].month == last_complete_month()
    assert figures["job_seekers"].source == ENTERED  # no workflow derives it


def test_an_entered_figure_of_the_same_month_wins(market, derived_placements):
    MarketMonthFigures.objects.create(
        market=market, month=last_complete_month(), job_seekers=10, daily_placements=Decimal("9.0")
    )
    figure = figures_for(market)["daily_placements"]

    assert (figure.source, figure.value) == (ENTERED, Decimal("9.0"))


def test_an_unknown_figure_cannot_be_registered():
    with pytest.raises(ValueError):
        registry.register(registry.DerivedFigure("cases_closed", "x", lambda m, d: 1))


def test_the_directory_links_a_supervisor_to_the_figures_of_their_market(
    client, market, other_market, sam_supervisor
):
    anonymous = client.get(reverse("directory:index")).content.decode()
    client.force_login(sam_supervisor)
    page = client.get(reverse("directory:index")).content.decode()

    assert url(market) in page and url(other_market) not in page
    assert url(market) not in anonymous
