"""Two supervisors acting on one case at the same moment, ten rounds each.

Every step locks the case row and checks the state, the proposal and the two-person
rule on the locked copy (assistance.services, casework.core.locking). Two approvals of
one placement released together by a barrier run one after the other: the second reads
the committed approval and is refused (no placement waits any more), instead of
approving a second time, writing a stale copy over the first or failing in the
database. An approval racing a withdrawal of the certification ends either way with
the case withdrawn and no place held by it.
"""

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django_fsm import TransitionNotAllowed

from assistance import services
from assistance.models import AssistanceCase, Placement, Referral
from casework.core.audit import verify_chains
from casework.core.roles import Role
from tests.assistance.fixtures import actor
from tests.assistance.test_rules import id_number
from tests.conftest import make_person, make_user
from tests.invariants import assert_invariants

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROUNDS = 10
S = AssistanceCase.State
REFUSALS = (ValidationError, TransitionNotAllowed, PermissionDenied)


@pytest.fixture
def tom_supervisor(market):
    user = make_user("tom", Role.SUPERVISOR, markets=[market])
    market.supervisors.add(user)
    return user


def _proposed_cases(new_case, count: int) -> list[AssistanceCase]:
    cases = []
    for i in range(count):
        born = datetime.date(1980 + i % 5, 1 + i % 11, 9)
        person = make_person(
            f"并发审批{i:02d}", id_number(born, "F", serial=40 + i), f"1370300{i:04d}"
        )
        cases.append(new_case(S.PLACEMENT_PROPOSED, person=person))
    return cases


def _at_once(*calls) -> list[object]:
    """Run ``calls`` in threads released together; each returns "ok" or the exception."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            call()
            return "ok"
        except Exception as exc:  # sorted by the test
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _fresh(case: AssistanceCase) -> AssistanceCase:
    return AssistanceCase.objects.get(pk=case.pk)


def _on(service, case: AssistanceCase, **kwargs):
    """A call of ``service`` on the thread's own copy of ``case``, read when it runs."""

    def call():
        return service(case=_fresh(case), **kwargs)

    return call


def _assert_refusal(result) -> None:
    assert not isinstance(result, DatabaseError), repr(result)
    assert isinstance(result, REFUSALS), repr(result)


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_two_supervisors_approving_one_placement_at_once_approve_it_once(
    new_case, sam_supervisor, tom_supervisor
):
    for case in _proposed_cases(new_case, ROUNDS):
        sam, tom = actor(sam_supervisor), actor(tom_supervisor)
        results = _at_once(
            _on(services.placement_approve, case, actor=sam),
            _on(services.placement_approve, case, actor=tom),
        )
        assert Counter(r == "ok" for r in results) == {True: 1, False: 1}, results
        _assert_refusal(next(r for r in results if r != "ok"))
        case = _fresh(case)
        assert case.state == S.PLACED
        [placement] = case.placements.all()
        assert placement.status == Placement.Status.APPROVED
        approver = sam_supervisor if results[0] == "ok" else tom_supervisor
        assert placement.approved_by == approver
        assert placement.referral.status == Referral.Status.PLACED
        assert [e.action for e in case.events].count("approve_placement") == 1
    assert verify_chains()[1] == []
    assert_invariants()


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_approving_a_placement_while_the_certification_is_withdrawn_leaves_no_place_held(
    new_case, sam_supervisor, tom_supervisor
):
    outcomes = Counter()
    for case in _proposed_cases(new_case, ROUNDS):
        sam, tom = actor(sam_supervisor), actor(tom_supervisor)
        approved, withdrawn = _at_once(
            _on(services.placement_approve, case, actor=tom),
            _on(services.certification_withdraw, case, actor=sam, reason="核查发现已就业"),
        )
        # The withdrawal is possible before and after an approval; an approval only before.
        assert withdrawn == "ok", repr(withdrawn)
        if approved != "ok":
            _assert_refusal(approved)
        outcomes[approved == "ok"] += 1
        case = _fresh(case)
        assert case.state == S.WITHDRAWN
        placement = case.placements.get()
        expected = Placement.Status.ENDED if approved == "ok" else Placement.Status.REFUSED
        assert placement.status == expected
        assert not case.referrals.filter(status__in=Referral.HOLDING + Referral.OPEN).exists()
        actions = [e.action for e in case.events]
        assert actions[-1] == "withdraw"
        assert actions.count("approve_placement") == (1 if approved == "ok" else 0)
    assert sum(outcomes.values()) == ROUNDS
    assert verify_chains()[1] == []
    assert_invariants()
