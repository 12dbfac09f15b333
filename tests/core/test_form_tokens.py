"""One-time form tokens (casework.core.formtokens): the mechanism, on the dispute session form.

The acceptance tests (the same session, evidence and payment sent twice, one after the
other and at the same moment) are in tests/disputes/test_double_submit.py.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from casework.core import formtokens
from casework.core.models import FormToken
from casework.core.tasks import purge_form_tokens
from casework.disputes.models import Dispute, Session

S = Dispute.State
ALREADY_SENT = "该表单已提交，以下是第一次提交的结果。"
TOKEN_INPUT = re.compile(r'<input type="hidden" name="submission" value="([A-Za-z0-9_-]{32})">')

# Every view whose POST creates something, by URL name and arguments (docs/workflows.md).
CREATING_VIEWS = {
    "disputes:file": [],
    "disputes:file_oral": [],
    "disputes:evidence_new": ["WD-2026-000001"],
    "disputes:session_new": ["WD-2026-000001"],
    "disputes:extend": ["WD-2026-000001"],
    "disputes:settle": ["WD-2026-000001"],
    "disputes:payment_new": ["WD-2026-000001"],
    "disputes:refer": ["WD-2026-000001"],
    "disputes:arbitration_handoff": ["WD-2026-000001"],
    "complaints:new": [],
    "complaints:respondent_new": ["IC-2026-000001"],
    "complaints:supplement_request": ["IC-2026-000001"],
    "complaints:interview": ["IC-2026-000001"],
    "complaints:extension_request": ["IC-2026-000001"],
    "complaints:decide": ["IC-2026-000001"],
    "complaints:hear": ["IC-2026-000001"],
    "complaints:refer": ["IC-2026-000001"],
    "complaints:evidence_add": ["IC-2026-000001"],
    "complaints:penalty_decision": ["IC-2026-000001"],
    "complaints_public:report": [],
    "legalaid:refer": ["disputes", "WD-2026-000001"],
    "directory:figures": ["test"],
    "agreements:new": [],
    "agreements:check": ["GA-2026-000001", "worker"],
    "agreements:code_send": ["GA-2026-000001", "worker"],
    "assistance:apply": [],
    "assistance:plan_item_add": ["HA-2026-000001"],
    "assistance:refer_employer": ["HA-2026-000001"],
    "assistance:refer_post": ["HA-2026-000001"],
    "assistance:placement_propose": ["HA-2026-000001", 1],
    "assistance:follow_up": ["HA-2026-000001"],
    "portal:dispute_new": [],
    "portal:complaint_new": [],
    "portal:agreement_code": ["GA-2026-000001"],
    "portal:agreement_payment": ["GA-2026-000001"],
}


def session_data(**overrides) -> dict:
    held_at = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
        "mode": "in_person",
        "place": "调解室",
        "attendees": "王小明；惠老板",
        "notes": "双方陈述。",
    }
    return {**data, **overrides}


def session_url(dispute: Dispute) -> str:
    return reverse("disputes:session_new", args=[dispute.code])


def detail_url(dispute: Dispute) -> str:
    return reverse("disputes:detail", args=[dispute.code])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def mediating(new_dispute) -> Dispute:
    return new_dispute(S.IN_MEDIATION)


@pytest.fixture
def alice(client, alice_mediator):
    client.force_login(alice_mediator)
    return client


@pytest.fixture
def bare(alice_mediator) -> Client:
    """A client that sends no token of its own: the forms' tokens are what it posts."""
    client = Client()
    client.force_login(alice_mediator)
    return client


@pytest.mark.parametrize("name", sorted(CREATING_VIEWS))
def test_every_creating_view_requires_a_form_token(name):
    view = resolve(reverse(name, args=CREATING_VIEWS[name])).func
    assert getattr(view, "one_time_form", False), name


def test_the_form_page_carries_a_fresh_token_each_time(bare, mediating):
    first = TOKEN_INPUT.findall(bare.get(session_url(mediating)).content.decode())
    second = TOKEN_INPUT.findall(bare.get(session_url(mediating)).content.decode())
    assert len(first) == len(second) == 1 and first != second
    assert not FormToken.objects.exists()  # nothing is stored until the form is sent


