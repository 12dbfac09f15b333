"""Working days and legal deadlines (docs/domain.md, "Working days"), with real 2025–2027 dates.

2025 National Day: holiday Wed 1 – Wed 8 Oct; make-up working days Sun 28 Sep, Sat 11 Oct.
2026 Spring Festival: holiday Sun 15 – Mon 23 Feb; make-up working days Sat 14, Sat 28 Feb.
2027 is not in chinese-calendar 1.11.
"""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from casework.core import calendar
from casework.core.checks import check_calendar_coverage
from casework.core.models import HolidayOverride

D = datetime.date


def holiday(day: datetime.date, name: str = "test holiday") -> HolidayOverride:
    return HolidayOverride.objects.create(date=day, is_workday=False, name=name)


# --- is_workday -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 9, 26), True),  # Friday
        (D(2025, 9, 27), False),  # Saturday
        (D(2025, 9, 28), True),  # Sunday, make-up working day
        (D(2025, 10, 1), False),  # National Day, a Wednesday
        (D(2025, 10, 11), True),  # Saturday, make-up working day
        (D(2026, 2, 14), True),  # Saturday, make-up working day
        (D(2026, 2, 16), False),  # Spring Festival, a Monday
        (D(2026, 2, 28), True),  # Saturday, make-up working day
        (D(2027, 1, 1), False),  # unknown year: New Year's Day is a fixed-date holiday
        (D(2027, 1, 4), True),  # unknown year: a plain Monday
        (D(2027, 10, 2), False),  # unknown year: a Saturday (and National Day)
    ],
)
def test_workdays_follow_the_official_schedule(day, expected):
    assert calendar.is_workday(day) is expected


@pytest.mark.django_db
def test_an_override_row_wins_over_the_package():
    holiday(D(2025, 11, 24))
    HolidayOverride.objects.create(date=D(2025, 11, 22), is_workday=True, name="test make-up day")

    assert not calendar.is_workday(D(2025, 11, 24))
    assert calendar.is_workday(D(2025, 11, 22))


# --- calendar days (民法典 Arts. 201–203) ------------------------------------------------


@pytest.mark.django_db
def test_day_15_in_the_national_day_holiday_moves_to_the_first_working_day_after():
    # docs/domain.md, "Working days": received Sat 2025-09-20, day 15 is Sun 2025-10-05 (holiday).
    assert calendar.add_calendar_days(D(2025, 9, 20), 15) == D(2025, 10, 9)


@pytest.mark.django_db
def test_a_last_day_on_a_plain_weekend_moves_to_monday():
    # Fri 2025-11-07 + 15 = Sat 2025-11-22.
    assert calendar.add_calendar_days(D(2025, 11, 7), 15) == D(2025, 11, 24)


@pytest.mark.django_db
def test_a_last_day_on_a_make_up_saturday_does_not_move():
    assert calendar.add_calendar_days(D(2025, 9, 26), 15) == D(2025, 10, 11)


@pytest.mark.django_db
def test_a_last_day_on_a_working_day_stays():
    assert calendar.add_calendar_days(D(2025, 11, 6), 15) == D(2025, 11, 21)


@pytest.mark.django_db
def test_a_holiday_override_moves_a_deadline():
    holiday(D(2025, 11, 24))

    assert calendar.add_calendar_days(D(2025, 11, 7), 15) == D(2025, 11, 25)


@pytest.mark.django_db
def test_spring_festival_2026_calendar_days():
    # Thu 2026-02-12 + 15 = Fri 2026-02-27, a working day after the holiday.
    assert calendar.add_calendar_days(D(2026, 2, 12), 15) == D(2026, 2, 27)
    # Thu 2026-02-05 + 15 = Fri 2026-02-20, inside the holiday: first working day is Tue 24 Feb.
    assert calendar.add_calendar_days(D(2026, 2, 5), 15) == D(2026, 2, 24)


