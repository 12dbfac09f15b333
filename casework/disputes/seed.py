"""Demo data for wage disputes, made through the services.

``seed_disputes(market)`` files about twenty demo disputes and walks them, the way
users do, into every state of ``Dispute.State``, so their audit chains, flow tasks
and documents are the real thing. ``manage.py seed_demo`` calls it; each demo case
is known by its matter, so running it again adds nothing.

Bulk data for benchmarks is written by ``casework.disputes.load``
(``manage.py seed_load``), not through the services.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from casework.core.audit import Actor
from casework.core.calendar import deadline_calendar_days
from casework.core.demo import DEMO_PEOPLE, resident_id
from casework.core.models import Market
from casework.core.roles import roles_of
from casework.disputes import arbitration, services
from casework.disputes.models import (
    ArbitrationCommittee,
    Channel,
    ClaimType,
    Dispute,
    Settlement,
)
from casework.parties.models import Organization, Person

S = Dispute.State

# -- demo disputes (through the services) --------------------------------------------


@dataclass(frozen=True)
class DemoCase:
    state: str
    matter: str  # unique among the demo cases: how a second run recognises them
    reasons: str
    applicants: tuple[str, ...]
    respondent: str  # "employer", "intermediary" (organisations) or a person's key
    claims: tuple[tuple[str, str], ...]  # (claim type, amount)
    days_ago: int | str = 1  # or "due_soon": the 15-day deadline is 1 to 3 days away
    channel: str = Channel.WRITTEN
    mediator: str = "mediator"
    acceptor: str = "mediator"
    filed_by: str = "mediator"
    marks: int = 4  # marks recorded on a settled case
    missed_instalment: bool = False
    extension: bool = False
    session: bool = False
    reassign_to: str = ""
    withdraw_before_acceptance: bool = False
    termination: str = Dispute.TerminationReason.NO_AGREEMENT
    referral: str = Dispute.Referral.PAYMENT_ORDER
    # A terminated case handed to the arbitration committee, and accepted by it.
    arbitration_filed: bool = False


W, INJ, SEV, DMG, OTH = (
    ClaimType.UNPAID_WAGES,
    ClaimType.INJURY_MEDICAL,
    ClaimType.SEVERANCE,
    ClaimType.DAMAGES,
    ClaimType.OTHER,
)

DEMO_CASES = [
    DemoCase(
        S.RECEIVED,
        "追索仓库搬运工资4800元",
        "2026年10月在顺达仓库搬运16天，约定日薪300元，结束后一直未付。",
        ("worker",),
        "employer",
        ((W, "4800.00"),),
        days_ago=0,
    ),
    DemoCase(
        S.RECEIVED,
        "追索家庭装修小工工资2600元",
        "跟随王德发做家装小工13天，日薪200元，对方称业主未结款拒付。",
        ("huang",),
        "wang",
        ((W, "2600.00"),),
        channel=Channel.ORAL,
    ),
    DemoCase(
        S.RECEIVED,
        "退还上岗押金并支付试工工资",
        "经快聘介绍到餐馆帮厨，每人交押金500元，试工3天后被辞退，押金和工资均未退付。",
        ("worker2", "he", "wu"),
        "intermediary",
        ((OTH, "1500.00"), (W, "1620.00")),
        channel=Channel.ONLINE,
        filed_by="worker2",
    ),
    DemoCase(
        S.ACCEPTED,
        "四名装卸工追索拖欠工资38400元",
        "2026年9月至10月为顺达公司装卸货物各32天，日薪300元，公司以资金周转为由拖欠至今。",
        ("worker", "liu", "ma", "sun"),
        "employer",
        ((W, "38400.00"),),
        days_ago="due_soon",
        acceptor="supervisor",
    ),
    DemoCase(
        S.ACCEPTED,
        "解除用工后的经济补偿及未付工资",
        "在顺达公司做搬家工近两年，公司口头通知不再用工，未支付经济补偿和最后半月工资。",
        ("zhou",),
        "employer",
        ((SEV, "6000.00"), (W, "3000.00")),
        days_ago=4,
    ),
    DemoCase(
        S.NOT_ACCEPTED,
        "承揽门窗安装工程款纠纷",
        "申请人自带工具承揽门窗安装，按件结算，现要求支付剩余工程款。",
        ("ma",),
        "intermediary",
        ((OTH, "8800.00"),),
        days_ago=6,
        acceptor="supervisor",
    ),
    DemoCase(
        S.IN_MEDIATION,
        "追索保洁工资3600元",
        "为陈志强经营的店铺做保洁两个月，每月1800元，均未支付。",
        ("worker",),
        "chen",
        ((W, "3600.00"),),
        days_ago="due_soon",
        session=True,
    ),
    DemoCase(
        S.IN_MEDIATION,
        "三名帮厨追索工资21000元",
        "在顺达公司食堂帮厨，三人合计拖欠工资21000元，公司承认欠薪但要求分期。",
        ("huang", "he", "wu"),
        "employer",
        ((W, "21000.00"),),
        days_ago=9,
        mediator="mediator2",
        extension=True,
        session=True,
    ),
    DemoCase(
        S.IN_MEDIATION,
        "脚手架坠落受伤医疗费及赔偿",
        "跟随王德发在工地搭脚手架时坠落受伤，垫付医疗费12800元，要求承担并赔偿误工损失。",
        ("sun",),
        "wang",
        ((INJ, "12800.00"), (DMG, "3000.00")),
        days_ago=26,
    ),
    DemoCase(
        S.IN_MEDIATION,
        "追索配送员工资5200元",
        "经快聘派遣做同城配送，2026年10月工资5200元未发放。",
        ("liu",),
        "intermediary",
        ((W, "5200.00"),),
        days_ago=5,
        reassign_to="mediator2",
    ),
    DemoCase(
        S.SETTLED,
        "追索搬家工资7500元",
        "在顺达公司做搬家工25天，日薪300元未付。",
        ("zhou",),
        "employer",
        ((W, "7500.00"),),
        days_ago=8,
        marks=2,
    ),
    DemoCase(
        S.EFFECTIVE,
        "追索工资9000元及扣押证件造成的损失",
        "公司拖欠30天工资9000元，并扣押身份证导致错过其他工作，要求赔偿1000元。",
        ("worker",),
        "employer",
        ((W, "9000.00"), (DMG, "1000.00")),
        days_ago=18,
        mediator="mediator2",
    ),
    DemoCase(
        S.PERFORMED,
        "追索钟点工工资2400元",
        "为陈志强家做钟点工，2026年9月工资2400元未付。",
        ("worker2",),
        "chen",
        ((W, "2400.00"),),
        days_ago=30,
    ),
    DemoCase(
        S.DEFAULTED,
        "追索瓦工工资6600元",
        "跟随王德发做瓦工22天，日薪300元，调解协议约定分两期支付，第一期逾期未付。",
        ("ma",),
        "wang",
        ((W, "6600.00"),),
        days_ago=40,
        mediator="mediator2",
        missed_instalment=True,
    ),
    DemoCase(
        S.TERMINATED,
        "解除劳务关系经济补偿15000元",
        "经快聘介绍在同一用工单位连续工作三年后被辞退，要求经济补偿，对方不同意。",
        ("he",),
        "intermediary",
        ((SEV, "15000.00"),),
        days_ago=20,
        mediator="mediator2",
        arbitration_filed=True,
    ),
    DemoCase(
        S.TERMINATED,
        "搬运时扭伤腰部的医疗费8000元",
        "在顺达公司搬运时扭伤腰部，医疗费8000元，公司认为与工作无关。",
        ("wu",),
        "employer",
        ((INJ, "8000.00"),),
        days_ago=35,
        termination=Dispute.TerminationReason.DEADLINE_PASSED,
    ),
    DemoCase(
        S.WITHDRAWN,
        "追索临时装卸工资1800元",
        "临时装卸6天，日薪300元未付。",
        ("sun",),
        "employer",
        ((W, "1800.00"),),
        days_ago=12,
        withdraw_before_acceptance=True,
    ),
    DemoCase(
        S.WITHDRAWN,
        "两名小工追索工资4400元",
        "跟随王德发做拆旧小工各11天，日薪200元，未付。",
        ("liu", "zhou"),
        "wang",
        ((W, "4400.00"),),
        days_ago=15,
    ),
    DemoCase(
        S.REFERRED,
        "追索派遣工资12000元（申请支付令）",
        "经快聘派遣到物流园分拣，两人合计工资12000元，调解协议约定的首期款逾期未付。",
        ("worker", "worker2"),
        "intermediary",
        ((W, "12000.00"),),
        days_ago=60,
        missed_instalment=True,
    ),
    DemoCase(
        S.CLOSED,
        "追索油漆工工资3000元",
        "跟随王德发刷墙10天，日薪300元，调解后已全部付清。",
        ("worker",),
        "wang",
        ((W, "3000.00"),),
        days_ago=75,
    ),
    DemoCase(
        S.CLOSED,
        "退还工服押金2000元",
        "离职时快聘扣留工服押金2000元不退，调解协议到期未履行，已引导申请仲裁。",
        ("huang",),
        "intermediary",
        ((OTH, "2000.00"),),
        days_ago=90,
        mediator="mediator2",
        missed_instalment=True,
        referral=Dispute.Referral.ARBITRATION,
    ),
]

DEMO_STAFF = ("mediator", "mediator2", "supervisor")


def seed_disputes(market: Market) -> list[Dispute]:
    """Create the demo disputes that are missing; return the ones created."""
    seed_committee(market)
    staff = {name: _actor(User.objects.get(username=name)) for name in DEMO_STAFF}
    parties = _demo_parties()
    created = []
    for case in DEMO_CASES:
        if Dispute.objects.filter(market=market, matter=case.matter).exists():
            continue
        with transaction.atomic():
            created.append(_demo_dispute(market, case, staff, parties))
    return created


def _actor(user: User) -> Actor:
    return Actor(user=user, role=",".join(roles_of(user)))


def _demo_parties() -> dict:
    parties = {
        "worker": Person.objects.get(user__username="worker"),
        "worker2": Person.objects.get(user__username="worker2"),
        "chen": Person.objects.get(user__username="employer"),
        "mediation_body": Organization.objects.filter(kind=Organization.Kind.MEDIATION_BODY)
        .order_by("pk")
        .first(),
        "intermediary": Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY)
        .order_by("pk")
        .first(),
    }
    parties["employer"] = parties["chen"].organizations.order_by("pk").first()
    for key, name, body, mobile in DEMO_PEOPLE:
        number = resident_id(body)
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            person = Person(name=name, id_number=number, mobile=mobile, address="城东区")
            person.full_clean(exclude=["user"])
            person.save()
        parties[key] = person
    return parties


def _received_at(case: DemoCase) -> datetime.datetime:
    now = timezone.now()
    if case.days_ago == 0:
        return now - datetime.timedelta(hours=1)
    days = case.days_ago
    if days == "due_soon":
        today = timezone.localdate()

        def days_left(ago: int) -> int:
            return (deadline_calendar_days(now - datetime.timedelta(days=ago), 15) - today).days

        days = min(
            range(9, 15), key=lambda ago: (not 1 <= days_left(ago) <= 3, abs(days_left(ago) - 2))
        )
    return now - datetime.timedelta(days=days)


def _demo_dispute(market: Market, case: DemoCase, staff: dict, parties: dict) -> Dispute:
    applicants = [parties[key] for key in case.applicants]
    filer = staff.get(case.filed_by) or _actor(parties[case.filed_by].user)
    details = ""
    if case.channel == Channel.ORAL:
        person = applicants[0]
        details = (
            f"{person.name}，{person.get_sex_display()}，电话{person.mobile}，住{person.address}"
        )
    dispute = services.dispute_file(
        market=market,
        mediation_body=parties["mediation_body"],
        applicants=applicants,
        respondent=parties[case.respondent],
        channel=case.channel,
        received_at=_received_at(case),
        matter=case.matter,
        reasons=case.reasons,
        claims=[services.Claim(kind, Decimal(amount)) for kind, amount in case.claims],
        actor=filer,
        applicant_details=details,
    )
    _demo_advance(dispute, case, staff)
    dispute.refresh_from_db()
    if dispute.state != case.state:
        raise RuntimeError(
            f"demo dispute {dispute.code} ended in {dispute.state}, not {case.state}"
        )
    return dispute


def _demo_advance(dispute: Dispute, case: DemoCase, staff: dict) -> None:
    state, me = case.state, staff[case.mediator]
    if state == S.RECEIVED:
        return
    if state == S.NOT_ACCEPTED:
        reason = "不属于劳动争议调解范围（承揽合同纠纷），已告知可向人民法院起诉。"
        services.dispute_refuse(dispute=dispute, actor=staff[case.acceptor], reason=reason)
        return
    if case.withdraw_before_acceptance:
        services.dispute_withdraw(dispute=dispute, actor=me, reason="已与用工方自行协商解决。")
        return
    services.dispute_accept(dispute=dispute, actor=staff[case.acceptor])
    if state == S.ACCEPTED:
        return
    if state == S.WITHDRAWN:
        services.dispute_withdraw(
            dispute=dispute, actor=me, reason="申请人撤回，准备直接申请仲裁。"
        )
        return
    services.dispute_take(dispute=dispute, actor=me)
    if case.reassign_to:
        services.dispute_reassign(
            dispute=dispute,
            to=staff[case.reassign_to].user,
            actor=staff["supervisor"],
            reason="原调解员休假，移交处理。",
        )
        me = staff[case.reassign_to]
    if case.extension:
        services.extension_record(
            dispute=dispute,
            new_due=dispute.due_date + datetime.timedelta(days=10),
            applicant_agreed=True,
            respondent_agreed=True,
            note="双方当场口头同意延长调解期限，已记入笔录。",
            actor=me,
        )
    if case.session:
        services.session_record(
            dispute=dispute,
            held_at=timezone.now() - datetime.timedelta(hours=3),
            mode="in_person",
            place="城东街道劳动争议调解室",
            attendees="申请人、被申请人、调解员",
            notes="双方确认用工事实和天数，对支付时间分歧较大，约定下次调解前各自核对账目。",
            actor=me,
        )
    if state == S.IN_MEDIATION:
        return
    if state == S.TERMINATED:
        services.dispute_terminate(
            dispute=dispute,
            reason=case.termination,
            note="双方未能达成一致，已告知可申请劳动争议仲裁。",
            actor=me,
        )
        if case.arbitration_filed:
            _demo_arbitration(dispute, me)
        return
    _demo_settle(dispute, me, missed=case.missed_instalment)
    marks = Settlement.MARKS if state != S.SETTLED else Settlement.MARKS[: case.marks]
    for mark in marks:
        services.mark_record(dispute=dispute, mark=mark, actor=me)
    if state in (S.SETTLED, S.EFFECTIVE):
        return
    if case.missed_instalment:
        services.dispute_mark_defaulted(dispute=dispute, actor=me, note="第一期款逾期未付。")
        if state == S.DEFAULTED:
            return
        services.dispute_refer(dispute=dispute, referral=case.referral, actor=me)
    else:
        for instalment in dispute.settlement.instalments.all():
            services.payment_record(
                dispute=dispute,
                instalment=instalment,
                amount=instalment.outstanding,
                paid_on=timezone.localdate(),
                note="银行转账",
                actor=me,
            )
        if state == S.PERFORMED:
            return
    if state == S.CLOSED:
        services.dispute_close(dispute=dispute, actor=me, note="结案归档。")


def seed_committee(market: Market) -> ArbitrationCommittee:
    """The labour dispute arbitration committee of the market's county (admin-edited)."""
    committee, _created = ArbitrationCommittee.objects.get_or_create(
        market=market,
        name=f"{market.region}劳动人事争议仲裁委员会",
        defaults={"address": f"{market.region}人民路18号", "phone": "0571-12333"},
    )
    return committee


