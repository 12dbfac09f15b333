"""Penalty guidance (docs/domain.md, "Complaints"): the statutory range for the conduct found, and a
justification when the proposed fine is outside it."""

from decimal import Decimal

import pytest

from casework.complaints import services
from casework.complaints.models import Outcome
from casework.complaints.penalties import RULES, Conduct, rule_for

pytestmark = pytest.mark.usefixtures("in_english")


def proposal(conduct=Conduct.DEPOSIT, amount="3000", workers=3, justification=""):
    return services.Decision(
        outcome=Outcome.PENALTY_PROPOSED,
        conduct_found=conduct,
        workers_affected=workers,
        findings="查明的事实。",
        measures="退还押金。",
        penalty_amount=Decimal(amount),
        penalty_justification=justification,
    )


def test_a_deposit_is_fined_500_to_2000_yuan_per_worker():
    assert rule_for(Conduct.DEPOSIT).bounds(3) == (Decimal(1500), Decimal(6000))
    assert rule_for(Conduct.DEPOSIT).bounds(1) == (Decimal(500), Decimal(2000))


def test_the_other_ranges_follow_the_statutes():
    assert rule_for(Conduct.UNLICENSED).bounds() == (Decimal(10000), Decimal(50000))
    assert rule_for(Conduct.ID_WITHHELD).bounds() == (None, Decimal(200))
    assert rule_for(Conduct.FEES_NOT_DISPLAYED).bounds() == (Decimal(5000), Decimal(10000))
    for conduct in (Conduct.FALSE_AD, Conduct.FRAUD, Conduct.DATA_LEAKED):
        assert rule_for(conduct).bounds() == (Decimal(10000), Decimal(50000))
    assert rule_for(Conduct.OTHER) is None
    assert all(rule.basis and rule.measures for rule in RULES.values())


@pytest.mark.parametrize("amount", ["1500", "3000", "6000"])
def test_a_fine_inside_the_range_needs_no_justification(amount):
    assert services.decision_problems(proposal(amount=amount)) == {}


@pytest.mark.parametrize("amount", ["1499.99", "6000.01", "20000"])
def test_a_fine_outside_the_range_asks_for_a_justification(amount):
    problems = services.decision_problems(proposal(amount=amount))
    assert list(problems) == ["penalty_justification"]
    assert "outside the statutory range" in problems["penalty_justification"]
    assert services.decision_problems(proposal(amount=amount, justification="情节特别严重")) == {}


def test_a_conduct_without_a_statutory_range_always_needs_a_justification():
    assert "penalty_justification" in services.decision_problems(
        proposal(conduct=Conduct.OTHER, amount="100")
    )


def test_a_proposed_penalty_needs_an_amount_and_a_deposit_the_number_of_workers():
    problems = services.decision_problems(
        services.Decision(
            outcome=Outcome.PENALTY_PROPOSED,
            conduct_found=Conduct.DEPOSIT,
            findings="事实",
            measures="退还",
        )
    )
    assert set(problems) == {"penalty_amount", "workers_affected"}


def test_an_order_to_correct_needs_measures_and_a_future_deadline():
    problems = services.decision_problems(
        services.Decision(
            outcome=Outcome.ORDER_TO_CORRECT, conduct_found=Conduct.ID_WITHHELD, findings="事实"
        )
    )
    assert set(problems) == {"measures", "correction_due"}


@pytest.mark.django_db
def test_an_unjustified_fine_outside_the_range_changes_nothing(make_complaint):
    from tests.complaints.fixtures import actor, interview

    complaint = make_complaint("investigating")
    interview(complaint, complaint.owner)
    with pytest.raises(services.ValidationError):
        services.complaint_decide(
            complaint=complaint, decision=proposal(amount="9000"), actor=actor(complaint.owner)
        )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.penalty_amount) == ("investigating", None)
