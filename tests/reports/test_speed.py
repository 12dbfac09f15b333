"""Snapshots of the figures (casework.reports.snapshots; docs/reports.md, "Speed"): a
stored figure equals a fresh one, and a snapshot is read only where the rules allow it
(the current period: while nothing was recorded since, or within the lag, the same day;
never for a period that ended after it was taken, nor once older than a day, nor for
another definition of the report)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from casework.core.audit import Actor, record_event
from casework.reports import services, snapshots
from casework.reports.models import FigureSnapshot, VariantChoice
from casework.reports.periods import current_month, months_ending
from casework.reports.registry import get_report, reports
from casework.reports.tasks import (
    SNAPSHOT_MONTHS,
    refresh_open,
    refresh_open_figures,
    refresh_snapshots,
    snapshot_threshold,
    take_figure_snapshots,
)
from tests.caseapp.models import SampleCase
from tests.conftest import make_user

S = SampleCase.State
PAGE = reverse("reports:workflow", args=["samples"])
ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def midday():
    """Today at noon, the clock running: the rules differ at the day's and the month's edge
    (a snapshot of an earlier day is never read), so a run just after midnight or on the
    first of a month would test those instead (the lag's minutes reached into yesterday)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield


@pytest.fixture
def report():
    return get_report("samples")


@pytest.fixture
def last_month():
    return current_month().previous()


def sample(market, state: str, at: datetime.datetime) -> SampleCase:
    case = SampleCase.objects.create(market=market)
    SampleCase.objects.filter(pk=case.pk).update(state=state, created_at=at)
    return case


def middle(period) -> datetime.datetime:
    start, end = period.bounds()
    return start + (end - start) / 2


@pytest.fixture
def past_cases(market, last_month):
    """Last month: 3 created, 1 closed; the month before: 2 created, both closed."""
    for state in (S.CLOSED, S.RECEIVED, S.WITHDRAWN):
        sample(market, state, middle(last_month))
    for _ in range(2):
        sample(market, S.CLOSED, middle(last_month.previous()))


def markets_of(market):
    return type(market).objects.filter(pk=market.pk)


def test_a_stored_figure_equals_the_fresh_one_and_is_read_back(
    report, market, past_cases, last_month, django_assert_num_queries
):
    fresh = report.figures(markets_of(market), last_month, variants={"closed_rate": "plain"})

    [(first, as_of)] = snapshots.figures(
        report, markets_of(market), [last_month], {"closed_rate": "plain"}
    )
    # Read back: the markets' keys and one look-up, no figure computed.
    with django_assert_num_queries(2):
        [(second, stored_as_of)] = snapshots.figures(
            report, markets_of(market), [last_month], {"closed_rate": "plain"}
        )

    assert (
        first
        == second
        == fresh
        == {
            "received": 3,
            "closed": 1,
            "closed_rate": Decimal("33.3"),
            "open_now": 1,
        }
    )
    # The same types and exponents, not only equal values.
    assert repr(second) == repr(fresh)
    assert stored_as_of == as_of == FigureSnapshot.objects.get().taken_at


def test_the_disputes_figures_and_charts_survive_the_round_trip(market):
    from casework.disputes.load import load_disputes

    load_disputes(400, market=market, seed=5)
    report = get_report("disputes")
    months = months_ending(current_month().previous(), 6)
    variants = services.chosen_variants(report, market)

    fresh = [report.figures(markets_of(market), month, variants=variants) for month in months]
    snapshots.figures(report, markets_of(market), months, variants)  # stored
    stored = [
        row for row, _as_of in snapshots.figures(report, markets_of(market), months, variants)
    ]

    assert FigureSnapshot.objects.filter(kind="figures").count() == len(months)
    assert stored == fresh and repr(stored) == repr(fresh)
    assert any(row["received"] for row in fresh)  # the months are not empty
    assert any(isinstance(row["success_rate"], Decimal) for row in fresh)

    charts = report.breakdowns(markets_of(market), months[-1])
    snapshots.breakdowns(report, markets_of(market), months[-1])  # stored
    assert snapshots.breakdowns(report, markets_of(market), months[-1]) == charts


def test_the_page_of_a_past_month_reads_its_snapshot_and_says_as_of_when(
    client, sam_supervisor, report, market, past_cases, last_month, monkeypatch
):
    client.force_login(sam_supervisor)
    first = client.get(PAGE, {"period": last_month.key})
    taken = FigureSnapshot.objects.get(kind="figures", first=last_month.first).taken_at

    # A correction after the snapshot: the page keeps showing the snapshot, as of then.
    sample(market, S.CLOSED, middle(last_month))
    second = client.get(PAGE, {"period": last_month.key})

    figures = {f.indicator.slug: f.value for f in second.context["stats"].figures}
    assert figures["received"] == 3
    assert second.context["stats"].as_of == first.context["stats"].as_of == taken
    assert report.figures(markets_of(market), last_month, variants={})["received"] == 4


def a_step_is_recorded(case: SampleCase) -> None:
    record_event(case, actor=Actor(user=None, role="system"), action="noted")


def received_now(client, **query) -> tuple[int, datetime.datetime]:
    stats = client.get(PAGE, query).context["stats"]
    return {f.indicator.slug: f.value for f in stats.figures}["received"], stats.as_of


@override_settings(STATISTICS_LAG=datetime.timedelta(0))
def test_the_current_period_is_read_back_while_nothing_was_recorded_since(
    client, sam_supervisor, market
):
    case = sample(market, S.CLOSED, timezone.now() - datetime.timedelta(minutes=1))
    a_step_is_recorded(case)
    client.force_login(sam_supervisor)
    first = received_now(client)
    assert first[0] == 1
    assert FigureSnapshot.objects.filter(first=current_month().first, kind="figures").count() == 1

    # A case changed without a step recorded (only a bulk load does that): not seen...
    sample(market, S.RECEIVED, timezone.now())
    assert received_now(client) == first
    # ...until a step is recorded anywhere: then computed again, as of now.
    a_step_is_recorded(case)
    again = received_now(client)
    assert again[0] == 2 and again[1] > first[1]


def test_the_current_period_is_read_within_the_lag_though_steps_were_recorded(
    client, sam_supervisor, report, market
):
    case = sample(market, S.CLOSED, timezone.now() - datetime.timedelta(minutes=1))
    a_step_is_recorded(case)
    month, variants = current_month(), services.chosen_variants(report, market)
    scope = snapshots._Scope(report, markets_of(market), variants)
    stale_mark = snapshots.audit_mark() - 1
    client.force_login(sam_supervisor)

    recent = timezone.now() - snapshots.lag() + datetime.timedelta(minutes=1)
    scope.store("figures", month, "", [["received", 99]], recent, 0, stale_mark)
    assert received_now(client) == (99, recent)

    old = timezone.now() - snapshots.lag() - datetime.timedelta(minutes=1)
    scope.store("figures", month, "", [["received", 99]], old, 0, stale_mark)
    received, as_of = received_now(client)
    assert received == 1 and as_of > old


def test_the_current_period_is_not_read_from_a_snapshot_of_an_earlier_day(market):
    case = sample(market, S.CLOSED, timezone.now() - datetime.timedelta(minutes=1))
    a_step_is_recorded(case)
    month = current_month()
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = midnight - datetime.timedelta(seconds=1)
    row = FigureSnapshot(taken_at=yesterday, mark=snapshots.audit_mark())
    assert not snapshots.usable(row, month, now, snapshots.audit_mark())
    row.taken_at = now - datetime.timedelta(seconds=1)
    assert snapshots.usable(row, month, now, snapshots.audit_mark())


def test_the_open_figures_job_takes_the_current_month_when_due_and_then_nothing(
    report, market, other_market
):
    # Midday, so that the steps below stay within one local day.
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=False) as clock:
        _the_open_figures_job(market, other_market, clock)


