"""Demo complaints against job intermediaries, made through the services the way users do.

``seed_complaints(market)`` registers four job intermediaries (two licensed, one whose
licence is suspended, one unlicensed 个体 shop) and files thirteen demo complaints: at
the counter, by phone, in the portal and through the public web form, some anonymous.
The demo complaint officer 周强 ("officer") takes, accepts, investigates, decides and
closes them, and the demo supervisor 吴国华 ("supervisor") approves an extension, so the
complaints reach every state of ``Complaint.State`` with real audit chains, flow tasks,
documents and text messages. 城东鑫诚人力资源服务有限公司 has four complaints accepted
in the last twelve months (a repeat offender); two closed complaints put sanctions on
the public list ``/intermediaries/sanctioned/``: an order to correct, and the fine the
labour administration decided on a penalty the officer proposed (a different amount).

Complaints received days ago are filed with that ``received_at``; the later steps happen
on the day the demo is made. ``manage.py seed_demo`` calls ``seed_demo``; each demo
complaint is known by its facts, so running it again adds nothing.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import (
    Channel,
    Complaint,
    Interview,
    NotAcceptedReason,
    Outcome,
    Penalty,
    ReferralTarget,
)
from casework.complaints.penalties import Conduct, Measure
from casework.core.audit import Actor
from casework.core.calendar import add_working_days
from casework.core.demo import DEMO_PEOPLE, credit_code, resident_id
from casework.core.models import Market
from casework.core.roles import roles_of
from casework.parties.models import Organization, Person

S = Complaint.State
L = Organization.LicenceStatus

# -- the intermediaries ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoIntermediary:
    name: str
    body: str  # the first 17 characters of the credit code (330102 = 城东区 in the demo)
    licence_number: str  # 无 for an unlicensed intermediary
    licence_status: str
    address: str
    phone: str


XINCHENG, HUICAI, ZHONGLIAN, SUDA = "xincheng", "huicai", "zhonglian", "suda"

INTERMEDIARIES = {
    XINCHENG: DemoIntermediary(
        "城东鑫诚人力资源服务有限公司",
        "91330102MA2H0041X",
        "人社许字〔2023〕第0045号",
        L.VALID,
        "城东区解放路66号2楼",
        "0571-88880041",
    ),
    HUICAI: DemoIntermediary(
        "城东汇才职业介绍有限公司",
        "91330102MA2H0042X",
        "人社许字〔2022〕第0017号",
        L.VALID,
        "城东区新华路35号",
        "0571-88880042",
    ),
    ZHONGLIAN: DemoIntermediary(
        "城东众联劳务派遣有限公司",
        "91330102MA2H0043X",
        "人社许字〔2021〕第0009号",
        L.SUSPENDED,
        "城东区物流园区综合楼305室",
        "0571-88880043",
    ),
    SUDA: DemoIntermediary(
        "城东速达劳务信息部",
        "92330102MA2H0044X",  # 92: an individual business (个体工商户)
        "无",
        L.NONE,
        "城东区火车站东广场临街商铺12号",
        "13600000044",
    ),
}

# -- the complaints ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoComplaint:
    state: str
    facts: str  # unique among the demo complaints: how a second run knows them
    channel: str
    categories: tuple[str, ...]
    respondent_name_given: str
    respondent: str | None  # the registry entry the officer identifies (a key above)
    days_ago: int  # received this many days ago (0: an hour ago)
    conduct_days_ago: int
    respondent_details_given: str = ""
    complainant: str = ""  # a demo person: a portal login or a key of DEMO_PEOPLE
    complainant_name: str = ""  # someone who left a name and a number only
    contact_mobile: str = ""
    anonymous: bool = False
    deposit: tuple[str, int] | None = None  # amount in yuan, workers who paid
    taken: bool = True  # complaints from the portal or the web wait until the officer takes one
    overdue: bool = False  # received so long ago that the acceptance deadline has passed
    interviews: tuple[dict, ...] = ()
    extension: str = ""  # "pending" or "approved"
    decision: services.Decision | None = None
    statement: str = ""  # the respondent's statement on the decision; blank: made none
    # The labour administration's decision on a proposed penalty, recorded after closing
    # (decided today; {year} in the number is this year).
    ruling: services.Ruling | None = None
    steps: tuple[str, ...] = ()  # "supplement", "not_competent" or "refer" (from investigating)
    referral: dict | None = None  # where "refer" sends it (REFERRAL: labour inspection)


def _decision(**fields) -> services.Decision:
    return services.Decision(**fields)


INTERVIEW_XINCHENG = {
    "interviewee_role": Interview.Role.RESPONDENT,
    "interviewee_name": "钱伟",
    "interviewee_position": "门店负责人",
    "record": (
        "问：你店是否向求职人员收取押金？\n答：收过，说是工服押金，每人300元，干满三个月退。\n"
        "问：收取押金是否出具收据？\n答：有收据，可以提供。\n"
        "问：你是否知道职业中介机构不得向劳动者收取押金？\n答：现在知道了，愿意退还。"
    ),
}

DEMO_COMPLAINTS = [
    # Waiting in the officer's queue: anonymous, no number left, the respondent as named only.
    DemoComplaint(
        S.RECEIVED,
        "在火车站东广场被一名自称“速达劳务”的人招去工地，说包吃住日结300元，"
        "到了之后要先把身份证交给他“统一办手续”，干了一周一直不给钱也不还身份证。",
        Channel.WEB,
        (Conduct.ID_WITHHELD, Conduct.FALSE_AD),
        "速达劳务",
        None,
        days_ago=1,
        conduct_days_ago=9,
        respondent_details_given="火车站东广场临街门面，门口挂“日结工”招牌",
        anonymous=True,
        taken=False,
    ),
    # Received at the counter today from a demo worker; the officer holds it.
    DemoComplaint(
        S.RECEIVED,
        "在汇才职业介绍所登记求职后，连续接到贷款和培训机构的推销电话，"
        "对方能说出我的身份证号码和求职意向，怀疑中介把登记信息卖给了别人。",
        Channel.COUNTER,
        (Conduct.DATA_LEAKED,),
        "汇才职业介绍所",
        HUICAI,
        days_ago=0,
        conduct_days_ago=20,
        respondent_details_given="新华路35号",
        complainant="worker",
    ),
    # Received by phone, left lying: the acceptance deadline has passed.
    DemoComplaint(
        S.RECEIVED,
        "众联劳务派遣公司招聘时承诺“五险一金、月薪6000元”，入职物流园分拣岗位后"
        "才知道是日结零工，每天只有150元，也没有任何保险。",
        Channel.PHONE,
        (Conduct.FALSE_AD,),
        "众联劳务",
        ZHONGLIAN,
        days_ago=0,  # set by ``overdue``
        conduct_days_ago=40,
        complainant_name="冯立新",
        contact_mobile="13700000201",
        overdue=True,
    ),
    # One notice listing everything missing; the acceptance clock is paused.
    DemoComplaint(
        S.SUPPLEMENT_REQUESTED,
        "上个月在路边一家职业介绍门店交了500元押金，说一周内安排进厂，"
        "到现在没有安排工作，押金也不退，门店名字记不清了。",
        Channel.PHONE,
        (Conduct.DEPOSIT,),
        "路边职业介绍门店（名称不详）",
        None,
        days_ago=2,
        conduct_days_ago=35,
        complainant_name="廖春花",
        contact_mobile="13700000202",
        deposit=("500.00", 1),
        steps=("supplement",),
    ),
    # Accepted from the portal: the investigation is about to start.
    DemoComplaint(
        S.ACCEPTED,
        "在鑫诚看到“酒店服务员月薪8000元包吃住”的招聘信息，交了300元服装押金后"
        "被派去后厨洗碗，月薪只有3000元，要求退还押金被拒绝。",
        Channel.PORTAL,
        (Conduct.FALSE_AD, Conduct.DEPOSIT),
        "鑫诚人力",
        XINCHENG,
        days_ago=3,
        conduct_days_ago=15,
        complainant="worker2",
        deposit=("300.00", 1),
    ),
    # Not ours to handle: the competent authority is named.
    DemoComplaint(
        S.NOT_ACCEPTED,
        "在一家家政公司办了2000元的保姆服务年卡，上门的阿姨两次没来，公司不退卡里剩下的钱。",
        Channel.WEB,
        (Conduct.OTHER,),
        "城东好帮手家政服务有限公司",
        None,
        days_ago=4,
        conduct_days_ago=30,
        complainant_name="郑丽萍",
        contact_mobile="13700000203",
        steps=("not_competent",),
    ),
    # Investigating, with the record of questioning the respondent.
    DemoComplaint(
        S.INVESTIGATING,
        "鑫诚以“保管”为名收走我的身份证，说要交200元介绍费才还，"
        "我没有交，身份证到现在还在他们手里。",
        Channel.PHONE,
        (Conduct.ID_WITHHELD,),
        "鑫诚人力资源",
        XINCHENG,
        days_ago=12,
        conduct_days_ago=16,
        complainant_name="邱海波",
        contact_mobile="13700000204",
        interviews=(
            {
                "interviewee_role": Interview.Role.RESPONDENT,
                "interviewee_name": "钱伟",
                "interviewee_position": "门店负责人",
                "record": (
                    "问：投诉人邱海波的身份证是否在你店？\n答：在，是他自己放在这里的。\n"
                    "问：是否要求其支付介绍费后才归还？\n答：介绍费是行业惯例。\n"
                    "问：职业中介机构不得扣押劳动者的居民身份证，你是否清楚？\n答：清楚了。"
                ),
            },
        ),
    ),
    # Investigating; the officer asked for the one extension, the supervisor has not decided.
    DemoComplaint(
        S.INVESTIGATING,
        "在鑫诚登记求职时填了详细的个人信息，之后接到多个陌生公司的电话，"
        "对方知道我的住址和工作经历。",
        Channel.WEB,
        (Conduct.DATA_LEAKED,),
        "鑫诚人力资源服务有限公司",
        XINCHENG,
        days_ago=30,
        conduct_days_ago=45,
        anonymous=True,
        contact_mobile="13700000205",  # anonymous, but left a number for notices
        extension="pending",
    ),
    # Decided (fines proposed for two conducts, one with its app suspended); the respondent
    # has not been heard yet.
    DemoComplaint(
        S.DECIDED,
        "众联安排我和同乡到物流园干活，收走我们两人的身份证说是“防止跑单”，干完活结了账也不还。"
        "众联在它的招工App上发的招聘信息还写着“限男性，不招外省人”。",
        Channel.COUNTER,
        (Conduct.ID_WITHHELD, Conduct.DISCRIMINATION),
        "众联劳务派遣",
        ZHONGLIAN,
        days_ago=20,
        conduct_days_ago=25,
        complainant="sun",
        interviews=(
            {
                "interviewee_role": Interview.Role.RESPONDENT,
                "interviewee_name": "韦志坚",
                "interviewee_position": "业务经理",
                "record": (
                    "问：你公司是否收取了孙铁柱等两人的居民身份证？\n答：是的，怕他们中途走人。\n"
                    "问：现在身份证在哪里？\n答：在公司保险柜里。"
                ),
            },
        ),
        decision=_decision(
            outcome=Outcome.PENALTY_PROPOSED,
            findings="经查，被投诉人以防止劳动者中途离开为由，扣押孙铁柱等二名劳动者的居民身份证；"
            "其招工应用程序发布的招聘信息含有“限男性，不招外省人”等歧视性内容。",
            measures="责令被投诉人于三日内将扣押的二张居民身份证退还劳动者本人，予以警告，并处罚款；"
            "责令删除歧视性招聘信息，整改完成前暂停其应用程序的招聘服务。",
            items=(
                services.Item(
                    Conduct.ID_WITHHELD,
                    (Measure.CORRECT, Measure.FINE),
                    workers_affected=2,
                    amount=Decimal("200.00"),
                ),
                services.Item(
                    Conduct.DISCRIMINATION,
                    (Measure.CORRECT, Measure.FINE, Measure.APP_TAKEDOWN),
                    amount=Decimal("10000.00"),
                ),
            ),
        ),
    ),
    # The respondent has made no statement on the decision; ready to close.
    DemoComplaint(
        S.RESPONDENT_HEARD,
        "汇才门店里没有公示收费标准，收了我150元服务费也不给收据，"
        "问他们要营业执照和许可证也不给看。",
        Channel.COUNTER,
        (Conduct.FEES_NOT_DISPLAYED,),
        "汇才职业介绍所",
        HUICAI,
        days_ago=25,
        conduct_days_ago=28,
        complainant="he",
        interviews=(
            {
                "interviewee_role": Interview.Role.RESPONDENT,
                "interviewee_name": "蒋文静",
                "interviewee_position": "店长",
                "record": (
                    "问：你店是否在服务场所公示收费项目和标准？\n答：之前装修时取下来了，还没挂回去。\n"
                    "问：是否建立服务台账？\n答：有，但记录不全，正在补。"
                ),
            },
        ),
        decision=_decision(
            outcome=Outcome.MINOR_CORRECTED,
            conduct_found=Conduct.FEES_NOT_DISPLAYED,
            findings="经现场检查，被投诉人未在服务场所公示收费项目和标准；调查期间已重新公示"
            "营业执照、许可证和收费标准，并补建服务台账，违法行为轻微并已改正。",
        ),
    ),
    # Closed: order to correct (a deposit taken from three workers), on the public list.
    DemoComplaint(
        S.CLOSED,
        "我和两名工友经鑫诚介绍到酒店做服务员，每人交了300元押金，"
        "说好干满一个月退还，辞工后押金一直不退。",
        Channel.COUNTER,
        (Conduct.DEPOSIT,),
        "鑫诚人力资源服务有限公司",
        XINCHENG,
        days_ago=45,
        conduct_days_ago=60,
        complainant="ma",
        deposit=("900.00", 3),
        interviews=(INTERVIEW_XINCHENG,),
        extension="approved",
        decision=_decision(
            outcome=Outcome.ORDER_TO_CORRECT,
            conduct_found=Conduct.DEPOSIT,
            workers_affected=3,
            findings="经查，被投诉人以“工服押金”名义向马小军等三名劳动者每人收取押金300元，"
            "共计900元，至今未退还。",
            # The measures are shown on the public list of sanctions: no names in them.
            measures="责令被投诉人限期退还三名劳动者押金共计900元，并停止向劳动者收取押金。",
        ),
        statement="对调查认定的事实无异议，愿意在期限内退还押金。",
    ),
    # Closed: a fine proposed for placement without a licence, on the public list.
    DemoComplaint(
        S.CLOSED,
        "速达劳务信息部没有人力资源服务许可证，每介绍一个工地活收取介绍费600元，"
        "我和同村六个人都交了钱，干了几天就被工地辞退。",
        Channel.WEB,
        (Conduct.UNLICENSED, Conduct.FRAUD),
        "速达劳务信息部",
        SUDA,
        days_ago=60,
        conduct_days_ago=75,
        complainant_name="黎国庆",
        contact_mobile="13700000206",
        interviews=(
            {
                "interviewee_role": Interview.Role.RESPONDENT,
                "interviewee_name": "唐守财",
                "interviewee_position": "经营者",
                "record": (
                    "问：你是否取得人力资源服务许可证？\n答：没有，只有个体营业执照。\n"
                    "问：你向多少人收取过介绍费？\n答：今年介绍了六个人，每人600元。"
                ),
            },
            {
                "interviewee_role": Interview.Role.COMPLAINANT,
                "interviewee_name": "黎国庆",
                "record": "问：你向速达交了多少介绍费？\n答：600元，是微信转账，有记录。",
            },
        ),
        decision=_decision(
            outcome=Outcome.PENALTY_PROPOSED,
            conduct_found=Conduct.UNLICENSED,
            workers_affected=6,
            findings="经查，被投诉人未取得人力资源服务许可证，擅自从事职业中介活动，"
            "向黎国庆等六名劳动者每人收取介绍费600元，违法所得3600元。",
            measures="责令被投诉人立即停止从事职业中介活动，没收违法所得3600元，并处罚款。",
            penalty_amount=Decimal("20000.00"),
        ),
        statement="承认没有办理许可证，请求从轻处罚。",
        # Decided lower than proposed: the respondent asked for leniency and stopped.
        ruling=services.Ruling(
            authority="城东区人力资源和社会保障局",
            document_number="城东人社罚决字〔{year}〕第3号",
            decided_on=None,
            penalty=Penalty.FINE,
            amount=Decimal("15000.00"),
        ),
    ),
    # Referred from the investigation to labour inspection (wages are not ours to order):
    # open until the inspection reports back.
    DemoComplaint(
        S.AWAITING_FEEDBACK,
        "经众联派遣到物流园做装卸，干了两个月，众联扣了我们三个人的工资共18000元不发，"
        "说要等用工单位结账。",
        Channel.COUNTER,
        (Conduct.FRAUD, Conduct.OTHER),
        "众联劳务派遣有限公司",
        ZHONGLIAN,
        days_ago=10,
        conduct_days_ago=20,
        complainant="liu",
        steps=("refer",),
    ),
    # Referred to the police: fraud under cover of recruiting; it ends here.
    DemoComplaint(
        S.REFERRED,
        "汇才说介绍去电子厂上班，先收了800元“体检培训费”，让我们到指定地点等车，"
        "一直没有车来，再打电话就打不通了。",
        Channel.PHONE,
        (Conduct.FRAUD,),
        "汇才职业介绍所",
        HUICAI,
        days_ago=12,
        conduct_days_ago=14,
        complainant_name="郑海燕",
        contact_mobile="13700000207",
        steps=("refer",),
        referral={
            "target": ReferralTarget.POLICE,
            "body": "城东区公安分局",
            "reason": "投诉反映被投诉人以介绍工作为名收取费用后失联，涉嫌诈骗，"
            "依法移送公安机关处理。",
        },
    ),
]

REFERRAL = {
    "target": ReferralTarget.LABOUR_INSPECTION,
    "body": "城东区劳动保障监察大队",
    "reason": "投诉反映的主要问题是被投诉人拖欠三名劳动者劳动报酬共计18000元，"
    "属于劳动保障监察事项，依法移送处理。",
}
SUPPLEMENT_ITEMS = [
    "被投诉职业介绍门店的名称或门牌地址",
    "缴纳押金的收据、转账记录或聊天记录截图",
    "缴纳押金的日期及经手人姓名或外貌特征",
]
EXTENSION_REASON = "需调取被投诉人近一年的求职登记台账，并向另外两名求职人员核实信息泄露的经过。"

# -- making them ---------------------------------------------------------------------------


def seed_demo(market: Market) -> None:
    """Called by ``manage.py seed_demo`` for every app that has a seed module."""
    seed_complaints(market)


def seed_complaints(market: Market) -> list[Complaint]:
    """Register the demo intermediaries and file the demo complaints that are missing."""
    demo = _Demo(market)
    created = []
    for case in DEMO_COMPLAINTS:
        existing = Complaint.objects.filter(market=market, facts=case.facts).first()
        with transaction.atomic():
            if existing is None:
                created.append(demo.make(case))
            else:  # made before rulings were recorded: add the one it lacks
                demo.record_ruling(existing, case)
    return created


def _actor(user: User) -> Actor:
    return Actor(user=user, role=",".join(roles_of(user)))


class _Demo:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.officer = _actor(User.objects.get(username="officer"))
        self.supervisor = _actor(User.objects.get(username="supervisor"))
        self.today = timezone.localdate()
        self.intermediaries = {
            key: self._intermediary(data) for key, data in INTERMEDIARIES.items()
        }

    def _intermediary(self, data: DemoIntermediary) -> Organization:
        code = credit_code(data.body)
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            org = Organization(
                kind=Organization.Kind.INTERMEDIARY,
                name=data.name,
                credit_code=code,
                licence_number=data.licence_number,
                licence_status=data.licence_status,
                address=data.address,
                phone=data.phone,
            )
            org.full_clean()
            org.save()
        return org

    def _person(self, key: str) -> Person:
        person = Person.objects.filter(user__username=key).first()
        if person is not None:
            return person
        _key, name, body, mobile = next(row for row in DEMO_PEOPLE if row[0] == key)
        number = resident_id(body)
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            person = Person(name=name, id_number=number, mobile=mobile, address="城东区")
            person.full_clean(exclude=["user"])
            person.save()
        return person

    def _received_at(self, case: DemoComplaint) -> datetime.datetime:
        now = timezone.now()
        if case.overdue:
            # Far enough back that the 5 working days to decide on acceptance have run out.
            days = 8
            while add_working_days(self.today - datetime.timedelta(days=days), 5) >= self.today:
                days += 1
            return now - datetime.timedelta(days=days)
        if case.days_ago == 0:
            return now - datetime.timedelta(hours=1)
        return now - datetime.timedelta(days=case.days_ago)

    # -- one complaint -------------------------------------------------------------------

    def make(self, case: DemoComplaint) -> Complaint:
        by_staff = case.channel in (Channel.COUNTER, Channel.PHONE)
        filed = services.complaint_file(
            market=self.market,
            channel=case.channel,
            categories=list(case.categories),
            facts=case.facts,
            conduct_on=self.today - datetime.timedelta(days=case.conduct_days_ago),
            respondent_name_given=case.respondent_name_given,
            respondent_details_given=case.respondent_details_given,
            complainant=self._person(case.complainant) if case.complainant else None,
            complainant_name=case.complainant_name,
            contact_mobile=case.contact_mobile,
            anonymous=case.anonymous,
            deposit_amount=Decimal(case.deposit[0]) if case.deposit else None,
            deposit_workers=case.deposit[1] if case.deposit else None,
            received_at=self._received_at(case),
            actor=self.officer if by_staff else Actor(user=None, role="public"),
        )
        complaint = filed.complaint
        if not case.taken:
            return self._check(complaint, case.state)
        if not by_staff:
            services.complaint_take(complaint=complaint, actor=self.officer)
        if case.respondent:
            services.respondent_link(
                complaint=complaint,
                respondent=self.intermediaries[case.respondent],
                actor=self.officer,
            )
        self._advance(complaint, case)
        return self._check(complaint, case.state)

    def _advance(self, complaint: Complaint, case: DemoComplaint) -> None:
        me, state = self.officer, case.state
        if state == S.RECEIVED:
            return
        if "supplement" in case.steps:
            services.supplement_request(
                complaint=complaint,
                items=SUPPLEMENT_ITEMS,
                due=self.today + datetime.timedelta(days=15),
                actor=me,
            )
            return
        if "not_competent" in case.steps:
            services.complaint_not_accept(
                complaint=complaint,
                reason=NotAcceptedReason.NOT_COMPETENT,
                authority="城东区市场监督管理局",
                explanation="投诉反映的是家政服务预付卡消费纠纷，不属于职业中介活动，"
                "不属于本机构职权范围，请向市场监督管理部门反映。",
                actor=me,
            )
            return
        services.complaint_accept(complaint=complaint, actor=me)
        complaint.refresh_from_db()
        if state == S.ACCEPTED:
            return
        services.investigation_start(complaint=complaint, actor=me)
        complaint.refresh_from_db()
        for hour, details in enumerate(case.interviews):
            services.interview_record(
                complaint=complaint,
                held_at=timezone.now() - datetime.timedelta(hours=3 - hour),
                place="城东区零工市场投诉调查室",
                investigators="周强、吴国华",
                actor=me,
                **details,
            )
        if case.extension:
            request = services.extension_request(
                complaint=complaint, reason=EXTENSION_REASON, actor=me
            )
            if case.extension == "approved":
                services.extension_decide(
                    request=request,
                    approve=True,
                    actor=self.supervisor,
                    note="同意延长调查期限。",
                )
            complaint.refresh_from_db()
        if "refer" in case.steps:
            services.complaint_refer(complaint=complaint, actor=me, **(case.referral or REFERRAL))
            return
        if state == S.INVESTIGATING:
            return
        decision = case.decision
        if decision.outcome == Outcome.ORDER_TO_CORRECT:
            due = self.today + datetime.timedelta(days=15)
            decision = services.Decision(**{**decision.__dict__, "correction_due": due})
        services.complaint_decide(complaint=complaint, decision=decision, actor=me)
        complaint.refresh_from_db()
        if state == S.DECIDED:
            return
        services.respondent_hear(
            complaint=complaint,
            statement=case.statement,
            waived=not case.statement,
            actor=me,
        )
        complaint.refresh_from_db()
        if state == S.RESPONDENT_HEARD:
            return
        services.complaint_close(complaint=complaint, result="", actor=me)
        complaint.refresh_from_db()
        self.record_ruling(complaint, case)

    def record_ruling(self, complaint: Complaint, case: DemoComplaint) -> None:
        if case.ruling is None or not complaint.awaits_penalty_decision():
            return
        number = case.ruling.document_number.format(year=self.today.year)
        services.penalty_decision_record(
            complaint=complaint,
            ruling=replace(case.ruling, document_number=number, decided_on=self.today),
            actor=self.supervisor,
        )

    def _check(self, complaint: Complaint, state: str) -> Complaint:
        complaint.refresh_from_db()
        if complaint.state != state:
            raise RuntimeError(
                f"demo complaint {complaint.code} ended in {complaint.state}, not {state}"
            )
        return complaint
