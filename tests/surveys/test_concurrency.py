"""Two answers to one survey at one moment (two tabs, or a double tap that slipped past
the form token): services.answer() reads the invitation under its row lock, so one is
recorded and the other finds it answered. Without the lock both would read "not used"
and the second would overwrite the first's answer."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from casework.core.models import Market
from casework.surveys import services
from casework.surveys.models import Level, SurveyInvitation

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROUNDS = 10


def _at_once(*steps):
    start = threading.Barrier(len(steps))

    def run(step) -> str:
        try:
            start.wait()
            step()
            return "done"
        except services.AlreadyAnswered:
            return "already"
        finally:
            connection.close()

    with ThreadPoolExecutor(len(steps)) as pool:
        return list(pool.map(run, steps))


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services")
def test_two_answers_at_once_one_is_recorded(market):
    for round_ in range(ROUNDS):
        now = timezone.now()
        invitation = SurveyInvitation.objects.create(
            subject_type=ContentType.objects.get_for_model(Market),
            subject_id=market.pk,
            party_key=f"m{round_}",
            kind="disputes",
            market=market,
            case_code=f"WD-{round_}",
            mobile="13800138000",
            expires_at=now + datetime.timedelta(days=30),
        )
        results = _at_once(
            lambda pk=invitation.pk: services.answer(pk, level=Level.VERY_SATISFIED),
            lambda pk=invitation.pk: services.answer(pk, level=Level.VERY_DISSATISFIED),
        )
        assert sorted(results) == ["already", "done"], results
        invitation.refresh_from_db()
        first = Level.VERY_SATISFIED if results[0] == "done" else Level.VERY_DISSATISFIED
        assert invitation.level == first
