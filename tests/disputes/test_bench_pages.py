"""`manage.py bench queue` also times the case page and a regional supervisor's queue,
with a temporary user it leaves nothing of."""

import json
from io import StringIO

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.core.models import AccessLog, StaffProfile
from casework.disputes.benchmarks import REGIONAL_USER
from casework.disputes.models import Dispute
from tests.conftest import make_market

FIELDS = {"median_ms", "p95_ms", "client_p95_ms", "cpu_median_ms", "queries"}


def bench_queue() -> dict:
    out = StringIO()
    with translation.override("en"):
        call_command("bench", "queue", "--iterations", "2", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def leftovers() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (User, StaffProfile, TOTPDevice, Session, AccessLog)
    }


def test_the_case_page_and_the_regional_queue_are_timed_and_leave_nothing(db):
    call_command("seed_load", "--disputes", "60", "--seed", "3", stdout=StringIO())
    make_market(code="second", name="第二零工市场")
    call_command(
        "seed_load", "--disputes", "20", "--seed", "4", "--market", "second", stdout=StringIO()
    )
    before = leftovers()

    result = bench_queue()

    assert leftovers() == before
    assert not User.objects.filter(username=REGIONAL_USER).exists()
    assert result["markets"] == 2 and result["disputes"] == 80
    held = Dispute.objects.get(code=result["case"]["code"])
    assert (held.owner.username, held.state) == (result["user"], Dispute.State.IN_MEDIATION)
    for page in ("case", "regional_all", "regional_overdue"):
        assert set(result[page]) >= FIELDS
        assert result[page]["p95_ms"] >= result[page]["median_ms"] > 0
        assert result[page]["cpu_median_ms"] > 0
    assert result["regional_all"]["markets"] == 2
    assert result["target_cpu_median_ms"] == 8
    assert isinstance(result["cpu_met"], bool)
