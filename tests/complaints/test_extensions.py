"""One extension of the investigation by 30 working days, approved by a supervisor who did
not ask for it, and recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework.complaints import services
from casework.complaints.models import Complaint, ExtensionRequest
from tests.complaints.fixtures import actor
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("in_english")

S = Complaint.State


def ask(complaint, reason="需要调取银行流水"):
    return services.extension_request(
        complaint=complaint, reason=reason, actor=actor(complaint.owner)
    )


@pytest.mark.django_db
def test_a_supervisor_approves_and_the_deadline_moves_30_working_days(
    make_complaint, sam_supervisor
):
    from casework.core import calendar

    complaint = make_complaint(S.INVESTIGATING)
    before = complaint.investigation_due
    request = ask(complaint)
    assert complaint.pending_extension() == request
    services.extension_decide(request=request, approve=True, actor=actor(sam_supervisor))
    complaint.refresh_from_db()
    assert complaint.extended
    assert complaint.investigation_due == calendar.add_working_days(before, 30)
    assert [e.action for e in complaint.events][-2:] == [
        "extension_requested",
        "extension_approved",
    ]


@pytest.mark.django_db
def test_an_officer_cannot_approve_an_extension(make_complaint, market):
    complaint = make_complaint(S.INVESTIGATING)
    request = ask(complaint)
    other = make_user("otto", "complaint_officer", markets=[market])
    with pytest.raises(PermissionDenied):
        services.extension_decide(request=request, approve=True, actor=actor(other))


@pytest.mark.django_db
def test_the_supervisor_who_asked_cannot_approve_it(make_complaint, sam_supervisor):
    complaint = make_complaint(S.INVESTIGATING)
    sam_supervisor.groups.add(*complaint.owner.groups.all())
    Complaint.objects.filter(pk=complaint.pk).update(owner=sam_supervisor)
    complaint.refresh_from_db()
    request = ask(complaint)
    with pytest.raises(PermissionDenied, match="other than"):
        services.extension_decide(request=request, approve=True, actor=actor(sam_supervisor))


@pytest.mark.django_db
def test_there_is_only_one_extension(make_complaint, sam_supervisor):
    complaint = make_complaint(S.INVESTIGATING)
    request = ask(complaint)
    with pytest.raises(ValidationError, match="already waiting"):
        ask(complaint)
    services.extension_decide(request=request, approve=True, actor=actor(sam_supervisor))
    complaint.refresh_from_db()
    with pytest.raises(ValidationError, match="already been extended"):
        ask(complaint)
    assert ExtensionRequest.objects.filter(complaint=complaint).count() == 1


@pytest.mark.django_db
def test_a_refusal_needs_a_reason_and_leaves_the_deadline(make_complaint, sam_supervisor):
    complaint = make_complaint(S.INVESTIGATING)
    before = complaint.investigation_due
    request = ask(complaint)
    with pytest.raises(ValidationError, match="why the extension is refused"):
        services.extension_decide(request=request, approve=False, actor=actor(sam_supervisor))
    services.extension_decide(
        request=request, approve=False, note="证据已足够", actor=actor(sam_supervisor)
    )
    complaint.refresh_from_db()
    assert (complaint.extended, complaint.investigation_due) == (False, before)
    # A refused request leaves room to ask once more.
    assert ask(complaint, reason="新的证人").approved is None


@pytest.mark.django_db
def test_a_decided_request_cannot_be_decided_again(make_complaint, sam_supervisor):
    complaint = make_complaint(S.INVESTIGATING)
    request = ask(complaint)
    services.extension_decide(request=request, approve=True, actor=actor(sam_supervisor))
    with pytest.raises(ValidationError, match="already been decided"):
        services.extension_decide(
            request=request, approve=False, note="x", actor=actor(sam_supervisor)
        )


@pytest.mark.django_db
def test_a_supervisor_of_another_market_cannot_decide(make_complaint, other_market):
    complaint = make_complaint(S.INVESTIGATING)
    request = ask(complaint)
    elsewhere = make_user("sue", "supervisor", markets=[other_market])
    with pytest.raises(PermissionDenied, match="another market"):
        services.extension_decide(request=request, approve=True, actor=actor(elsewhere))
    request.refresh_from_db()
    assert request.approved is None