def _demo_arbitration(dispute: Dispute, me: Actor) -> None:
    arbitration.handoff_record(
        dispute=dispute,
        committee=seed_committee(dispute.market),
        actor=me,
        note="申请人已表示将申请仲裁。",
    )
    arbitration.filing_record(
        dispute=dispute,
        case_number=f"仲案〔{timezone.localdate().year}〕{dispute.pk:04d}号",
        filed_on=timezone.localdate(),
        extended=False,
        actor=me,
    )


def _demo_settle(dispute: Dispute, me: Actor, *, missed: bool) -> None:
    today = timezone.localdate()
    amount = (dispute.total_claimed * Decimal("0.9")).quantize(Decimal("1"))
    first = (amount / 2).quantize(Decimal("1"))
    # A case that is to default needs an instalment already overdue.
    first_due = (
        today - datetime.timedelta(days=10) if missed else today + datetime.timedelta(days=7)
    )
    services.settlement_record(
        dispute=dispute,
        amount=amount,
        method=Settlement.Method.BANK_TRANSFER,
        terms="被申请人分两期向申请人支付，逾期未付的，申请人可依法申请支付令或仲裁。",
        instalments=[(first_due, first), (today + datetime.timedelta(days=30), amount - first)],
        actor=me,
    )


def seed_demo(market) -> None:
    """Called by ``manage.py seed_demo`` for every app that has a seed module."""
    seed_disputes(market)
