"""perform(): the one way a case changes state, on the test-only SampleCase workflow."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from casework.core.audit import Actor, verify_chains
from casework.core.locking import locked
from casework.core.models import CaseEvent, CodeSequence
from casework.core.transitions import perform
from casework.documents.models import Document
from tests.caseapp.models import SampleCase

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture(autouse=True)
def _in_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 2, tzinfo=datetime.UTC))


@pytest.fixture
def acceptor(alice_mediator):
    alice_mediator.user_permissions.add(Permission.objects.get(codename="accept_samplecase"))
    return alice_mediator


@pytest.fixture
def case(market) -> SampleCase:
    return SampleCase.objects.create(market=market)


def alice(user) -> Actor:
    return Actor(user=user, role="mediator", client_ip="10.0.0.7")


def test_perform_moves_the_state_and_writes_one_audit_row(case, acceptor):
    event = perform(case, "accept", actor=alice(acceptor), note="材料齐全，予以受理")

    case.refresh_from_db()
    assert case.state == SampleCase.State.ACCEPTED
    assert list(case.events) == [event]
    assert (event.actor, event.role, event.actor_name) == (acceptor, "mediator", "Alice 调解员")
    assert (event.action, event.from_state, event.to_state) == ("accept", "received", "accepted")
    assert (event.note, event.client_ip, event.seq) == ("材料齐全，予以受理", "10.0.0.7", 1)
    assert event.prev_hash == CaseEvent.GENESIS
    assert verify_chains() == (1, [])


def test_each_transition_extends_the_case_chain(case, acceptor):
    first = perform(case, "accept", actor=alice(acceptor))
    second = perform(case, "withdraw", actor=alice(acceptor), note="申请人撤回")

    assert second.seq == 2
    assert second.prev_hash == first.hash
    assert verify_chains() == (2, [])


def test_the_transition_issues_its_documents_in_the_same_transaction(case, acceptor):
    event = perform(case, "accept", actor=alice(acceptor))

    doc = Document.objects.get()
    assert event.documents == [doc.verification_code]
    assert (doc.kind, doc.status, doc.subject) == ("sample_acceptance_notice", "pending", case)
    assert doc.context == {"code": case.code, "market": case.market.name}


@time_machine.travel("2026-06-01 04:00:00+00:00", tick=False)
def test_cases_get_public_codes_that_increment(market):
    first = SampleCase.objects.create(market=market)
    second = SampleCase.objects.create(market=market)

    assert (first.code, second.code) == ("TC-2026-000001", "TC-2026-000002")


@time_machine.travel("2026-12-31 16:30:00+00:00", tick=False)  # 00:30 on 1 January in Shanghai
def test_the_year_in_a_code_is_the_year_in_china_and_numbering_restarts(market):
    assert SampleCase.objects.create(market=market).code == "TC-2027-000001"


def test_the_state_field_cannot_be_assigned_directly(case):
    with pytest.raises(AttributeError, match="Direct state modification is not allowed"):
        case.state = SampleCase.State.CLOSED


def test_a_transition_not_allowed_from_the_current_state_writes_no_event(case, acceptor):
    with pytest.raises(TransitionNotAllowed):
        perform(case, "close", actor=alice(acceptor))

    assert not case.events.exists()
    case.refresh_from_db()
    assert case.state == SampleCase.State.RECEIVED


def test_a_failed_condition_blocks_the_transition(case, acceptor):
    perform(case, "accept", actor=alice(acceptor))

    with pytest.raises(TransitionNotAllowed):
        perform(case, "close", actor=alice(acceptor))

    # A change a transition's condition reads is made on the locked copy.
    with locked(case) as current:
        current.resolution = "双方和解"
        perform(current, "close", actor=alice(acceptor))
    assert case.state == SampleCase.State.CLOSED
    assert [e.action for e in case.events] == ["accept", "close"]


def test_a_change_to_an_unlocked_copy_is_not_written_by_a_transition(case, acceptor):
    # perform() re-reads the case under the lock: a stale copy's fields never reach the row.
    case.resolution = "写在未锁定的副本上"
    perform(case, "accept", actor=alice(acceptor))

    assert SampleCase.objects.get(pk=case.pk).resolution == ""


def test_a_user_without_the_transition_permission_is_refused(case, bob_mediator):
    with pytest.raises(PermissionDenied):
        perform(case, "accept", actor=alice(bob_mediator))

    assert not case.events.exists()
    assert not Document.objects.exists()
    case.refresh_from_db()
    assert case.state == SampleCase.State.RECEIVED


def test_a_system_actor_needs_no_permission(case):
    event = perform(case, "accept", actor=Actor.system("deadline-scheduler"))

    assert (event.actor, event.actor_name, event.role) == (
        None,
        "deadline-scheduler",
        "deadline-scheduler",
    )


def test_an_unknown_transition_name_is_a_programming_error(case, acceptor):
    with pytest.raises(ValueError, match="no transition 'save'"):
        perform(case, "save", actor=alice(acceptor))


def test_a_request_address_is_stored_as_the_database_returns_it(case):
    actor = Actor(user=None, role="system", client_ip="2001:0DB8:0000::0001")

    event = perform(case, "withdraw", actor=actor)

    assert event.client_ip == "2001:db8::1"
    assert verify_chains() == (1, [])


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stale_copy_is_checked_as_the_lock_reads_it_and_writes_nothing(case, acceptor):
    # The state is checked on the copy read under the lock, not on the caller's copy.
    first = SampleCase.objects.get(pk=case.pk)
    stale = SampleCase.objects.get(pk=case.pk)
    perform(first, "withdraw", actor=alice(acceptor))

    with pytest.raises(TransitionNotAllowed):
        perform(stale, "accept", actor=alice(acceptor))

    assert [e.action for e in case.events] == ["withdraw"]
    assert not Document.objects.exists()
    case.refresh_from_db()
    assert case.state == SampleCase.State.WITHDRAWN


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_racing_connections_never_get_the_same_case_code():
    workers, per_worker = 4, 25
    start = threading.Barrier(workers)

    def take_codes() -> list[str]:
        try:
            start.wait()
            return [CodeSequence.next_code("TC") for _ in range(per_worker)]
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(workers) as pool:
        results = [pool.submit(take_codes) for _ in range(workers)]
        codes = [code for future in results for code in future.result()]

    year = timezone.localdate().year
    assert sorted(codes) == [f"TC-{year}-{n:06d}" for n in range(1, workers * per_worker + 1)]