def _the_open_figures_job(market, other_market, clock) -> None:
    make_user("rita", "regional", markets=[market, other_market])
    case = sample(market, S.CLOSED, timezone.now() - datetime.timedelta(minutes=1))
    a_step_is_recorded(case)
    sets = 3  # the two markets and the regional set of both

    first = refresh_open_figures.delay().get()

    assert first == {"taken": len(reports()) * sets * 2, "left": 0}  # figures and charts
    month = current_month()
    stored = FigureSnapshot.objects.filter(workflow="samples", first=month.first)
    assert stored.filter(kind="figures").count() == sets
    assert set(stored.filter(kind="breakdowns").values_list("language", flat=True)) == {
        settings.LANGUAGE_CODE
    }
    # Nothing recorded since: nothing to do, however long after.
    clock.shift(snapshots.lag() / 2 + datetime.timedelta(seconds=1))
    assert refresh_open() == {"taken": 0, "left": 0}
    # A step recorded: taken again only once half the lag has gone by.
    a_step_is_recorded(case)
    assert refresh_open()["taken"] == len(reports()) * sets * 2
    a_step_is_recorded(case)
    assert refresh_open()["taken"] == 0
    clock.shift(snapshots.lag() / 2 + datetime.timedelta(seconds=1))
    assert refresh_open(budget=0)["taken"] == 1


