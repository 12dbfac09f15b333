"""Dispute fixtures, shared by every test package (tests/conftest.py loads this module as a
plugin). Factories: a mediation body, and disputes brought to any state the way users do."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from casework.core.audit import Actor
from casework.disputes import services
from casework.disputes.models import Channel, ClaimType, Dispute
from casework.parties.models import Organization

MEDIATION_BODY_USCC = "52330102MA2H00030M"


@pytest.fixture
def mediation_body(db) -> Organization:
    return Organization.objects.create(
        kind=Organization.Kind.MEDIATION_BODY,
        name="测试区劳动争议调解委员会",
        credit_code=MEDIATION_BODY_USCC,
        mediation_body_type=Organization.MediationBodyType.TOWNSHIP,
        address="测试区人民路1号二楼",
    )


@pytest.fixture
def employer(hui_hiring) -> Organization:
    return Organization.objects.get(kind=Organization.Kind.EMPLOYER)


def actor(user) -> Actor:
    return Actor(user=user, role=",".join(g.name for g in user.groups.all()))


def file_dispute(
    *,
    market,
    mediation_body,
    respondent,
    applicants,
    by,
    claims=None,
    received_at=None,
    channel=Channel.WRITTEN,
    **extra,
) -> Dispute:
    claims = claims or [services.Claim(ClaimType.UNPAID_WAGES, Decimal("3200.00"))]
    return services.dispute_file(
        market=market,
        mediation_body=mediation_body,
        applicants=applicants,
        respondent=respondent,
        channel=channel,
        received_at=received_at or timezone.now(),
        matter="拖欠搬运工资",
        reasons="2026年10月在仓库搬运12天，约定日薪300元，至今未付。",
        claims=claims,
        actor=actor(by),
        applicant_details=extra.pop("applicant_details", "王小明，男，1949年生，电话13800138000"),
        **extra,
    )


@pytest.fixture
def new_dispute(market, mediation_body, employer, wang_worker, alice_mediator):
    """A factory: ``new_dispute(state="effective")`` brings a dispute to that state."""

    def make(state: str = Dispute.State.RECEIVED, **kwargs) -> Dispute:
        kwargs.setdefault("applicants", [wang_worker.person])
        dispute = file_dispute(
            market=market,
            mediation_body=mediation_body,
            respondent=kwargs.pop("respondent", employer),
            by=alice_mediator,
            **kwargs,
        )
        return advance(dispute, state, alice_mediator)

    return make


PATH = [
    Dispute.State.RECEIVED,
    Dispute.State.ACCEPTED,
    Dispute.State.IN_MEDIATION,
    Dispute.State.SETTLED,
    Dispute.State.EFFECTIVE,
]


def advance(dispute: Dispute, state: str, mediator) -> Dispute:
    """Walk the dispute along the usual path (and one step aside) to ``state``."""
    me = actor(mediator)
    S = Dispute.State
    if state == S.NOT_ACCEPTED:
        services.dispute_refuse(dispute=dispute, actor=me, reason="不属于劳动争议")
        return dispute
    target = (
        state
        if state in PATH
        else {
            S.TERMINATED: S.IN_MEDIATION,
            S.WITHDRAWN: S.ACCEPTED,
            S.PERFORMED: S.EFFECTIVE,
            S.DEFAULTED: S.EFFECTIVE,
            S.REFERRED: S.EFFECTIVE,
            S.CLOSED: S.EFFECTIVE,
        }[state]
    )
    steps = PATH[: PATH.index(target) + 1]
    if S.ACCEPTED in steps:
        services.dispute_accept(dispute=dispute, actor=me)
    if S.IN_MEDIATION in steps:
        assert services.dispute_take(dispute=dispute, actor=me)
    if S.SETTLED in steps:
        settle(dispute, me)
    if S.EFFECTIVE in steps:
        for mark in (
            "applicant_signed_at",
            "respondent_signed_at",
            "mediator_signed_at",
            "body_sealed_at",
        ):
            services.mark_record(dispute=dispute, mark=mark, actor=me)
    if state == S.TERMINATED:
        services.dispute_terminate(
            dispute=dispute, reason="no_agreement", note="双方差距过大", actor=me
        )
    elif state == S.WITHDRAWN:
        services.dispute_withdraw(dispute=dispute, reason="已私下和解", actor=me)
    elif state == S.PERFORMED or state == S.CLOSED:
        pay_all(dispute, me)
        if state == S.CLOSED:
            services.dispute_close(dispute=dispute, actor=me)
    elif state in (S.DEFAULTED, S.REFERRED):
        first = dispute.settlement.instalments.first()
        with time_machine.travel(first.due_date + datetime.timedelta(days=2)):
            services.dispute_mark_defaulted(dispute=dispute, actor=me)
            if state == S.REFERRED:
                services.dispute_refer(dispute=dispute, referral="payment_order", actor=me)
    dispute.refresh_from_db()
    assert dispute.state == state, (dispute.state, state)
    return dispute


def settle(dispute: Dispute, me: Actor) -> None:
    today = timezone.localdate()
    services.settlement_record(
        dispute=dispute,
        amount=Decimal("3000.00"),
        method="bank_transfer",
        terms="被申请人向申请人支付工资。",
        instalments=[
            (today + datetime.timedelta(days=7), Decimal("1500.00")),
            (today + datetime.timedelta(days=37), Decimal("1500.00")),
        ],
        actor=me,
    )


def pay_all(dispute: Dispute, me: Actor) -> None:
    for instalment in dispute.settlement.instalments.all():
        if instalment.is_paid:
            continue
        services.payment_record(
            dispute=dispute,
            instalment=instalment,
            amount=instalment.outstanding,
            paid_on=timezone.localdate(),
            note="银行转账",
            actor=me,
        )
