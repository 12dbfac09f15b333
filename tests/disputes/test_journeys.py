"""Whole disputes through the test client, as the counter clerk and the mediator work them.

Each step is a POST to the case's pages followed by the case page itself, so
every state's page is rendered once; the documents each step issues are
checked as Document rows (rendering runs after commit, outside these tests).
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.disputes.models import Dispute
from casework.documents.models import Document
from tests.disputes.test_intake import claims_data, oral_data, written_data

S = Dispute.State
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARKS = ("applicant_signed_at", "respondent_signed_at", "mediator_signed_at", "body_sealed_at")


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def step(client, name: str, dispute: Dispute, data=None, *, then: str | None = None) -> str:
    """POST one step, follow to the case page, and return that page."""
    response = client.post(
        reverse(f"disputes:{name}", args=[dispute.code]), data or {}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200, name
    assert response.redirect_chain, (name, page)
    assert response.redirect_chain[-1][0] == reverse("disputes:detail", args=[dispute.code]), page
    assert 'class="messages"' in page
    dispute.refresh_from_db()
    if then is not None:
        assert dispute.state == then, (name, dispute.state)
    return page


def kinds() -> list[str]:
    return sorted(Document.objects.values_list("kind", flat=True))


@pytest.fixture
def alice(client, alice_mediator):
    client.force_login(alice_mediator)
    return client


@pytest.fixture
def filed(alice, market, mediation_body, employer, wang_worker):
    """A written wage claim filed at the counter through the intake page."""
    data = written_data(
        market,
        mediation_body,
        employer,
        received_at=local(timezone.now() - datetime.timedelta(hours=1)),
    )
    response = alice.post(reverse("disputes:file"), data)
    dispute = Dispute.objects.get()
    assert response.url == reverse("disputes:detail", args=[dispute.code])
    assert dispute.state == S.RECEIVED
    return dispute


def accept_and_take(client, dispute: Dispute, mediator) -> None:
    step(client, "accept", dispute, then=S.ACCEPTED)
    assert kinds() == ["dispute_acceptance_notice", "dispute_registration_receipt"]
    step(client, "take", dispute, then=S.IN_MEDIATION)
    assert dispute.owner == mediator


def settle(client, dispute: Dispute) -> None:
    today = timezone.localdate()
    data = {
        "amount": "3000.00",
        "method": "bank_transfer",
        "terms": "被申请人分两期向申请人支付工资。",
        "instalments-TOTAL_FORMS": "3",
        "instalments-INITIAL_FORMS": "0",
        "instalments-MIN_NUM_FORMS": "0",
        "instalments-MAX_NUM_FORMS": "1000",
        "instalments-0-due_date": (today + datetime.timedelta(days=7)).isoformat(),
        "instalments-0-amount": "1000.00",
        "instalments-1-due_date": (today + datetime.timedelta(days=37)).isoformat(),
        "instalments-1-amount": "2000.00",
        "instalments-2-due_date": "",
        "instalments-2-amount": "",
    }
    step(client, "settle", dispute, data, then=S.SETTLED)
    assert [i.amount for i in dispute.settlement.instalments.all()] == [
        Decimal("1000.00"),
        Decimal("2000.00"),
    ]


def sign_and_seal(client, dispute: Dispute) -> str:
    page = ""
    for mark in MARKS:
        assert dispute.state == S.SETTLED
        page = step(client, "mark", dispute, {"mark": mark})
    assert dispute.state == S.EFFECTIVE
    return page


def test_a_wage_claim_is_mediated_agreed_signed_paid_and_closed(
    alice, filed, alice_mediator, audrey_auditor
):
    dispute = filed
    accept_and_take(alice, dispute, alice_mediator)
    for hours_ago, notes in (
        (3, "双方陈述，分歧在工作天数。"),
        (1, "核对考勤后，双方同意按3000元调解。"),
    ):
        session = {
            "held_at": local(timezone.now() - datetime.timedelta(hours=hours_ago)),
            "mode": "in_person",
            "place": "测试区零工市场调解室",
            "attendees": "王小明；惠老板；调解员 Alice",
            "notes": notes,
        }
        step(alice, "session_new", dispute, session, then=S.IN_MEDIATION)
    assert dispute.sessions.count() == 2
    settle(alice, dispute)
    page = sign_and_seal(alice, dispute)
    assert dispute.settlement.mediator == alice_mediator
    assert reverse("disputes:payment_new", args=[dispute.code]) in page
    for instalment in dispute.settlement.instalments.all():
        payment = {
            "instalment": instalment.pk,
            "amount": str(instalment.outstanding),
            "paid_on": timezone.localdate().isoformat(),
            "note": "银行转账",
        }
        step(alice, "payment_new", dispute, payment)
    assert dispute.state == S.PERFORMED
    step(alice, "close", dispute, then=S.CLOSED)
    assert kinds() == [
        "dispute_acceptance_notice",
        "dispute_agreement",
        "dispute_agreement_draft",
        "dispute_closing_notice",
        "dispute_registration_receipt",
        "dispute_session_record",
        "dispute_session_record",
    ]
    actions = list(dispute.events.values_list("action", flat=True))
    assert actions[0] == "filed" and actions[-1] == "close"
    assert {"session_recorded", "mark_recorded", "make_effective", "mark_performed"} <= set(actions)
    # The auditor reads the whole closed case, documents included.
    alice.force_login(audrey_auditor)
    page = alice.get(reverse("disputes:detail", args=[dispute.code])).content.decode()
    for doc in Document.objects.all():
        assert reverse("documents:detail", args=[doc.pk]) in page


def test_an_oral_application_ends_in_termination_without_agreement(
    alice, market, mediation_body, employer, wang_worker, alice_mediator
):
    data = oral_data(
        market,
        mediation_body,
        employer,
        received_at=local(timezone.now()),
        **claims_data(("unpaid_wages", "1800")),
    )
    response = alice.post(reverse("disputes:file_oral"), data)
    dispute = Dispute.objects.get()
    assert response.url == reverse("disputes:detail", args=[dispute.code])
    accept_and_take(alice, dispute, alice_mediator)
    page = step(
        alice,
        "terminate",
        dispute,
        {"reason": "no_agreement", "note": "被申请人不认可欠薪数额，双方差距过大。"},
        then=S.TERMINATED,
    )
    assert dispute.termination_reason == "no_agreement"
    assert dispute.ended_at is not None
    assert kinds() == [
        "dispute_acceptance_notice",
        "dispute_registration_receipt",
        "dispute_termination_notice",
    ]
    assert reverse("disputes:close", args=[dispute.code]) not in page


def test_a_missed_instalment_leads_to_a_payment_order_packet_and_closing(
    alice, filed, alice_mediator
):
    dispute = filed
    accept_and_take(alice, dispute, alice_mediator)
    settle(alice, dispute)
    sign_and_seal(alice, dispute)
    first = dispute.settlement.instalments.first()
    late = datetime.datetime.combine(
        first.due_date + datetime.timedelta(days=2), datetime.time(10), tzinfo=SHANGHAI
    )
    with time_machine.travel(late):
        alice.force_login(alice_mediator)  # a working day's session has expired by then
        page = alice.get(reverse("disputes:detail", args=[dispute.code])).content.decode()
        assert reverse("disputes:default", args=[dispute.code]) in page
        step(alice, "default", dispute, {"note": "第一期逾期未付"}, then=S.DEFAULTED)
        page = alice.get(reverse("disputes:refer", args=[dispute.code])).content.decode()
        assert 'value="payment_order"' in page
        step(alice, "refer", dispute, {"referral": "payment_order"}, then=S.REFERRED)
        assert dispute.referral == Dispute.Referral.PAYMENT_ORDER
        step(alice, "close", dispute, then=S.CLOSED)
    assert kinds() == [
        "dispute_acceptance_notice",
        "dispute_agreement",
        "dispute_agreement_draft",
        "dispute_closing_notice",
        "dispute_payment_order_packet",
        "dispute_registration_receipt",
    ]
