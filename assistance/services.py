"""Operations on assistance cases (DESIGN.md §2): keyword-only, each in one transaction.

State changes go through ``flows.run_step()``. Two rules are enforced here as
well as by the transitions' permissions:

- **Two-person rule**: a caseworker proposes a certification or a placement;
  a supervisor who is not the proposer approves it.
- **Places**: a post referral reserves one of the post's places under a row
  lock on the post, so concurrent referrals never hold more places than the
  post has; the others wait on the post's list and move up, in order, when a
  place is released.

Audit notes never carry disability or 低保 details: the audit trail is shown to
roles that may not see them.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance import flows
from assistance.models import (
    AssistanceCase,
    ExitReason,
    Outcome,
    Placement,
    PlanItem,
    Post,
    Referral,
    RuleSet,
    SensitiveFacts,
    Tier,
)
from assistance.retirement import add_months, default_group, retirement_date
from assistance.rules import Facts, Match, evaluate, service_tier
from casework.core.audit import Actor, record_event
from casework.core.calendar import add_working_days
from casework.core.models import Market
from casework.documents.services import document_issue
from casework.parties.models import Organization, Person

S = AssistanceCase.State

# Follow-up visits (回访) to people in post are audit rows with this action; the
# caseworkers' queue lists people whose last visit is older than FOLLOW_UP_DAYS.
FOLLOW_UP = "follow_up"
FOLLOW_UP_DAYS = 30

# The referral letter to a post's employer (assistance/documents.py), issued with a place.
REFERRAL_LETTER = "assistance_referral_letter"

# The declared facts a case stores on itself; the sensitive ones go to SensitiveFacts.
CASE_FACTS = (
    "zero_employment_family",
    "land_requisitioned",
    "single_parent_of_minors",
    "unemployment_registered_on",
    "other_reason",
)
SENSITIVE_FIELDS = (
    "disability_certificate",
    "disability_certificate_no",
    "disability_level",
    "dibao_family",
    "dibao_reference",
)


def _lock(case: AssistanceCase) -> AssistanceCase:
    return AssistanceCase.objects.select_for_update().get(pk=case.pk)


# -- application and certification ---------------------------------------------------------


@transaction.atomic
def case_apply(
    *,
    market: Market,
    person: Person,
    actor: Actor,
    applied_on: datetime.date | None = None,
    facts: dict | None = None,
    sensitive: dict | None = None,
    retirement_group: str = "",
) -> AssistanceCase:
    """Record an application for certification; it waits in the caseworkers' queue.

    ``person`` may be new to the registry (an unsaved, validated instance): it is
    saved here, so a refused application leaves nobody registered.
    """
    rule_set = RuleSet.active()
    if rule_set is None:
        raise ValidationError(_("No eligibility rule set is active: a supervisor must choose one."))
    facts, sensitive = facts or {}, sensitive or {}
    _only(facts, CASE_FACTS)
    _only(sensitive, SENSITIVE_FIELDS)
    if person.pk is None:
        person.save()
    elif person.assistance_cases.exclude(state__in=AssistanceCase.FINAL_STATES).exists():
        raise ValidationError(_("This person already has an open assistance case."))
    applied_on = applied_on or timezone.localdate()
    case = AssistanceCase(
        market=market,
        person=person,
        rule_set=rule_set,
        applied_on=applied_on,
        retirement_group=retirement_group or default_group(person),
        review_due=add_working_days(applied_on, rule_set.review_working_days),
        **facts,
    )
    case.full_clean(exclude=["code", "process", "state"])
    case.save()
    SensitiveFacts.objects.create(case=case, **sensitive)
    flows.start(case)
    record_event(case, actor=actor, action="applied", to_state=case.state)
    return case


def _only(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")


@transaction.atomic
def review_start(*, case: AssistanceCase, actor: Actor) -> AssistanceCase:
    """A caseworker takes the application from the queue and reviews it (首问负责)."""
    case = _lock(case)
    if case.owner_id and case.owner_id != actor.user.pk:
        raise ValidationError(_("Another caseworker is reviewing this application."))
    case.owner = actor.user
    flows.run_step(case, "start_review", actor=actor)
    return case


def facts_of(case: AssistanceCase) -> Facts:
    """What the rule engine needs: the person, the declared facts and the sensitive ones."""
    sensitive = getattr(case, "sensitive", None)
    return Facts(
        birth_date=case.person.birth_date,
        sex=case.person.sex,
        retirement_group=case.retirement_group,
        disability_certificate=bool(sensitive and sensitive.disability_certificate),
        dibao_family=bool(sensitive and sensitive.dibao_family),
        zero_employment_family=case.zero_employment_family,
        land_requisitioned=case.land_requisitioned,
        single_parent_of_minors=case.single_parent_of_minors,
        unemployment_registered_on=case.unemployment_registered_on,
        other_reason=case.other_reason,
    )


@dataclass(frozen=True)
class Evaluation:
    matches: list[Match]
    tier: str


def case_evaluate(case: AssistanceCase, on: datetime.date | None = None) -> Evaluation:
    on = on or timezone.localdate()
    facts = facts_of(case)
    matches = evaluate(case.rule_set, facts, on)
    return Evaluation(matches, service_tier(case.rule_set, matches, facts, on))


def require_owner(case: AssistanceCase, actor: Actor) -> None:
    if actor.user is not None and case.owner_id not in (None, actor.user.pk):
        raise PermissionDenied(_("Another caseworker handles this case."))


@transaction.atomic
def certification_propose(
    *, case: AssistanceCase, actor: Actor, tier: str = "", tier_reason: str = ""
) -> AssistanceCase:
    """Propose certification on the categories the rules match, and start the public notice."""
    case = _lock(case)
    require_owner(case, actor)
    evaluation = case_evaluate(case)
    if not evaluation.matches:
        raise ValidationError(_("The applicant meets no category of the rule set."))
    case.proposed_categories = [m.code for m in evaluation.matches]
    case.tier_computed = evaluation.tier
    case.tier, case.tier_reason = _chosen_tier(evaluation.tier, tier, tier_reason)
    case.proposed_by, case.proposed_at = actor.user, timezone.now()
    today = timezone.localdate()
    case.notice_starts = today
    case.notice_ends = add_working_days(today, case.rule_set.notice_working_days)
    # Audit notes are part of the hash chain and read by roles without the sensitive
    # details: the number of categories only, in the same words for every reader.
    note = f"符合{len(evaluation.matches)}个认定类别，服务等级{case.tier}"
    flows.run_step(case, "publish_notice", actor=actor, note=note)
    return case


def _chosen_tier(computed: str, chosen: str, reason: str) -> tuple[str, str]:
    if not chosen or chosen == computed:
        return computed, ""
    if chosen not in Tier.values:
        raise ValidationError(_("Choose level A, B or C."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for a level other than the rules give."))
    return chosen, reason.strip()


def _require_second_person(proposer_id: int | None, actor: Actor) -> None:
    if actor.user is None or actor.user.pk == proposer_id:
        raise PermissionDenied(_("A proposal must be approved by someone other than its proposer."))


@transaction.atomic
def certification_approve(*, case: AssistanceCase, actor: Actor) -> AssistanceCase:
    """A supervisor (not the proposer) certifies after the public notice ends."""
    case = _lock(case)
    _require_second_person(case.proposed_by_id, actor)
    if not case.notice_over():
        raise ValidationError(
            _("The public notice runs until %(day)s.") % {"day": case.notice_ends}
        )
    case.approved_by = actor.user
    case.certification_expires = add_months(
        timezone.localdate(), case.rule_set.certification_months
    )
    flows.run_step(case, "certify", actor=actor)
    return case


@transaction.atomic
def case_decline(*, case: AssistanceCase, actor: Actor, reason: str) -> AssistanceCase:
    if not reason.strip():
        raise ValidationError(_("Give the reason for not certifying."))
    case = _lock(case)
    flows.run_step(case, "decline", actor=actor, note=reason, reason=reason)
    return case


@transaction.atomic
def tier_change(*, case: AssistanceCase, tier: str, reason: str, actor: Actor) -> AssistanceCase:
    """The caseworker's override of the service level, with the reason."""
    case = _lock(case)
    require_owner(case, actor)
    case.tier, case.tier_reason = _chosen_tier(case.tier_computed, tier, reason)
    case.save(update_fields=["tier", "tier_reason", "updated_at"])
    record_event(case, actor=actor, action="tier_changed", note=f"{case.tier} {case.tier_reason}")
    return case


