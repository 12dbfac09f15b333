"""The API's test helpers: a party signed in by text code, a system key."""

import re
import uuid

import pytest
from django.test import Client, TestCase

from casework.api import tokens
from casework.api.models import SystemKey
from casework.core.models import SmsMessage
from tests.conftest import clear_own_cache

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_limits():
    clear_own_cache()
    yield
    clear_own_cache()


class ApiClient:
    """Django's test client speaking JSON to the API, with a token or a key."""

    def __init__(self, token: str = "", key: str = "", language: str = ""):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if key:
            self.headers["X-API-Key"] = key
        if language:
            self.headers["Accept-Language"] = language

    def get(self, path: str, **params):
        return self.client.get(API + path, params, headers=self.headers)

    def post(self, path: str, data=None, *, idempotency_key: str | None = None, **extra):
        headers = dict(self.headers)
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        with TestCase.captureOnCommitCallbacks(execute=True):
            if extra.get("multipart"):
                return self.client.post(API + path, data or {}, headers=headers)
            return self.client.post(
                API + path, data or {}, content_type="application/json", headers=headers
            )


def new_key() -> str:
    return uuid.uuid4().hex


def last_code(mobile: str) -> str:
    message = SmsMessage.objects.filter(to=mobile).first()
    assert message is not None, f"no text to {mobile}"
    return re.search(r"\d{6}", message.text).group()


def sign_in(mobile: str) -> dict:
    """The token pair of the portal user with this mobile, through the API's own sign-in."""
    anonymous = ApiClient()
    assert anonymous.post("/auth/code", {"mobile": mobile}).status_code == 202
    response = anonymous.post("/auth/token", {"mobile": mobile, "code": last_code(mobile)})
    assert response.status_code == 200, response.content
    return response.json()


def party(user) -> ApiClient:
    """An API client holding a fresh access token of ``user`` (issued directly)."""
    return ApiClient(token=tokens.issue(user).access_token)


def system(markets, scopes=(SystemKey.Scope.CASES,)) -> ApiClient:
    _key, secret = tokens.key_create(name="省级归集", markets=markets, scopes=list(scopes))
    return ApiClient(key=secret)
