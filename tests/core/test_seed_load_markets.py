"""seed_load --markets: a province's counts spread over its markets, skewed, resumable."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.core.management.commands.seed_load import SKEW, province_markets
from casework.core.models import Market
from casework.disputes import load as dispute_load
from casework.disputes.models import Dispute
from casework.parties.models import Person

pytestmark = pytest.mark.django_db


def seed_load(*args: str) -> dict:
    out = StringIO()
    call_command("seed_load", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().splitlines()[-1])


def per_market() -> dict[str, int]:
    return {
        m.code: Dispute.objects.filter(market=m).count()
        for m in Market.objects.filter(code__startswith="p").order_by("code")
    }


def test_the_disputes_are_spread_over_the_markets_the_first_carrying_most():
    report = seed_load("--markets", "4", "--disputes", "600", "--seed", "3")

    counts = per_market()
    assert list(counts) == ["p001", "p002", "p003", "p004"]
    assert sum(counts.values()) == 600 == report["disputes"]["disputes"]
    # In proportion to 1/k^SKEW: each market fewer than the one before it.
    weights = [1 / k**SKEW for k in range(1, 5)]
    for (code, n), weight in zip(counts.items(), weights, strict=True):
        assert abs(n - 600 * weight / sum(weights)) <= 1, code
    assert report["markets"] == 4 and "database_bytes" in report  # None: in memory
    # Each market's cases are its own: its mediators hold its open cases.
    for market in Market.objects.filter(code__startswith="p"):
        held = Dispute.objects.filter(market=market).exclude(owner=None)
        assert not held.exclude(owner__staff_profile__markets=market).exists()


def test_a_second_run_writes_only_what_is_missing():
    seed_load("--markets", "3", "--disputes", "300", "--seed", "3")
    again = seed_load("--markets", "3", "--disputes", "300", "--seed", "3")
    assert again["disputes"] == {"wanted": 300, "already_there": 300}

    more = seed_load("--markets", "3", "--disputes", "400", "--seed", "3")
    assert more["disputes"]["disputes"] == 100
    assert sum(per_market().values()) == 400


def test_an_interrupted_load_is_finished_by_running_it_again(monkeypatch):
    real = dispute_load._Loader.write_batch
    written = []

    def fails_on_the_fourth_batch(loader, batch):
        if len(written) == 3:
            raise KeyboardInterrupt  # as when the operator presses Ctrl-C
        written.append(len(batch))
        real(loader, batch)

    monkeypatch.setattr(dispute_load._Loader, "write_batch", fails_on_the_fourth_batch)
    with pytest.raises(KeyboardInterrupt):
        seed_load("--markets", "3", "--disputes", "500", "--batch-size", "60", "--seed", "3")
    # Whole batches only: each is one transaction.
    assert sum(per_market().values()) == sum(written) == 180

    monkeypatch.setattr(dispute_load._Loader, "write_batch", real)
    report = seed_load("--markets", "3", "--disputes", "500", "--batch-size", "60", "--seed", "3")

    assert sum(per_market().values()) == 500
    assert report["disputes"]["already_there"] == 180
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers))
    codes = list(Dispute.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))


def test_the_province_markets_are_made_once():
    first = province_markets(3)
    assert [m.code for m in province_markets(3)] == [m.code for m in first]
    assert Market.objects.filter(code__startswith="p").count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_the_tables_are_analysed_once_at_the_end_not_after_every_market():
    with CaptureQueriesContext(connection) as captured:
        seed_load("--markets", "3", "--disputes", "300", "--agreements", "60", "--seed", "3")
    analyses = [q["sql"] for q in captured.captured_queries if "ANALYZE" in q["sql"]]
    assert len(analyses) == 1
    assert "disputes_dispute" in analyses[0] and "agreements_agreement" in analyses[0]
