"""The arbitration hand-off's steps at the same moment, on PostgreSQL
(casework/disputes/arbitration.py).

Each step locks the dispute's row and checks on the locked copy (casework.core.locking),
so two requests for one step run one after the other and the second sees the first's
hand-off or result:

- the mediator and a supervisor hand a terminated dispute off through the pages at once:
  one hand-off, one packet event, the other shown a refusal in Chinese, no server error;
- the mediator sends the hand-off of a defaulted dispute from two tabs at once: the
  dispute is referred once (DEFAULTED → REFERRED) and handed off once;
- two results recorded at once: one result, the other refused.

Without the lock the second hand-off would meet the one-to-one constraint as an
IntegrityError (a server error), and a defaulted dispute could be referred twice.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casework.disputes import arbitration
from casework.disputes.models import ArbitrationCommittee, ArbitrationHandoff, Dispute
from tests.disputes.fixtures import actor
from tests.formtoken_client import FormTokenClient
from tests.invariants import assert_invariants
from tests.races import at_once

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROUNDS = 3
S = Dispute.State
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SUCCESS = re.compile(r'<li class="success">(.*?)</li>', re.S)
REFUSALS = re.compile(r'<li class="error">(.*?)</li>|<ul class="errorlist[^>]*>(.*?)</ul>', re.S)

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services"
    ),
]


@pytest.fixture
def committee(market) -> ArbitrationCommittee:
    return ArbitrationCommittee.objects.create(
        market=market, name="测试区劳动人事争议仲裁委员会", address="测试区人民路18号"
    )


def _postat_once(path: str, data: dict, users: list) -> list[tuple[int, bool, str]]:
    """POST ``data`` to ``path`` as each user, released together: the status, whether
    the page says it was done, and the refusal it shows."""
    start = threading.Barrier(len(users))

    def send(user) -> tuple[int, bool, str]:
        client = FormTokenClient()  # each its own form token: two tabs, not a double click
        client.force_login(user)
        try:
            start.wait()
            response = client.post(path, data, follow=True)
            html = response.content.decode()
            refusal = " ".join(a or b for a, b in REFUSALS.findall(html))
            return response.status_code, bool(SUCCESS.search(html)), refusal
        finally:
            connection.close()

    with ThreadPoolExecutor(len(users)) as pool:
        return list(pool.map(send, users))


def _actions(dispute: Dispute, *names: str) -> list[str]:
    actions = dispute.events.order_by("seq").values_list("action", flat=True)
    return [a for a in actions if a in names]


def _handed_off_once(results, dispute: Dispute) -> None:
    assert [status for status, _done, _refusal in results] == [200, 200], results
    assert sorted(done for _status, done, _refusal in results) == [False, True], results
    # The loser was told why, in the interface's Chinese: handed off already, or the
    # step no longer possible.
    refusal = next(refusal for _status, done, refusal in results if not done)
    assert CHINESE.search(refusal), results
    assert ArbitrationHandoff.objects.filter(dispute=dispute).count() == 1
    assert _actions(dispute, arbitration.HANDOFF_STEP) == [arbitration.HANDOFF_STEP]


def test_the_mediator_and_a_supervisor_hand_off_at_once_one_hand_off(
    new_dispute, committee, alice_mediator, sam_supervisor
):
    data = {"committee": str(committee.pk), "note": "申请人要求仲裁"}
    for _ in range(ROUNDS):
        dispute = new_dispute(S.TERMINATED)
        path = reverse("disputes:arbitration_handoff", args=[dispute.code])

        results = _postat_once(path, data, [alice_mediator, sam_supervisor])

        _handed_off_once(results, dispute)
        # A terminated dispute stays terminated: the hand-off is a record on it.
        assert Dispute.objects.get(pk=dispute.pk).state == S.TERMINATED
    assert_invariants()


def test_a_defaulted_dispute_handed_off_from_two_tabs_is_referred_once(
    new_dispute, committee, alice_mediator
):
    dispute = new_dispute(S.DEFAULTED)
    path = reverse("disputes:arbitration_handoff", args=[dispute.code])

    results = _postat_once(path, {"committee": str(committee.pk)}, [alice_mediator] * 2)

    _handed_off_once(results, dispute)
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert (dispute.state, dispute.referral) == (S.REFERRED, Dispute.Referral.ARBITRATION)
    assert _actions(dispute, "refer_arbitration") == ["refer_arbitration"]
    assert_invariants()


def test_two_results_recorded_at_once_one_result(new_dispute, committee, alice_mediator):
    me = actor(alice_mediator)
    today = timezone.localdate()
    for _ in range(ROUNDS):
        dispute = new_dispute(S.TERMINATED)
        arbitration.handoff_record(dispute=dispute, committee=committee, actor=me)
        arbitration.filing_record(
            dispute=dispute, case_number="测劳人仲案字〔2026〕第18号", filed_on=today,
            extended=False, actor=me,
        )  # fmt: skip
        seen = [Dispute.objects.get(pk=dispute.pk) for _ in range(2)]

        def award(copy=seen[0]):
            arbitration.result_record(
                dispute=copy, result=ArbitrationHandoff.Result.AWARD, closed_on=today, actor=me
            )

        def withdrawn(copy=seen[1]):
            arbitration.result_record(
                dispute=copy,
                result=ArbitrationHandoff.Result.WITHDRAWN,
                closed_on=today,
                actor=me,
            )

        results = at_once(award, withdrawn)

        assert results.count("done") == 1, results
        refusal = next(r for r in results if r != "done")
        assert CHINESE.search(refusal), refusal
        handoff = ArbitrationHandoff.objects.get(dispute=dispute)
        R = ArbitrationHandoff.Result
        winner = R.AWARD if results[0] == "done" else R.WITHDRAWN
        assert (handoff.result, handoff.closed_on) == (winner, today)
        assert _actions(dispute, arbitration.RESULT_STEP) == [arbitration.RESULT_STEP]
    assert_invariants()
