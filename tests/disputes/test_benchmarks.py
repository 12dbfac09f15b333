"""`manage.py bench queue` and `manage.py bench claim` print their JSON on a small dataset."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from casework.core.models import CodeSequence, Market

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def bench(name: str, *args: str) -> dict:
    out = StringIO()
    with translation.override("en"):
        call_command("bench", name, *args, stdout=out, stderr=StringIO())
    [line] = out.getvalue().splitlines()
    result = json.loads(line)
    assert result["benchmark"] == name
    return result


def test_bench_lists_the_dispute_benchmarks(capsys):
    call_command("bench", "--list")
    listed = capsys.readouterr().out
    assert "queue\t" in listed
    assert "claim\t" in listed


def test_bench_queue_times_the_tabs_and_counts_their_queries(db):
    call_command("seed_load", "--disputes", "40", "--seed", "3", stdout=StringIO())

    result = bench("queue", "--iterations", "2")

    assert result["disputes"] == 40
    for tab in ("unassigned", "mine", "all"):
        assert set(result[tab]) >= {"median_ms", "p95_ms", "cpu_median_ms", "queries", "cases"}
    pages = ("all_state_newest", "all_holder_updated", "all_received_in_a_month", "all_page_40")
    for tab in ("unassigned", "mine", "all", *pages):
        assert result[tab]["p95_ms"] >= result[tab]["median_ms"] > 0
        assert 0 < result[tab]["queries"] <= 10
    assert result["mine"]["cases"] > 0 and result["all"]["cases"] == 40
    assert (result["target_p95_ms"], result["target_queries"]) == (50, 10)
    assert isinstance(result["met"], bool)


def test_bench_queue_without_disputes_says_what_to_do(db):
    assert "seed_load" in bench("queue")["skipped"]


@pytest.mark.skipif(ON_POSTGRES, reason="checks the refusal on SQLite")
def test_bench_claim_refuses_to_run_on_sqlite(db):
    assert "PostgreSQL" in bench("claim")["skipped"]
    assert not Market.objects.exists()


def _row_counts() -> dict[str, int]:
    # CodeSequence keeps the numbers the benchmark's disputes used (and may gain a row).
    models = [m for m in apps.get_models(include_auto_created=True) if m is not CodeSequence]
    return {model._meta.label: model._base_manager.count() for model in models}


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_bench_claim_finds_no_double_assignment_and_leaves_nothing_behind():
    before = _row_counts()

    result = bench("claim", "--iterations", "1")

    assert (result["workers"], result["claims"], result["target_claims"]) == (32, 32, 32)
    assert result["double_assignments"] == 0
    assert result["errors"] == {}
    assert result["ok"] is True
    assert result["claims_per_s"] > 0
    after = _row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
