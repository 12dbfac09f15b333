"""``make load``: Locust against a gunicorn on loopback; one JSON line of results on stdout.

Knobs (environment variables; deploy/README.md, "压力测试 / Load test"):

  LOAD_USERS       simulated people at once (50)
  LOAD_SECONDS     how long they work, ramp-up included (60)
  LOAD_WORKERS     gunicorn worker processes (2), each with LOAD_THREADS threads (4), gthread
  LOAD_MIX         mixed (default: mediators 50, caseworkers 20, portal workers 15, public 15),
                   mediators, caseworkers, portal or public alone, or weights such as
                   "mediators=3,public=1"
  LOAD_THINK       mean seconds a person waits between two pages (0.25)
  LOAD_SPAWN_RATE  people started per second (LOAD_USERS / 10)
  LOAD_LOG_DIR     where the logs and Locust's CSV files go (var/load/<time>/)

The database is DATABASE_URL's when set (PostgreSQL: a database for load tests, never
production's), else a throw-away SQLite database. The run migrates it, runs seed_demo,
adds its own logins and cases (loadtest/prepare.py), starts gunicorn on a free loopback
port, waits for /healthz, runs Locust headless (loadtest/locustfile.py) and stops gunicorn
again, also on Ctrl-C or a failure. Progress goes to stderr, the logs and Locust's CSV
files to LOAD_LOG_DIR.
"""

import csv
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
KINDS = {
    "mediators": "Mediator",
    "caseworkers": "Caseworker",
    "portal": "PortalWorker",
    "public": "Public",
}
MIXED = {"mediators": 50, "caseworkers": 20, "portal": 15, "public": 15}
# Nothing of a production set-up: tasks run in the web process, the cache is its memory,
# files are on local disk, plain HTTP, no error reports.
DROPPED = ("CELERY_BROKER_URL", "CACHE_URL", "STORAGE_S3_BUCKET", "DJANGO_HTTPS", "SENTRY_DSN")
# All the load comes from one address, 127.0.0.1: the limits per client address (and the
# portal's per mobile number) would turn it away within seconds.
UNLIMITED = {
    name: "1000000000"
    for name in (
        "LOGIN_IP_LIMIT",
        "PORTAL_CODE_MOBILE_LIMIT",
        "PORTAL_CODE_IP_LIMIT",
        "PORTAL_CODE_ENTRY_IP_LIMIT",
        "COMPLAINT_SUBMIT_LIMIT",
        "COMPLAINT_TRACK_LIMIT",
        "DOCUMENT_VERIFY_LIMIT",
    )
}


class LoadError(Exception):
    pass


def main() -> int:
    knobs = read_knobs(os.environ)
    run_dir = Path(
        os.environ.get("LOAD_LOG_DIR") or ROOT / "var" / "load" / time.strftime("%Y%m%d-%H%M%S")
    )
    run_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", "")
    var_dir, throwaway = data_dir(database_url)
    # A stop by `kill` runs the clean-up below, as Ctrl-C does (also when started with
    # SIGINT ignored, as a background job of a script is).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server = None
    try:
        env = django_env(database_url, var_dir, run_dir)
        prepare(knobs, env, run_dir)
        port = free_port()
        server = start_gunicorn(knobs, env, port, run_dir)
        wait_until_up(server, port, run_dir)
        cpu_before = group_cpu_seconds(server.pid)
        run_locust(knobs, port, run_dir)
        web_cpu = group_cpu_seconds(server.pid) - cpu_before
        result = summary(knobs, run_dir, database_url, web_cpu)
    except LoadError as error:
        say(f"load: {error}")
        return 1
    except KeyboardInterrupt:
        say("load: interrupted; gunicorn and Locust stopped")
        return 130
    finally:
        if server is not None:
            stop(server)
        if throwaway:
            shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- the knobs ---------------------------------------------------------------------------


def read_knobs(environ) -> dict:
    users = positive(environ, "LOAD_USERS", 50)
    return {
        "users": users,
        "seconds": positive(environ, "LOAD_SECONDS", 60),
        "workers": positive(environ, "LOAD_WORKERS", 2),
        "threads": positive(environ, "LOAD_THREADS", 4),
        "think": float(environ.get("LOAD_THINK") or 0.25),
        "spawn_rate": float(environ.get("LOAD_SPAWN_RATE") or max(users / 10, 1)),
        "counts": split(users, mix_weights(environ.get("LOAD_MIX") or "mixed")),
    }


def positive(environ, name: str, default: int) -> int:
    value = int(environ.get(name) or default)
    if value < 1:
        raise SystemExit(f"load: {name} must be at least 1")
    return value


