"""Agreement fixtures, shared by every test package (tests/conftest.py loads this module as
a plugin). Factories: verified parties, and agreements brought to any state the way users do:
the counter makes and sends one, each party asks for a code and signs with it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import TestCase
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, InjuryCover, Party, PaymentMethod, PayUnit, Trade
from casework.core.audit import Actor
from casework.core.models import SmsMessage
from casework.parties.models import Organization, Person, RealNameCheck

CODE_RE = re.compile(r"验证码(\d{6})")


def particulars(**changes) -> dict:
    today = timezone.localdate()
    values = {
        "trade": Trade.MOVING,
        "job_description": "仓库货物装卸搬运，每车约200箱",
        "work_place": "测试区物流园3号仓库",
        # The work starts today: an agreement signed in a test can be marked completed at once
        # (never before its first day: agreements.services.agreement_complete).
        "start_date": today,
        "end_date": today + datetime.timedelta(days=2),
        "work_hours": "每日8:00-17:00",
        "rest": "中午休息1小时",
        "pay_rate": Decimal("300.00"),
        "pay_unit": PayUnit.DAY,
        "pay_total": Decimal("600.00"),
        "payment_method": PaymentMethod.MOBILE,
        "payment_date": today + datetime.timedelta(days=2),
        "safety": "提供防滑手套和护腰带，重物两人抬运",
        "injury_cover": InjuryCover.ACCIDENT,
        "insurance_details": "测试保险公司 团体意外险 P2026-0001",
    }
    values.update(changes)
    return values


def past_work() -> dict:
    """Particulars of work already done and pay already due (to report it unpaid)."""
    today = timezone.localdate()
    return {
        "start_date": today - datetime.timedelta(days=5),
        "end_date": today - datetime.timedelta(days=4),
        "payment_date": today - datetime.timedelta(days=1),
    }


def staff_actor(user) -> Actor:
    return Actor(user=user, role=",".join(g.name for g in user.groups.all()), client_ip="10.0.0.8")


def verify(party: Person | Organization, by=None) -> RealNameCheck:
    method = (
        RealNameCheck.Method.LICENCE_SEEN
        if isinstance(party, Organization)
        else RealNameCheck.Method.ID_CARD_SEEN
    )
    return RealNameCheck.objects.create(
        person=party if isinstance(party, Person) else None,
        organization=party if isinstance(party, Organization) else None,
        method=method,
        result=RealNameCheck.Result.PASSED,
        checked_by=by,
    )


def last_code(mobile: str) -> str:
    """The code in the newest text message to ``mobile`` (the development outbox)."""
    message = SmsMessage.objects.filter(to=mobile).order_by("-pk").first()
    assert message is not None, f"no text message to {mobile}"
    return CODE_RE.search(message.text).group(1)


def send_code(agreement: Agreement, party: str, actor: Actor):
    """Ask for a signing code; the text message goes out on commit, as it would live."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.signing_code_send(agreement=agreement, party=party, actor=actor)


def sign(agreement: Agreement, party: str, user) -> None:
    """``user`` (the party on the portal) asks for a code and signs with it."""
    actor = Actor(user=user, role="party", client_ip="10.0.0.9")
    send_code(agreement, party, actor)
    signer = agreement.signer_for(party)
    services.agreement_sign(
        agreement=agreement,
        party=party,
        code=last_code(signer.mobile),
        actor=actor,
        user_agent="pytest",
    )


@pytest.fixture
def worker_person(wang_worker) -> Person:
    return wang_worker.person


@pytest.fixture
def hiring_org(hui_hiring) -> Organization:
    return Organization.objects.get(kind=Organization.Kind.EMPLOYER)


@pytest.fixture
def verified_parties(worker_person, hiring_org, hui_hiring, carol_caseworker):
    """Both sides checked: the worker's ID card, the licence and the handling person."""
    verify(worker_person, carol_caseworker)
    verify(hiring_org, carol_caseworker)
    verify(hui_hiring.person, carol_caseworker)


@pytest.fixture
def new_agreement(market, worker_person, hiring_org, hui_hiring, wang_worker, carol_caseworker):
    """new_agreement(state) makes an agreement at the counter and brings it to ``state``."""

    def make(state: str = Agreement.State.DRAFT, **changes) -> Agreement:
        by = staff_actor(carol_caseworker)
        agreement = services.agreement_create(
            market=market,
            worker=worker_person,
            hiring_party=hiring_org,
            hiring_signer=hui_hiring.person,
            actor=by,
            particulars=particulars(**changes),
        )
        steps = {
            Agreement.State.DRAFT: [],
            Agreement.State.SENT: ["send"],
            Agreement.State.PARTLY_SIGNED: ["send", "worker"],
            Agreement.State.SIGNED: ["send", "worker", "hiring"],
            Agreement.State.COMPLETED: ["send", "worker", "hiring", "complete"],
        }[state]
        for step in steps:
            if step == "send":
                services.agreement_send(agreement=agreement, actor=by)
            elif step == "worker":
                sign(agreement, Party.WORKER, wang_worker)
            elif step == "hiring":
                sign(agreement, Party.HIRING, hui_hiring)
            elif step == "complete":
                services.agreement_complete(agreement=agreement, actor=by)
            agreement.refresh_from_db()
        return agreement

    return make


@pytest.fixture
def distinct_codes(monkeypatch):
    """Codes 100001, 100002, … instead of random ones, so two codes in a row differ."""
    numbers = iter(range(100_001, 999_999))
    monkeypatch.setattr(services.secrets, "randbelow", lambda _limit: next(numbers))
