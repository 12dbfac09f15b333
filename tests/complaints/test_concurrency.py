"""A supervisor hands a complaint over while the officer holding it refers it, at one moment.

Ten rounds, each on a new complaint under investigation held by olga: sam hands it to
otto while olga refers it elsewhere, both from the page they loaded before (stale
copies). services.complaint_reassign and services.complaint_refer lock the complaint
row and check on the locked copy (casework.core.locking), so the two steps run one
after the other and the second sees what the first committed:

- the hand-over first: olga no longer holds the complaint, her referral is refused
  (PermissionDenied) and otto holds the open investigation;
- the referral first: the complaint is finished, the hand-over is refused
  (ValidationError) and olga stays its owner.

Without the lock both steps would check their stale copies and both succeed: a
referred complaint handed to otto, or a referral made by an officer who no longer
held it, with an owner the trail does not show. Neither may end in a DatabaseError.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django_fsm import TransitionNotAllowed

from casework.complaints import services
from casework.complaints.models import Complaint, ReferralTarget
from casework.core.audit import verify_chains
from casework.core.flows import open_task
from casework.core.roles import Role
from tests.complaints.fixtures import actor
from tests.conftest import make_user
from tests.invariants import assert_invariants

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROUNDS = 10
S = Complaint.State
REFUSED = (ValidationError, TransitionNotAllowed, PermissionDenied)


def _at_once(*steps):
    """Run the steps in threads released together; each returns "done" or the refusal."""
    start = threading.Barrier(len(steps))

    def run(step) -> str:
        try:
            start.wait()
            step()
            return "done"
        except REFUSED as exc:
            return type(exc).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(len(steps)) as pool:
        return list(pool.map(run, steps))


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_a_hand_over_and_a_referral_at_once_one_wins_and_the_other_is_refused(
    make_complaint, market, olga_officer, sam_supervisor
):
    otto = make_user("otto", Role.COMPLAINT_OFFICER, markets=[market])
    by_olga, by_sam = actor(olga_officer), actor(sam_supervisor)
    winners = Counter()
    for round_ in range(ROUNDS):
        complaint = make_complaint(S.INVESTIGATING)
        # Each side works on the copy its page loaded before the other acted.
        seen_by_sam = Complaint.objects.get(pk=complaint.pk)
        seen_by_olga = Complaint.objects.get(pk=complaint.pk)

        def hand_over(seen=seen_by_sam, round_=round_):
            services.complaint_reassign(
                complaint=seen, to=otto, actor=by_sam, reason=f"轮岗调整 {round_}"
            )

        def refer(seen=seen_by_olga):
            services.complaint_refer(
                complaint=seen,
                target=ReferralTarget.MARKET_REGULATION,
                body="市场监督管理局",
                reason="涉嫌价格违法，属市场监管部门职责",
                actor=by_olga,
            )

        results = _at_once(hand_over, refer)
        after = Complaint.objects.get(pk=complaint.pk)
        task = open_task(after)
        if results == ["done", "PermissionDenied"]:
            winners["hand-over"] += 1
            assert (after.state, after.owner) == (S.INVESTIGATING, otto)
            assert task is not None and task.owner == otto
        else:
            assert results == ["ValidationError", "done"], results
            winners["referral"] += 1
            assert (after.state, after.owner) == (S.REFERRED, olga_officer)
            assert task is None
        handed = after.events.filter(action__in=["reassigned", "claimed"]).order_by("seq")
        assert handed.last().owner_id == after.owner_id
        assert [e.seq for e in after.events.order_by("seq")] == list(
            range(1, after.events.count() + 1)
        )

    assert sum(winners.values()) == ROUNDS
    assert verify_chains()[1] == []
    assert_invariants()