def mix_weights(text: str) -> dict[str, float]:
    if text == "mixed":
        return dict(MIXED)
    if text in KINDS:
        return {text: 1}
    weights = {}
    for part in text.split(","):
        name, _sep, weight = part.partition("=")
        if name.strip() not in KINDS or not weight:
            raise SystemExit(f"load: LOAD_MIX: {part!r}? Kinds: mixed, {', '.join(KINDS)}")
        weights[name.strip()] = float(weight)
    return weights


def split(users: int, weights: dict[str, float]) -> dict[str, int]:
    """``users`` in proportion to ``weights`` (largest remainders first), and each kind at
    least one while there are users enough."""
    kinds = [kind for kind, weight in weights.items() if weight > 0]
    total = sum(weights[kind] for kind in kinds)
    shares = {kind: users * weights[kind] / total for kind in kinds}
    counts = {kind: math.floor(shares[kind]) for kind in kinds}
    by_remainder = sorted(kinds, key=lambda kind: counts[kind] - shares[kind])
    for kind in by_remainder[: users - sum(counts.values())]:
        counts[kind] += 1
    for kind in kinds:
        if counts[kind] == 0 and users >= len(kinds):
            counts[max(counts, key=lambda other: counts[other])] -= 1
            counts[kind] = 1
    return {kind: n for kind, n in counts.items() if n}


# -- the database and the data -----------------------------------------------------------


def data_dir(database_url: str) -> tuple[Path, bool]:
    """CASEWORK_VAR_DIR for the run, and whether to remove it afterwards. With a database
    server it stays beside that database (its documents' files, its secret key)."""
    if os.environ.get("CASEWORK_VAR_DIR"):
        return Path(os.environ["CASEWORK_VAR_DIR"]), False
    if database_url:
        name = urlsplit(database_url).path.strip("/") or "default"
        return ROOT / "var" / "load" / f"data-{name}", False
    return Path(tempfile.mkdtemp(prefix="casework-load-")), True


