"""The complainant is told of the acceptance decision and of the result by text message
(SMS_BACKEND, after commit), unless it complained anonymously and left no number."""

import datetime

import pytest
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import Complaint, NotAcceptedReason, ReferralTarget
from casework.core.models import SmsMessage
from tests.complaints.fixtures import actor, bring_to

S = Complaint.State


def texts(complaint) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(subject_label=complaint.code).order_by("pk"))


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Steps as the pages run them: the messages go out when the transaction commits."""

    def step(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return step


@pytest.mark.django_db
def test_a_named_complainant_hears_of_the_acceptance_and_the_result(make_complaint, run_on_commit):
    complaint = make_complaint(
        anonymous=False, complainant_name="赵六", contact_mobile="13712345678"
    )
    run_on_commit(bring_to, complaint, S.CLOSED, complaint.owner)
    sent = texts(complaint)
    # Then the satisfaction survey's invitation (casework.surveys, tests/surveys).
    assert [m.purpose for m in sent] == [
        "complaint_accepted",
        "complaint_result",
        "survey_invitation",
    ]
    assert {m.to for m in sent} == {"13712345678"}
    assert "已于" in sent[0].text and "受理" in sent[0].text
    assert "已办结" in sent[1].text and "责令其限期改正" in sent[1].text
    assert all(complaint.tracking_code not in m.text for m in sent)


@pytest.mark.django_db
def test_an_anonymous_complainant_who_left_a_number_is_told_too(make_complaint, run_on_commit):
    complaint = make_complaint(contact_mobile="13712345678")
    run_on_commit(
        services.complaint_not_accept,
        complaint=complaint,
        reason=NotAcceptedReason.NOT_COMPETENT,
        authority="测试区市场监督管理局",
        actor=actor(complaint.owner),
    )
    (message,) = texts(complaint)
    assert message.purpose == "complaint_not_accepted"
    assert "测试区市场监督管理局" in message.text


@pytest.mark.django_db
def test_an_anonymous_complainant_without_a_number_gets_no_message(make_complaint, run_on_commit):
    complaint = make_complaint()
    run_on_commit(bring_to, complaint, S.CLOSED, complaint.owner)
    assert texts(complaint) == []


@pytest.mark.django_db
def test_the_supplement_notice_and_a_referral_are_sent(make_complaint, run_on_commit):
    complaint = make_complaint(contact_mobile="13712345678")
    run_on_commit(
        services.supplement_request,
        complaint=complaint,
        items=["押金收据", "门店地址"],
        due=timezone.localdate() + datetime.timedelta(days=10),
        actor=actor(complaint.owner),
    )
    run_on_commit(
        services.supplement_receive,
        complaint=complaint,
        note="已补齐",
        actor=actor(complaint.owner),
    )
    complaint.refresh_from_db()
    run_on_commit(bring_to, complaint, S.ACCEPTED, complaint.owner)
    run_on_commit(
        services.complaint_refer,
        complaint=complaint,
        target=ReferralTarget.LABOUR_INSPECTION,
        body="测试区劳动保障监察大队",
        reason="涉及拖欠工资",
        actor=actor(complaint.owner),
    )
    purposes = [m.purpose for m in texts(complaint)]
    assert purposes == ["complaint_supplement", "complaint_accepted", "complaint_referred"]
    assert "押金收据；门店地址" in texts(complaint)[0].text


@pytest.mark.django_db
def test_a_gateway_failure_does_not_undo_the_step(make_complaint, run_on_commit, settings):
    settings.SMS_BACKEND = "tests.complaints.test_notifications.BrokenGateway"
    complaint = make_complaint(contact_mobile="13712345678")
    run_on_commit(services.complaint_accept, complaint=complaint, actor=actor(complaint.owner))
    complaint.refresh_from_db()
    assert complaint.state == S.ACCEPTED


class BrokenGateway:
    def send(self, message):
        raise ConnectionError("gateway down")
