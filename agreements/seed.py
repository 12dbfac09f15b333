"""Demo gig agreements, made through the services the way the counter and the parties do.

``seed_agreements(market)`` makes a dozen demo agreements and brings each into one
state of ``Agreement.State``: caseworker 孙丽 makes and sends them at the counter,
each party asks for a one-time code and signs with it (on the portal when the party
has a login, at the counter otherwise), the hiring party marks the work done and the
worker reports the pay. So their audit chains, flow tasks, signatures and documents
are the real thing. ``manage.py seed_demo`` calls it; each demo agreement is known by
its work content, so running it again adds nothing.

Bulk data for benchmarks is written by ``agreements.load`` (``manage.py seed_load``).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agreements import services
from agreements.models import (
    Agreement,
    InjuryCover,
    Party,
    PaymentMethod,
    PayUnit,
    Signature,
    Trade,
)
from agreements.presets import fill_blanks
from casework.core.audit import Actor
from casework.core.demo import DEMO_PEOPLE, resident_id
from casework.core.models import Market
from casework.core.roles import roles_of
from casework.core.sms import Sms
from casework.parties.models import Organization, Person, RealNameCheck
from casework.parties.services import real_name_check_record
from casework.parties.verification import passed_check

S = Agreement.State
CODE_RE = re.compile(r"验证码(\d{6})")
SHUNDA = "shunda"  # the demo employer organisation; 陈志强 signs for it


@dataclass(frozen=True)
class DemoAgreement:
    state: str
    job: str  # the work content, unique among the demo agreements: how a second run knows them
    trade: str
    worker: str  # a key of the demo parties
    hiring: str  # SHUNDA or a person's key (an individual hiring party)
    place: str
    days: tuple[int, int]  # first and last day of work, counted from today
    pay: tuple[str, str, str | None]  # rate, unit, total
    hours: str  # blank: the trade's preset fills it (agreements.presets)
    safety: str
    rest: str = ""
    cover: str = InjuryCover.ACCIDENT
    insurance: str = ""
    method: str = PaymentMethod.MOBILE
    pay_after: int = 0  # the pay falls due this many days after the last day of work
    special: str = ""
    hiring_first: bool = False
    intermediary: bool = False
    first_signer: str = Party.WORKER  # who has signed an agreement left partly signed
    paid: bool = True  # completed: the worker confirms the pay, or reports it unpaid
    reason: str = ""  # why it was cancelled or terminated
    change: dict = field(default_factory=dict)  # superseded: what the changed agreement sets


DEMO_AGREEMENTS = [
    DemoAgreement(
        S.DRAFT,
        "小吃店后厨帮厨：择菜洗菜、备料、清洗餐具，高峰时段协助传菜",
        Trade.CATERING,
        "he",
        "chen",
        "城东区解放路7号志强小吃店",
        (3, 5),
        ("180.00", PayUnit.DAY, "540.00"),
        "每日10:00-14:00、16:30-20:30",
        "提供防滑鞋、防烫手套和工作服；须持有效健康证明上岗",
        rest="14:00-16:30休息，店内供应午餐和晚餐",
        cover=InjuryCover.NONE,
        method=PaymentMethod.CASH,
    ),
    DemoAgreement(
        S.SENT,
        "为城东花园小区住户搬家：家具拆装、物品打包、搬运装车及卸车归位",
        Trade.MOVING,
        "worker",
        SHUNDA,
        "城东花园小区12幢至滨江新村3幢",
        (1, 1),
        ("300.00", PayUnit.DAY, "300.00"),
        "8:00-17:00",
        "提供护腰带、防滑手套和搬运绳带；大件家具两人以上抬运，楼梯搬运有人监护",
        rest="中午休息1小时，用工方提供午餐",
        insurance="中国人民财产保险 团体意外险 PICC-2026-0173",
        pay_after=1,
    ),
    DemoAgreement(
        S.PARTLY_SIGNED,
        "物流园仓库卸货、分拣上架，每日约3车百货",
        Trade.MOVING,
        "ma",
        SHUNDA,
        "城东物流园B区5号仓库",
        (2, 4),
        ("28.00", PayUnit.HOUR, None),
        "每日7:30-16:30",
        "提供安全鞋、防滑手套和反光背心；叉车作业区禁止人员穿行",
        rest="中午休息1小时",
        insurance="中国人民财产保险 团体意外险 PICC-2026-0173",
        method=PaymentMethod.BANK,
        pay_after=3,
        intermediary=True,
    ),
    DemoAgreement(
        S.PARTLY_SIGNED,
        "新房开荒保洁：三室两厅玻璃、厨卫、地面深度清洁",
        Trade.HOUSEKEEPING,
        "worker2",
        "chen",
        "城东区滨江新村8幢2单元501室",
        (2, 2),
        ("600.00", PayUnit.JOB, "600.00"),
        "9:00-18:00",
        "提供橡胶手套、口罩和清洁剂；擦外窗须系安全绳，高处作业使用稳固的人字梯",
        cover=InjuryCover.NONE,
        hiring_first=True,
        first_signer=Party.HIRING,
    ),
    DemoAgreement(
        S.SIGNED,
        "二手房翻新：拆除旧地砖、清运建筑垃圾，配合瓦工搬运材料",
        Trade.RENOVATION,
        "worker",
        "wang",
        "城东区幸福里6幢301室",
        (-1, 5),
        ("260.00", PayUnit.DAY, "1820.00"),
        "每日8:00-12:00、13:30-17:30",
        "提供安全帽、护目镜、防尘口罩和劳保手套；拆除作业前断水断电",
        rest="中午休息1.5小时",
        insurance="中国平安财产保险 建筑工人意外险 PA-2026-0441",
        method=PaymentMethod.BANK,
        pay_after=2,
        special="建筑垃圾须装袋运至小区指定堆放点，不得从窗口抛掷。",
    ),
    DemoAgreement(
        S.COMPLETED,
        "同城配送：为合作家电商户送货到户并搬上楼",
        Trade.DELIVERY,
        "worker",
        SHUNDA,
        "城东区内，由城东物流园B区5号仓库出发",
        (-9, -8),
        ("15.00", PayUnit.PIECE, None),
        "",  # hours, safety and rest from the delivery preset, as the quick form fills them
        "",
        insurance="中国人民财产保险 团体意外险 PICC-2026-0173",
        method=PaymentMethod.BANK,
        pay_after=3,
    ),
    DemoAgreement(
        S.COMPLETED,
        "钟点工：每周二、五上午打扫住宅，整理厨房和卫生间",
        Trade.HOUSEKEEPING,
        "worker2",
        "chen",
        "城东区解放路5号2单元602室",
        (-24, -10),
        ("40.00", PayUnit.HOUR, "480.00"),
        "每周二、周五8:30-11:30",
        "提供清洁工具和橡胶手套；不得站在窗台上擦玻璃",
        cover=InjuryCover.NONE,
        pay_after=2,
        paid=False,
    ),
    DemoAgreement(
        S.TERMINATED,
        "住宅外墙涂料施工辅助：搭拆简易脚手架、调料、搬运涂料",
        Trade.RENOVATION,
        "sun",
        "wang",
        "城东区和平街18号",
        (-3, 6),
        ("260.00", PayUnit.DAY, "2600.00"),
        "每日7:30-11:30、13:30-17:30",
        "提供安全帽、安全带和防护手套；两米以上高处作业必须系安全带",
        insurance="中国平安财产保险 建筑工人意外险 PA-2026-0452",
        method=PaymentMethod.CASH,
        reason="业主暂停装修，甲方提前解除协议；已工作3天的报酬780元已当场结清，双方无其他争议。",
    ),
    DemoAgreement(
        S.EXPIRED,
        "社区团购配送：按线路将商品送至各小区自提点",
        Trade.DELIVERY,
        "liu",
        SHUNDA,
        "城东区各社区团购自提点",
        (-2, 3),
        ("220.00", PayUnit.DAY, "1320.00"),
        "每日6:00-13:00",
        "提供电动三轮车、头盔和反光背心；车辆每日出车前检查刹车",
        insurance="中国人民财产保险 团体意外险 PICC-2026-0173",
        pay_after=1,
    ),
    DemoAgreement(
        S.CANCELLED,
        "公司食堂帮厨：备餐、分餐、清洁后厨",
        Trade.CATERING,
        "wu",
        SHUNDA,
        "城东区解放路5号顺达公司职工食堂",
        (1, 10),
        ("200.00", PayUnit.DAY, "2000.00"),
        "每日9:00-13:30、16:00-19:00",
        "提供工作服、防滑鞋和防烫手套；须持有效健康证明上岗",
        insurance="中国人民财产保险 团体意外险 PICC-2026-0173",
        method=PaymentMethod.BANK,
        pay_after=5,
        reason="食堂原厨工提前返岗，甲方取消用工计划；双方均未签署。",
    ),
    DemoAgreement(
        S.SUPERSEDED,
        "企业办公室搬迁：办公家具拆装、文件箱打包搬运",
        Trade.MOVING,
        "zhou",
        SHUNDA,
        "城东区建设路20号至人民路166号",
        (-2, 1),
        ("320.00", PayUnit.DAY, "1280.00"),
        "每日8:00-17:00",
        "提供护腰带、防滑手套和搬运推车；电梯限载，超重物品分批运送",
        rest="中午休息1小时",
        insurance="中国人民财产保险 团体意外险 PICC-2026-0173",
        method=PaymentMethod.BANK,
        pay_after=2,
        change={
            "end_date": 3,
            "pay_total": "1920.00",
            "special_terms": "新办公地点增加一层档案室，工期延长两天，报酬相应增加。",
        },
    ),
]


def seed_agreements(market: Market) -> list[Agreement]:
    """Create the demo agreements that are missing; return the ones created."""
    demo = _Demo(market)
    created = []
    for case in DEMO_AGREEMENTS:
        if Agreement.objects.filter(market=market, job_description=case.job).exists():
            continue
        with transaction.atomic():
            created.append(demo.make(case))
    return created


def seed_demo(market: Market) -> None:
    """Called by ``manage.py seed_demo`` for every app that has a seed module."""
    seed_agreements(market)


def _actor(user: User) -> Actor:
    return Actor(user=user, role=",".join(roles_of(user)))


def particulars(case: DemoAgreement) -> dict:
    today = timezone.localdate()
    start, end = (today + datetime.timedelta(days=n) for n in case.days)
    rate, unit, total = case.pay
    values = {
        "trade": case.trade,
        "job_description": case.job,
        "work_place": case.place,
        "start_date": start,
        "end_date": end,
        "work_hours": case.hours,
        "rest": case.rest,
        "pay_rate": Decimal(rate),
        "pay_unit": unit,
        "pay_total": Decimal(total) if total else None,
        "payment_method": case.method,
        "payment_date": end + datetime.timedelta(days=case.pay_after),
        "safety": case.safety,
        "injury_cover": case.cover,
        "insurance_details": case.insurance,
        "special_terms": case.special,
        "hiring_party_first": case.hiring_first,
    }
    return fill_blanks(values, case.trade)


class _Demo:
    """The demo parties and staff, and the steps that bring an agreement to its state."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.counter = _actor(User.objects.get(username="caseworker"))
        self.parties = self._parties()
        self.intermediary = (
            Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY).order_by("pk").first()
        )

    def _parties(self) -> dict:
        chen = Person.objects.get(user__username="employer")
        parties = {
            "worker": Person.objects.get(user__username="worker"),
            "worker2": Person.objects.get(user__username="worker2"),
            "chen": chen,
            SHUNDA: chen.organizations.filter(kind=Organization.Kind.EMPLOYER)
            .order_by("pk")
            .first(),
        }
        for key, name, body, mobile in DEMO_PEOPLE:
            number = resident_id(body)
            person = Person.objects.filter(id_number=number).first()
            if person is None:
                person = Person(name=name, id_number=number, mobile=mobile, address="城东区")
                person.full_clean(exclude=["user"])
                person.save()
            parties[key] = person
        for party in parties.values():
            self._checked(party)
        return parties

    def _checked(self, party: Person | Organization) -> None:
        """双实名: the counter has seen the ID card, or the licence and the handling person."""
        if passed_check(party) is not None:
            return
        org = isinstance(party, Organization)
        real_name_check_record(
            party=party,
            method=RealNameCheck.Method.LICENCE_SEEN if org else RealNameCheck.Method.ID_CARD_SEEN,
            result=RealNameCheck.Result.PASSED,
            by=self.counter.user,
            note="演示数据：营业执照原件及经办人身份证已核验"
            if org
            else "演示数据：身份证原件已核验",
        )

    def make(self, case: DemoAgreement) -> Agreement:
        hiring = self.parties[case.hiring]
        agreement = services.agreement_create(
            market=self.market,
            worker=self.parties[case.worker],
            hiring_party=hiring,
            hiring_signer=self.parties["chen"] if case.hiring == SHUNDA else None,
            intermediary=self.intermediary if case.intermediary else None,
            actor=self.counter,
            particulars=particulars(case),
        )
        self._advance(agreement, case)
        agreement.refresh_from_db()
        if agreement.state != case.state:
            raise RuntimeError(
                f"demo agreement {agreement.code} ended in {agreement.state}, not {case.state}"
            )
        return agreement

    def _advance(self, agreement: Agreement, case: DemoAgreement) -> None:
        state = case.state
        if state == S.DRAFT:
            return
        services.agreement_send(agreement=agreement, actor=self.counter)
        if state == S.SENT:
            return
        if state == S.CANCELLED:
            services.agreement_cancel(agreement=agreement, actor=self.counter, reason=case.reason)
            return
        if state == S.EXPIRED:
            self._run_out(agreement)
            return
        if state == S.PARTLY_SIGNED:
            self.sign(agreement, case.first_signer)
            return
        self.sign_both(agreement)
        if state == S.COMPLETED:
            self._complete(agreement, paid=case.paid)
        elif state == S.TERMINATED:
            services.agreement_terminate(
                agreement=agreement, actor=self.counter, reason=case.reason
            )
        elif state == S.SUPERSEDED:
            self._change(agreement, case.change)

    def sign_both(self, agreement: Agreement) -> None:
        first, second = Party.WORKER, Party.HIRING
        if agreement.hiring_party_first:
            first, second = second, first
        self.sign(agreement, first)
        self.sign(agreement, second)

    def sign(self, agreement: Agreement, party: str) -> None:
        """The party asks for a code and signs with it: on the portal, or at the counter."""
        signer = agreement.signer_for(party)
        if signer.user is not None:
            actor, channel = _actor(signer.user), Signature.Channel.PORTAL
        else:
            actor, channel = self.counter, Signature.Channel.COUNTER
        texts: list[Sms] = []

        def keep(message: Sms) -> None:
            # seed_demo signs inside its one transaction, before the message would go out
            # (it is queued, and sent after commit like any other).
            texts.append(message)

        services.signing_code_send(agreement=agreement, party=party, actor=actor, deliver=keep)
        [message] = texts
        services.agreement_sign(
            agreement=agreement,
            party=party,
            code=CODE_RE.search(message.text).group(1),
            actor=actor,
            channel=channel,
            user_agent="seed_demo",
        )
        agreement.refresh_from_db()

    def _run_out(self, agreement: Agreement) -> None:
        # agreement_send takes only a future deadline: the demo agreement is dated back as
        # if sent four days ago, so its 72 hours ran out yesterday, and the beat task's
        # service expires it.
        sent = timezone.now() - datetime.timedelta(days=4)
        Agreement.objects.filter(pk=agreement.pk).update(
            created_at=sent - datetime.timedelta(minutes=20),
            sent_at=sent,
            sign_deadline=sent + datetime.timedelta(hours=72),
        )
        services.expire_unsigned()

    def _complete(self, agreement: Agreement, *, paid: bool) -> None:
        hiring = agreement.hiring_party_signer
        by = _actor(hiring.user) if hiring.user is not None else self.counter
        services.agreement_complete(agreement=agreement, actor=by)
        worker = agreement.worker
        by = _actor(worker.user) if worker.user is not None else self.counter
        services.payment_report(agreement=agreement, paid=paid, actor=by)

    def _change(self, agreement: Agreement, change: dict) -> None:
        """A change after signing: the new agreement replaces this one once both sign it."""
        values = dict(change)
        if "end_date" in values:  # days added to the work, and to when the pay falls due
            longer = datetime.timedelta(days=values["end_date"])
            values["end_date"] = agreement.end_date + longer
            values["payment_date"] = agreement.payment_date + longer
        if "pay_total" in values:
            values["pay_total"] = Decimal(values["pay_total"])
        replacement = services.agreement_change(
            agreement=agreement, actor=self.counter, particulars=values
        )
        services.agreement_send(agreement=replacement, actor=self.counter)
        self.sign_both(replacement)
