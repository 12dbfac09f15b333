"""Twenty mediators pressing "take next" at the same moment each get a different dispute.

tests/core/test_claiming.py proves claim_next on a sample case; this runs the
whole of services.dispute_take_next (claim, audit row, flow task) on disputes.
Without the row locks of claim_next the threads read the same first row of the
queue: on PostgreSQL claim_next looks at one row only, so all but one of them
would come back empty-handed (fewer than 20 disputes taken), and without the
conditional update as well, several would take the same dispute. Both fail here.

The accepted disputes come from the bulk loader: twenty-five filed and accepted
through the services would each render an acceptance notice (the test commits).
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from viewflow.workflow.status import STATUS

from casework.core.audit import Actor
from casework.core.flows import open_task
from casework.core.models import CaseEvent
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.load import load_disputes
from casework.disputes.models import Dispute
from tests.conftest import make_user
from tests.invariants import assert_invariants

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
MEDIATORS = 20
WAITING = 25


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_twenty_mediators_pressing_take_next_at_once_get_twenty_different_disputes(market):
    mediators = [
        make_user(f"mediator{i:02d}", Role.MEDIATOR, markets=[market]) for i in range(MEDIATORS)
    ]
    load_disputes(WAITING, market=market, mix={Dispute.State.ACCEPTED: 1}, seed=1, analyze=False)
    start = threading.Barrier(MEDIATORS)

    def take(user) -> int | None:
        try:
            start.wait()
            dispute = services.dispute_take_next(
                actor=Actor(user=user, role=Role.MEDIATOR), markets=[market.pk]
            )
            return dispute.pk if dispute else None
        finally:
            connection.close()

    with ThreadPoolExecutor(MEDIATORS) as pool:
        taken = list(pool.map(take, mediators))

    assert None not in taken
    assert len(set(taken)) == MEDIATORS
    held = Dispute.objects.filter(state=Dispute.State.IN_MEDIATION)
    assert set(held.values_list("pk", flat=True)) == set(taken)
    owners = Counter(held.values_list("owner", flat=True))
    assert set(owners) == {user.pk for user in mediators}
    assert set(owners.values()) == {1}
    for pk, user in zip(taken, mediators, strict=True):
        dispute = Dispute.objects.get(pk=pk)
        assert dispute.owner == user
        task = open_task(dispute)
        assert (task.flow_task.name, task.status, task.owner) == ("mediate", STATUS.ASSIGNED, user)
    claimed = CaseEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Dispute), action="claimed"
    )
    assert sorted(claimed.values_list("subject_id", flat=True)) == sorted(taken)
    assert Dispute.objects.filter(market=market).unassigned().count() == WAITING - MEDIATORS
    assert_invariants()
