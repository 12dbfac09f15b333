"""Personas shared by every test (docs/workflows.md, "Tests").

alice_mediator and bob_mediator work at the test market, sam_supervisor
supervises it, carol_caseworker and olga_officer handle assistance and
complaints, wang_worker and li_worker are workers, hui_hiring acts for an
employer, and oscar_outsider is a mediator of another market.
"""

import pytest
from celery._state import _set_task_join_will_block
from django.contrib.auth.models import Group, User

from casework import celery_app
from casework.core.models import Market, StaffProfile
from casework.core.roles import Role
from casework.parties.models import Organization, Person
from tests.formtoken_client import FormTokenClient

# Each workflow's fixtures (factories that bring a case to any state), for every package.
pytest_plugins = [
    "tests.disputes.fixtures",
    "tests.agreements.fixtures",
    "tests.assistance.fixtures",
    "tests.complaints.fixtures",
    "tests.seeded",
    "tests.database_state",
]

PASSWORD = "test-pass-123"

# Valid GB 11643 numbers (check digits computed, not real people).
WANG_ID = "11010519491231002X"
LI_ID = "110105199003071239"
HUI_ID = "440305198806150021"
EMPLOYER_USCC = "91350100M000100Y43"


@pytest.fixture
def client() -> FormTokenClient:
    """pytest-django's client, sending a one-time form token with each POST."""
    return FormTokenClient()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _seal_in_tmp(settings, tmp_path_factory):
    # Keep the generated demo seal out of the developer's var/seal.
    settings.SEAL_DEMO_DIR = tmp_path_factory.getbasetemp() / "seal"
    settings.SEAL_CERT_FILE = settings.SEAL_KEY_FILE = settings.SEAL_TSA_URL = ""


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    # With a broker configured only the worker tests use it; the rest run tasks in-process.
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # An eager task runs inside celery's denied_join_result(), which saves and restores
    # one process-wide flag: the race tests' threads running tasks at once can leave it
    # set, and every later .get() of an eager result would then refuse to run.
    _set_task_join_will_block(False)
    yield
    celery_app.conf.task_always_eager = previous


def clear_own_cache() -> None:
    """Empty this test process's cache. With CACHE_URL set (make test-services) the cache
    is one Redis database shared by the pytest-xdist workers, each under its own
    KEY_PREFIX (tests/settings.py): only this worker's keys are deleted, since
    cache.clear() would empty the others' rate limits in the middle of their tests."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend itself: django.core.cache.cache is a proxy
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
    if keys:
        client.delete(*keys)


def make_market(code: str = "test", name: str = "测试区零工市场") -> Market:
    return Market.objects.create(
        name=name,
        code=code,
        nature=Market.Nature.PUBLIC,
        region="测试区",
        address="测试区人民路1号",
        opening_hours="周一至周六 7:00-18:00",
        main_trades="搬运、家政保洁、装修",
        hotline="0000-12345678",
        complaint_channel="服务大厅投诉窗口；热线 0000-12345678",
    )


def make_user(username: str, role: str | None, *, markets=(), full_name: str = "") -> User:
    first, _, last = full_name.partition(" ")
    user = User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if markets:
        profile = StaffProfile.objects.create(user=user)
        profile.markets.set(markets)
    return user


def make_person(name: str, id_number: str, mobile: str, **extra) -> Person:
    person = Person(name=name, id_number=id_number, mobile=mobile, **extra)
    person.full_clean(exclude=["user"])
    person.save()
    return person


@pytest.fixture
def market(db) -> Market:
    return make_market()


@pytest.fixture
def other_market(db) -> Market:
    return make_market(code="other", name="另一区零工市场")


@pytest.fixture
def alice_mediator(market) -> User:
    return make_user("alice", Role.MEDIATOR, markets=[market], full_name="Alice 调解员")


@pytest.fixture
def bob_mediator(market) -> User:
    return make_user("bob", Role.MEDIATOR, markets=[market])


@pytest.fixture
def sam_supervisor(market) -> User:
    user = make_user("sam", Role.SUPERVISOR, markets=[market])
    market.supervisors.add(user)
    return user


@pytest.fixture
def carol_caseworker(market) -> User:
    return make_user("carol", Role.CASEWORKER, markets=[market])


@pytest.fixture
def olga_officer(market) -> User:
    return make_user("olga", Role.COMPLAINT_OFFICER, markets=[market])


@pytest.fixture
def audrey_auditor(market) -> User:
    return make_user("audrey", Role.AUDITOR, markets=[market])


@pytest.fixture
def oscar_outsider(other_market) -> User:
    return make_user("oscar", Role.MEDIATOR, markets=[other_market])


@pytest.fixture
def wang_worker(db) -> User:
    user = make_user("wang", Role.WORKER)
    make_person("王小明", WANG_ID, "13800138000", user=user)
    return user


@pytest.fixture
def li_worker(db) -> User:
    user = make_user("li", Role.WORKER)
    make_person("李四", LI_ID, "13900139000", user=user)
    return user


@pytest.fixture
def hui_hiring(db) -> User:
    user = make_user("hui", Role.HIRING_PARTY)
    person = make_person("惠老板", HUI_ID, "13700137000", user=user)
    org = Organization.objects.create(
        kind=Organization.Kind.EMPLOYER, name="测试搬家服务有限公司", credit_code=EMPLOYER_USCC
    )
    org.representatives.add(person)
    return user