def test_a_snapshot_taken_before_its_period_ended_is_not_read(report, market, last_month):
    sample(market, S.CLOSED, middle(last_month))
    variants = {"closed_rate": "plain"}
    scope = snapshots._Scope(report, markets_of(market), variants)
    end = last_month.bounds()[1]
    for taken in (end - datetime.timedelta(seconds=1), end + snapshots.SETTLE / 2):
        scope.store("figures", last_month, "", [["received", 99]], taken, 0, None)

        [(values, as_of)] = snapshots.figures(report, markets_of(market), [last_month], variants)

        assert values["received"] == 1 and as_of > end
        # ...and the fresh figures replaced it.
        assert dict(FigureSnapshot.objects.get().values)["received"] == 1


def test_a_snapshot_older_than_a_day_is_not_read(report, market, last_month):
    sample(market, S.CLOSED, middle(last_month))
    variants = {"closed_rate": "plain"}
    scope = snapshots._Scope(report, markets_of(market), variants)
    old = timezone.now() - snapshots.MAX_AGE - datetime.timedelta(minutes=1)
    scope.store("figures", last_month, "", [["received", 99]], old, 0, None)

    [(values, _as_of)] = snapshots.figures(report, markets_of(market), [last_month], variants)

    assert values["received"] == 1
    assert snapshots.prune() == 0  # replaced by the fresh one, which is kept


def test_a_snapshot_of_another_definition_of_the_report_is_not_read(report, market, last_month):
    sample(market, S.CLOSED, middle(last_month))
    variants = {"closed_rate": "plain"}
    snapshots.figures(report, markets_of(market), [last_month], variants)
    FigureSnapshot.objects.update(fingerprint="before the fix", values=[["received", 99]])

    [(values, _as_of)] = snapshots.figures(report, markets_of(market), [last_month], variants)

    assert values["received"] == 1


def test_each_formula_variant_and_each_set_of_markets_has_its_own_snapshot(
    report, market, other_market, last_month
):
    sample(market, S.CLOSED, middle(last_month))
    sample(market, S.WITHDRAWN, middle(last_month))
    sample(other_market, S.RECEIVED, middle(last_month))
    both = type(market).objects.filter(pk__in=[market.pk, other_market.pk])
    for _twice in range(2):
        rates = [
            snapshots.figures(report, markets_of(market), [last_month], {"closed_rate": v})[0][0][
                "closed_rate"
            ]
            for v in ("plain", "with_withdrawn")
        ]
        [(summed, _as_of)] = snapshots.figures(report, both, [last_month], {"closed_rate": "plain"})
        assert rates == [Decimal("50.0"), Decimal("100.0")]
        assert summed["received"] == 3
    assert FigureSnapshot.objects.count() == 3
    assert FigureSnapshot.objects.get(market=None).market_ids == sorted(
        [market.pk, other_market.pk]
    )


def test_the_chart_data_is_stored_per_language(report, market, last_month):
    from django.utils import translation

    sample(market, S.CLOSED, middle(last_month))
    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            assert snapshots.breakdowns(report, markets_of(market), last_month) == (
                report.breakdowns(markets_of(market), last_month)
            )
    assert sorted(FigureSnapshot.objects.values_list("language", flat=True)) == ["en", "zh-hans"]


