"""The documents of hardship assistance (docs/domain.md, "Hardship assistance"; docs/workflows.md).

==============================  ==================================  ==========================
kind                            document                            issued by
==============================  ==================================  ==========================
assistance_application          就业困难人员认定申请审核表            publish_notice
assistance_notice               就业困难人员认定公示                  publish_notice
assistance_decision             就业困难人员认定决定书                certify
assistance_decline_notice       不予认定告知书                        decline
assistance_plan                 就业援助计划                          start_plan
assistance_referral_letter      推荐介绍信                            services (a place reserved)
assistance_placement_notice     公益性岗位上岗通知书                  approve_placement
assistance_exit_notice          公益性岗位退岗通知书                  exit_post
==============================  ==================================  ==========================

Each context is a snapshot in Chinese, whatever the UI language: dates written
the Chinese way and Chinese labels for every choice.

**Personal data** (个人信息保护法 Art. 6, 28; docs/domain.md, "Personal data"),
document by document:

* ID numbers are masked everywhere except on the **application and review
  form**: it is the record the certifying authority files and checks the
  applicant's identity and registrations against (unemployment registration,
  civil-affairs and disabled persons' federation records), so it carries the
  full ID number, mobile number and address. Every other document goes to the
  person, the public or an employer, who need no more than the masked number.
* Disability and 低保 status are sensitive. Category *names* appear only on the
  application form (internal, for caseworkers and the approving supervisor) and
  on the decision (addressed to the person). No document carries a disability
  certificate number, the kind and level of disability or a 低保 reference:
  those stay in ``SensitiveFacts``.
* The **public notice** shows the full name (local practice: the public must
  know whom to object to), the market and the notice period, never a category,
  an ID number or anything else about the person.
* The **referral letter** goes to the post's employer and carries only what the
  employer needs to receive the person: name, masked ID and mobile numbers, the
  post and the market's contact. It states that the person meets the conditions
  for a public-welfare post, not why.
* The plan, placement and exit notices name no category either.

The application form and the decision do contain sensitive category names:
whoever may open them must be allowed to see disability and 低保 status, so
they need ``assistance.view_sensitive`` as well as the case (and each download is
logged, as every document download is).
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assistance.models import (
    AssistanceCase,
    ExitReason,
    Placement,
    PlanItem,
    Post,
    Referral,
    Tier,
)
from assistance.privacy import SENSITIVE_PERMISSION
from assistance.rules import evaluate
from assistance.services import facts_of, placement_term, placements_used
from casework.documents.formatting import SEX_ZH, staff_name, yuan, zh_date
from casework.documents.models import Document
from casework.documents.registry import DocumentKind, on_transition, register
from casework.parties.identifiers import mask_id, mask_phone
from casework.parties.models import Organization, Person

APPLICATION_KIND = "assistance_application"
NOTICE_KIND = "assistance_notice"
DECISION_KIND = "assistance_decision"
DECLINE_KIND = "assistance_decline_notice"
PLAN_KIND = "assistance_plan"
REFERRAL_LETTER_KIND = "assistance_referral_letter"
PLACEMENT_KIND = "assistance_placement_notice"
EXIT_KIND = "assistance_exit_notice"

# -- Chinese labels (the documents' own terms, whatever the UI language) ----------

TIER_ZH = {
    Tier.A: "A级（重点援助）",
    Tier.B: "B级（常规援助）",
    Tier.C: "C级（一般服务）",
}

PLAN_KIND_ZH = {
    PlanItem.Kind.GUIDANCE: "职业指导",
    PlanItem.Kind.TRAINING: "职业技能培训",
    PlanItem.Kind.MATCHING: "点对点岗位对接",
    PlanItem.Kind.POST_REFERRAL: "公益性岗位推荐",
    PlanItem.Kind.OTHER: "其他",
}

PLAN_STATUS_ZH = {
    PlanItem.Status.OPEN: "待完成",
    PlanItem.Status.DONE: "已完成",
    PlanItem.Status.CANCELLED: "已取消",
}

POST_KIND_ZH = {
    Post.Kind.REGULAR: "一般公益性岗位",
    Post.Kind.TEMPORARY: "临时性公益性岗位",
    Post.Kind.RURAL: "乡村公益性岗位",
}

EXIT_REASON_ZH = {
    ExitReason.TERM_ENDED: "岗位期限届满",
    ExitReason.MARKET_JOB: "实现市场化就业",
    ExitReason.RESIGNED: "本人申请退岗",
    ExitReason.DISMISSED: "用人单位依法解除",
}


# -- the parts every document shares ------------------------------------------------


def market_details(case: AssistanceCase) -> dict:
    market = case.market
    return {"name": market.name, "hotline": market.hotline, "address": market.address}


def person_masked(person: Person) -> dict:
    """Name and masked numbers: what a notice to the person or an employer needs."""
    return {
        "name": person.name,
        "id_number": mask_id(person.id_number),
        "mobile": mask_phone(person.mobile),
    }


def person_full(person: Person) -> dict:
    """The applicant's full identity, for the authority's application and review form."""
    return {
        "name": person.name,
        "sex": SEX_ZH.get(person.sex, ""),
        "birth_date": zh_date(person.birth_date),
        "id_number": person.id_number,
        "mobile": person.mobile,
        "address": person.address,
    }


def employer_details(org: Organization) -> dict:
    return {"name": org.name, "address": org.address, "phone": org.phone}


def post_details(post: Post) -> dict:
    return {
        "title": post.title,
        "kind": POST_KIND_ZH.get(post.kind, post.kind),
        "temporary": post.kind == Post.Kind.TEMPORARY,
        "place": post.place,
        "employer": employer_details(post.employer),
        "monthly_subsidy": yuan(post.monthly_subsidy),
    }


def case_details(case: AssistanceCase) -> dict:
    """What every assistance document names: the case, the market, the caseworker."""
    return {
        "code": case.code,
        "applied_on": zh_date(case.applied_on),
        "market": market_details(case),
        "caseworker": staff_name(case.owner),
    }


def tier_details(case: AssistanceCase) -> dict:
    return {
        "tier": TIER_ZH.get(case.tier, case.tier),
        "computed": TIER_ZH.get(case.tier_computed, case.tier_computed),
        "reason": case.tier_reason,
    }


def rule_set_details(case: AssistanceCase) -> dict:
    rule_set = case.rule_set
    return {"name": rule_set.name, "version": rule_set.version, "region": rule_set.region}


def _local_day(moment: datetime.datetime | None) -> str:
    return zh_date(timezone.localdate(moment)) if moment else ""


def proposed_categories(case: AssistanceCase, *, with_reasons: bool) -> list[dict]:
    """The proposed categories in the rule set's order, by name (codes are internal).

    ``with_reasons`` adds the engine's reason, evaluated on the day of the
    proposal, and the evidence each category needs. Neither ever includes a
    certificate number: a fact category's reason is the fact's label.
    """
    codes = set(case.proposed_categories)
    categories = [c for c in case.rule_set.categories.all() if c.code in codes]
    if not with_reasons:
        return [{"name": c.name} for c in categories]
    on = case.notice_starts or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        reasons = {m.code: m.reason for m in evaluate(case.rule_set, facts_of(case), on)}
    return [
        {
            "name": c.name,
            "reason": reasons.get(c.code, ""),
            "evidence": [line.strip() for line in c.evidence.splitlines() if line.strip()],
        }
        for c in categories
    ]


def notice_details(case: AssistanceCase) -> dict:
    return {
        "starts": zh_date(case.notice_starts),
        "ends": zh_date(case.notice_ends),
        "working_days": case.rule_set.notice_working_days,
    }


def term_limits() -> dict:
    """The configurable placement limits (settings; docs/domain.md, "Hardship assistance")."""
    return {
        "years": settings.ASSISTANCE_TERM_YEARS,
        "near_retirement_years": settings.ASSISTANCE_NEAR_RETIREMENT_YEARS,
        "temporary_months": settings.ASSISTANCE_TEMPORARY_MONTHS,
        "max_placements": settings.ASSISTANCE_MAX_PLACEMENTS,
    }


# -- the context of each document ---------------------------------------------------


def application_context(case: AssistanceCase) -> dict:
    """就业困难人员认定申请审核表: the application and the caseworker's first review."""
    return {
        "case": case_details(case),
        "person": person_full(case.person),
        "rule_set": rule_set_details(case),
        "unemployment_registered_on": zh_date(case.unemployment_registered_on),
        "other_reason": case.other_reason,
        "categories": proposed_categories(case, with_reasons=True),
        "tier": tier_details(case),
        "notice": notice_details(case),
        "proposer": staff_name(case.proposed_by),
        "proposed_on": _local_day(case.proposed_at),
        "issued_on": zh_date(timezone.localdate()),
    }


