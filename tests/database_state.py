"""The rows made by the migrations are back before a test that expects them; the
transactional tests run first.

A transactional test (``transaction=True, serialized_rollback=True``) ends by emptying
every table, including the rows the migrations made (role groups, content types,
default terms); Django assumes every other database test has run before it, and
pytest-django orders the tests so. pytest-xdist hands each worker whole test files,
so a worker may reach a plain database test after a transactional one: this plugin
puts the migrations' rows back first (flush, then the serialized copy that
pytest-django took when it created the test database), once, only when needed.

The transactional tests are the slow ones of make test-services (races between real
connections, killed Celery workers, pg_dump): they are put at the head of the run, so
that pytest-xdist spreads them over the workers instead of leaving them to the end.
"""

import pytest
from django.core.management import call_command
from django.db import connections
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key

_emptied = False


_USE = pytest.StashKey[tuple[bool, bool]]()


def _database_use(item: pytest.Item) -> tuple[bool, bool]:
    """(uses the database, is transactional), decided as pytest-django decides; once per
    test, since the sort, the set-up and the teardown each ask."""
    if _USE not in item.stash:
        item.stash[_USE] = _decide_database_use(item)
    return item.stash[_USE]


def _decide_database_use(item: pytest.Item) -> tuple[bool, bool]:
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in fixtures or "live_server" in fixtures
    if marker:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        transactional = transactional or transaction or reset_sequences
    return bool(marker) or "db" in fixtures or transactional, transactional


def _restore(config: pytest.Config) -> None:
    with config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is None:
                continue
            call_command(
                "flush",
                database=connection.alias,
                interactive=False,
                inhibit_post_migrate=True,
                # As TransactionTestCase flushes: the sequences go on past the
                # serialized rows' ids, so new rows do not collide with them.
                reset_sequences=False,
                verbosity=0,
            )
            connection.creation.deserialize_db_from_string(contents)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # After pytest-django's own ordering (plain database tests first); the sort is stable.
    items.sort(key=lambda item: not _database_use(item)[1])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    global _emptied
    uses_db, transactional = _database_use(item)
    if uses_db and not transactional and _emptied:
        _restore(item.config)
        _emptied = False
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    global _emptied
    yield
    if _database_use(item)[1]:
        _emptied = True