def test_a_page_computes_its_open_period_once_and_the_comparison_no_chart_data(
    client, sam_supervisor, report, market, other_market, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        type(report),
        "figures",
        lambda self, markets, period, *, variants: (
            calls.append(("figures", period))
            or {"received": 0, "closed": 0, "closed_rate": None, "open_now": 0}
        ),
    )
    real_breakdowns = type(report).breakdowns
    monkeypatch.setattr(
        type(report),
        "breakdowns",
        lambda self, markets, period: (
            calls.append(("breakdowns", period)) or real_breakdowns(self, markets, period)
        ),
    )
    client.force_login(sam_supervisor)

    client.get(PAGE)

    month = current_month()
    # The period (also the trend's last month) once; the 12 earlier months once each.
    assert calls.count(("figures", month)) == 1
    assert calls.count(("breakdowns", month)) == 1
    assert len(calls) == 12 + 1  # figures: this month and the 11 before; its chart data

    calls.clear()
    client.get(PAGE)  # a second request, nothing recorded since: all from snapshots
    assert calls == []

    regional = make_user("rita", "regional", markets=[market, other_market])
    client.force_login(regional)
    calls.clear()
    assert client.get(reverse("reports:compare", args=["samples"])).status_code == 200
    assert not [call for call in calls if call[0] == "breakdowns"]


def test_the_nightly_job_takes_the_months_the_pages_need_and_then_nothing(
    report, market, other_market, past_cases
):
    make_user("rita", "regional", markets=[market, other_market])
    VariantChoice.objects.create(
        market=market, workflow="samples", indicator="closed_rate", variant="with_withdrawn"
    )

    result = take_figure_snapshots.delay().get()

    reports_count = len(reports())
    # Two markets and the regional set of both: 13 months of figures, last month's charts.
    assert result["left"] == 0
    assert result["taken"] == reports_count * 3 * (SNAPSHOT_MONTHS + 1)
    samples = FigureSnapshot.objects.filter(workflow="samples")
    assert samples.filter(kind="figures").count() == 3 * SNAPSHOT_MONTHS
    assert set(samples.filter(market=market).values_list("variants", flat=True)) == {
        "closed_rate=with_withdrawn",
        "",
    }
    charts = samples.get(kind="breakdowns", market=market)
    assert charts.language == settings.LANGUAGE_CODE
    assert (charts.first, charts.after) == (current_month().previous().first, current_month().first)
    # What the job took is what the pages read.
    last = snapshots.figures(
        report, markets_of(market), [current_month().previous()], {"closed_rate": "with_withdrawn"}
    )
    assert last[0][0]["closed_rate"] == Decimal("66.7")

    again = refresh_snapshots()
    assert (again["taken"], again["left"]) == (0, 0)


def test_the_nightly_job_stops_after_its_budget_and_continues(report, market, past_cases):
    first = refresh_snapshots(budget=0)
    assert first["taken"] == 1 and first["left"] > 0 and first["pruned"] == 0
    second = refresh_snapshots()
    assert second["taken"] == first["left"] and second["left"] == 0


def test_tonight_starts_at_one_oclock_local_time():
    zone = timezone.get_default_timezone()
    at = datetime.datetime(2026, 12, 3, 0, 30, tzinfo=zone)
    assert snapshot_threshold(at) == datetime.datetime(2026, 12, 2, 1, 0, tzinfo=zone)
    at = datetime.datetime(2026, 12, 3, 1, 0, tzinfo=zone)
    assert snapshot_threshold(at) == datetime.datetime(2026, 12, 3, 1, 0, tzinfo=zone)


def test_snapshots_too_old_to_be_read_are_pruned(report, market, last_month):
    scope = snapshots._Scope(report, markets_of(market), {})
    old = timezone.now() - snapshots.MAX_AGE - datetime.timedelta(seconds=1)
    scope.store("figures", last_month, "", [], old, 0, None)
    scope.store("figures", last_month.previous(), "", [], timezone.now(), 0, None)
    assert snapshots.prune() == 1
    assert FigureSnapshot.objects.count() == 1


def test_a_markets_snapshots_go_with_it(report, market, other_market, last_month):
    both = type(market).objects.filter(pk__in=[market.pk, other_market.pk])
    snapshots.figures(report, both, [last_month], {})
    snapshots.figures(report, markets_of(other_market), [last_month], {})
    assert snapshots.forget([market.pk]) == 1
    assert FigureSnapshot.objects.get().market == other_market


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's JIT setting; SQLite has none")
def test_postgresql_connections_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
