"""Idempotency keys (casework/api/idempotency.py): one run per key, the same answer again."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from ninja import Status

from casework.api.errors import ApiError
from casework.api.idempotency import _fingerprint, idempotent
from casework.api.models import IdempotentCall, PartyToken
from casework.api.tasks import purge

pytestmark = pytest.mark.django_db


def _request(body: str, key: str | None = "k1", owner: str = "user:1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    request = RequestFactory().post(
        "/api/v1/me/x", body, content_type="application/json", **headers
    )
    request.api_owner = owner
    return request


class Counter:
    """A creating view that counts its runs."""

    __module__ = "tests.api"
    __name__ = "counter"

    def __init__(self):
        self.runs = 0

    def __call__(self, request):
        self.runs += 1
        return Status(201, {"code": f"C{self.runs}"})


def test_the_same_key_and_body_runs_once_and_answers_the_same():
    view = Counter()
    wrapped = idempotent(view)
    first = wrapped(_request('{"a": 1}'))
    second = wrapped(_request('{"a": 1}'))
    assert view.runs == 1
    assert (
        (first.status_code, first.value)
        == (second.status_code, second.value)
        == (201, {"code": "C1"})
    )


def test_another_body_with_the_same_key_is_refused():
    wrapped = idempotent(Counter())
    wrapped(_request('{"a": 1}'))
    with pytest.raises(ApiError) as refused:
        wrapped(_request('{"a": 2}'))
    assert (refused.value.status, refused.value.code) == (422, "idempotency_key_reused")


def test_keys_belong_to_their_caller():
    view = Counter()
    wrapped = idempotent(view)
    wrapped(_request("{}", owner="user:1"))
    wrapped(_request("{}", owner="user:2"))
    assert view.runs == 2


def test_a_missing_key_is_refused_and_nothing_runs():
    view = Counter()
    with pytest.raises(ApiError) as refused:
        idempotent(view)(_request("{}", key=None))
    assert (refused.value.status, refused.value.code, view.runs) == (
        400,
        "idempotency_key_missing",
        0,
    )


def test_a_call_still_running_is_answered_409():
    request = _request("{}")
    IdempotentCall.objects.create(
        owner="user:1", key="k1", operation="POST /api/v1/me/x", fingerprint=_fingerprint(request)
    )
    view = Counter()
    with pytest.raises(ApiError) as running:
        idempotent(view)(request)
    assert (running.value.status, running.value.code, view.runs) == (409, "in_progress", 0)


def test_a_refused_call_keeps_nothing():
    def refuse(request):
        raise ApiError(422)

    with pytest.raises(ApiError):
        idempotent(refuse)(_request("{}"))
    assert not IdempotentCall.objects.exists()


def test_an_old_key_is_forgotten_and_purged(settings, wang_worker):
    settings.API_IDEMPOTENCY_HOURS = 24
    view = Counter()
    wrapped = idempotent(view)
    wrapped(_request("{}"))
    IdempotentCall.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert wrapped(_request("{}")).value == {"code": "C2"}
    IdempotentCall.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    PartyToken.objects.create(
        user=wang_worker,
        kind="access",
        family="00000000-0000-0000-0000-000000000001",
        token_hash="x" * 64,
        expires_at=timezone.now() - datetime.timedelta(days=2),
    )
    assert purge() == (1, 1)
