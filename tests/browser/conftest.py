"""The browser leg (make test-browser): Debian's chromium, driven by Playwright, against a
demo server of the suite's own.

The session starts ``manage.py runserver`` on a free loopback port with a throw-away
CASEWORK_VAR_DIR (a new SQLite database, migrated and seeded with ``seed_demo``), the
project's own settings, DJANGO_DEBUG=0 (the real error pages) and TWO_FACTOR_DEMO_EXEMPT=1
(the demo's staff logins skip the second factor, as in ``make run``). Static files are
served by runserver's ``--insecure`` handler: collectstatic's compression costs minutes.
BROWSER_SERVER=http://127.0.0.1:8000 uses a running demo server instead, whose data the
environment names (CASEWORK_VAR_DIR or DATABASE_URL, read by ``manage.py shell``).

These tests are marked ``browser`` and deselected by the ordinary runs (pyproject.toml's
``-m 'not browser'``); ``make test-browser`` selects them with ``-m browser``. Without the
playwright package they skip; with BROWSER_TESTS_REQUIRED=1 (make test-browser) they fail
instead. A missing chromium (CHROMIUM, default /usr/bin/chromium) always fails: install it
with ``scripts/system-packages.sh chromium chromium-l10n``, never ``playwright install``.

Every journey saves a full-page PNG to BROWSER_SHOTS (var/browser-shots/); a failing test
saves its pages to BROWSER_FAILURES (var/browser-failures/) and prints the paths.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import FAILURES, REPO, SHOTS, Demo

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED") == "1"
PASSWORD = "demo12345"  # every demo login's (seed_demo)
STARTUP_SECONDS = 60
# DEBUG is off, so runserver serves static files only with --insecure (from the finders,
# as WhiteNoise would from a collectstatic that would cost minutes here).
RUNSERVER = [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", "--skip-checks"]

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:
    if REQUIRED:  # make test-browser: a missing package fails the leg instead of skipping it
        raise
    Browser = Page = Any  # type: ignore[misc,assignment]
    sync_playwright = None

# The two sizes every journey is taken at: a laptop and a phone (iPhone 12-15 class).
VIEWPORTS = {
    "1366x768": {"width": 1366, "height": 768, "mobile": False},
    "390x844": {"width": 390, "height": 844, "mobile": True},
}

_PAGES = pytest.StashKey[list[Any]]()
_FAILURE_SHOTS: list[str] = []


def _server_env(var_dir: str | None) -> dict[str, str]:
    """The project's own settings (not tests.settings, which pytest-django exported)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "casework.settings"}
    if var_dir:
        for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "STORAGE_S3_BUCKET"):
            env.pop(name, None)
        env.update(
            CASEWORK_VAR_DIR=var_dir,
            DJANGO_DEBUG="0",
            DJANGO_HTTPS="0",
            TWO_FACTOR_DEMO_EXEMPT="1",
            DJANGO_LOG_LEVEL="WARNING",
        )
    return env