# --- working days --------------------------------------------------------------------


@pytest.mark.django_db
def test_working_days_count_the_make_up_sunday_and_skip_the_holiday():
    # After Fri 2025-09-26: Sun 28 (1), Mon 29 (2), Tue 30 (3), holiday 1–8 Oct,
    # Thu 9 (4), Fri 10 (5).
    assert calendar.add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)


@pytest.mark.django_db
def test_working_days_from_a_receipt_inside_the_holiday_count_the_make_up_saturday():
    # After Fri 2025-10-03: Thu 9 (1), Fri 10 (2), Sat 11 (3), Mon 13 (4), Tue 14 (5).
    assert calendar.add_working_days(D(2025, 10, 3), 5) == D(2025, 10, 14)


@pytest.mark.django_db
def test_spring_festival_2026_working_days():
    # After Thu 2026-02-12: Fri 13 (1), Sat 14 (2), holiday 15–23 Feb,
    # Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert calendar.add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)


@pytest.mark.django_db
def test_a_holiday_override_adds_a_working_day():
    holiday(D(2025, 10, 10))

    assert calendar.add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 11)


@pytest.mark.django_db
def test_zero_days_is_the_start_and_negative_days_are_refused():
    assert calendar.add_working_days(D(2025, 9, 27), 0) == D(2025, 9, 27)
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2025, 9, 27), -1)
    with pytest.raises(ValueError):
        calendar.add_calendar_days(D(2025, 9, 27), -1)


@pytest.mark.django_db
def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert calendar.working_days_between(D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert calendar.working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    assert calendar.working_days_between(D(2025, 9, 26), D(2025, 9, 26)) == 0


@pytest.mark.django_db
def test_working_days_between_is_negative_when_overdue():
    assert calendar.working_days_between(D(2025, 10, 10), D(2025, 9, 26)) == -5


@pytest.mark.django_db
def test_a_paused_clock_resumes_with_the_working_days_it_had_left():
    # Received Fri 2025-09-26, 5 working days: due Fri 2025-10-10. Paused Mon 29 Sep with
    # 3 working days left (30 Sep, 9 Oct, 10 Oct); resumed Mon 13 Oct: 14, 15, 16 Oct.
    due = calendar.add_working_days(D(2025, 9, 26), 5)

    assert calendar.resume_after_pause(due, D(2025, 9, 29), D(2025, 10, 13)) == D(2025, 10, 16)


@pytest.mark.django_db
def test_a_clock_paused_after_its_deadline_resumes_due_at_once():
    assert calendar.resume_after_pause(D(2025, 10, 10), D(2025, 10, 13), D(2025, 10, 20)) == D(
        2025, 10, 20
    )


@pytest.mark.django_db
def test_overrides_are_read_once_per_year_not_once_per_day(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar.add_working_days(D(2025, 1, 2), 200)
    with django_assert_num_queries(2):
        calendar.add_working_days(D(2025, 12, 1), 40)


# --- years chinese-calendar does not know -------------------------------------------


@pytest.mark.django_db
def test_a_deadline_in_2027_without_overrides_counts_weekdays_and_is_provisional():
    # After Mon 2026-12-28: 29 (1), 30 (2), 31 (3); Fri 2027-01-01 is New Year's Day;
    # Mon 4 Jan (4), Tue 5 Jan (5).
    due = calendar.add_working_days(D(2026, 12, 28), 5)

    assert due == D(2027, 1, 5)
    assert calendar.unknown_years(D(2026, 12, 28), due) == [2027]
    assert calendar.add_working_days(D(2027, 3, 5), 1) == D(2027, 3, 8)  # Fri → Mon


@pytest.mark.django_db
def test_override_rows_for_2027_make_the_year_known_and_count():
    holiday(D(2027, 1, 4), "元旦 (test)")

    assert calendar.unknown_years(D(2026, 12, 28), D(2027, 1, 31)) == []
    assert calendar.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 6)


@pytest.mark.django_db
def test_years_the_package_covers_are_known():
    assert calendar.unknown_years(D(2004, 1, 1), D(2026, 12, 31)) == []
    assert calendar.unknown_years(D(2026, 1, 1), D(2028, 1, 1)) == [2027, 2028]


# --- aware datetimes ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_domain_example_received_late_on_friday_utc_is_a_saturday_receipt():
    # 17:00 UTC on Fri 19 Sep is 01:00 on Sat 20 Sep in Shanghai.
    received_at = datetime.datetime(2025, 9, 19, 17, 0, tzinfo=datetime.UTC)

    assert timezone.localdate(received_at) == D(2025, 9, 20)
    assert calendar.deadline_calendar_days(received_at, 15) == D(2025, 10, 9)


@pytest.mark.django_db
def test_working_days_count_from_the_shanghai_date_not_the_utc_date():
    # 16:30 UTC on Thu 25 Sep is 00:30 on Fri 26 Sep: due Fri 10 Oct (from Thu it would be 9 Oct).
    received_at = datetime.datetime(2025, 9, 25, 16, 30, tzinfo=datetime.UTC)

    assert calendar.deadline_working_days(received_at, 5) == D(2025, 10, 10)


@pytest.mark.django_db
def test_calendar_days_count_from_the_shanghai_date_not_the_utc_date():
    # 16:30 UTC on Thu 6 Nov is 00:30 on Fri 7 Nov: day 15 is Sat 22 Nov → Mon 24 Nov
    # (from Thu it would be Fri 21 Nov).
    received_at = datetime.datetime(2025, 11, 6, 16, 30, tzinfo=datetime.UTC)

    assert calendar.deadline_calendar_days(received_at, 15) == D(2025, 11, 24)


# --- the system check -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_warns_near_year_end_when_next_year_has_no_schedule(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 9, tzinfo=datetime.UTC))

    warnings = check_calendar_coverage()

    assert [w.id for w in warnings] == ["core.W001"]
    assert "2027" in warnings[0].msg


@pytest.mark.django_db
def test_the_check_is_quiet_once_next_year_has_override_rows(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 9, tzinfo=datetime.UTC))
    holiday(D(2027, 1, 1), "元旦")

    assert check_calendar_coverage() == []