def test_the_token_from_the_page_records_the_session_once(bare, mediating):
    token = TOKEN_INPUT.search(bare.get(session_url(mediating)).content.decode()).group(1)
    first = bare.post(session_url(mediating), session_data(submission=token))
    again = bare.post(session_url(mediating), session_data(submission=token), follow=True)
    assert first.url == detail_url(mediating)
    assert again.redirect_chain == [(detail_url(mediating), 302)]
    assert ALREADY_SENT in messages_of(again)
    assert Session.objects.filter(dispute=mediating).count() == 1
    row = FormToken.objects.get(token=token)
    assert (row.state, row.result_url) == (FormToken.State.DONE, detail_url(mediating))


@pytest.mark.parametrize("token", [None, "", "not a token!", "x" * 65])
def test_a_form_without_a_valid_token_is_not_processed(bare, mediating, token):
    data = session_data() if token is None else session_data(submission=token)
    response = bare.post(session_url(mediating), data)
    assert response.status_code == 400
    assert "该表单没有有效的提交凭证" in response.content.decode()
    assert not Session.objects.filter(dispute=mediating).exists()


def test_form_errors_release_the_token_so_the_corrected_form_can_be_sent(alice, mediating):
    response = alice.post(session_url(mediating), session_data(place="", submission="t-1"))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not FormToken.objects.exists()
    response = alice.post(session_url(mediating), session_data(submission="t-1"))
    assert response.url == detail_url(mediating)
    assert Session.objects.filter(dispute=mediating).count() == 1


def test_a_refusal_releases_the_token(alice, mediating):
    # No payment before the agreement takes effect: a redirect with an error message.
    url = reverse("disputes:payment_new", args=[mediating.code])
    response = alice.post(url, {"amount": "100", "submission": "t-2"}, follow=True)
    assert any("当前无法进行此步骤" in m for m in messages_of(response)), messages_of(response)
    assert not FormToken.objects.exists()


def test_a_refused_permission_releases_the_token(client, bob_mediator, mediating):
    client.force_login(bob_mediator)  # alice holds the case
    assert client.post(session_url(mediating), session_data(submission="t-3")).status_code == 403
    assert not FormToken.objects.exists()


def test_another_users_token_is_refused(alice, client, bob_mediator, alice_mediator, mediating):
    alice.post(session_url(mediating), session_data(submission="shared"))
    client.force_login(bob_mediator)
    response = client.post(session_url(mediating), session_data(submission="shared"))
    assert response.status_code == 403
    assert "该表单是其他人打开的" in response.content.decode()
    assert Session.objects.filter(dispute=mediating).count() == 1
    assert FormToken.objects.get(token="shared").user == alice_mediator


def test_a_submission_still_being_processed_is_not_run_again(
    alice, alice_mediator, mediating, settings
):
    settings.FORM_TOKEN_WAIT_SECONDS = 0
    FormToken.objects.create(token="busy", user=alice_mediator)
    response = alice.post(session_url(mediating), session_data(submission="busy"))
    assert response.status_code == 409
    assert "该表单已发送，正在处理中" in response.content.decode()
    assert not Session.objects.filter(dispute=mediating).exists()


def test_an_anonymous_token_is_bound_to_the_session_of_the_form_page(market):
    first, other = Client(), Client()
    page = first.get(reverse("complaints_public:report"))
    assert first.session.session_key  # the form page starts a session for the visitor
    token = TOKEN_INPUT.search(page.content.decode()).group(1)
    FormToken.objects.create(token=token, session_key=first.session.session_key)
    response = other.post(reverse("complaints_public:report"), {"submission": token})
    assert response.status_code == 403


def test_tokens_older_than_a_day_are_purged(alice_mediator):
    now = timezone.now()
    FormToken.objects.create(
        token="old", user=alice_mediator, created_at=now - datetime.timedelta(days=2)
    )
    FormToken.objects.create(
        token="new", user=alice_mediator, created_at=now - datetime.timedelta(hours=23)
    )
    assert purge_form_tokens.delay().get() == 1
    assert list(FormToken.objects.values_list("token", flat=True)) == ["new"]
    assert formtokens.purge(now + datetime.timedelta(days=1)) == 1
