"""The 15-day mediation clock (Art. 14, 民法典 Arts. 201–203), the limitation date
(Art. 27), and the beat job that reminds, escalates and marks missed instalments."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework.disputes import services
from casework.disputes.models import ClaimType, Dispute
from tests.disputes.fixtures import actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Dispute.State


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # docs/domain.md, "Working days": day 15 is 5 Oct (National Day holiday,
        # 1–8 Oct) → Thu 9 Oct.
        ("2025-09-20", "2025-10-09"),
        ("2025-09-19", "2025-10-09"),  # day 15 is Sat 4 Oct, inside the holiday
        ("2025-09-28", "2025-10-13"),  # received on a make-up working day; day 15 is Monday
        ("2025-10-03", "2025-10-20"),  # inside the holiday; day 15 is Sat 18 Oct → Mon 20
        ("2025-10-05", "2025-10-20"),  # day 15 is Mon 20 Oct
        # Spring Festival 2026: holiday 15–23 Feb; Sat 14 and Sat 28 Feb are working days.
        ("2026-02-01", "2026-02-24"),  # day 15 is Mon 16 Feb, a holiday → Tue 24 Feb
        ("2026-01-30", "2026-02-14"),  # day 15 is the make-up Saturday: it stays
        ("2026-02-13", "2026-02-28"),  # day 15 is the make-up Saturday 28 Feb
        ("2026-02-07", "2026-02-24"),  # day 15 is Sun 22 Feb, inside the holiday
        ("2026-02-18", "2026-03-05"),  # received inside the holiday
    ],
)
def test_the_mediation_deadline_follows_the_civil_code(new_dispute, received, due):
    dispute = new_dispute(received_at=at(received))
    assert dispute.mediation_due == datetime.date.fromisoformat(due)
    assert dispute.due_date == dispute.mediation_due


def test_the_clock_counts_the_local_date_of_receipt(new_dispute):
    # 01:00 on 3 Oct in Shanghai is still 2 Oct in UTC: the local date counts.
    dispute = new_dispute(received_at=datetime.datetime(2025, 10, 2, 17, 0, tzinfo=datetime.UTC))
    assert dispute.mediation_due == datetime.date(2025, 10, 20)


def test_unpaid_wages_during_employment_have_no_limitation_date(new_dispute):
    dispute = new_dispute(knew_of_infringement_on=datetime.date(2025, 3, 10))
    assert dispute.limitation_date() is None


def test_unpaid_wages_after_employment_ends_run_a_year_from_the_end(new_dispute):
    dispute = new_dispute(
        received_at=at("2025-09-01"),
        knew_of_infringement_on=datetime.date(2025, 3, 10),
        employment_ended_on=datetime.date(2025, 6, 30),
    )
    assert dispute.limitation_date() == datetime.date(2026, 6, 30)


def test_other_claims_run_a_year_from_knowledge_moved_past_a_holiday(new_dispute):
    dispute = new_dispute(
        received_at=at("2025-10-09"),
        claims=[services.Claim(ClaimType.DAMAGES, Decimal("2000"))],
        knew_of_infringement_on=datetime.date(2025, 10, 1),
    )
    # 1 Oct 2026 falls in the National Day holiday (1–7 Oct 2026).
    assert dispute.limitation_date() == datetime.date(2026, 10, 8)


def test_the_limitation_period_restarts_when_mediation_ends(new_dispute, alice_mediator):
    dispute = new_dispute(
        S.IN_MEDIATION,
        claims=[services.Claim(ClaimType.SEVERANCE, Decimal("6000"))],
        knew_of_infringement_on=datetime.date(2025, 1, 6),
    )
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)):
        services.dispute_terminate(
            dispute=dispute, reason="no_agreement", note="", actor=actor(alice_mediator)
        )
    dispute.refresh_from_db()
    assert dispute.limitation_date() == datetime.date(2027, 12, 1)


class TestSweep:
    def test_a_case_is_reminded_once_when_three_days_are_left(self, new_dispute):
        dispute = new_dispute(S.IN_MEDIATION)
        early = services.sweep_deadlines(dispute.due_date - datetime.timedelta(days=4))
        assert early.reminded == 0
        day = dispute.due_date - datetime.timedelta(days=3)
        assert services.sweep_deadlines(day).reminded == 1
        assert services.sweep_deadlines(day).reminded == 0
        dispute.refresh_from_db()
        assert dispute.reminded_on == day
        assert dispute.events.last().action == "deadline_reminder"

    def test_a_case_is_escalated_once_on_its_deadline(self, new_dispute):
        dispute = new_dispute(S.ACCEPTED)
        assert services.sweep_deadlines(dispute.due_date).escalated == 1
        assert services.sweep_deadlines(dispute.due_date).escalated == 0
        dispute.refresh_from_db()
        assert dispute.escalated_on == dispute.due_date
        assert dispute.events.last().action == "escalated"

    def test_closed_cases_are_left_alone(self, new_dispute):
        dispute = new_dispute(S.TERMINATED)
        result = services.sweep_deadlines(dispute.due_date)
        assert (result.reminded, result.escalated) == (0, 0)

    def test_an_extension_restarts_reminder_and_escalation(self, new_dispute, alice_mediator):
        dispute = new_dispute(S.IN_MEDIATION)
        services.sweep_deadlines(dispute.due_date)
        with time_machine.travel(dispute.due_date):
            services.extension_record(
                dispute=dispute,
                new_due=dispute.due_date + datetime.timedelta(days=10),
                applicant_agreed=True,
                respondent_agreed=True,
                note="双方同意",
                actor=actor(alice_mediator),
            )
        dispute.refresh_from_db()
        assert dispute.escalated_on is None and dispute.reminded_on is None
        assert services.sweep_deadlines(dispute.due_date).escalated == 1

    def test_a_missed_instalment_marks_the_agreement_defaulted(self, new_dispute):
        dispute = new_dispute(S.EFFECTIVE)
        first = dispute.settlement.instalments.first()
        assert services.sweep_deadlines(first.due_date).defaulted == 0
        after = first.due_date + datetime.timedelta(days=1)
        with time_machine.travel(datetime.datetime.combine(after, datetime.time(9), SHANGHAI)):
            assert services.sweep_deadlines(after).defaulted == 1
        dispute.refresh_from_db()
        assert dispute.state == S.DEFAULTED
        assert dispute.events.last().role == "deadline-sweep"

    def test_the_celery_task_runs_the_sweep(self, new_dispute):
        from casework.disputes.tasks import sweep_deadlines

        new_dispute(S.ACCEPTED)
        assert sweep_deadlines.delay().get() == {"reminded": 0, "escalated": 0, "defaulted": 0}
