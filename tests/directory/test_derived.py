"""Daily placements derived from gig agreements (agreements/directory.py)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from agreements.models import Agreement
from casework.directory.card import card_figures
from casework.directory.figures import DERIVED, ENTERED, figures_for, last_complete_month
from casework.directory.models import MarketMonthFigures
from casework.directory.registry import derived


def sign_in(agreement: Agreement, day: datetime.date) -> None:
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_default_timezone())
    Agreement.objects.filter(pk=agreement.pk).update(signed_at=noon)


def test_the_agreements_workflow_derives_daily_placements():
    assert derived("daily_placements") is not None
    assert derived("job_seekers") is None  # no workflow knows who came looking for work


def test_agreements_in_force_last_month_per_calendar_day(market, verified_parties, new_agreement):
    month = last_complete_month()
    days = ((month + datetime.timedelta(days=32)).replace(day=1) - month).days
    agreement = new_agreement("signed")
    sign_in(agreement, month.replace(day=days))  # the month's last day counts

    figure = figures_for(market)["daily_placements"]

    assert (figure.source, figure.month) == (DERIVED, month)
    assert figure.value == (Decimal(1) / days).quantize(Decimal("0.1"))
    assert "agreements" in figure.derived_from or "协议" in figure.derived_from
    assert derived("daily_placements").compute(market, month) == figure.value

    sign_in(agreement, timezone.localdate().replace(day=1))  # this month: not last month's
    assert derived("daily_placements").compute(market, month) is None


def test_no_agreements_derive_nothing_and_entered_figures_stand(market):
    assert figures_for(market)["daily_placements"] is None
    MarketMonthFigures.objects.create(
        market=market, month=last_complete_month(), job_seekers=3, daily_placements=Decimal("1.5")
    )
    assert figures_for(market)["daily_placements"].source == ENTERED


def test_the_card_names_a_derived_figure_and_its_source(market, verified_parties, new_agreement):
    month = last_complete_month()
    sign_in(new_agreement("signed"), month)
    [(label, value)] = card_figures(market)

    daily = derived("daily_placements").compute(market, month)
    assert label == "月度数据"
    assert value.startswith(f"日均成功对接 {daily} 人/日（")
    assert f"{month.year}年{month.month}月，据" in value and value.endswith("推算）")
