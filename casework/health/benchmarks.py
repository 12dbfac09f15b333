"""``manage.py bench load``: the summary of ``make load`` as one benchmark line.

It runs scripts/load.py (Locust against a gunicorn on loopback, deploy/README.md "压力测试 /
Load test") in a process of its own, with the LOAD_* knobs of the environment (LOAD_USERS
50, LOAD_SECONDS 60, LOAD_WORKERS 2, ...), and returns its JSON. ``-n`` does not apply.

Here rather than in a workflow: the load test drives every workflow and the portal through
HTTP, as the probes of this app read every layer. Like every benchmark it leaves the
benchmarks' database as it was: on PostgreSQL the run gets a scratch database beside it
(``<name>_load_<pid>``, which needs the CREATEDB right) that is dropped afterwards; on
SQLite the script uses a throw-away file. Locust comes with the dev and load extras.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from casework.core.management.commands.bench import benchmark

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "load.py"


@benchmark("load", help="make load's summary: Locust against gunicorn (LOAD_* knobs)", iterations=1)
def bench_load(iterations: int) -> dict:
    if importlib.util.find_spec("locust") is None:
        reason = _('Locust is not installed: pip install -c requirements.lock -e ".[load]"')
        sys.stderr.write(reason + "\n")
        return {"skipped": reason}
    with (
        tempfile.TemporaryDirectory(prefix="casework-bench-load-") as var_dir,
        _scratch_database() as database_url,
    ):
        env = {**os.environ, "CASEWORK_VAR_DIR": var_dir, "DATABASE_URL": database_url}
        done = subprocess.run(  # noqa: S603  (our own script)
            [sys.executable, str(SCRIPT)], env=env, stdout=subprocess.PIPE, text=True
        )
    if done.returncode:
        raise RuntimeError(f"scripts/load.py failed (exit {done.returncode}): see its output above")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def _scratch_database() -> Iterator[str]:
    """The DATABASE_URL of a new database beside this PostgreSQL one, dropped afterwards;
    "" on SQLite (the script then uses a throw-away file)."""
    if connection.vendor != "postgresql":
        yield ""
        return
    name = connection.ops.quote_name(f"{connection.settings_dict['NAME']}_load_{os.getpid()}")
    parts = urlsplit(os.environ["DATABASE_URL"])
    # CREATE and DROP DATABASE cannot run in a transaction: the command runs in autocommit.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path="/" + name.strip('"')))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
