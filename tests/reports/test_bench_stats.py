"""`manage.py bench stats` at a tiny size: the code path of the real run (bulk loading,
the pages as a supervisor and as the regional role, the ledger exported in a process of
its own), its JSON, and nothing left behind."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from casework.core.models import CodeSequence, Market

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def bench(*args: str) -> dict:
    out = StringIO()
    with translation.override("en"):
        call_command("bench", "stats", *args, stdout=out, stderr=StringIO())
    [line] = out.getvalue().splitlines()
    result = json.loads(line)
    assert result["benchmark"] == "stats"
    return result


def test_bench_stats_is_listed(capsys):
    call_command("bench", "--list")
    assert "stats\t" in capsys.readouterr().out


@pytest.mark.skipif(ON_POSTGRES, reason="checks the refusal on SQLite")
def test_bench_stats_refuses_to_run_on_sqlite(db):
    result = bench()
    assert "PostgreSQL" in result["skipped"] and "DATABASE_URL" in result["skipped"]
    assert not Market.objects.exists()


def _row_counts() -> dict[str, int]:
    # CodeSequence keeps the numbers the benchmark's disputes used (and may gain rows).
    models = [m for m in apps.get_models(include_auto_created=True) if m is not CodeSequence]
    return {model._meta.label: model._base_manager.count() for model in models}


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    not ON_POSTGRES, reason="bench stats runs on PostgreSQL only (make test-services)"
)
def test_bench_stats_times_the_pages_and_the_export_and_leaves_nothing_behind(monkeypatch):
    monkeypatch.setenv("BENCH_STATS_DISPUTES", "300")
    monkeypatch.setenv("BENCH_STATS_MARKETS", "3")
    monkeypatch.setenv("BENCH_STATS_REGION_DISPUTES", "20")
    monkeypatch.setenv("BENCH_STATS_LEDGER_ROWS", "50")
    before = _row_counts()

    result = bench("--iterations", "2")

    assert result["sizes"] == {
        "disputes": 300,
        "markets": 3,
        "other_market_disputes": 20,
        "region_disputes": 340,
        "ledger_rows": 50,
    }
    # The current month of each market, the region's set, for every workflow: figures
    # and chart data.
    assert result["open_refresh"]["taken"] >= 2 * (3 + 1)
    one = result["one_market"] | {"cold": result["cold"]["one_market_whole_month"]}
    for scenario in ("current_month", "past_month", "cold"):
        for request in ("page", "data"):
            timing = one[scenario][request]
            assert timing["max_ms"] >= timing["p95_ms"] >= timing["median_ms"] > 0
    assert result["cold"]["region_compare"]["p95_ms"] > 0
    region = result["region"]
    assert region["markets"] == 3
    for page in ("compare", "summed_page", "summed_data", "compare_past_month"):
        assert region[page]["p95_ms"] > 0
    export = result["export"]
    assert export["rows"] >= 50 and export["bytes"] > 0
    assert export["peak_rss_mb"] >= export["rss_before_mb"] > 0 and export["seconds"] > 0
    assert result["targets"] == {"page_p95_ms": 300, "export_s": 20, "export_peak_rss_mb": 300}
    assert isinstance(result["met"], bool)
    assert result["past_month_compute_s"] is not None
    after = _row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
