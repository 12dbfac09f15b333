"""Taking the next case from a queue, and reassigning one with a reason."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from casework.core.audit import Actor
from casework.core.queues import claim_next, reassign
from tests.caseapp.models import SampleCase
from tests.invariants import assert_invariants

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def queue():
    return SampleCase.objects.order_by("-resolution", "pk")  # the queue's own priority order


def test_the_first_unowned_case_in_queue_order_is_taken(market, alice_mediator, bob_mediator):
    SampleCase.objects.create(market=market, owner=bob_mediator, resolution="z")
    low = SampleCase.objects.create(market=market, resolution="a")
    high = SampleCase.objects.create(market=market, resolution="b")

    taken = claim_next(queue(), actor=Actor(user=alice_mediator, role="mediator"))

    assert taken == high
    high.refresh_from_db()
    assert high.owner == alice_mediator
    low.refresh_from_db()
    assert low.owner is None
    event = high.events.get()
    assert (event.action, event.actor, event.to_state) == ("claimed", alice_mediator, "received")


def test_an_empty_queue_gives_nothing(market, alice_mediator, bob_mediator):
    SampleCase.objects.create(market=market, owner=bob_mediator)
    assert claim_next(queue(), actor=Actor(user=alice_mediator)) is None


def test_reassigning_needs_a_reason_and_is_audited(
    market, alice_mediator, bob_mediator, sam_supervisor
):
    case = SampleCase.objects.create(market=market, owner=alice_mediator)
    actor = Actor(user=sam_supervisor, role="supervisor")
    with pytest.raises(ValidationError):
        reassign(case, to=bob_mediator, actor=actor, reason="  ")

    reassign(case, to=bob_mediator, actor=actor, reason="调解员休假")

    case.refresh_from_db()
    assert case.owner == bob_mediator
    assert case.events.get().note == "alice → bob: 调解员休假"


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
@pytest.mark.parametrize("cases", [1, 2, 5])
def test_two_people_pressing_take_next_at_once_never_get_the_same_case(
    market, alice_mediator, bob_mediator, cases
):
    for _ in range(cases):
        SampleCase.objects.create(market=market)
    start = threading.Barrier(2)

    def take(user):
        try:
            start.wait()
            case = claim_next(queue(), actor=Actor(user=user))
            return case.pk if case else None
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        taken = list(pool.map(take, [alice_mediator, bob_mediator]))

    got = [pk for pk in taken if pk is not None]
    assert len(got) == len(set(got)) == min(cases, 2)
    owners = list(SampleCase.objects.exclude(owner=None).values_list("owner", flat=True))
    assert len(owners) == len(set(owners)) == min(cases, 2)
    assert set(owners) <= {alice_mediator.pk, bob_mediator.pk}
    assert_invariants()
