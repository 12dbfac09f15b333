"""Ten caseworker requests referring ten people to a post with three places, at one moment:
three places are reserved and seven wait.

services.referral_to_post counts the places held and writes the new referral after
taking a row lock on the post (SELECT … FOR UPDATE), so the referrals to one post run
one after another. Without that lock, each thread's transaction would count the held
places before any other had committed its referral (PostgreSQL's READ COMMITTED shows a
statement only committed rows): threads released together by the barrier would all see
fewer than three held and reserve, and more than three places would be reserved — the
assertions below on the Counter and on the places held would fail. With the lock, a
thread waiting on it reads the count afresh once the holder commits, so it sees every
referral made before it.

Each person's case is brought to "support plan active" first, through the services.
"""

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from assistance import services
from assistance.models import AssistanceCase, Referral
from casework.core.audit import verify_chains
from tests.assistance.fixtures import actor
from tests.assistance.test_rules import id_number
from tests.conftest import make_person

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
PEOPLE = 10
PLACES = 3
S = AssistanceCase.State
R = Referral.Status


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_ten_referrals_at_once_to_a_post_with_three_places_reserve_three(
    new_case, make_post, carol_caseworker
):
    cases = []
    for i in range(PEOPLE):
        born = datetime.date(1983 + i % 4, 1 + i % 10, 12)
        person = make_person(
            f"并发申请人{i:02d}", id_number(born, "F", serial=i), f"136002000{i:02d}"
        )
        cases.append(new_case(S.PLAN_ACTIVE, person=person))
    post = make_post(places=PLACES)
    start = threading.Barrier(PEOPLE)

    def refer(case: AssistanceCase) -> str:
        try:
            start.wait()
            referral = services.referral_to_post(
                case=case, post=post, actor=actor(carol_caseworker)
            )
            return referral.status
        finally:
            connection.close()

    with ThreadPoolExecutor(PEOPLE) as pool:
        statuses = list(pool.map(refer, cases))

    assert Counter(statuses) == {R.RESERVED: PLACES, R.WAITLISTED: PEOPLE - PLACES}
    rows = Referral.objects.filter(post=post)
    assert rows.count() == PEOPLE
    assert rows.filter(status__in=Referral.HOLDING).count() == PLACES
    assert rows.filter(status=R.WAITLISTED).count() == PEOPLE - PLACES
    assert set(AssistanceCase.objects.values_list("state", flat=True)) == {S.REFERRED}
    assert verify_chains()[1] == []