def notice_context(case: AssistanceCase) -> dict:
    """就业困难人员认定公示: the name and the notice period, nothing else about the person."""
    return {
        "case": {"code": case.code, "market": market_details(case)},
        "name": case.person.name,
        "notice": notice_details(case),
        "issued_on": zh_date(case.notice_starts or timezone.localdate()),
    }


def decision_context(case: AssistanceCase) -> dict:
    """就业困难人员认定决定书, to the person: the categories by name, the term and the level."""
    return {
        "case": case_details(case),
        "person": person_masked(case.person),
        "rule_set": rule_set_details(case),
        "categories": proposed_categories(case, with_reasons=False),
        "tier": tier_details(case),
        "notice": notice_details(case),
        "certified_on": zh_date(case.certified_on),
        "expires": zh_date(case.certification_expires),
        "approver": staff_name(case.approved_by),
        "issued_on": zh_date(case.certified_on or timezone.localdate()),
    }


def decline_context(case: AssistanceCase) -> dict:
    """不予认定告知书: the reason and how to ask for a review."""
    return {
        "case": case_details(case),
        "person": person_masked(case.person),
        "reason": case.decision_reason,
        "decided_on": _local_day(case.ended_at) or zh_date(timezone.localdate()),
        "issued_on": zh_date(timezone.localdate()),
    }


