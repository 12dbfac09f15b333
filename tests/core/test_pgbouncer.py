"""The database settings behind PgBouncer in transaction pooling (DATABASE_PGBOUNCER=1,
deploy/README.md, "PgBouncer"), against a real PgBouncer started here on a free loopback
port in front of the test database, with one server connection for all its clients, so
that whatever one client leaves on the server the next one meets.

Runs in make test-services, which installs Debian's pgbouncer (scripts/system-packages.sh).
"""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import ProgrammingError, connection
from django.db.backends.postgresql.base import DatabaseWrapper

from casework.settings import _database

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL; runs in make test-services"),
    pytest.mark.skipif(
        not Path(PGBOUNCER).exists(),
        reason="pgbouncer is not installed; make test-services installs it "
        "(scripts/system-packages.sh pgbouncer)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o644)


@pytest.fixture
def pgbouncer_url(django_db_setup, django_db_blocker):
    """A transaction-pooling PgBouncer in front of the test database: its URL."""
    db = connection.settings_dict
    port = free_port()
    # PgBouncer will not run as root: it drops to nobody, who must read its files.
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o777)
    write(folder / "users.txt", f'"{db["USER"]}" ""\n')
    write(
        folder / "pgbouncer.ini",
        f"""[databases]
casework = host={db["HOST"] or "127.0.0.1"} port={db["PORT"] or 5432} dbname={db["NAME"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 1
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
""",
    )
    process = subprocess.Popen(
        [PGBOUNCER, "-u", "nobody", str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"pgbouncer did not start: {folder / 'pgbouncer.log'}")
                time.sleep(0.1)
        with django_db_blocker.unblock():
            yield f"postgres://{db['USER']}@127.0.0.1:{port}/casework"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def client(config: dict, alias: str) -> DatabaseWrapper:
    # The test database's own settings, less its startup options, under ``config``.
    return DatabaseWrapper(
        {**connection.settings_dict, "OPTIONS": {}, **config, "TIME_ZONE": None}, alias
    )


def run_alternately(a: DatabaseWrapper, b: DatabaseWrapper, times: int = 8) -> None:
    """The same statement by two clients in turn, each in its own transaction."""
    for i in range(times):
        for wrapper in (a, b):
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT %s::int + 1", [i])
                assert cursor.fetchone() == (i + 1,)


def with_server_binding(config: dict) -> dict:
    # Django binds parameters on the client by default (no prepared statements); a site
    # may turn server-side binding on (OPTIONS server_side_binding), and psycopg then
    # prepares a statement run five times.
    return {**config, "OPTIONS": {**config.get("OPTIONS", {}), "server_side_binding": True}}


@pytest.mark.parametrize("binding", ["client", "server"])
def test_the_settings_reuse_statements_across_clients(pgbouncer_url, binding):
    config = _database(pgbouncer_url, pgbouncer=True)
    if binding == "server":
        config = with_server_binding(config)
    a, b = client(config, "a"), client(config, "b")
    try:
        run_alternately(a, b)
    finally:
        a.close()
        b.close()


def test_with_prepared_statements_on_they_collide(pgbouncer_url):
    # What the settings' prepare_threshold=None keeps off (Django's default, which an
    # OPTIONS entry could turn on): the other client has already prepared a statement of
    # the same name on the one server connection.
    config = with_server_binding(_database(pgbouncer_url))
    config["OPTIONS"]["prepare_threshold"] = 5
    a, b = client(config, "a"), client(config, "b")
    try:
        with pytest.raises(ProgrammingError, match='prepared statement "_pg3_0" already exists'):
            run_alternately(a, b)
    finally:
        a.close()
        b.close()


def test_pgbouncer_refuses_the_startup_option_the_settings_leave_out(pgbouncer_url):
    config = _database(pgbouncer_url, pgbouncer=True)
    assert "options" not in config["OPTIONS"]
    refused = client({**config, "OPTIONS": {**config["OPTIONS"], "options": "-c jit=off"}}, "c")
    with pytest.raises(Exception, match="unsupported startup parameter"):
        refused.ensure_connection()


def test_a_set_local_stays_in_its_transaction_and_large_reads_need_no_held_cursor(
    pgbouncer_url,
):
    config = _database(pgbouncer_url, pgbouncer=True)
    assert config["DISABLE_SERVER_SIDE_CURSORS"]
    a, b = client(config, "a"), client(config, "b")
    try:
        with a.cursor() as cursor:
            a.set_autocommit(False)
            cursor.execute("SET LOCAL statement_timeout = '1234ms'")
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("1234ms",)
            a.commit()
            a.set_autocommit(True)
        with b.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() != ("1234ms",)
        # What .iterator() runs (a chunked cursor), read in parts while the other client
        # uses the one server connection between the parts.
        seen = 0
        with a.chunked_cursor() as cursor:
            cursor.execute("SELECT generate_series(1, 5000)")
            while rows := cursor.fetchmany(1000):
                seen += len(rows)
                run_alternately(b, b, times=1)
        assert seen == 5000
    finally:
        a.close()
        b.close()
