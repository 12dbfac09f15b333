"""An intermediary with 3 or more accepted complaints in 12 months is a repeat offender."""

import datetime

import pytest
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import Complaint, months_before
from tests.complaints.fixtures import SECOND_INTERMEDIARY_USCC, make_intermediary

S = Complaint.State


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(datetime.date(2026, 11, 22), 12) == datetime.date(2025, 11, 22)
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2024, 2, 29), 12) == datetime.date(2023, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 24) == datetime.date(2024, 1, 15)


@pytest.mark.django_db
def test_three_accepted_complaints_in_twelve_months_make_a_repeat_offender(
    make_complaint, intermediary
):
    other = make_intermediary("诚信劳务中介", SECOND_INTERMEDIARY_USCC)
    make_complaint(S.ACCEPTED)
    make_complaint(S.CLOSED)
    make_complaint(S.RECEIVED)  # not accepted yet: does not count
    make_complaint(S.ACCEPTED, respondent=other)
    assert not services.is_repeat_offender(intermediary)
    make_complaint(S.INVESTIGATING)
    assert services.is_repeat_offender(intermediary)
    assert not services.is_repeat_offender(other)
    assert services.repeat_offender_ids() == {intermediary.pk}


@pytest.mark.django_db
def test_complaints_accepted_more_than_twelve_months_ago_do_not_count(make_complaint, intermediary):
    complaints = [make_complaint(S.ACCEPTED) for _ in range(3)]
    long_ago = timezone.now() - datetime.timedelta(days=370)
    Complaint.objects.filter(pk=complaints[0].pk).update(accepted_at=long_ago)
    assert not services.is_repeat_offender(intermediary)


@pytest.mark.django_db
def test_the_threshold_is_a_setting(make_complaint, intermediary, settings):
    settings.COMPLAINT_REPEAT_COUNT = 2
    make_complaint(S.ACCEPTED)
    make_complaint(S.ACCEPTED)
    assert services.is_repeat_offender(intermediary)