def plan_context(case: AssistanceCase) -> dict:
    """就业援助计划: the items with their due dates."""
    items = [
        {
            "kind": PLAN_KIND_ZH.get(item.kind, item.kind),
            "description": item.description,
            "due_on": zh_date(item.due_on),
            "status": PLAN_STATUS_ZH.get(item.status, item.status),
            "done_on": zh_date(item.done_on),
        }
        for item in case.plan_items.exclude(status=PlanItem.Status.CANCELLED)
    ]
    return {
        "case": case_details(case),
        "person": person_masked(case.person),
        "tier": tier_details(case),
        "expires": zh_date(case.certification_expires),
        "items": items,
        "issued_on": zh_date(timezone.localdate()),
    }


def letter_referral(case: AssistanceCase) -> Referral | None:
    """The post referral a new letter is for: the newest one holding a place with no letter yet.

    The letter is issued when a referral reserves a place, directly or from the
    waiting list. A person may hold places in more than one post; a referral
    that moves up the list may be older than another one already lettered.
    """
    reserved = list(
        case.referrals.filter(kind=Referral.Kind.POST, status=Referral.Status.RESERVED)
        .select_related("post__employer")
        .order_by("-referred_at", "-pk")
    )
    lettered = {
        doc.context.get("referral_id")
        for doc in Document.objects.for_subject(case).filter(kind=REFERRAL_LETTER_KIND)
    }
    fresh = [referral for referral in reserved if referral.pk not in lettered]
    return (fresh or reserved or [None])[0]


def referral_letter_context(case: AssistanceCase) -> dict:
    """推荐介绍信 to the post's employer: only what the employer needs (no category details)."""
    referral = letter_referral(case)
    if referral is None:
        raise ValueError(f"{case.code} holds no place in a public-welfare post")
    return {
        "referral_id": referral.pk,
        "case": {"code": case.code, "market": market_details(case)},
        "caseworker": staff_name(case.owner),
        "person": person_masked(case.person),
        "post": post_details(referral.post),
        "referred_on": _local_day(referral.referred_at),
        "issued_on": zh_date(timezone.localdate()),
    }


def _placement(case: AssistanceCase, *statuses: str) -> Placement:
    placement = (
        case.placements.filter(status__in=statuses)
        .select_related("post__employer")
        .order_by("-proposed_at", "-pk")
        .first()
    )
    if placement is None:
        raise ValueError(f"{case.code} has no placement in {statuses}")
    return placement


def placement_notice_context(case: AssistanceCase) -> dict:
    """上岗通知书: the post, the subsidy and the term rules (the term runs from the start)."""
    # approve_placement runs before the placement row is marked approved.
    placement = _placement(case, Placement.Status.PROPOSED, Placement.Status.APPROVED)
    return {
        "case": case_details(case),
        "person": person_masked(case.person),
        "post": post_details(placement.post),
        "limits": term_limits(),
        "placements_before": placements_used(case.person),
        "approved_on": zh_date(timezone.localdate()),
        "issued_on": zh_date(timezone.localdate()),
    }


