"""Working-day deadlines of complaints (docs/domain.md, "Working days", "Complaints"): 5
working days to decide on acceptance, paused by the one-time supplement notice; 60 to
investigate, +30 once."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import Complaint
from tests.complaints.fixtures import actor, file_anonymous

S = Complaint.State


def at(day: datetime.date, hour: int = 10):
    moment = datetime.datetime.combine(day, datetime.time(hour))
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def receive_on(market, day: datetime.date) -> Complaint:
    with at(day):
        return file_anonymous(market, conduct_on=day - datetime.timedelta(days=3)).complaint


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Fri before National Day 2025: Sun 09-28 is a make-up working day and counts (1),
        # 09-29 (2), 09-30 (3), the holiday 10-01..10-08 does not, 10-09 (4), 10-10 (5).
        (datetime.date(2025, 9, 26), datetime.date(2025, 10, 10)),
        # Inside the holiday: 10-09 (1), 10-10 (2), make-up Sat 10-11 (3), 10-13, 10-14.
        (datetime.date(2025, 10, 3), datetime.date(2025, 10, 14)),
        # Thu before Spring Festival 2026: 02-13 (1), make-up Sat 02-14 (2), the holiday
        # 02-15..02-23 does not count, 02-24 (3), 02-25 (4), 02-26 (5).
        (datetime.date(2026, 2, 12), datetime.date(2026, 2, 26)),
        # An ordinary week: Mon 2026-03-09 → Mon 2026-03-16.
        (datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)),
    ],
)
def test_acceptance_is_due_five_working_days_after_receipt(market, received, due):
    assert receive_on(market, received).acceptance_due == due


@pytest.mark.django_db
def test_the_make_up_sunday_is_the_last_day_of_a_complaint_received_the_monday_before(market):
    complaint = receive_on(market, datetime.date(2025, 9, 22))
    assert complaint.acceptance_due == datetime.date(2025, 9, 28)


@pytest.mark.django_db
def test_days_left_count_working_days_only(market):
    complaint = receive_on(market, datetime.date(2025, 9, 26))
    # On Tue 09-30 the working days left are 10-09 and 10-10.
    assert complaint.acceptance_days_left(datetime.date(2025, 9, 30)) == 2
    assert complaint.is_overdue(datetime.date(2025, 10, 11))
    assert not complaint.is_overdue(datetime.date(2025, 10, 10))


@pytest.mark.django_db
def test_a_supplement_pauses_the_acceptance_clock_and_its_arrival_resumes_it(
    market, olga_officer, intermediary
):
    # Received Mon 2025-09-22: due Sun 09-28 (make-up working day).
    complaint = receive_on(market, datetime.date(2025, 9, 22))
    by = actor(olga_officer)
    services.complaint_take(complaint=complaint, actor=by)
    with at(datetime.date(2025, 9, 24)):
        services.supplement_request(
            complaint=complaint,
            items=["押金收据或转账记录", "中介门店的地址"],
            due=datetime.date(2025, 10, 17),
            actor=by,
        )
    complaint.refresh_from_db()
    assert complaint.state == S.SUPPLEMENT_REQUESTED
    assert complaint.acceptance_paused_on == datetime.date(2025, 9, 24)
    # Paused on Wed 09-24 with Thu 09-25, Fri 09-26 and Sun 09-28 still to run: the
    # days left stay 3 however long the complainant takes, and nothing is overdue.
    assert complaint.acceptance_days_left(datetime.date(2025, 10, 6)) == 3
    assert not complaint.is_overdue(datetime.date(2025, 10, 6))

    with at(datetime.date(2025, 10, 9)):
        services.supplement_receive(complaint=complaint, note="收到押金收据照片", actor=by)
    complaint.refresh_from_db()
    # Resumed Thu 10-09 with 3 working days: 10-10, make-up Sat 10-11, Mon 10-13.
    assert complaint.state == S.RECEIVED
    assert complaint.acceptance_paused_on is None
    assert complaint.acceptance_due == datetime.date(2025, 10, 13)


@pytest.mark.django_db
def test_the_investigation_is_due_60_working_days_after_acceptance_and_30_more_when_extended(
    market, olga_officer, sam_supervisor, intermediary
):
    complaint = receive_on(market, datetime.date(2025, 10, 9))
    by = actor(olga_officer)
    with at(datetime.date(2025, 10, 10)):
        services.complaint_take(complaint=complaint, actor=by)
        services.respondent_link(complaint=complaint, respondent=intermediary, actor=by)
        services.complaint_accept(complaint=complaint, actor=by)
    complaint.refresh_from_db()
    # 60 working days from Fri 2025-10-10 (counting make-up Sat 10-11 and skipping New
    # Year's Day 2026-01-01): Sun 2026-01-04 is itself a make-up working day.
    assert complaint.investigation_due == datetime.date(2026, 1, 4)
    with at(datetime.date(2025, 12, 1)):
        request = services.extension_request(
            complaint=complaint, reason="被投诉人负责人外出，需延期询问", actor=by
        )
        services.extension_decide(request=request, approve=True, actor=actor(sam_supervisor))
    complaint.refresh_from_db()
    # 30 more working days after 2026-01-04: 01-05 … 2026-02-13.
    assert complaint.extended
    assert complaint.investigation_due == datetime.date(2026, 2, 13)
    request.refresh_from_db()
    assert (request.previous_due, request.new_due) == (
        datetime.date(2026, 1, 4),
        datetime.date(2026, 2, 13),
    )
