"""Labour inspection's feedback on a referred complaint at the same moment, on PostgreSQL
(casework/complaints/services.py: inspection_feedback_record, complaint_close).

Both steps lock the complaint's row and check on the locked copy (casework.core.locking),
so they run one after the other and the second sees what the first committed:

- the feedback recorded twice at once (two tabs, the same reply or two readings of it):
  one feedback, one event, the other refused as already recorded;
- closing while the feedback is being recorded: the close is refused (the feedback is
  missing) when it runs first, or closes on the feedback when it runs after it. Never a
  closed complaint without feedback.

Without the lock the close would check a stale copy that still awaits feedback (refused
for nothing) or, worse, one whose feedback it did not see written.
"""

from collections import Counter

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import Complaint, FeedbackResult, ReferralTarget
from casework.core.audit import verify_chains
from tests.complaints.fixtures import actor
from tests.invariants import assert_invariants
from tests.races import at_once

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROUNDS = 4
S = Complaint.State


def code_of(exc: ValidationError) -> str:
    return exc.code or "invalid"


pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services"
    ),
]


def _feedback(complaint: Complaint, result: str, reference: str):
    def step():
        services.inspection_feedback_record(
            complaint=Complaint.objects.get(pk=complaint.pk),  # the copy each page loaded
            feedback=services.Feedback(
                day=timezone.localdate(),
                result=result,
                reference=reference,
                note="已立案调查，责令被投诉人支付拖欠的劳动报酬。",
            ),
            actor=actor(complaint.owner),
        )

    return step


def _close(complaint: Complaint):
    def step():
        services.complaint_close(
            complaint=Complaint.objects.get(pk=complaint.pk),
            result="",
            actor=actor(complaint.owner),
        )

    return step


def _feedback_events(complaint: Complaint) -> int:
    return complaint.events.filter(action="record_feedback").count()


def test_the_feedback_recorded_twice_at_once_is_recorded_once(make_complaint):
    for _ in range(ROUNDS):
        complaint = make_complaint(S.AWAITING_FEEDBACK)

        results = at_once(
            _feedback(complaint, FeedbackResult.HANDLED, "测监〔2026〕21号"),
            _feedback(complaint, FeedbackResult.NOT_OPENED, "测监〔2026〕22号"),
            refusal=code_of,
        )

        assert sorted(results) == ["done", "feedback_recorded"], results
        first = results.index("done") == 0
        after = Complaint.objects.get(pk=complaint.pk)
        expected = ("测监〔2026〕21号", FeedbackResult.HANDLED)
        if not first:
            expected = ("测监〔2026〕22号", FeedbackResult.NOT_OPENED)
        assert (after.feedback_reference, after.feedback_result) == expected
        assert _feedback_events(after) == 1
    assert verify_chains()[1] == []
    assert_invariants()


def test_closing_while_the_feedback_is_recorded_never_closes_without_it(make_complaint):
    orders = Counter()
    for _ in range(ROUNDS):
        complaint = make_complaint(S.AWAITING_FEEDBACK)

        results = at_once(
            _feedback(complaint, FeedbackResult.HANDLED, "测监〔2026〕21号"),
            _close(complaint),
            refusal=code_of,
        )

        after = Complaint.objects.get(pk=complaint.pk)
        assert results[0] == "done", results  # the feedback is recorded either way
        assert after.feedback_recorded_at is not None and _feedback_events(after) == 1
        if results[1] == "done":
            orders["closed after the feedback"] += 1
            assert after.state == S.CLOSED
            assert "测监〔2026〕21号" in after.result_summary  # worded from the feedback
            actions = list(after.events.order_by("seq").values_list("action", flat=True))
            assert actions.index("record_feedback") < actions.index("close"), actions
        else:
            orders["close refused"] += 1
            assert results[1] == "feedback_missing", results
            assert after.state == S.AWAITING_FEEDBACK
            assert not after.events.filter(action="close").exists()
    assert sum(orders.values()) == ROUNDS
    assert not Complaint.objects.filter(
        state=S.CLOSED, referral_target=ReferralTarget.LABOUR_INSPECTION, feedback_recorded_at=None
    ).exists()
    assert verify_chains()[1] == []
    assert_invariants()
