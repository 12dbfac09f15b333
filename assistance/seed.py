"""Demo hardship-assistance cases, made through the services the way staff make them.

``seed_assistance(market)`` opens three public-welfare posts (a regular 社区保洁员 post with
three places, a temporary 防汛巡查员 post and a rural 乡村道路养护员 post taking new hires up
to 60) and files a demo application for each demo applicant, which the demo caseworker
孙丽 ("caseworker") reviews, proposes, plans and refers, and the demo supervisor 吴国华
("supervisor") approves: so the cases reach every state of ``AssistanceCase.State`` with
real audit chains and flow tasks. The cleaning post ends up full with one person waiting;
one applicant has a disability certificate and a 低保 family (sensitive data).

Two things cannot happen on the day the demo is made, and are dated back with an UPDATE
(as agreements.seed does for a lapsed signing deadline): the public notice that must be
over before a supervisor certifies, and, for a few cases, the day of certification, so
that a placement can have started months ago and one certification can have lapsed.

``manage.py seed_demo`` calls ``seed_demo``; each demo applicant is known by the ID
number, so running it again adds nothing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assistance import services
from assistance.models import AssistanceCase, ExitReason, PlanItem, Post
from assistance.retirement import add_months
from casework.core.audit import Actor
from casework.core.calendar import add_working_days
from casework.core.demo import resident_id
from casework.core.models import Market
from casework.core.roles import roles_of
from casework.parties.models import Organization, Person

S = AssistanceCase.State
DEMO_EMPLOYER_USCC = "91330102MA2H00010J"  # 城东顺达搬家服务有限公司 (manage.py seed_demo)

# -- posts and their employers -------------------------------------------------------------

EMPLOYERS = {
    "street": {
        "name": "城东区人民政府城东街道办事处",
        "credit_code": "11330102002481013L",
        "address": "城东区人民路120号",
        "phone": "0571-88881201",
    },
    "water": {
        "name": "城东区水利水电管理服务中心",
        "credit_code": "12330102470052369F",
        "address": "城东区江滨路6号",
        "phone": "0571-88881302",
    },
    "township": {
        "name": "城东区三河镇人民政府",
        "credit_code": "113301020024830511",
        "address": "城东区三河镇中心街1号",
        "phone": "0571-88881403",
    },
}


@dataclass(frozen=True)
class DemoPost:
    title: str  # unique in the market: how a second run finds it
    employer: str
    kind: str
    places: int
    subsidy: str
    place: str
    age_limit: int | None = None


CLEANER, FLOOD, ROAD = "社区保洁员", "防汛巡查员", "乡村道路养护员"

DEMO_POSTS = [
    DemoPost(CLEANER, "street", Post.Kind.REGULAR, 3, "2030.00", "城东街道幸福里社区、新华社区"),
    DemoPost(FLOOD, "water", Post.Kind.TEMPORARY, 6, "1950.00", "城东区沿江堤防及三河闸站"),
    DemoPost(ROAD, "township", Post.Kind.RURAL, 4, "1800.00", "三河镇辖区农村公路", 60),
]

# -- applicants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoApplicant:
    state: str
    name: str
    body: str  # the first 17 ID digits (330122 = 桐庐县; the 17th is odd for men)
    mobile: str
    facts: dict = field(default_factory=dict)
    sensitive: dict = field(default_factory=dict)
    unemployed_days: int | None = None  # registered unemployed this many days ago
    certified_days_ago: int = 0
    plan: tuple[tuple[str, str, int, bool], ...] = ()  # (kind, what, due in days, done)
    post: str = ""  # the post referred to
    employer_job: str = ""  # a market job referred to (point-to-point matching)
    started_days_ago: int = 0
    exit_reason: str = ""
    reason: str = ""  # for declining or withdrawing


GUIDE = (PlanItem.Kind.GUIDANCE, "职业指导面谈，了解就业意愿和身体状况", -20, True)
POST_ITEM = (PlanItem.Kind.POST_REFERRAL, "推荐公益性岗位", 10, False)

DEMO_APPLICANTS = [
    DemoApplicant(S.APPLIED, "韩秀珍", "33012219830418002", "13700000101", unemployed_days=240),
    DemoApplicant(
        S.UNDER_REVIEW, "钱国强", "33012219720903001", "13700000102", unemployed_days=450
    ),
    DemoApplicant(
        S.ON_NOTICE,
        "杨丽华",
        "33012219840211004",
        "13700000103",
        facts={"zero_employment_family": True},
    ),
    DemoApplicant(
        S.CERTIFIED,
        "赵卫东",
        "33012219701127003",
        "13700000104",
        facts={"land_requisitioned": True},
        certified_days_ago=2,
    ),
    DemoApplicant(
        S.DECLINED,
        "孙浩",
        "33012219940709005",
        "13700000105",
        unemployed_days=150,
        reason="申请人未满认定年龄，失业登记不满一年，无其他认定情形，不予认定；"
        "可继续享受公共就业服务。",
    ),
    DemoApplicant(
        S.PLAN_ACTIVE,
        "周玉兰",
        "33012219810506002",
        "13700000106",
        sensitive={
            "disability_certificate": True,
            "disability_certificate_no": "",  # filled in with her ID number below
            "disability_level": "肢体残疾四级",
            "dibao_family": True,
            "dibao_reference": "城民低保字〔2025〕第0137号",
        },
        unemployed_days=420,
        certified_days_ago=30,
        plan=(
            GUIDE,
            (PlanItem.Kind.TRAINING, "参加家政服务员（初级）培训", -3, False),
            (PlanItem.Kind.MATCHING, "对接社区居家养老服务站助餐岗位", 12, False),
        ),
    ),
    DemoApplicant(
        S.REFERRED,
        "何建平",
        "33012219720315001",
        "13700000107",
        unemployed_days=380,
        certified_days_ago=20,
        plan=(GUIDE, POST_ITEM),
        post=CLEANER,
    ),
    DemoApplicant(
        S.PLACEMENT_PROPOSED,
        "罗桂英",
        "33012219821021006",
        "13700000108",
        unemployed_days=500,
        certified_days_ago=25,
        plan=(GUIDE, POST_ITEM),
        post=CLEANER,
    ),
    DemoApplicant(
        S.IN_POST,
        "郭淑华",
        "33012219800830008",
        "13700000109",
        facts={"single_parent_of_minors": True},
        certified_days_ago=90,
        plan=(GUIDE, POST_ITEM),
        post=CLEANER,
        started_days_ago=60,
    ),
    # The cleaning post is full now: the next one waits.
    DemoApplicant(
        S.REFERRED,
        "高明",
        "33012219711202005",
        "13700000110",
        unemployed_days=400,
        certified_days_ago=10,
        plan=(GUIDE, POST_ITEM),
        post=CLEANER,
    ),
    DemoApplicant(
        S.PLACED,
        "林长春",
        "33012219700408003",
        "13700000111",
        facts={"land_requisitioned": True},
        certified_days_ago=15,
        plan=(GUIDE, POST_ITEM),
        post=ROAD,
    ),
    # A temporary post that ends within the exit-planning window.
    DemoApplicant(
        S.IN_POST,
        "唐德明",
        "33012219711011007",
        "13700000112",
        unemployed_days=600,
        certified_days_ago=170,
        plan=(GUIDE, POST_ITEM),
        post=FLOOD,
        started_days_ago=150,
    ),
    DemoApplicant(
        S.EXITED,
        "曹红梅",
        "33012219811219004",
        "13700000113",
        facts={"zero_employment_family": True},
        certified_days_ago=120,
        plan=(GUIDE, POST_ITEM),
        post=FLOOD,
        started_days_ago=100,
        exit_reason=ExitReason.RESIGNED,
    ),
    DemoApplicant(
        S.CLOSED,
        "许志刚",
        "33012219730525009",
        "13700000114",
        unemployed_days=390,
        certified_days_ago=45,
        plan=(GUIDE, (PlanItem.Kind.MATCHING, "推荐到顺达公司仓库理货岗位", 5, False)),
        employer_job="仓库理货员",
    ),
    DemoApplicant(
        S.WITHDRAWN,
        "邓小红",
        "33012219830808006",
        "13700000115",
        unemployed_days=370,
        certified_days_ago=60,
        plan=(GUIDE,),
        reason="经核查，申请人已在外地企业稳定就业并参加社会保险，撤销就业困难人员认定。",
    ),
    DemoApplicant(
        S.EXPIRED,
        "冯建华",
        "33012219710130007",
        "13700000116",
        facts={"land_requisitioned": True},
        certified_days_ago=740,  # more than the default set's 24 months
        plan=(GUIDE,),
    ),
]


def seed_demo(market: Market) -> None:
    """Called by ``manage.py seed_demo`` for every app that has a seed module."""
    seed_assistance(market)


def seed_assistance(market: Market) -> list[AssistanceCase]:
    """Create the demo posts and the demo cases that are missing; return the cases created."""
    demo = _Demo(market)
    created = []
    for applicant in DEMO_APPLICANTS:
        person = demo.person(applicant)
        if person.assistance_cases.filter(market=market).exists():
            continue
        with transaction.atomic():
            created.append(demo.make(person, applicant))
    return created


def _actor(user: User) -> Actor:
    return Actor(user=user, role=",".join(roles_of(user)))


class _Demo:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.caseworker = _actor(User.objects.get(username="caseworker"))
        self.supervisor = _actor(User.objects.get(username="supervisor"))
        self.today = timezone.localdate()
        self.posts = {post.title: self._post(post) for post in DEMO_POSTS}

    # -- parties and posts -------------------------------------------------------------

    def _organization(self, data: dict) -> Organization:
        org = Organization.objects.filter(credit_code=data["credit_code"]).first()
        if org is None:
            org = Organization(kind=Organization.Kind.EMPLOYER, **data)
            org.full_clean()
            org.save()
        return org

    def _post(self, demo: DemoPost) -> Post:
        post = Post.objects.filter(market=self.market, title=demo.title).first()
        if post is None:
            post = Post(
                market=self.market,
                employer=self._organization(EMPLOYERS[demo.employer]),
                title=demo.title,
                place=demo.place,
                kind=demo.kind,
                places=demo.places,
                monthly_subsidy=Decimal(demo.subsidy),
                age_limit=demo.age_limit,
            )
            post.full_clean()
            post.save()
        return post

    def person(self, applicant: DemoApplicant) -> Person:
        number = resident_id(applicant.body)
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            person = Person(
                name=applicant.name,
                id_number=number,
                mobile=applicant.mobile,
                address="城东区",
            )
            person.full_clean(exclude=["user"])
            person.save()
        return person

    # -- one case ----------------------------------------------------------------------

    def make(self, person: Person, applicant: DemoApplicant) -> AssistanceCase:
        cw, sup, state = self.caseworker, self.supervisor, applicant.state
        facts = dict(applicant.facts)
        if applicant.unemployed_days is not None:
            facts["unemployment_registered_on"] = self.today - datetime.timedelta(
                days=applicant.unemployed_days
            )
        sensitive = dict(applicant.sensitive)
        if sensitive.get("disability_certificate"):
            # 残疾人证号: the ID number and two digits (kind 4 肢体, level 4).
            sensitive["disability_certificate_no"] = f"{person.id_number}44"
        days_ago = applicant.certified_days_ago
        # Certified cases applied a month before certification; the others lately.
        applied_days_ago = days_ago + 30 if days_ago else (0 if state == S.APPLIED else 3)
        case = services.case_apply(
            market=self.market,
            person=person,
            actor=cw,
            applied_on=self.today - datetime.timedelta(days=applied_days_ago),
            facts=facts,
            sensitive=sensitive,
        )
        if state == S.APPLIED:
            return self._check(case, state)
        services.review_start(case=case, actor=cw)
        if state in (S.UNDER_REVIEW, S.DECLINED):
            if state == S.DECLINED:
                services.case_decline(case=case, actor=cw, reason=applicant.reason)
            return self._check(case, state)
        services.certification_propose(case=case, actor=cw)
        if state == S.ON_NOTICE:
            return self._check(case, state)
        self._certify(case, days_ago)
        for kind, what, due_in, done in applicant.plan:
            due = self.today + datetime.timedelta(days=due_in)
            item = services.plan_item_add(
                case=case, kind=kind, description=what, due_on=due, actor=cw
            )
            if done:
                services.plan_item_done(item=item, actor=cw, note="已完成")
        if state == S.WITHDRAWN:
            services.plan_start(case=case, actor=cw)
            services.certification_withdraw(case=case, actor=sup, reason=applicant.reason)
            return self._check(case, state)
        if state == S.EXPIRED:
            # Certified more than 24 months ago (dated back in _certify): it has lapsed,
            # and the beat task's service expires it.
            services.plan_start(case=case, actor=cw)
            services.expire_certifications()
            return self._check(case, state)
        if state == S.CERTIFIED:
            return self._check(case, state)
        services.plan_start(case=case, actor=cw)
        if applicant.employer_job:
            self._matched(case, applicant)
        elif applicant.post:
            self._placed(case, applicant)
        return self._check(case, state)

    def _certify(self, case: AssistanceCase, days_ago: int) -> None:
        """The supervisor certifies once the public notice is over.

        certification_propose starts the notice today and certification_approve refuses
        until it is over. The demo case was proposed about ``days_ago`` + 14 days ago: its
        notice is dated back to run from then and end before the day of certification
        (UPDATE), the supervisor approves, and the day of
        certification and the expiry it sets are dated back by ``days_ago`` days.
        """
        case.refresh_from_db()
        certified = self.today - datetime.timedelta(days=days_ago)
        rule_set = case.rule_set
        starts = certified - datetime.timedelta(days=14)
        ends = add_working_days(starts, rule_set.notice_working_days)
        while ends >= certified:  # holidays on the way: start the notice earlier
            starts -= datetime.timedelta(days=1)
            ends = add_working_days(starts, rule_set.notice_working_days)
        AssistanceCase.objects.filter(pk=case.pk).update(notice_starts=starts, notice_ends=ends)
        case.refresh_from_db()
        services.certification_approve(case=case, actor=self.supervisor)
        if days_ago:
            AssistanceCase.objects.filter(pk=case.pk).update(
                certified_on=certified,
                certification_expires=add_months(certified, rule_set.certification_months),
            )
        case.refresh_from_db()

    def _matched(self, case: AssistanceCase, applicant: DemoApplicant) -> None:
        employer = Organization.objects.get(credit_code=DEMO_EMPLOYER_USCC)
        referral = services.referral_to_employer(
            case=case, employer=employer, job_title=applicant.employer_job, actor=self.caseworker
        )
        services.referral_outcome(
            referral=referral, hired=True, actor=self.caseworker, note="签订一年期劳动合同"
        )

    def _placed(self, case: AssistanceCase, applicant: DemoApplicant) -> None:
        cw, state = self.caseworker, applicant.state
        referral = services.referral_to_post(case=case, post=self.posts[applicant.post], actor=cw)
        if state == S.REFERRED:
            return
        services.placement_propose(referral=referral, actor=cw)
        if state == S.PLACEMENT_PROPOSED:
            return
        placement = services.placement_approve(case=case, actor=self.supervisor)
        if state == S.PLACED:
            return
        started = self.today - datetime.timedelta(days=applicant.started_days_ago)
        placement = services.placement_start(
            placement=placement, starts_on=started, subsidy_approved_on=started, actor=cw
        )
        if state == S.EXITED:
            services.placement_end(
                placement=placement,
                reason=applicant.exit_reason,
                ended_on=self.today - datetime.timedelta(days=3),
                actor=cw,
            )

    def _check(self, case: AssistanceCase, state: str) -> AssistanceCase:
        case.refresh_from_db()
        if case.state != state:
            raise RuntimeError(
                f"demo assistance case {case.code} ended in {case.state}, not {state}"
            )
        return case
