"""The one-time notice (一次性告知, docs/domain.md, "Public-service rules"): one supplement
notice per complaint, listing every missing item; a second notice for the same complaint is
refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from casework.complaints import services
from casework.complaints.models import Complaint
from casework.core.audit import Actor
from casework.core.transitions import perform
from casework.documents.models import Document
from tests.complaints.fixtures import actor

pytestmark = pytest.mark.usefixtures("in_english")

S = Complaint.State


def later(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def ask(complaint, items=("押金收据", "中介门店地址")):
    services.supplement_request(
        complaint=complaint, items=list(items), due=later(), actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()


@pytest.mark.django_db
def test_the_notice_lists_every_missing_item_and_is_issued_as_a_document(make_complaint):
    complaint = make_complaint()
    ask(complaint, items=["押金收据", " ", "中介门店地址", "聊天记录截图"])
    assert complaint.supplement_items == ["押金收据", "中介门店地址", "聊天记录截图"]
    docs = Document.objects.filter(kind="complaint_supplement_notice", subject_id=complaint.pk)
    assert docs.count() == 1


@pytest.mark.django_db
def test_a_second_notice_while_the_first_is_outstanding_is_refused(make_complaint):
    complaint = make_complaint()
    ask(complaint)
    with pytest.raises(ValidationError) as raised:
        ask(complaint, items=["身份证复印件"])
    assert raised.value.code == "second_supplement_notice"
    complaint.refresh_from_db()
    assert complaint.supplement_items == ["押金收据", "中介门店地址"]


@pytest.mark.django_db
def test_a_second_notice_after_the_supplement_arrived_is_refused_too(make_complaint):
    complaint = make_complaint()
    ask(complaint)
    services.supplement_receive(
        complaint=complaint, note="材料已补齐", actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED
    with pytest.raises(ValidationError, match="a second notice is not allowed"):
        ask(complaint, items=["身份证复印件"])
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED
    notices = Document.objects.filter(kind="complaint_supplement_notice", subject_id=complaint.pk)
    assert notices.count() == 1


@pytest.mark.django_db
def test_the_transition_itself_refuses_a_second_notice(make_complaint):
    # Whatever calls it (a stale form, a script), the state machine's condition holds.
    complaint = make_complaint()
    ask(complaint)
    services.supplement_receive(
        complaint=complaint, note="材料已补齐", actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        perform(
            complaint,
            "request_supplement",
            actor=Actor.system("test"),
            items=["另一项"],
            due=later(),
        )


@pytest.mark.django_db
def test_a_notice_needs_at_least_one_item_and_a_future_date(make_complaint):
    complaint = make_complaint()
    with pytest.raises(ValidationError, match="one per line"):
        services.supplement_request(
            complaint=complaint, items=["  "], due=later(), actor=actor(complaint.owner)
        )
    with pytest.raises(ValidationError, match="after today"):
        services.supplement_request(
            complaint=complaint,
            items=["收据"],
            due=timezone.localdate(),
            actor=actor(complaint.owner),
        )
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED
    assert complaint.supplement_requested_at is None