@transaction.atomic
def certification_withdraw(*, case: AssistanceCase, actor: Actor, reason: str) -> AssistanceCase:
    if not reason.strip():
        raise ValidationError(_("Give the reason for withdrawing the certification."))
    case = _lock(case)
    _release_open_referrals(case, actor)
    _end_placements(case, actor)
    flows.run_step(case, "withdraw", actor=actor, note=reason, reason=reason)
    return case


def _end_placements(case: AssistanceCase, actor: Actor) -> None:
    """A withdrawn certification ends every placement; their places go to those waiting."""
    today = timezone.localdate()
    case.placements.filter(status=Placement.Status.PROPOSED).update(status=Placement.Status.REFUSED)
    held = case.placements.filter(status__in=[Placement.Status.APPROVED, Placement.Status.IN_POST])
    for placement in held.select_related("post"):
        Placement.objects.filter(pk=placement.pk).update(
            status=Placement.Status.ENDED, ended_on=today, exit_reason=ExitReason.WITHDRAWN
        )
        Referral.objects.filter(pk=placement.referral_id).update(status=Referral.Status.RELEASED)
        _promote_waitlist(placement.post, actor)


def expire_certifications(*, today: datetime.date | None = None) -> int:
    """Certifications past their expiry end (the beat task, hourly)."""
    today = today or timezone.localdate()
    due = AssistanceCase.objects.filter(
        state__in=[S.CERTIFIED, S.PLAN_ACTIVE, S.EXITED], certification_expires__lt=today
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            case = AssistanceCase.objects.select_for_update().get(pk=pk)
            if case.state in (S.CERTIFIED, S.PLAN_ACTIVE, S.EXITED) and case.certification_lapsed():
                flows.run_step(case, "expire", actor=Actor.system("deadline"))
                expired += 1
    return expired


# -- the support plan ----------------------------------------------------------------------


@transaction.atomic
def plan_item_add(
    *, case: AssistanceCase, kind: str, description: str, due_on: datetime.date, actor: Actor
) -> PlanItem:
    if case.state not in AssistanceCase.ENTITLED_STATES:
        raise ValidationError(_("A plan is made for a certified person."))
    require_owner(case, actor)
    item = PlanItem(case=case, kind=kind, description=description, due_on=due_on)
    item.full_clean()
    item.save()
    record_event(case, actor=actor, action="plan_item_added", note=description)
    return item


@transaction.atomic
def plan_item_done(*, item: PlanItem, actor: Actor, note: str = "") -> PlanItem:
    require_owner(item.case, actor)
    item.status, item.done_on, item.note = PlanItem.Status.DONE, timezone.localdate(), note
    item.save(update_fields=["status", "done_on", "note"])
    record_event(item.case, actor=actor, action="plan_item_done", note=item.description)
    return item


@transaction.atomic
def plan_start(*, case: AssistanceCase, actor: Actor) -> AssistanceCase:
    case = _lock(case)
    require_owner(case, actor)
    flows.run_step(case, "start_plan", actor=actor)
    return case


# -- referrals -----------------------------------------------------------------------------


def _enter_referred(case: AssistanceCase, actor: Actor) -> None:
    if case.state == S.PLAN_ACTIVE:
        flows.run_step(case, "refer", actor=actor)


@transaction.atomic
def referral_to_employer(
    *, case: AssistanceCase, employer: Organization, job_title: str, actor: Actor
) -> Referral:
    """Point-to-point matching: the caseworker sends the person to an employer's market job."""
    case = _lock(case)
    require_owner(case, actor)
    if case.state not in (S.PLAN_ACTIVE, S.REFERRED):
        raise ValidationError(_("Referrals are made while the support plan is active."))
    _check_entitled(case)
    referral = Referral.objects.create(
        case=case,
        kind=Referral.Kind.MARKET_JOB,
        employer=employer,
        job_title=job_title,
        status=Referral.Status.PENDING,
        referred_by=actor.user,
    )
    _enter_referred(case, actor)
    record_event(case, actor=actor, action="referred_to_employer", note=f"{employer} {job_title}")
    return referral


@transaction.atomic
def referral_outcome(*, referral: Referral, hired: bool, actor: Actor, note: str = "") -> Referral:
    """The employer's answer; a hire closes the case as employed."""
    case = _lock(referral.case)
    require_owner(case, actor)
    if referral.kind != Referral.Kind.MARKET_JOB or referral.status != Referral.Status.PENDING:
        raise ValidationError(_("This referral has its outcome already."))
    referral.status = Referral.Status.HIRED if hired else Referral.Status.NOT_HIRED
    referral.outcome_at, referral.note = timezone.now(), note
    referral.save(update_fields=["status", "outcome_at", "note"])
    record_event(case, actor=actor, action="referral_outcome", note=referral.get_status_display())
    if hired:
        _release_open_referrals(case, actor)
        flows.run_step(case, "close", actor=actor, outcome=Outcome.EMPLOYED)
    elif case.state == S.REFERRED and not case.has_open_referral():
        flows.run_step(case, "referral_ended", actor=actor)
    return referral


def placements_used(person: Person) -> int:
    statuses = (Placement.Status.APPROVED, Placement.Status.IN_POST, Placement.Status.ENDED)
    return Placement.objects.filter(case__person=person, status__in=statuses).count()


def _check_entitled(case: AssistanceCase) -> None:
    # The hourly expiry task may not have run yet: the date decides.
    if case.certification_lapsed():
        raise ValidationError(
            _("The certification expired on %(day)s.") % {"day": case.certification_expires}
        )


def _check_post_fits(case: AssistanceCase, post: Post) -> None:
    _check_entitled(case)
    if not post.is_open:
        raise ValidationError(_("This post is not taking referrals."))
    if placements_used(case.person) >= settings.ASSISTANCE_MAX_PLACEMENTS:
        raise ValidationError(
            _("This person has had %(count)s placements, the most allowed.")
            % {"count": settings.ASSISTANCE_MAX_PLACEMENTS}
        )
    today = timezone.localdate()
    if retirement_date(case.person.birth_date, case.retirement_group) <= today:
        raise ValidationError(_("This person has reached the statutory retirement age."))
    age = case.person.age_on(today)
    if post.age_limit is not None and age > post.age_limit:
        raise ValidationError(
            _("This post takes new hires up to age %(limit)s; the person is %(age)s.")
            % {"limit": post.age_limit, "age": age}
        )


@transaction.atomic
def referral_to_post(*, case: AssistanceCase, post: Post, actor: Actor) -> Referral:
    """Refer to a public-welfare post: a place is reserved if one is free, else the list."""
    case = _lock(case)
    require_owner(case, actor)
    if case.state not in (S.PLAN_ACTIVE, S.REFERRED):
        raise ValidationError(_("Referrals are made while the support plan is active."))
    if case.referrals.filter(post=post, status__in=Referral.OPEN).exists():
        raise ValidationError(_("This person is already referred to this post."))
    _check_post_fits(case, post)
    # The post's row lock serialises every referral to it: the count below stays true.
    post = Post.objects.select_for_update().get(pk=post.pk)
    held = post.referrals.filter(status__in=Referral.HOLDING).count()
    status = Referral.Status.RESERVED if held < post.places else Referral.Status.WAITLISTED
    referral = Referral.objects.create(
        case=case, kind=Referral.Kind.POST, post=post, status=status, referred_by=actor.user
    )
    _enter_referred(case, actor)
    letters = []
    if status == Referral.Status.RESERVED:
        letters.append(document_issue(subject=case, kind=REFERRAL_LETTER, by=actor.user))
    record_event(
        case,
        actor=actor,
        action=f"post_{status}",
        note=str(post),
        documents=[doc.verification_code for doc in letters],
    )
    return referral


def _promote_waitlist(post: Post, actor: Actor) -> None:
    """Give a freed place to the first referral waiting for this post."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    held = post.referrals.filter(status__in=Referral.HOLDING).count()
    waiting = post.referrals.filter(status=Referral.Status.WAITLISTED).order_by("referred_at", "pk")
    for referral in waiting[: max(0, post.places - held)]:
        Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.RESERVED)
        letter = document_issue(subject=referral.case, kind=REFERRAL_LETTER, by=actor.user)
        record_event(
            referral.case,
            actor=actor,
            action="post_reserved",
            note=str(post),
            documents=[letter.verification_code],
        )


@transaction.atomic
def referral_release(*, referral: Referral, actor: Actor, note: str = "") -> Referral:
    """End a referral that did not lead anywhere; its place goes to the next in line."""
    case = _lock(referral.case)
    referral.refresh_from_db()  # as the lock now sees it: a second release is refused
    if referral.status not in Referral.OPEN:
        raise ValidationError(_("This referral is no longer open."))
    _release(referral, actor, note)
    if case.state == S.REFERRED and not case.has_open_referral():
        flows.run_step(case, "referral_ended", actor=actor)
    return referral


def _release(referral: Referral, actor: Actor, note: str = "") -> None:
    held = referral.status in Referral.HOLDING
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.RELEASED, outcome_at=timezone.now(), note=note
    )
    record_event(referral.case, actor=actor, action="referral_released", note=note)
    if held and referral.post_id:
        _promote_waitlist(referral.post, actor)


def _release_open_referrals(case: AssistanceCase, actor: Actor) -> None:
    for referral in case.referrals.filter(status__in=Referral.OPEN):
        _release(referral, actor)


# -- placements ----------------------------------------------------------------------------


@transaction.atomic
def placement_propose(*, referral: Referral, actor: Actor) -> Placement:
    """The caseworker proposes placing the person in the post whose place they hold."""
    case = _lock(referral.case)
    require_owner(case, actor)
    referral.refresh_from_db()
    if referral.kind != Referral.Kind.POST or referral.status != Referral.Status.RESERVED:
        raise ValidationError(_("Only a referral holding a place can become a placement."))
    _check_post_fits(case, referral.post)
    placement = Placement.objects.create(
        case=case,
        referral=referral,
        post=referral.post,
        status=Placement.Status.PROPOSED,
        proposed_by=actor.user,
    )
    flows.run_step(case, "propose_placement", actor=actor, note=str(referral.post))
    return placement


@transaction.atomic
def placement_approve(*, case: AssistanceCase, actor: Actor) -> Placement:
    """A supervisor (not the proposer) approves; the reserved place becomes the placement."""
    case = _lock(case)
    placement = case.proposed_placement()
    if placement is None:
        raise ValidationError(_("No placement is waiting for approval."))
    _require_second_person(placement.proposed_by_id, actor)
    flows.run_step(case, "approve_placement", actor=actor, note=str(placement.post))
    Placement.objects.filter(pk=placement.pk).update(
        status=Placement.Status.APPROVED, approved_by=actor.user, approved_at=timezone.now()
    )
    Referral.objects.filter(pk=placement.referral_id).update(status=Referral.Status.PLACED)
    # Other referrals of the person are no longer needed.
    for other in case.referrals.filter(status__in=Referral.OPEN).exclude(pk=placement.referral_id):
        _release(other, actor)
    placement.refresh_from_db()
    return placement


@transaction.atomic
def placement_refuse(*, case: AssistanceCase, actor: Actor, reason: str) -> AssistanceCase:
    if not reason.strip():
        raise ValidationError(_("Give the reason for not approving the placement."))
    case = _lock(case)
    placement = case.proposed_placement()
    if placement is None:
        raise ValidationError(_("No placement is waiting for approval."))
    _require_second_person(placement.proposed_by_id, actor)
    flows.run_step(case, "refuse_placement", actor=actor, note=reason, reason=reason)
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.REFUSED)
    return case


@dataclass(frozen=True)
class Term:
    ends_on: datetime.date
    rule: str


def placement_term(
    *, person_birth: datetime.date, group: str, post_kind: str, starts_on, subsidy_approved_on
) -> Term:
    """How long a placement may last (DOMAIN.md §2; the limits are settings)."""
    retires = retirement_date(person_birth, group)
    if post_kind == Post.Kind.TEMPORARY:
        months = settings.ASSISTANCE_TEMPORARY_MONTHS
        ends = add_months(starts_on, months) - datetime.timedelta(days=1)
        return Term(min(ends, retires), _("temporary post: %(months)s months") % {"months": months})
    near = settings.ASSISTANCE_NEAR_RETIREMENT_YEARS
    if add_months(subsidy_approved_on, near * 12) > retires:
        return Term(
            retires,
            _(
                "less than %(years)s years from retirement at the first subsidy approval: "
                "until retirement on %(day)s"
            )
            % {"years": near, "day": retires},
        )
    years = settings.ASSISTANCE_TERM_YEARS
    ends = add_months(starts_on, years * 12) - datetime.timedelta(days=1)
    return Term(min(ends, retires), _("%(years)s-year term") % {"years": years})


@transaction.atomic
def placement_start(
    *,
    placement: Placement,
    starts_on: datetime.date,
    subsidy_approved_on: datetime.date,
    actor: Actor,
) -> Placement:
    """The person starts in the post; the term is fixed from the first subsidy approval."""
    case = _lock(placement.case)
    if placement.status != Placement.Status.APPROVED:
        raise ValidationError(_("Only an approved placement can start."))
    first = (
        Placement.objects.filter(case__person=case.person, subsidy_approved_on__isnull=False)
        .order_by("subsidy_approved_on")
        .values_list("subsidy_approved_on", flat=True)
        .first()
    )
    term = placement_term(
        person_birth=case.person.birth_date,
        group=case.retirement_group,
        post_kind=placement.post.kind,
        starts_on=starts_on,
        subsidy_approved_on=first or subsidy_approved_on,
    )
    placement.status = Placement.Status.IN_POST
    placement.starts_on, placement.subsidy_approved_on = starts_on, subsidy_approved_on
    placement.term_ends_on, placement.term_rule = term.ends_on, term.rule
    placement.save()
    flows.run_step(case, "start_post", actor=actor, note=f"{starts_on} – {term.ends_on}")
    return placement


@transaction.atomic
def placement_end(
    *, placement: Placement, reason: str, ended_on: datetime.date, actor: Actor
) -> Placement:
    """The person leaves the post; the place goes to the next referral waiting for it."""
    case = _lock(placement.case)
    if placement.status != Placement.Status.IN_POST:
        raise ValidationError(_("Only a placement in progress can end."))
    placement.status, placement.exit_reason, placement.ended_on = (
        Placement.Status.ENDED,
        reason,
        ended_on,
    )
    placement.save(update_fields=["status", "exit_reason", "ended_on"])
    Referral.objects.filter(pk=placement.referral_id).update(status=Referral.Status.RELEASED)
    flows.run_step(case, "exit_post", actor=actor, note=placement.get_exit_reason_display())
    _promote_waitlist(placement.post, actor)
    return placement


@transaction.atomic
def case_close(*, case: AssistanceCase, outcome: str, actor: Actor) -> AssistanceCase:
    case = _lock(case)
    _release_open_referrals(case, actor)
    flows.run_step(case, "close", actor=actor, outcome=outcome)
    return case


@transaction.atomic
def follow_up_record(*, case: AssistanceCase, note: str, actor: Actor):
    """Record a follow-up visit to a person in post, with what it found.

    The note is on the timeline every role that opens the case sees: no disability
    or 低保 details in it.
    """
    case = _lock(case)
    require_owner(case, actor)
    if case.state != S.IN_POST:
        raise ValidationError(_("Follow-up visits are recorded while the person is in post."))
    if not note.strip():
        raise ValidationError(_("Write down what the visit found."))
    return record_event(case, actor=actor, action=FOLLOW_UP, to_state=case.state, note=note.strip())