@pytest.mark.django_db
def test_the_check_is_quiet_earlier_in_a_known_year(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))

    assert check_calendar_coverage() == []


@pytest.mark.django_db
def test_the_check_warns_all_year_when_the_current_year_is_unknown(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC))

    assert [w.id for w in check_calendar_coverage()] == ["core.W001"]


@pytest.mark.django_db
def test_the_check_survives_a_database_without_the_table(time_machine, monkeypatch):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 9, tzinfo=datetime.UTC))
    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])

    assert [w.id for w in check_calendar_coverage()] == ["core.W001"]


@pytest.mark.django_db
def test_the_check_survives_an_unreachable_database(time_machine, monkeypatch):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 9, tzinfo=datetime.UTC))

    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection.introspection, "table_names", unreachable)

    assert [w.id for w in check_calendar_coverage()] == ["core.W001"]


def test_a_preloaded_calendar_reads_several_unknown_years_in_one_query(
    db, django_assert_num_queries
):
    HolidayOverride.objects.create(date=datetime.date(2027, 2, 8), is_workday=False, name="春节")
    HolidayOverride.objects.create(date=datetime.date(2028, 1, 29), is_workday=True, name="调休")
    shared = calendar.WorkCalendar()
    with django_assert_num_queries(1):
        shared.preload(2026, 2029)
    with django_assert_num_queries(0):
        assert not shared.is_workday(datetime.date(2027, 2, 8))
        assert shared.is_workday(datetime.date(2028, 1, 29))
        assert shared.unknown_years(datetime.date(2026, 12, 1), datetime.date(2029, 1, 5)) == [2029]
