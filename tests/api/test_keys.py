"""The systems' keys: created in the admin or by `manage.py api_key`, shown once, revoked."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from casework.api.models import PartyToken, SystemKey
from tests.api.conftest import ApiClient, party


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("root", password="x")
    client.force_login(user)
    return client


def test_an_administrator_creates_a_key_and_sees_its_secret_once(admin_client, market):
    response = admin_client.post(
        reverse("admin:api_systemkey_add"),
        {"name": "省级归集", "contact": "", "markets": [market.pk], "scopes": ["cases"]},
    )
    assert response.status_code == 302, response.content
    key = SystemKey.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    secret = next(m.group() for text in shown if (m := re.search(r"lgk_[A-Za-z0-9_-]+", text)))
    assert key.prefix in secret and key.key_hash not in "".join(shown)
    assert list(key.markets.all()) == [market] and key.scopes == ["cases"]
    assert key.created_by.username == "root"
    assert ApiClient(key=secret).get("/system/cases/disputes").status_code == 200
    change = reverse("admin:api_systemkey_change", args=[key.pk])
    assert secret.encode() in admin_client.get(change).content  # the message, once
    assert secret.encode() not in admin_client.get(change).content


def test_revoking_in_the_admin_stops_the_key(admin_client, market):
    out = io.StringIO()
    call_command(
        "api_key",
        "create",
        "--name",
        "x",
        "--market",
        market.code,
        "--scope",
        "cases",
        stdout=out,
        stderr=io.StringIO(),
    )
    prefix, secret = out.getvalue().split()
    key = SystemKey.objects.get(prefix=prefix)
    admin_client.post(
        reverse("admin:api_systemkey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert ApiClient(key=secret).get("/system/cases/disputes").status_code == 401


def test_the_command_lists_and_revokes(market):
    call_command(
        "api_key",
        "create",
        "--name",
        "统计",
        "--market",
        market.code,
        "--scope",
        "statistics",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    key = SystemKey.objects.get()
    listed = io.StringIO()
    call_command("api_key", "list", stdout=listed)
    assert key.prefix in listed.getvalue() and "statistics" in listed.getvalue()
    call_command("api_key", "revoke", key.prefix, stdout=io.StringIO())
    assert SystemKey.objects.get().revoked_at is not None


def test_ending_a_party_s_sign_ins_in_the_admin(admin_client, wang_worker):
    client = party(wang_worker)
    token = PartyToken.objects.get(kind="access")
    admin_client.post(
        reverse("admin:api_partytoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert client.get("/me").status_code == 401