def django_env(database_url: str, var_dir: Path, run_dir: Path) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in DROPPED}
    env.update(UNLIMITED)
    env.update(
        DJANGO_SETTINGS_MODULE="casework.settings",
        CASEWORK_VAR_DIR=str(var_dir),
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SMS_BACKEND="loadtest.sms.FileBackend",
        LOAD_SMS_FILE=str(run_dir / "sms.jsonl"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if not database_url:
        env.pop("DATABASE_URL", None)
    return env


def prepare(knobs: dict, env: dict, run_dir: Path) -> None:
    counts = knobs["counts"]
    # Enough accepted cases that "take next" never finds the queue empty (about one take
    # in ten pages, at most 4 pages a second per mediator).
    spec = {
        "mediators": counts.get("mediators", 0),
        "caseworkers": counts.get("caseworkers", 0),
        "portal": counts.get("portal", 0),
        "accepted": counts.get("mediators", 0) * (knobs["seconds"] // 2 + 10),
        "out": str(run_dir / "data.json"),
    }
    log = run_dir / "prepare.log"
    # seed_demo's 170 documents are left unrendered (a broker in memory, no worker): the
    # pages show them "being prepared", and rendering them would take a minute. The load's
    # own documents are rendered (the portal workers download them).
    code = f"import loadtest.prepare as p; p.run({spec!r})"
    steps: list[tuple[str, list[str], dict[str, str]]] = [
        ("migrate", ["migrate", "--noinput", "-v", "0"], {}),
        ("seed_demo", ["seed_demo"], {"CELERY_BROKER_URL": "memory://"}),
        ("the load's users and cases", ["shell", "-c", code], {}),
    ]
    for step, args, extra in steps:
        say(f"load: {step} ...")
        with log.open("a") as out:
            done = subprocess.run(  # noqa: S603  (our own command line)
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env={**env, **extra},
                stdout=out,
                stderr=out,
            )
        if done.returncode:
            raise LoadError(f"{step} failed (exit {done.returncode}); see {log}")


# -- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(knobs: dict, env: dict, port: int, run_dir: Path) -> subprocess.Popen:
    say(f"load: gunicorn, {knobs['workers']} workers x {knobs['threads']} threads, port {port}")
    # As deploy/casework-web.service runs it, but for the workers and threads.
    command = [
        sys.executable, "-m", "gunicorn", "casework.wsgi",
        "-k", "gthread", "-w", str(knobs["workers"]), "--threads", str(knobs["threads"]),
        "-b", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "10",
        "--max-requests", "2000", "--max-requests-jitter", "200",
        # Not the control socket every gunicorn of this user shares (~/.gunicorn/).
        "--no-control-socket",
    ]  # fmt: skip
    log = (run_dir / "gunicorn.log").open("a")
    return subprocess.Popen(  # noqa: S603  (our own command line)
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )


def wait_until_up(server: subprocess.Popen, port: int, run_dir: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadError(f"gunicorn stopped (exit {server.returncode}); see {run_dir}")
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise LoadError(f"gunicorn did not answer /healthz within 60 s; see {run_dir}")


def group_cpu_seconds(group: int) -> float:
    """CPU seconds of a process group: gunicorn's master and workers, with the workers it
    has replaced (a reaped child's time is its parent's). Other programs on the machine do
    not count, so this says what the pages cost even when others share the CPU."""
    ticks = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # pgrp; then utime, stime, cutime, cstime
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process and its children (its own session), SIGKILL after 30 s."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


# -- Locust ------------------------------------------------------------------------------


def run_locust(knobs: dict, port: int, run_dir: Path) -> None:
    counts = {KINDS[kind]: n for kind, n in knobs["counts"].items()}
    say(f"load: Locust, {knobs['users']} users {counts} for {knobs['seconds']} s ...")
    env = {
        **os.environ,
        "LOAD_DATA": str(run_dir / "data.json"),
        "LOAD_SMS_FILE": str(run_dir / "sms.jsonl"),
        "LOAD_COUNTS": json.dumps(counts),
        "LOAD_THINK": str(knobs["think"]),
    }
    (run_dir / "sms.jsonl").touch()
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"),
        "--headless", "--only-summary", "-H", f"http://127.0.0.1:{port}",
        "-u", str(knobs["users"]), "-r", str(knobs["spawn_rate"]), "-t", f"{knobs['seconds']}s",
        "--csv", str(run_dir / "locust"), *counts,
    ]  # fmt: skip
    log = run_dir / "locust.log"
    with log.open("a") as out:
        locust = subprocess.Popen(  # noqa: S603  (our own command line)
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
        try:
            # Locust stops itself after -t; the margin covers its start and its summary.
            locust.wait(knobs["seconds"] + 120)
        except subprocess.TimeoutExpired:
            raise LoadError(f"Locust did not stop; see {log}") from None
        finally:
            stop(locust)
    # Locust exits 1 when any request failed: the summary counts those.
    if not (run_dir / "locust_stats.csv").exists():
        raise LoadError(f"Locust wrote no statistics (exit {locust.returncode}); see {log}")


# -- the summary -------------------------------------------------------------------------


def summary(knobs: dict, run_dir: Path, database_url: str, web_cpu: float) -> dict:
    rows = read_csv(run_dir / "locust_stats.csv")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    pages = {row["Name"]: page_line(row) for row in rows if row["Name"] != "Aggregated"}
    requests = int(total["Request Count"])
    get_count = sum(int(row["Request Count"]) for row in rows if row["Type"] == "GET")
    per_s = float(total["Requests/s"])
    kinds = {
        f"{row['Method']} {row['Name']}: {clean_error(row['Error'])}": int(row["Occurrences"])
        for row in read_csv(run_dir / "locust_failures.csv")
    }
    for row in read_csv(run_dir / "locust_exceptions.csv"):
        kinds[f"exception: {row['Message']}"] = int(row["Count"])
    say(f"load: logs and Locust's CSV files in {run_dir}")
    return {
        "users": knobs["users"],
        "seconds": knobs["seconds"],
        "workers": knobs["workers"],
        "threads": knobs["threads"],
        "mix": knobs["counts"],
        "requests": requests,
        "requests_per_s": round(per_s, 1),
        "pages_per_s": round(per_s * get_count / requests, 1) if requests else 0.0,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "pages": dict(sorted(pages.items())),
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "load_average": [round(value, 2) for value in os.getloadavg()],
        # What the pages cost gunicorn, whoever else used the machine: two free cores give
        # about 2000 / web_cpu_ms_per_request requests a second (the database not counted).
        "web_cpu_s": round(web_cpu, 1),
        "web_cpu_ms_per_request": round(web_cpu * 1000 / requests, 1) if requests else None,
    }


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as rows:
        return list(csv.DictReader(rows))


def page_line(row: dict) -> dict:
    def ms(column: str) -> float | None:
        return None if row[column] in ("", "N/A") else float(row[column])

    return {
        "count": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "p50_ms": ms("50%"),
        "p95_ms": ms("95%"),
        "p99_ms": ms("99%"),
    }


def clean_error(text: str) -> str:
    """Locust's repr of a failure, CatchResponseError('HTTP 500'), as its message."""
    for wrapper in ("CatchResponseError(", "LookupError("):
        if text.startswith(wrapper) and text.endswith(")"):
            return text[len(wrapper) : -1].strip("'\"")
    return text


if __name__ == "__main__":
    sys.exit(main())
