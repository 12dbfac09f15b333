import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from casework.core.models import HolidayOverride
from casework.core.templatetags.deadlines import deadline_status

SHANGHAI_NOON = "2025-09-26 04:00:00+00:00"  # Fri 2025-09-26, 12:00 in Shanghai


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@time_machine.travel(SHANGHAI_NOON, tick=False)
@pytest.mark.django_db
def test_calendar_days_left_and_the_colour_levels():
    assert deadline_status(d("2025-10-09"))["left"] == 13
    assert deadline_status(d("2025-10-09"))["level"] == "ok"
    assert deadline_status(d("2025-09-29"))["level"] == "soon"
    assert deadline_status(d("2025-09-25"))["level"] == "overdue"


@time_machine.travel(SHANGHAI_NOON, tick=False)
@pytest.mark.django_db
def test_working_days_left_count_the_make_up_sunday_and_skip_the_holiday():
    # Sun 09-28, Mon 09-29, Tue 09-30 work; 1-8 Oct holiday; Thu 10-09 works.
    assert deadline_status(d("2025-10-09"), "working")["left"] == 4


@time_machine.travel("2026-11-22 04:00:00+00:00", tick=False)  # Sunday noon in Shanghai
@pytest.mark.django_db
def test_a_working_day_deadline_passed_over_the_weekend_is_overdue():
    # Due Fri 2026-11-20: no working day has passed since, but the day has.
    status = deadline_status(d("2026-11-20"), "working")
    assert (status["level"], status["overdue_by"], status["working"]) == ("overdue", 2, False)
    assert deadline_status(d("2026-11-22"), "working")["level"] == "soon"


@time_machine.travel("2026-12-20 04:00:00+00:00", tick=False)
@pytest.mark.django_db
def test_a_deadline_in_a_year_without_a_schedule_is_provisional():
    assert deadline_status(d("2027-01-15"))["provisional"]
    assert not deadline_status(d("2026-12-30"))["provisional"]


@time_machine.travel(SHANGHAI_NOON, tick=False)
@pytest.mark.django_db
def test_the_badge_renders_the_days_left():
    html = Template("{% load deadlines %}{% deadline due %}").render(
        Context({"due": d("2025-09-25")})
    )
    assert "deadline-overdue" in html
    assert 'datetime="2025-09-25"' in html


@time_machine.travel("2026-11-22 04:00:00+00:00", tick=False)
def test_supervisors_are_told_when_next_years_holidays_are_missing(client, sam_supervisor):
    client.force_login(sam_supervisor)
    page = client.get(reverse("home")).content.decode()
    assert "2027" in page
    assert reverse("admin:core_holidayoverride_changelist") in page

    HolidayOverride.objects.create(date=d("2027-01-01"), is_workday=False, name="元旦")
    page = client.get(reverse("home")).content.decode()
    assert reverse("admin:core_holidayoverride_changelist") not in page


@time_machine.travel("2026-11-22 04:00:00+00:00", tick=False)
def test_mediators_are_not_shown_the_calendar_notice(client, alice_mediator):
    client.force_login(alice_mediator)
    page = client.get(reverse("home")).content.decode()
    assert reverse("admin:core_holidayoverride_changelist") not in page
