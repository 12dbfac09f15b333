"""The case page and its steps: who may see and do what, and how refusals look."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from casework.core.models import AccessLog
from casework.disputes import services
from casework.disputes.models import ClaimType, Dispute, Evidence
from casework.documents.models import Document
from tests.conftest import WANG_ID
from tests.disputes.fixtures import actor

S = Dispute.State
PDF = b"%PDF-1.4\n%%EOF\n"

# Every step of a case, with a POST body that would be valid for it.
STEPS = {
    "accept": {},
    "refuse": {"reason": "不属于劳动争议"},
    "evidence_new": {},
    "session_new": {
        "held_at": "2026-01-01T10:00",
        "mode": "in_person",
        "place": "调解室",
        "attendees": "双方",
        "notes": "笔录",
    },
    "extend": {
        "new_due": "2099-01-01",
        "applicant_agreed": "on",
        "respondent_agreed": "on",
        "note": "双方签字同意",
    },
    "settle": {"amount": "100", "method": "cash"},
    "revise": {},
    "mark": {"mark": "applicant_signed_at"},
    "terminate": {"reason": "no_agreement", "note": "差距过大"},
    "withdraw": {"reason": "已和解"},
    "payment_new": {"amount": "100", "paid_on": "2026-01-01"},
    "default": {},
    "refer": {"referral": "arbitration"},
    "close": {},
}


def step_url(name: str, dispute: Dispute) -> str:
    return reverse(f"disputes:{name}", args=[dispute.code])


def with_evidence(dispute: Dispute, user) -> Evidence:
    upload = SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf")
    return services.evidence_add(dispute=dispute, upload=upload, actor=actor(user))


def with_session(dispute: Dispute, user):
    return services.session_record(
        dispute=dispute,
        held_at=timezone.now(),
        mode="in_person",
        place="调解室",
        attendees="王小明；惠老板",
        notes="双方陈述。",
        actor=actor(user),
    )


@pytest.fixture
def mediating(new_dispute, alice_mediator) -> Dispute:
    """A case alice holds, with evidence, a session and documents."""
    dispute = new_dispute(S.IN_MEDIATION)
    with_evidence(dispute, alice_mediator)
    with_session(dispute, alice_mediator)
    return dispute


def logged_in(client, user):
    client.force_login(user)
    return client


# -- the case page ----------------------------------------------------------------------


def test_the_case_page_shows_parties_claims_deadline_documents_and_history(
    client, alice_mediator, mediating
):
    page = logged_in(client, alice_mediator).get(step_url("detail", mediating)).content.decode()
    assert mediating.code in page
    assert "调解中" in page  # the state
    assert "Alice 调解员" in page  # the holder
    assert 'class="deadline deadline-' in page
    assert mediating.due_date.isoformat() in page
    assert "110105********002X" in page
    assert WANG_ID not in page
    assert "测试搬家服务有限公司" in page
    assert "3200.00" in page
    assert "工资条.pdf" in page
    assert "双方陈述。" in page
    for kind in ("dispute_acceptance_notice", "dispute_session_record"):  # case and session
        doc = Document.objects.get(kind=kind)
        assert reverse("documents:detail", args=[doc.pk]) in page
    assert 'aria-current="step"' in page  # the state overview
    assert "<strong>领取调解</strong>" in page  # the timeline, with the steps' names
    assert "<strong>已记录调解会谈</strong>" in page
    assert step_url("session_new", mediating) in page
    assert step_url("terminate", mediating) in page
    assert step_url("accept", mediating) not in page


def test_wages_owed_while_employment_lasts_have_no_limitation_date(
    client, alice_mediator, new_dispute
):
    dispute = new_dispute()
    page = logged_in(client, alice_mediator).get(step_url("detail", dispute)).content.decode()
    assert "劳动关系存续期间不受时效限制（第二十七条）" in page


def test_after_employment_ends_the_limitation_date_is_shown(client, alice_mediator, new_dispute):
    dispute = new_dispute(employment_ended_on=datetime.date(2026, 3, 2))
    page = logged_in(client, alice_mediator).get(step_url("detail", dispute)).content.decode()
    assert "2027-03-02" in page


def test_an_extended_deadline_says_where_it_was_extended_from(client, alice_mediator, new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    response = logged_in(client, alice_mediator).post(
        step_url("extend", dispute),
        {
            "new_due": (dispute.due_date + datetime.timedelta(days=10)).isoformat(),
            "applicant_agreed": "on",
            "respondent_agreed": "on",
            "note": "双方在调解会上签字同意",
        },
    )
    assert response.status_code == 302
    page = client.get(step_url("detail", dispute)).content.decode()
    assert f"自 {dispute.mediation_due.isoformat()} 延长" in page


# -- outsiders, workers, anonymous --------------------------------------------------------


def test_a_mediator_of_another_market_gets_404_everywhere_on_the_case(
    client, oscar_outsider, mediating
):
    logged_in(client, oscar_outsider)
    evidence = mediating.evidence.get()
    pages = [
        step_url("detail", mediating),
        reverse("disputes:evidence_file", args=[mediating.code, evidence.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    for name, data in STEPS.items():
        url = step_url(name, mediating)
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    documents = Document.objects.all()
    assert {d.kind for d in documents} >= {"dispute_acceptance_notice", "dispute_session_record"}
    for doc in documents:
        assert client.get(reverse("documents:detail", args=[doc.pk])).status_code == 404
        assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    mediating.refresh_from_db()
    assert mediating.state == S.IN_MEDIATION


def test_a_worker_who_is_not_a_party_cannot_open_the_case(client, li_worker, mediating):
    logged_in(client, li_worker)
    evidence = mediating.evidence.get()
    assert client.get(step_url("detail", mediating)).status_code in (403, 404)
    assert client.post(step_url("terminate", mediating), STEPS["terminate"]).status_code in (
        403,
        404,
    )
    file_url = reverse("disputes:evidence_file", args=[mediating.code, evidence.pk])
    assert client.get(file_url).status_code in (403, 404)
    for doc in Document.objects.all():
        assert client.get(reverse("documents:detail", args=[doc.pk])).status_code in (403, 404)


def test_anonymous_visitors_are_sent_to_the_login_page(client, mediating):
    for url in (step_url("detail", mediating), step_url("settle", mediating)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# -- the holder rule ------------------------------------------------------------------


def test_another_mediator_cannot_record_the_outcome_of_a_case_alice_holds(
    client, bob_mediator, new_dispute
):
    in_mediation = new_dispute(S.IN_MEDIATION)
    settled = new_dispute(S.SETTLED)
    effective = new_dispute(S.EFFECTIVE)
    instalment = effective.settlement.instalments.first()
    logged_in(client, bob_mediator)
    attempts = [
        (in_mediation, "settle", {**STEPS["settle"], **_instalments(("2099-01-01", "100"))}),
        (in_mediation, "terminate", STEPS["terminate"]),
        (in_mediation, "session_new", STEPS["session_new"]),
        (settled, "mark", STEPS["mark"]),
        (effective, "payment_new", {**STEPS["payment_new"], "instalment": instalment.pk}),
    ]
    for dispute, name, data in attempts:
        response = client.post(step_url(name, dispute), data)
        assert response.status_code == 403, name
    for dispute, state in ((in_mediation, S.IN_MEDIATION), (settled, S.SETTLED)):
        dispute.refresh_from_db()
        assert dispute.state == state
    assert not settled.settlement.applicant_signed_at
    assert not effective.settlement.instalments.filter(paid__gt=0).exists()


def test_another_mediator_sees_the_case_but_no_steps_to_record(client, bob_mediator, mediating):
    page = logged_in(client, bob_mediator).get(step_url("detail", mediating)).content.decode()
    assert mediating.code in page
    for name in ("session_new", "terminate", "settle", "extend", "withdraw"):
        assert step_url(name, mediating) not in page


def test_the_auditor_can_read_the_case_but_not_act(client, audrey_auditor, new_dispute):
    dispute = new_dispute()
    evidence = with_evidence(dispute, dispute.filed_by)
    logged_in(client, audrey_auditor)
    page = client.get(step_url("detail", dispute)).content.decode()
    assert dispute.code in page
    assert step_url("accept", dispute) not in page
    file_url = reverse("disputes:evidence_file", args=[dispute.code, evidence.pk])
    assert client.get(file_url).status_code == 200
    for name in ("accept", "refuse", "withdraw", "evidence_new"):
        assert client.post(step_url(name, dispute), STEPS[name]).status_code == 403, name
    dispute.refresh_from_db()
    assert dispute.state == S.RECEIVED


# -- steps and their refusals ---------------------------------------------------------


def test_accepting_from_the_case_page_issues_the_acceptance_notice(
    client, alice_mediator, new_dispute
):
    dispute = new_dispute()
    response = logged_in(client, alice_mediator).post(step_url("accept", dispute))
    assert response.url == step_url("detail", dispute)
    dispute.refresh_from_db()
    assert dispute.state == S.ACCEPTED
    assert Document.objects.filter(kind="dispute_acceptance_notice").count() == 1


def test_not_accepting_needs_a_reason(client, alice_mediator, new_dispute):
    dispute = new_dispute()
    response = logged_in(client, alice_mediator).post(step_url("refuse", dispute), {"reason": ""})
    assert "请说明不予受理的理由。" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == S.RECEIVED
    client.post(step_url("refuse", dispute), {"reason": "不属于劳动争议"})
    dispute.refresh_from_db()
    assert (dispute.state, dispute.decision_reason) == (S.NOT_ACCEPTED, "不属于劳动争议")


def test_a_step_that_is_no_longer_possible_gives_a_message_not_an_error(
    client, alice_mediator, new_dispute
):
    dispute = new_dispute(S.ACCEPTED)
    response = logged_in(client, alice_mediator).post(step_url("accept", dispute), follow=True)
    assert response.status_code == 200
    assert "当前无法进行此步骤：案件状态为" in response.content.decode()


def test_a_transition_refused_by_the_state_machine_gives_a_message(
    client, alice_mediator, new_dispute, monkeypatch
):
    # As when another tab moved the case on between the check and the step.
    dispute = new_dispute(S.IN_MEDIATION)
    monkeypatch.setattr("casework.disputes.views.case.step_possible", lambda *args: True)
    response = logged_in(client, alice_mediator).post(step_url("close", dispute), follow=True)
    assert response.status_code == 200
    assert "当前无法进行此步骤" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == S.IN_MEDIATION


def test_an_extension_needs_the_agreement_of_both_parties(client, alice_mediator, new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    response = logged_in(client, alice_mediator).post(
        step_url("extend", dispute),
        {"new_due": "2099-01-01", "applicant_agreed": "on", "note": "申请人同意"},
    )
    assert "延长调解期限须经双方同意；否则调解终止。" in response.content.decode()
    dispute.refresh_from_db()
    assert not dispute.extended
    assert not dispute.extensions.exists()


def test_terminating_because_the_deadline_passed_waits_for_the_deadline(
    client, alice_mediator, new_dispute
):
    dispute = new_dispute(S.IN_MEDIATION)
    data = {"reason": "deadline_passed", "note": "十五日内未达成协议"}
    response = logged_in(client, alice_mediator).post(step_url("terminate", dispute), data)
    assert "调解期限尚未届满。" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == S.IN_MEDIATION
    with time_machine.travel(dispute.due_date + datetime.timedelta(days=1)):
        client.force_login(alice_mediator)  # the first session expired meanwhile
        response = client.post(step_url("terminate", dispute), data)
    assert response.url == step_url("detail", dispute)
    dispute.refresh_from_db()
    assert (dispute.state, dispute.termination_reason) == (S.TERMINATED, "deadline_passed")


def _instalments(*rows: tuple[str, str]) -> dict:
    data = {
        "instalments-TOTAL_FORMS": str(len(rows) + 1),
        "instalments-INITIAL_FORMS": "0",
        "instalments-MIN_NUM_FORMS": "0",
        "instalments-MAX_NUM_FORMS": "1000",
        f"instalments-{len(rows)}-due_date": "",
        f"instalments-{len(rows)}-amount": "",
    }
    for i, (due, amount) in enumerate(rows):
        data.update({f"instalments-{i}-due_date": due, f"instalments-{i}-amount": amount})
    return data


def test_instalments_must_add_up_to_the_agreed_amount(client, alice_mediator, new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    data = {
        "amount": "3000",
        "method": "bank_transfer",
        "terms": "",
        **_instalments(("2099-01-01", "1000"), ("2099-02-01", "1000")),
    }
    response = logged_in(client, alice_mediator).post(step_url("settle", dispute), data)
    assert "各期金额之和必须等于约定金额。" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == S.IN_MEDIATION
    assert not hasattr(dispute, "settlement")


def test_a_payment_order_is_offered_only_for_the_claims_of_article_16(
    client, alice_mediator, new_dispute
):
    from casework.disputes.services import Claim

    other = new_dispute(S.DEFAULTED, claims=[Claim(ClaimType.OTHER, Decimal("500"))])
    wages = new_dispute(S.DEFAULTED)
    logged_in(client, alice_mediator)
    assert 'value="payment_order"' not in client.get(step_url("refer", other)).content.decode()
    assert 'value="payment_order"' in client.get(step_url("refer", wages)).content.decode()
    client.post(step_url("refer", other), {"referral": "payment_order"})
    other.refresh_from_db()
    assert other.state == S.DEFAULTED


def test_evidence_added_on_the_case_page_is_checked(client, alice_mediator, mediating, settings):
    logged_in(client, alice_mediator)
    fake = SimpleUploadedFile("照片.jpg", PDF, content_type="image/jpeg")
    response = client.post(step_url("evidence_new", mediating), {"files": [fake]})
    assert "照片.jpg 实际上不是 JPG 文件：内容与文件名不符。" in response.content.decode()
    assert mediating.evidence.count() == 1
    good = SimpleUploadedFile("收据.pdf", PDF, content_type="application/pdf")
    response = client.post(
        step_url("evidence_new", mediating), {"files": [good], "description": "收据"}
    )
    assert response.url == step_url("detail", mediating)
    assert mediating.evidence.last().description == "收据"


def test_evidence_downloads_as_an_attachment_of_its_type_and_is_logged(
    client, alice_mediator, mediating
):
    evidence = mediating.evidence.get()
    response = logged_in(client, alice_mediator).get(
        reverse("disputes:evidence_file", args=[mediating.code, evidence.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject) == (alice_mediator, "export", evidence)


def test_evidence_of_another_case_is_not_served_under_this_case(
    client, alice_mediator, mediating, new_dispute
):
    other = new_dispute()
    evidence = mediating.evidence.get()
    url = reverse("disputes:evidence_file", args=[other.code, evidence.pk])
    assert logged_in(client, alice_mediator).get(url).status_code == 404


def test_the_case_page_says_why_the_case_has_priority_not_a_bare_number(
    client, alice_mediator, mediating
):
    page = logged_in(client, alice_mediator).get(step_url("detail", mediating)).content.decode()
    assert mediating.priority == 1
    assert f"<dt>{gettext('priority')}</dt><dd>{gettext('wage arrears')}</dd>" in page


def test_the_priority_reasons_are_those_compute_priority_counted():
    wages, group = gettext("wage arrears"), gettext("group case")
    assert Dispute(priority=2, claim_types="unpaid_wages").priority_reasons == [wages, group]
    assert Dispute(priority=1, claim_types="severance").priority_reasons == [group]
    assert Dispute(priority=1, claim_types="unpaid_wages,severance").priority_reasons == [wages]
    assert Dispute(priority=0, claim_types="severance").priority_reasons == []