def _term_rule_zh(case: AssistanceCase, placement: Placement) -> str:
    """The term rule in Chinese; the stored text is in the language of whoever started it."""
    first = (
        Placement.objects.filter(case__person=case.person, subsidy_approved_on__isnull=False)
        .order_by("subsidy_approved_on")
        .values_list("subsidy_approved_on", flat=True)
        .first()
    )
    if placement.starts_on is None or first is None:
        return placement.term_rule
    with translation.override(settings.LANGUAGE_CODE):
        term = placement_term(
            person_birth=case.person.birth_date,
            group=case.retirement_group,
            post_kind=placement.post.kind,
            starts_on=placement.starts_on,
            subsidy_approved_on=first,
        )
        # Settings changed since the start: the stored rule is the one that was applied.
        return str(term.rule) if term.ends_on == placement.term_ends_on else placement.term_rule


def exit_notice_context(case: AssistanceCase) -> dict:
    """退岗通知书: the reason, the date and the term served."""
    placement = (
        case.placements.filter(status=Placement.Status.ENDED)
        .select_related("post__employer")
        .order_by("-ended_on", "-pk")
        .first()
    )
    if placement is None:
        raise ValueError(f"{case.code} has no ended placement")
    return {
        "case": case_details(case),
        "person": person_masked(case.person),
        "post": post_details(placement.post),
        "starts_on": zh_date(placement.starts_on),
        "term_ends_on": zh_date(placement.term_ends_on),
        "term_rule": _term_rule_zh(case, placement),
        "ended_on": zh_date(placement.ended_on),
        "reason": EXIT_REASON_ZH.get(placement.exit_reason, placement.exit_reason),
        "early": bool(
            placement.term_ends_on
            and placement.ended_on
            and placement.ended_on < placement.term_ends_on
        ),
        "expires": zh_date(case.certification_expires),
        "placements_used": placements_used(case.person),
        "limits": term_limits(),
        "issued_on": zh_date(timezone.localdate()),
    }


# -- registration -------------------------------------------------------------------

KINDS = [
    DocumentKind(
        slug=APPLICATION_KIND,
        title=_("Hardship worker certification application and review form"),
        template="pdf/assistance/application.html",
        context=application_context,
        permission=SENSITIVE_PERMISSION,
    ),
    DocumentKind(
        slug=NOTICE_KIND,
        title=_("Public notice of hardship worker certification"),
        template="pdf/assistance/notice.html",
        context=notice_context,
    ),
    DocumentKind(
        slug=DECISION_KIND,
        title=_("Hardship worker certification decision"),
        template="pdf/assistance/decision.html",
        context=decision_context,
        permission=SENSITIVE_PERMISSION,
    ),
    DocumentKind(
        slug=DECLINE_KIND,
        title=_("Notice of non-certification as a hardship worker"),
        template="pdf/assistance/decline_notice.html",
        context=decline_context,
    ),
    DocumentKind(
        slug=PLAN_KIND,
        title=_("Employment assistance plan"),
        template="pdf/assistance/plan.html",
        context=plan_context,
    ),
    DocumentKind(
        slug=REFERRAL_LETTER_KIND,
        title=_("Referral letter"),
        template="pdf/assistance/referral_letter.html",
        context=referral_letter_context,
    ),
    DocumentKind(
        slug=PLACEMENT_KIND,
        title=_("Public-welfare post placement notice"),
        template="pdf/assistance/placement_notice.html",
        context=placement_notice_context,
    ),
    DocumentKind(
        slug=EXIT_KIND,
        title=_("Public-welfare post exit notice"),
        template="pdf/assistance/exit_notice.html",
        context=exit_notice_context,
    ),
]

for _kind in KINDS:
    register(_kind)

on_transition(AssistanceCase, "publish_notice", APPLICATION_KIND, NOTICE_KIND)
on_transition(AssistanceCase, "certify", DECISION_KIND)
on_transition(AssistanceCase, "decline", DECLINE_KIND)
on_transition(AssistanceCase, "start_plan", PLAN_KIND)
on_transition(AssistanceCase, "approve_placement", PLACEMENT_KIND)
on_transition(AssistanceCase, "exit_post", EXIT_KIND)
# assistance_referral_letter is issued by services.referral_to_post() and by
# services._promote_waitlist(), when a post referral gets a place.
