"""The demo data (seed_demo), made once per test module and shared by its tests.

seed_demo takes seconds; the tests that read the demo would each pay for it. The
``seeded_demo`` fixture runs it once per module inside a transaction that is rolled
back when the module ends; each test runs inside its own savepoint of that
transaction (pytest-django's ``db``), so a test that changes the demo leaves the
next test the demo as seeded. Only for tests that do not need ``transaction=True``.

The on-commit callbacks of the seeding (PDF renders, text messages) do not run: the
outer transaction never commits. They are kept in ``SeededDemo.callbacks``, to run
the few a module needs inside the seeding's settings (``SeededDemo.run``).
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from casework import celery_app

SEEDED_MODULES = "test_seed"


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist hands out single tests, but a seeded module's tests all to one worker.

    That worker then seeds the demo once for them. The modules that use ``seeded_demo``
    are named test_seed*.py (the fixture checks it); the largest units go out first.
    """
    from xdist.scheduler import LoadScopeScheduling

    class SeededModulesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if Path(path).name.startswith(SEEDED_MODULES) else nodeid

    return SeededModulesTogether(config, log)


@dataclass
class SeededDemo:
    output: str
    media: Path
    callbacks: list[Callable[[], None]] = field(default_factory=list)

    def run(self, document_id: int) -> None:
        """Run the deferred render of one document, into the seeding's media folder."""
        with override_settings(MEDIA_ROOT=self.media):
            for callback in self.callbacks:
                if getattr(callback, "document_id", None) == document_id:
                    callback()


@pytest.fixture(scope="module")
def seeded_demo(
    request, django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[SeededDemo]:
    module = Path(request.module.__file__).name
    assert module.startswith(SEEDED_MODULES), f"{module}: name it {SEEDED_MODULES}*.py"
    media = tmp_path_factory.mktemp("demo-media")
    # The same media and seal folders the function-scoped fixtures of tests/conftest.py
    # give each test, so that files made here are found by the tests.
    files = override_settings(
        MEDIA_ROOT=media,
        SEAL_DEMO_DIR=tmp_path_factory.getbasetemp() / "seal",
        SEAL_CERT_FILE="",
        SEAL_KEY_FILE="",
        SEAL_TSA_URL="",
    )
    with ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        stack.enter_context(files)
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        stack.callback(setattr, celery_app.conf, "task_always_eager", eager)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            with TestCase.captureOnCommitCallbacks() as callbacks:
                call_command("seed_demo", stdout=out)
            yield SeededDemo(output=out.getvalue(), media=media, callbacks=callbacks)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo_media(seeded_demo, settings) -> Path:
    """A test of the seeded module that reads the seeded files: the module's media folder."""
    settings.MEDIA_ROOT = seeded_demo.media
    return seeded_demo.media
