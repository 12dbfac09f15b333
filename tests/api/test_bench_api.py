"""`manage.py bench api` times "my cases" and the system sync on loaded data and leaves
nothing of its login, token, key or logged calls behind."""

import json
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import translation

from casework.api import tokens
from casework.api.models import PartyToken, SystemCall, SystemKey
from casework.disputes.api_bench import KEY_NAME, PARTY_USER
from casework.parties.models import Person

TIMING = {"requests", "median_ms", "p95_ms", "max_ms", "client_p95_ms", "cpu_median_ms", "queries"}


def bench_api(*args: str) -> dict:
    out = StringIO()
    with translation.override("en"):
        call_command("bench", "api", *args, stdout=out, stderr=StringIO())
    [line] = out.getvalue().splitlines()
    result = json.loads(line)
    assert result["benchmark"] == "api"
    return result


def leftovers() -> dict:
    rows = {m.__name__: m.objects.count() for m in (User, PartyToken, SystemKey, SystemCall)}
    return {**rows, "logins": Person.objects.filter(user__isnull=False).count()}


def test_bench_lists_the_api_benchmark(capsys):
    call_command("bench", "--list")
    assert "api\t" in capsys.readouterr().out


def test_bench_api_times_my_cases_and_both_sync_walks(db):
    call_command("seed_load", "--disputes", "40", "--seed", "3", stdout=StringIO())
    before = leftovers()

    result = bench_api("--iterations", "3")

    assert leftovers() == before
    assert (result["disputes"], result["market_disputes"], result["iterations"]) == (40, 40, 3)
    mine = result["my_cases"]
    assert set(mine) >= TIMING
    assert mine["cases"] >= 1 and mine["cases_by_workflow"]["disputes"] >= 1
    for walk in ("sync_from_start", "sync_from_middle"):
        timing = result[walk]
        assert set(timing) >= TIMING and timing["page_size"] == 100
        assert timing["requests"] == 3
        assert timing["max_ms"] >= timing["p95_ms"] >= timing["median_ms"] > 0
        assert timing["cpu_median_ms"] > 0 and timing["queries"] > 0
    assert result["sync_from_middle"]["updated_since"]
    assert (mine["target_p95_ms"], mine["target_queries"]) == (50, 10)
    assert isinstance(mine["met"], bool)
    assert result["sync_from_start"]["target_p95_ms"] == 100
    assert isinstance(result["met"], bool)
    assert len(result["load_average"]) == 3 and result["reference_loop_ms"] > 0


def test_bench_api_removes_what_an_interrupted_run_left(db, market):
    call_command("seed_load", "--disputes", "20", "--seed", "5", stdout=StringIO())
    before = leftovers()
    person = Person.objects.filter(user__isnull=True).first()
    person.user = User.objects.create_user(PARTY_USER)
    person.save(update_fields=["user"])
    tokens.issue(person.user)
    key, _secret = tokens.key_create(name=KEY_NAME, markets=[market], scopes=["cases"])
    SystemCall.objects.create(
        key=key, method="GET", path="/api/v1/system/cases/disputes", status=200
    )

    bench_api("--iterations", "2")

    assert leftovers() == before
    assert not Person.objects.filter(pk=person.pk, user__isnull=False).exists()


def test_bench_api_without_disputes_says_what_to_do(db):
    assert "seed_load" in bench_api()["skipped"]
