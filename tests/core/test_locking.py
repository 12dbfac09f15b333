"""The locking rule's helpers: lock and re-read, save only what changed, copy back."""

import pytest
from django.db import transaction

from casework.core.locking import copy_into, lock, locked, reread, save_changed
from tests.caseapp.models import SampleCase


@pytest.fixture
def case(market) -> SampleCase:
    return SampleCase.objects.create(market=market)


def test_the_locked_copy_is_read_afresh_and_locked_once_per_transaction(case, bob_mediator):
    SampleCase.objects.filter(pk=case.pk).update(owner=bob_mediator)
    with transaction.atomic():
        current = lock(case)
        assert current is not case
        assert current.owner == bob_mediator
        assert lock(current) is current  # the holder keeps its own changes


def test_save_changed_leaves_what_another_step_wrote(case, bob_mediator):
    with locked(case) as current:
        # Another step's write that this copy never saw (a reassignment, say).
        SampleCase.objects.filter(pk=case.pk).update(owner=bob_mediator)
        current.resolution = "双方和解"
        assert save_changed(current) == ["resolution", "updated_at"]
    row = reread(case)
    assert (row.owner, row.resolution) == (bob_mediator, "双方和解")


def test_save_changed_writes_nothing_when_nothing_changed(case, django_assert_num_queries):
    with transaction.atomic():
        current = lock(case)
        with django_assert_num_queries(0):
            assert save_changed(current) == []


def test_the_callers_copy_shows_the_result_and_the_state_field_stays_protected(case):
    with locked(case) as current:
        current.resolution = "已处理"
        save_changed(current)
        SampleCase.objects.filter(pk=case.pk).update(state=SampleCase.State.ACCEPTED)
        current = reread(current)
    copy_into(case, current)

    assert (case.state, case.resolution) == (SampleCase.State.ACCEPTED, "已处理")
    assert SampleCase._meta.get_field("state").protected
    with pytest.raises(AttributeError):
        case.state = SampleCase.State.RECEIVED
