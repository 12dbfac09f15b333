"""Demo disputes (seed_demo) are real, consistent cases (seed_load: test_seed_load.py)."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from stdnum.cn import ric

from casework.core.audit import verify_chains
from casework.core.demo import DEMO_PEOPLE, resident_id
from casework.core.flows import open_task
from casework.core.models import Market
from casework.disputes.load import FLOW_PATHS
from casework.disputes.models import Dispute
from casework.disputes.queues import Tab, tab_queryset
from tests.conftest import LI_ID, WANG_ID

S = Dispute.State
FINAL = {S.CLOSED, S.TERMINATED, S.WITHDRAWN, S.NOT_ACCEPTED}


def test_resident_ids_get_their_gb11643_check_character():
    assert resident_id(WANG_ID[:17]) == WANG_ID
    assert resident_id(LI_ID[:17]) == LI_ID
    for _key, _name, body, _mobile in DEMO_PEOPLE:
        assert ric.is_valid(resident_id(body))


# -- seed_demo ---------------------------------------------------------------------------


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    # seed_demo runs once for this module (tests/seeded.py); its on-commit callbacks
    # (PDF renders, text messages) do not run.
    return Market.objects.get(code="cd")


def test_seed_demo_files_disputes_in_every_state(demo):
    states = set(Dispute.objects.filter(market=demo).values_list("state", flat=True))
    assert states == set(S.values)
    assert 18 <= Dispute.objects.count() <= 25


def test_running_seed_demo_again_adds_no_dispute(demo):
    from casework.core.models import CaseEvent
    from casework.documents.models import Document

    def counts():
        return Dispute.objects.count(), CaseEvent.objects.count(), Document.objects.count()

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_the_demo_worker_is_an_applicant_on_several_disputes(demo):
    worker = User.objects.get(username="worker")
    assert Dispute.objects.for_party(worker).count() >= 3


def test_the_demo_has_group_cases_and_cases_due_soon_and_overdue(demo):
    sizes = [d.applicants.count() for d in Dispute.objects.all()]
    assert sum(size >= 2 for size in sizes) >= 2
    supervisor = User.objects.get(username="supervisor")
    due_soon = tab_queryset(Tab.DUE_SOON, user=supervisor, markets=[demo.pk])
    overdue = tab_queryset(Tab.OVERDUE, user=supervisor, markets=[demo.pk])
    assert due_soon.count() >= 2
    assert overdue.count() == 1


def test_the_demo_disputes_are_worked_by_the_demo_staff_through_the_flow(demo):
    owners = set(Dispute.objects.exclude(owner=None).values_list("owner__username", flat=True))
    assert owners == {"mediator", "mediator2"}
    for dispute in Dispute.objects.all():
        task = open_task(dispute)
        if dispute.state in FINAL:
            assert task is None, dispute.code
        else:
            assert task.flow_task.name == FLOW_PATHS[dispute.state][-1], dispute.code
    assert verify_chains()[1] == []
