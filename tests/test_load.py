"""make load (scripts/load.py, loadtest/): a short run of the whole thing on SQLite, and how
the summary splits users and counts errors.

The run is a real one: migrate and seed_demo in a throw-away database, gunicorn on a free
loopback port, Locust in its own process (Locust comes with the dev extra, so this runs
wherever the suite does). Never imported here: Locust patches the standard library.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "load.py"
# Every request of the scenario, by its name in the statistics (loadtest/locustfile.py).
PAGES = {
    # mediators
    "login page",
    "login",
    "queue",
    "case page",
    "take next",
    "session form",
    "record a session",
    # caseworkers
    "home",
    "assistance queue",
    "assistance case",
    "agreements",
    "agreement",
    # portal workers
    "portal sign-in",
    "portal send code",
    "portal code page",
    "portal enter code",
    "portal home",
    "portal case",
    "download",
    # the public
    "verify lookup page",
    "verify lookup",
    "verify",
    "report form",
    "report sent",
}
# What the run must not inherit from the test run: its database and services, the test
# settings, subprocess coverage.
NOT_PASSED = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "CASEWORK_VAR_DIR")


def load_script():
    spec = importlib.util.spec_from_file_location("load_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="runs once, in make test's SQLite leg; make load is the PostgreSQL run",
)
def test_a_short_run_opens_every_page_without_an_error(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in NOT_PASSED and not name.startswith(("COV_CORE_", "COVERAGE_"))
    }
    env.update(
        LOAD_USERS="4",  # one of each kind
        LOAD_SECONDS="15",  # enough for each user's first round of every page
        LOAD_WORKERS="1",
        # One thread: SQLite takes one writer at a time, and this run tests the scenario,
        # not SQLite under concurrent writes.
        LOAD_THREADS="1",
        LOAD_SPAWN_RATE="4",
        LOAD_LOG_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == 0, (result["error_kinds"], _log_tail(tmp_path / "gunicorn.log"))
    assert set(result["pages"]) == PAGES
    assert all(page["count"] >= 1 and page["p95_ms"] > 0 for page in result["pages"].values())
    assert result["database"] == "sqlite"
    assert result["mix"] == {"mediators": 1, "caseworkers": 1, "portal": 1, "public": 1}
    assert result["requests"] > result["pages_per_s"] > 0
    assert len(result["load_average"]) == 3
    assert result["web_cpu_s"] > 0


def _log_tail(path: Path) -> str:
    return path.read_text()[-3000:] if path.exists() else ""


def test_users_are_split_by_the_mix():
    load = load_script()
    assert load.split(50, load.mix_weights("mixed")) == {
        "mediators": 25,
        "caseworkers": 10,
        "portal": 8,
        "public": 7,
    }
    assert load.split(7, load.mix_weights("mediators")) == {"mediators": 7}
    assert load.split(3, load.mix_weights("mediators=3,public=1")) == {
        "mediators": 2,
        "public": 1,
    }
    with pytest.raises(SystemExit):
        load.mix_weights("mediators=3,clerks=1")


def test_the_summary_counts_failures_and_exceptions_as_errors(tmp_path):
    columns = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%"
    (tmp_path / "locust_stats.csv").write_text(
        f"{columns}\n"
        "GET,queue,90,2,9.0,40,120,200\n"
        "POST,take next,10,0,1.0,30,60,70\n"
        ",Aggregated,100,2,10.0,40,110,190\n"
    )
    (tmp_path / "locust_failures.csv").write_text(
        "Method,Name,Error,Occurrences,First Seen,Last Seen\n"
        "GET,queue,CatchResponseError('HTTP 500'),1,x,y\n"
        "GET,queue,CatchResponseError('sent to the sign-in page'),1,x,y\n"
    )
    (tmp_path / "locust_exceptions.csv").write_text(
        "Count,Message,Traceback,Nodes\n3,KeyError('Location'),...,local\n"
    )
    knobs = {"users": 5, "seconds": 10, "workers": 2, "threads": 4, "counts": {"mediators": 5}}

    result = load_script().summary(knobs, tmp_path, "postgres://postgres@127.0.0.1/x", 2.5)

    assert result["errors"] == 5
    assert result["error_kinds"] == {
        "GET queue: HTTP 500": 1,
        "GET queue: sent to the sign-in page": 1,
        "exception: KeyError('Location')": 3,
    }
    assert result["requests"] == 100
    assert result["requests_per_s"] == 10.0
    assert result["pages_per_s"] == 9.0  # the GETs: 90 of 100 requests
    assert result["pages"]["queue"] == {
        "count": 90,
        "errors": 2,
        "p50_ms": 40.0,
        "p95_ms": 120.0,
        "p99_ms": 200.0,
    }
    assert result["database"] == "postgresql"
    assert result["web_cpu_s"] == 2.5
    assert result["web_cpu_ms_per_request"] == 25.0
