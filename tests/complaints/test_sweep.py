"""The hourly sweep records an overdue acceptance or investigation once in the case's trail."""

import datetime

import pytest

from casework.complaints import services
from casework.complaints.models import Complaint

S = Complaint.State


@pytest.mark.django_db
def test_an_overdue_acceptance_is_recorded_once(make_complaint):
    complaint = make_complaint()
    after = complaint.acceptance_due + datetime.timedelta(days=1)
    assert services.sweep_deadlines(complaint.acceptance_due).acceptance_overdue == 0
    assert services.sweep_deadlines(after).acceptance_overdue == 1
    assert services.sweep_deadlines(after).acceptance_overdue == 0
    complaint.refresh_from_db()
    assert complaint.escalated_on == after
    assert [e.action for e in complaint.events].count("overdue") == 1


@pytest.mark.django_db
def test_an_overdue_investigation_is_recorded_and_a_paused_clock_is_not(make_complaint):
    investigating = make_complaint(S.INVESTIGATING)
    paused = make_complaint()
    services.supplement_request(
        complaint=paused,
        items=["收据"],
        due=paused.acceptance_due + datetime.timedelta(days=30),
        actor=services.Actor(user=paused.owner),
    )
    later = investigating.investigation_due + datetime.timedelta(days=1)
    result = services.sweep_deadlines(later)
    assert (result.acceptance_overdue, result.investigation_overdue) == (0, 1)
