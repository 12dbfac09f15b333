"""The user journeys of a gig agreement, end to end through the test client."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Party, PaymentStatus
from casework.documents.models import Document
from casework.documents.sealing import validate_seal
from casework.parties.models import RealNameCheck
from tests.agreements.fixtures import last_code
from tests.conftest import EMPLOYER_USCC, HUI_ID, LI_ID, WANG_ID

S = Agreement.State
pytestmark = pytest.mark.django_db


def day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def quick_form(market, *, start: int = 1, end: int = 2, pay_on: int = 2) -> dict:
    """The counter quick form: both parties picked from the registry, the moving preset."""
    return {
        "market": market.pk,
        "worker": WANG_ID,
        "hiring_kind": "organization",
        "organization": EMPLOYER_USCC,
        "signer": HUI_ID,
        "send_now": "on",
        "trade": "moving",
        "job_description": "搬家：三室一厅家具家电搬运上楼",
        "work_place": "测试区幸福小区5栋2单元601",
        "start_date": day(start),
        "end_date": day(end),
        "work_hours": "8:00-17:00",
        "rest": "中午休息1小时",
        "pay_rate": "320",
        "pay_unit": "day",
        "pay_total": "640",
        "payment_method": "mobile",
        "payment_date": day(pay_on),
        "safety": "提供手套、护腰带，大件两人抬运",
        "injury_cover": "accident",
        "insurance_details": "测试保险 团体意外险 P-1",
        "special_terms": "",
    }


def staff(name: str, agreement: Agreement, *extra) -> str:
    return reverse(f"agreements:{name}", args=[agreement.code, *extra])


def portal(name: str, agreement: Agreement) -> str:
    return reverse(f"portal:{name}", args=[agreement.code])


def sign_on_the_portal(client, user, agreement, capture) -> None:
    client.force_login(user)
    with capture(execute=True):
        response = client.post(portal("agreement_code", agreement), follow=True)
    assert response.status_code == 200
    person = user.person
    with capture(execute=True):
        response = client.post(
            portal("agreement_sign", agreement),
            {"code": last_code(person.mobile)},
            HTTP_USER_AGENT="Mobile Safari",
            follow=True,
        )
    assert response.status_code == 200


def make_at_the_counter(client, carol, market, **dates) -> Agreement:
    client.force_login(carol)
    response = client.post(reverse("agreements:new"), quick_form(market, **dates))
    assert response.status_code == 302, response.content.decode()
    agreement = Agreement.objects.get()
    assert agreement.state == S.SENT
    return agreement


def check_both_sides(client, carol, agreement) -> None:
    """The clerk sees the worker's ID card, the licence and the handling person's ID card."""
    client.force_login(carol)
    for who in ("worker", "organization", "signer"):
        response = client.post(staff("check", agreement, who), {"result": "passed"})
        assert response.status_code == 302


def test_counter_quick_form_real_name_checks_both_sign_and_the_worker_downloads_the_sealed_pdf(
    client,
    market,
    carol_caseworker,
    wang_worker,
    hui_hiring,
    li_worker,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    agreement = make_at_the_counter(client, carol_caseworker, market)

    # Not yet checked: the worker is told to come to the counter and gets no code.
    client.force_login(wang_worker)
    client.post(portal("agreement_code", agreement))
    assert not agreement.codes.exists()

    check_both_sides(client, carol_caseworker, agreement)
    assert RealNameCheck.objects.filter(result="passed").count() == 3

    sign_on_the_portal(client, wang_worker, agreement, capture)
    agreement.refresh_from_db()
    assert agreement.state == S.PARTLY_SIGNED
    sign_on_the_portal(client, hui_hiring, agreement, capture)
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED
    assert set(agreement.signatures.values_list("party", flat=True)) == {Party.WORKER, Party.HIRING}

    signed = Document.objects.for_subject(agreement).get(kind="agreement_signed")
    assert signed.is_ready and signed.seal
    client.force_login(wang_worker)
    page = client.get(portal("agreement", agreement)).content.decode()
    download = reverse("documents:download", args=[signed.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    seal = validate_seal(data)
    assert seal.valid, seal

    # Another worker cannot open it.
    client.force_login(li_worker)
    assert client.get(download).status_code == 404
    assert client.get(portal("agreement", agreement)).status_code == 404
    assert LI_ID not in data.decode("latin-1")


def test_work_done_but_unpaid_becomes_a_wage_dispute_filled_in_from_the_agreement(
    client,
    market,
    mediation_body,
    carol_caseworker,
    wang_worker,
    hui_hiring,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    agreement = make_at_the_counter(client, carol_caseworker, market, start=-6, end=-5, pay_on=-4)
    check_both_sides(client, carol_caseworker, agreement)
    sign_on_the_portal(client, hui_hiring, agreement, capture)
    sign_on_the_portal(client, wang_worker, agreement, capture)

    client.force_login(hui_hiring)
    client.post(portal("agreement_complete", agreement))
    agreement.refresh_from_db()
    assert agreement.state == S.COMPLETED

    client.force_login(wang_worker)
    client.post(portal("agreement_payment", agreement), {"answer": "unpaid"})
    agreement.refresh_from_db()
    assert agreement.payment_status == PaymentStatus.UNPAID
    page = client.get(portal("agreement", agreement)).content.decode()
    form_url = reverse("portal:dispute_new") + f"?agreement={agreement.code}"
    assert form_url in page

    form = client.get(form_url).context["form"]
    data = {
        name: value
        for name, value in {**form.initial, "mediation_body": mediation_body.pk}.items()
        if value is not None
    }
    data["market"] = market.pk
    data.update(
        {
            "claims-TOTAL_FORMS": "1",
            "claims-INITIAL_FORMS": "0",
            "claims-0-claim_type": "unpaid_wages",
            "claims-0-amount": "640",
            "claims-0-period_start": day(-6),
            "claims-0-period_end": day(-5),
        }
    )
    response = client.post(form_url, data)
    assert response.status_code == 302, response.content.decode()
    agreement.refresh_from_db()
    dispute = agreement.dispute
    assert dispute is not None
    assert dispute.source_agreement_code == agreement.code
    assert dispute.respondent == agreement.hiring_organization
    assert list(dispute.applicants.all()) == [wang_worker.person]
    assert dispute.total_claimed == 640
    assert [e.action for e in agreement.events][-2:] == [
        "payment_reported_unpaid",
        "dispute_opened",
    ]