def _manage(env: dict[str, str], *args: str, log: Path | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if log:
        log.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode:
        pytest.fail(
            f"manage.py {args[0]} failed ({done.returncode}):\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the demo server exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"the demo server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


# The new database, in one process (each manage.py costs seconds to start): migrated
# and seeded as make run does.
SEED = """
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
call_command("seed_demo")
"""

# What the journeys look for, read from the server's database; printed last.
FACTS = """
import json
from django.contrib.auth import get_user_model
from agreements.models import Agreement
from casework.disputes.models import Dispute
from casework.documents.models import Document
worker = get_user_model().objects.get(username="worker")
dispute = Dispute.objects.filter(applicants=worker.person, state="in_mediation").order_by("code")[0]
agreement = Agreement.objects.for_party(worker).awaiting_signature().order_by("code")[0]
document = Document.objects.filter(status="ready").order_by("pk")[0]
# Issue 18: the directory's markets; a dispute already with the arbitration committee; the
# failed ones not yet handed to it, with their holders (one per viewport); a dispute of the
# portal's worker that may refer them to legal aid (no open referral of theirs from it).
from django.contrib.contenttypes.models import ContentType
from casework.core.models import Market
from casework.disputes.legalaid import REFERABLE
from casework.disputes.models import ArbitrationHandoff
from casework.legalaid.models import LegalAidReferral
markets = [
    {"name": m.name, "address": m.address, "hotline": m.hotline, "hours": m.opening_hours}
    for m in Market.objects.order_by("code")
]
handed_off = ArbitrationHandoff.objects.values("dispute_id")
arbitrated = Dispute.objects.filter(pk__in=handed_off).order_by("code")[0]
failed = Dispute.objects.filter(state__in=("terminated", "defaulted")).exclude(pk__in=handed_off)
open_referrals = LegalAidReferral.objects.open().filter(
    worker=worker.person, subject_type=ContentType.objects.get_for_model(Dispute)
)
referable = Dispute.objects.filter(applicants=worker.person, state__in=REFERABLE)
legal_aid = referable.exclude(pk__in=open_referrals.values("subject_id")).order_by("code")[0]
print(json.dumps({
    "person": worker.person.name,
    "dispute": dispute.code,
    "agreement": agreement.code,
    "document_code": document.verification_code,
    "document_title": document.title,
    "markets": markets,
    "arbitrated_dispute": arbitrated.code,
    # terminated first; a defaulted case is referred by its holder (arbitration.py)
    "to_arbitration": [[d.code, d.owner.username] for d in failed.order_by("-state", "code")],
    "legal_aid_dispute": legal_aid.code,
}))
"""


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A seeded demo server on a free loopback port (or BROWSER_SERVER), for the session."""
    given = os.environ.get("BROWSER_SERVER", "").rstrip("/")
    if given:
        env = _server_env(None)
        yield Demo(given, env, json.loads(_manage(env, "shell", "-c", FACTS).splitlines()[-1]))
        return
    var_dir = tempfile.mkdtemp(prefix="casework-browser-")
    logs = tmp_path_factory.mktemp("server")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _server_env(var_dir)
    env["CASEWORK_PUBLIC_BASE_URL"] = base  # the documents' QR codes, the texts' links
    started = time.monotonic()
    server = None
    try:
        seeded = _manage(env, "shell", "-c", SEED + FACTS, log=logs / "seed_demo.log")
        facts = json.loads(seeded.splitlines()[-1])
        log = logs / "runserver.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [*RUNSERVER, f"127.0.0.1:{port}"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(base, server, log)
        print(f"\nbrowser: demo server {base} ready in {time.monotonic() - started:.0f} s")
        yield Demo(base, env, facts)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        pytest.skip("the playwright package is not installed (make test-browser installs it)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no chromium at {CHROMIUM}: run scripts/system-packages.sh chromium chromium-l10n "
            "(Debian's package; never `playwright install`)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # The browser's own controls in Chinese, as on a phone in the market (chromium-l10n).
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--lang=zh-CN"],
            env={**os.environ, "LANGUAGE": "zh_CN:zh"},
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session", autouse=True)
def _shot_folders() -> None:
    """Each run's screenshots only: last run's PNGs go."""
    for folder in (SHOTS, FAILURES):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"name": request.param, **VIEWPORTS[request.param]}


def log_in(page: Page, demo: Demo, username: str) -> None:
    """The login form as a person uses it: fill in both fields, then press Enter."""
    page.goto(demo.url("/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    assert "/accounts/login/" not in page.url, f"{username} was not logged in: {page.url}"


@pytest.fixture
def open_page(
    browser: Browser, demo: Demo, viewport: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """open_page(user=None): a new page at this test's size, logged in as ``user``.

    Each demo login is typed into the login form once per session; its cookies are
    reused by the later pages of that user.
    """
    contexts = []
    pages = request.node.stash.setdefault(_PAGES, [])

    def new_context(state: Any = None):
        context = browser.new_context(
            viewport={"width": viewport["width"], "height": viewport["height"]},
            device_scale_factor=1,
            is_mobile=viewport["mobile"],
            has_touch=viewport["mobile"],
            locale="zh-CN",
            storage_state=state,
        )
        contexts.append(context)
        return context

    def open_(user: str | None = None) -> Page:
        state = None
        if user:
            if user not in demo.logins:
                page = new_context().new_page()
                log_in(page, demo, user)
                demo.logins[user] = page.context.storage_state()
            state = demo.logins[user]
        page = new_context(state).new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors  # type: ignore[attr-defined]
        page.viewport_name = viewport["name"]  # type: ignore[attr-defined]
        pages.append(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A failing test's pages, as full-page screenshots in FAILURES; the paths are printed."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        for number, page in enumerate(item.stash.get(_PAGES, []), 1):
            if page.is_closed():
                continue
            name = "".join(c if c.isalnum() or c in "-_." else "-" for c in item.name).strip("-")
            path = FAILURES / f"{item.module.__name__.rpartition('.')[2]}-{name}-{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a crashed page: say so, go on
                report.sections.append(("browser", f"no screenshot of {page.url}: {error}"))
                continue
            _FAILURE_SHOTS.append(f"{item.nodeid}: {path}")
            report.sections.append(("browser", f"screenshot of {page.url}: {path}"))
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FAILURE_SHOTS:
        terminalreporter.section("screenshots of the failing pages")
        for line in _FAILURE_SHOTS:
            terminalreporter.write_line(line)
