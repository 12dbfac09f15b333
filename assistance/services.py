"""Operations on assistance cases (docs/workflows.md): keyword-only, each in one transaction.

Every step follows the locking rule (casework.core.locking): it works on the
locked copy of the case (``with locked(case) as case:``), so the state, the
holder and every condition are checked on what the lock sees, and only the
changed fields are written. State changes go through ``flows.run_step()``,
which reuses that locked copy. Two rules are enforced here as well as by the
transitions' permissions:

- **Two-person rule**: a caseworker proposes a certification or a placement;
  a supervisor who is not the proposer approves it. The proposer is read from
  the locked case and placement.
- **Places**: every change to who holds or waits for a post's places is made
  under a row lock on the post, so concurrent referrals never hold more places
  than the post has, and a place freed while someone waits goes to the first
  in line. Locks are taken in one order everywhere: the case row, then the
  posts it touches (in the order of their keys), then its flow and audit rows.

Audit notes never carry disability or 低保 details: the audit trail is shown to
roles that may not see them.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from assistance import flows
from assistance import notifications as notices
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
from casework.core.locking import copy_into, locked, save_changed
from casework.core.models import ChainHead, Market
from casework.documents.services import document_issue
from casework.notifications.services import notify
from casework.parties.models import Organization, Person
from casework.surveys.services import invite as invite_to_survey

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


def _require_state(case: AssistanceCase, states: Iterable[str], step: str) -> None:
    """The locked case is in one of ``states`` (a stale page or a second click otherwise)."""
    if case.state not in states:
        raise TransitionNotAllowed(f"{case.code}: {step} is not possible in state {case.state!r}")


def _require_can(case: AssistanceCase, transition: str) -> None:
    """The locked case can take ``transition`` now: checked before the step changes anything."""
    if not can_proceed(getattr(case, transition)):
        raise TransitionNotAllowed(
            f"{case.code}: {transition!r} is not allowed from state {case.state!r}"
        )


def _lock_posts(post_ids: Iterable[int | None]) -> dict[int, Post]:
    """Lock the posts a step touches, in the order of their keys (after the case row)."""
    ids = sorted({pk for pk in post_ids if pk is not None})
    if not ids:
        return {}
    posts = Post.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {post.pk: post for post in posts}


def _posts_in_use(case: AssistanceCase) -> set[int]:
    """The posts whose places the case's open referrals and placements hold or wait for."""
    referred = case.referrals.filter(status__in=Referral.OPEN, post__isnull=False)
    placed = case.placements.filter(
        status__in=[Placement.Status.APPROVED, Placement.Status.IN_POST]
    )
    return set(referred.values_list("post_id", flat=True)) | set(
        placed.values_list("post_id", flat=True)
    )


def _lock_trail(case: AssistanceCase) -> None:
    """Lock the case's audit chain head before issuing it a document.

    A place given to a waiting case is written by another case's step; holding the
    chain head makes that step and the case's own steps issue its documents one
    after the other (two at once would compute the same version).
    """
    ChainHead.objects.select_for_update().get_or_create(
        subject_type=ContentType.objects.get_for_model(AssistanceCase),
        subject_id=case.pk,
    )


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
    saved here, so a refused application leaves nobody registered. A known person's
    row is locked while the open cases are counted: two applications for one person
    at once make one case.
    """
    rule_set = RuleSet.active()
    if rule_set is None:
        raise ValidationError(_("No eligibility rule set is active: a supervisor must choose one."))
    facts, sensitive = facts or {}, sensitive or {}
    _only(facts, CASE_FACTS)
    _only(sensitive, SENSITIVE_FIELDS)
    if person.pk is None:
        person.save()
    else:
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
        if person.assistance_cases.exclude(state__in=AssistanceCase.FINAL_STATES).exists():
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
    _notify(case, notices.ACCEPTED, date=_zh(applied_on), due=_zh(case.review_due))
    return case


def _only(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")


def review_start(*, case: AssistanceCase, actor: Actor) -> AssistanceCase:
    """A caseworker takes the application from the queue and reviews it (首问负责)."""
    with locked(case) as case:
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


def certification_propose(
    *, case: AssistanceCase, actor: Actor, tier: str = "", tier_reason: str = ""
) -> AssistanceCase:
    """Propose certification on the categories the rules match, and start the public notice."""
    with locked(case) as case:
        require_owner(case, actor)
        _require_state(case, (S.UNDER_REVIEW,), "proposing certification")
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


def certification_approve(*, case: AssistanceCase, actor: Actor) -> AssistanceCase:
    """A supervisor (not the proposer) certifies after the public notice ends."""
    with locked(case) as case:
        _require_second_person(case.proposed_by_id, actor)
        _require_state(case, (S.ON_NOTICE,), "certifying")
        if not case.notice_over():
            raise ValidationError(
                _("The public notice runs until %(day)s.") % {"day": case.notice_ends}
            )
        case.approved_by = actor.user
        case.certification_expires = add_months(
            timezone.localdate(), case.rule_set.certification_months
        )
        flows.run_step(case, "certify", actor=actor)
        _notify(case, notices.CERTIFIED, tier=case.tier, expires=_zh(case.certification_expires))
        return case


def case_decline(*, case: AssistanceCase, actor: Actor, reason: str) -> AssistanceCase:
    if not reason.strip():
        raise ValidationError(_("Give the reason for not certifying."))
    with locked(case) as case:
        flows.run_step(case, "decline", actor=actor, note=reason, reason=reason)
        _notify(case, notices.DECLINED, reason=reason.strip())
        return case


def tier_change(*, case: AssistanceCase, tier: str, reason: str, actor: Actor) -> AssistanceCase:
    """The caseworker's override of the service level, with the reason."""
    with locked(case) as case:
        require_owner(case, actor)
        _require_state(case, AssistanceCase.ENTITLED_STATES, "changing the service level")
        case.tier, case.tier_reason = _chosen_tier(case.tier_computed, tier, reason)
        save_changed(case, "tier", "tier_reason")
        record_event(
            case, actor=actor, action="tier_changed", note=f"{case.tier} {case.tier_reason}"
        )
        return case


def certification_withdraw(*, case: AssistanceCase, actor: Actor, reason: str) -> AssistanceCase:
    if not reason.strip():
        raise ValidationError(_("Give the reason for withdrawing the certification."))
    with locked(case) as case:
        _require_can(case, "withdraw")
        _lock_posts(_posts_in_use(case))
        _release_open_referrals(case, actor)
        _end_placements(case, actor)
        flows.run_step(case, "withdraw", actor=actor, note=reason, reason=reason)
        return case


def _end_placements(case: AssistanceCase, actor: Actor) -> None:
    """A withdrawn certification ends every placement; their places go to those waiting.

    Runs on the locked case with the placements' posts locked.
    """
    today = timezone.localdate()
    case.placements.filter(status=Placement.Status.PROPOSED).update(status=Placement.Status.REFUSED)
    held = case.placements.filter(status__in=[Placement.Status.APPROVED, Placement.Status.IN_POST])
    for placement in held.select_for_update().order_by("post_id", "pk"):
        placement.status, placement.ended_on = Placement.Status.ENDED, today
        placement.exit_reason = ExitReason.WITHDRAWN
        placement.save(update_fields=["status", "ended_on", "exit_reason"])
        Referral.objects.filter(pk=placement.referral_id).update(status=Referral.Status.RELEASED)
        _promote_waitlist(placement.post_id, actor)


def expire_certifications(*, today: datetime.date | None = None) -> int:
    """Certifications past their expiry end (the beat task, hourly).

    Each case is locked and checked again on its own: one withdrawn or renewed in
    the meantime is left alone.
    """
    today = today or timezone.localdate()
    expiring = (S.CERTIFIED, S.PLAN_ACTIVE, S.EXITED)
    due = AssistanceCase.objects.filter(state__in=expiring, certification_expires__lt=today)
    expired = 0
    for candidate in list(due.order_by("pk")):
        with locked(candidate) as case:
            if case.state in expiring and case.certification_lapsed():
                flows.run_step(case, "expire", actor=Actor.system("deadline"))
                expired += 1
    return expired


# -- the support plan ----------------------------------------------------------------------


def plan_item_add(
    *, case: AssistanceCase, kind: str, description: str, due_on: datetime.date, actor: Actor
) -> PlanItem:
    with locked(case) as case:
        if case.state not in AssistanceCase.ENTITLED_STATES:
            raise ValidationError(_("A plan is made for a certified person."))
        require_owner(case, actor)
        item = PlanItem(case=case, kind=kind, description=description, due_on=due_on)
        item.full_clean()
        item.save()
        record_event(case, actor=actor, action="plan_item_added", note=description)
    return item


def plan_item_done(*, item: PlanItem, actor: Actor, note: str = "") -> PlanItem:
    with locked(item.case) as case:
        require_owner(case, actor)
        _require_state(case, AssistanceCase.ENTITLED_STATES, "completing a plan item")
        current = PlanItem.objects.select_for_update().get(pk=item.pk, case=case)
        if current.status != PlanItem.Status.OPEN:
            raise TransitionNotAllowed(f"{case.code}: plan item {current.pk} is done already")
        current.status, current.done_on, current.note = (
            PlanItem.Status.DONE,
            timezone.localdate(),
            note,
        )
        current.save(update_fields=["status", "done_on", "note"])
        record_event(case, actor=actor, action="plan_item_done", note=current.description)
    copy_into(item, current)
    return item


def plan_start(*, case: AssistanceCase, actor: Actor) -> AssistanceCase:
    with locked(case) as case:
        require_owner(case, actor)
        flows.run_step(case, "start_plan", actor=actor)
        return case


# -- referrals -----------------------------------------------------------------------------


def _enter_referred(case: AssistanceCase, actor: Actor) -> None:
    if case.state == S.PLAN_ACTIVE:
        flows.run_step(case, "refer", actor=actor)


def referral_to_employer(
    *, case: AssistanceCase, employer: Organization, job_title: str, actor: Actor
) -> Referral:
    """Point-to-point matching: the caseworker sends the person to an employer's market job."""
    with locked(case) as case:
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
        record_event(
            case, actor=actor, action="referred_to_employer", note=f"{employer} {job_title}"
        )
    return referral


def _referral_of(case: AssistanceCase, referral: Referral) -> Referral:
    """The referral as it is now, locked, checked to belong to the locked ``case``."""
    return Referral.objects.select_for_update().get(pk=referral.pk, case=case)


def referral_outcome(*, referral: Referral, hired: bool, actor: Actor, note: str = "") -> Referral:
    """The employer's answer; a hire closes the case as employed."""
    with locked(referral.case) as case:
        require_owner(case, actor)
        if hired:
            # A hire releases every other referral: their posts are locked first.
            _lock_posts(_posts_in_use(case))
        current = _referral_of(case, referral)
        if current.kind != Referral.Kind.MARKET_JOB or current.status != Referral.Status.PENDING:
            raise ValidationError(_("This referral has its outcome already."))
        current.status = Referral.Status.HIRED if hired else Referral.Status.NOT_HIRED
        current.outcome_at, current.note = timezone.now(), note
        current.save(update_fields=["status", "outcome_at", "note"])
        record_event(
            case, actor=actor, action="referral_outcome", note=current.get_status_display()
        )
        if hired:
            _release_open_referrals(case, actor)
            flows.run_step(case, "close", actor=actor, outcome=Outcome.EMPLOYED)
        elif case.state == S.REFERRED and not case.has_open_referral():
            flows.run_step(case, "referral_ended", actor=actor)
    copy_into(referral, current)
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
    """Checks on the locked case and the locked post."""
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


def referral_to_post(*, case: AssistanceCase, post: Post, actor: Actor) -> Referral:
    """Refer to a public-welfare post: a place is reserved if one is free, else the list."""
    with locked(case) as case:
        require_owner(case, actor)
        if case.state not in (S.PLAN_ACTIVE, S.REFERRED):
            raise ValidationError(_("Referrals are made while the support plan is active."))
        # The post's row lock serialises every change to its places: the count below
        # stays true until this transaction commits.
        post = _lock_posts([post.pk])[post.pk]
        if case.referrals.filter(post=post, status__in=Referral.OPEN).exists():
            raise ValidationError(_("This person is already referred to this post."))
        _check_post_fits(case, post)
        held = post.referrals.filter(status__in=Referral.HOLDING).count()
        status = Referral.Status.RESERVED if held < post.places else Referral.Status.WAITLISTED
        referral = Referral.objects.create(
            case=case, kind=Referral.Kind.POST, post=post, status=status, referred_by=actor.user
        )
        _enter_referred(case, actor)
        letters = []
        if status == Referral.Status.RESERVED:
            _lock_trail(case)
            letters.append(document_issue(subject=case, kind=REFERRAL_LETTER, by=actor.user))
        record_event(
            case,
            actor=actor,
            action=f"post_{status}",
            note=str(post),
            documents=[doc.verification_code for doc in letters],
        )
    return referral


def _promote_waitlist(post_id: int, actor: Actor) -> None:
    """Give freed places to the first referrals waiting for this post.

    Runs under the post's row lock (taken here if the step has not taken it yet):
    every change to who holds or waits for its places is made under that lock.
    The waiting cases are not locked (that would take a case row after a post
    row); only their referral changes, and only if it is still waiting.
    """
    post = Post.objects.select_for_update().get(pk=post_id)
    free = post.places - post.referrals.filter(status__in=Referral.HOLDING).count()
    if free <= 0:
        return
    waiting = post.referrals.filter(status=Referral.Status.WAITLISTED).order_by("referred_at", "pk")
    for referral in waiting.select_related("case"):
        if free <= 0:
            break
        moved = Referral.objects.filter(pk=referral.pk, status=Referral.Status.WAITLISTED).update(
            status=Referral.Status.RESERVED
        )
        if not moved:
            continue
        free -= 1
        _lock_trail(referral.case)
        letter = document_issue(subject=referral.case, kind=REFERRAL_LETTER, by=actor.user)
        record_event(
            referral.case,
            actor=actor,
            action="post_reserved",
            note=str(post),
            documents=[letter.verification_code],
        )


def referral_release(*, referral: Referral, actor: Actor, note: str = "") -> Referral:
    """End a referral that did not lead anywhere; its place goes to the next in line."""
    with locked(referral.case) as case:
        require_owner(case, actor)
        _lock_posts([referral.post_id])
        # As the locks now see it: a second release is refused.
        current = _release(case, referral, actor, note)
        if case.state == S.REFERRED and not case.has_open_referral():
            flows.run_step(case, "referral_ended", actor=actor)
    copy_into(referral, current)
    return referral


def _release(case: AssistanceCase, referral: Referral, actor: Actor, note: str = "") -> Referral:
    """Release an open referral of the locked ``case`` (its post is locked already)."""
    current = _referral_of(case, referral)
    if current.status not in Referral.OPEN:
        raise ValidationError(_("This referral is no longer open."))
    held = current.status in Referral.HOLDING
    current.status, current.outcome_at, current.note = (
        Referral.Status.RELEASED,
        timezone.now(),
        note,
    )
    current.save(update_fields=["status", "outcome_at", "note"])
    record_event(case, actor=actor, action="referral_released", note=note)
    if held and current.post_id:
        _promote_waitlist(current.post_id, actor)
    return current


def _release_open_referrals(case: AssistanceCase, actor: Actor, *, keep: int | None = None):
    """Release the locked case's open referrals (their posts are locked already)."""
    open_referrals = case.referrals.filter(status__in=Referral.OPEN).exclude(pk=keep)
    for referral in list(open_referrals.order_by("post_id", "pk")):
        _release(case, referral, actor)


# -- placements ----------------------------------------------------------------------------


def placement_propose(*, referral: Referral, actor: Actor) -> Placement:
    """The caseworker proposes placing the person in the post whose place they hold."""
    with locked(referral.case) as case:
        require_owner(case, actor)
        post = _lock_posts([referral.post_id]).get(referral.post_id)
        current = _referral_of(case, referral)
        if current.kind != Referral.Kind.POST or current.status != Referral.Status.RESERVED:
            raise ValidationError(_("Only a referral holding a place can become a placement."))
        _require_state(case, (S.REFERRED,), "proposing a placement")
        _check_post_fits(case, post)
        placement = Placement.objects.create(
            case=case,
            referral=current,
            post=post,
            status=Placement.Status.PROPOSED,
            proposed_by=actor.user,
        )
        flows.run_step(case, "propose_placement", actor=actor, note=str(post))
    copy_into(referral, current)
    return placement


def _proposed_placement(case: AssistanceCase) -> Placement:
    """The locked case's placement waiting for approval, locked."""
    placement = (
        case.placements.filter(status=Placement.Status.PROPOSED)
        .select_for_update()
        .select_related("post")
        .first()
    )
    if placement is None:
        raise ValidationError(_("No placement is waiting for approval."))
    return placement


def placement_approve(*, case: AssistanceCase, actor: Actor) -> Placement:
    """A supervisor (not the proposer) approves; the reserved place becomes the placement."""
    with locked(case) as case:
        # The other referrals are released below: their posts are locked first.
        _lock_posts(_posts_in_use(case))
        placement = _proposed_placement(case)
        _require_second_person(placement.proposed_by_id, actor)
        _require_state(case, (S.PLACEMENT_PROPOSED,), "approving a placement")
        referral = _referral_of(case, Referral(pk=placement.referral_id))
        placement.referral = referral
        if referral.status != Referral.Status.RESERVED:
            # Released since the proposal: the place is no longer the person's.
            raise ValidationError(_("Only a referral holding a place can become a placement."))
        flows.run_step(case, "approve_placement", actor=actor, note=str(placement.post))
        placement.status = Placement.Status.APPROVED
        placement.approved_by, placement.approved_at = actor.user, timezone.now()
        placement.save(update_fields=["status", "approved_by", "approved_at"])
        referral.status = Referral.Status.PLACED
        referral.save(update_fields=["status"])
        # Other referrals of the person are no longer needed.
        _release_open_referrals(case, actor, keep=referral.pk)
        post = placement.post
        _notify(case, notices.PLACEMENT_APPROVED, post=post.title, employer=post.employer.name)
    return placement


def placement_refuse(*, case: AssistanceCase, actor: Actor, reason: str) -> AssistanceCase:
    if not reason.strip():
        raise ValidationError(_("Give the reason for not approving the placement."))
    with locked(case) as case:
        placement = _proposed_placement(case)
        _require_second_person(placement.proposed_by_id, actor)
        _require_state(case, (S.PLACEMENT_PROPOSED,), "refusing a placement")
        flows.run_step(case, "refuse_placement", actor=actor, note=reason, reason=reason)
        placement.status = Placement.Status.REFUSED
        placement.save(update_fields=["status"])
        return case


@dataclass(frozen=True)
class Term:
    ends_on: datetime.date
    rule: str


def placement_term(
    *, person_birth: datetime.date, group: str, post_kind: str, starts_on, subsidy_approved_on
) -> Term:
    """How long a placement may last (settings; docs/domain.md, "Hardship assistance")."""
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


def _placement_of(case: AssistanceCase, placement: Placement) -> Placement:
    """The placement as it is now, locked, checked to belong to the locked ``case``."""
    return (
        Placement.objects.select_for_update().select_related("post").get(pk=placement.pk, case=case)
    )


def placement_start(
    *,
    placement: Placement,
    starts_on: datetime.date,
    subsidy_approved_on: datetime.date,
    actor: Actor,
) -> Placement:
    """The person starts in the post; the term is fixed from the first subsidy approval."""
    with locked(placement.case) as case:
        require_owner(case, actor)
        current = _placement_of(case, placement)
        if current.status != Placement.Status.APPROVED:
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
            post_kind=current.post.kind,
            starts_on=starts_on,
            subsidy_approved_on=first or subsidy_approved_on,
        )
        current.status = Placement.Status.IN_POST
        current.starts_on, current.subsidy_approved_on = starts_on, subsidy_approved_on
        current.term_ends_on, current.term_rule = term.ends_on, term.rule
        current.save(
            update_fields=[
                "status",
                "starts_on",
                "subsidy_approved_on",
                "term_ends_on",
                "term_rule",
            ]
        )
        flows.run_step(case, "start_post", actor=actor, note=f"{starts_on} – {term.ends_on}")
        _notify(
            case,
            notices.POST_STARTED,
            start=_zh(starts_on),
            post=current.post.title,
            ends=_zh(term.ends_on),
        )
    copy_into(placement, current)
    return placement


def placement_end(
    *, placement: Placement, reason: str, ended_on: datetime.date, actor: Actor
) -> Placement:
    """The person leaves the post; the place goes to the next referral waiting for it."""
    with locked(placement.case) as case:
        require_owner(case, actor)
        _lock_posts([placement.post_id])
        current = _placement_of(case, placement)
        if current.status != Placement.Status.IN_POST:
            raise ValidationError(_("Only a placement in progress can end."))
        current.status, current.exit_reason, current.ended_on = (
            Placement.Status.ENDED,
            reason,
            ended_on,
        )
        current.save(update_fields=["status", "exit_reason", "ended_on"])
        Referral.objects.filter(pk=current.referral_id).update(status=Referral.Status.RELEASED)
        flows.run_step(case, "exit_post", actor=actor, note=current.get_exit_reason_display())
        _promote_waitlist(current.post_id, actor)
    copy_into(placement, current)
    return placement


def case_close(*, case: AssistanceCase, outcome: str, actor: Actor) -> AssistanceCase:
    with locked(case) as case:
        require_owner(case, actor)
        _require_can(case, "close")
        _lock_posts(_posts_in_use(case))
        _release_open_referrals(case, actor)
        flows.run_step(case, "close", actor=actor, outcome=outcome)
        invite_to_survey(case)  # closed: the person rates the service
        return case


def follow_up_record(*, case: AssistanceCase, note: str, actor: Actor):
    """Record a follow-up visit to a person in post, with what it found.

    The note is on the timeline every role that opens the case sees: no disability
    or 低保 details in it.
    """
    with locked(case) as case:
        require_owner(case, actor)
        if case.state != S.IN_POST:
            raise ValidationError(_("Follow-up visits are recorded while the person is in post."))
        if not note.strip():
            raise ValidationError(_("Write down what the visit found."))
        return record_event(
            case, actor=actor, action=FOLLOW_UP, to_state=case.state, note=note.strip()
        )


# -- notices ------------------------------------------------------------------------------


def _zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _notify(case: AssistanceCase, template: str, **params) -> None:
    """A text message to the applicant: queued in the step's transaction (after its audit
    event), sent after commit (casework.notifications)."""
    notify(
        template,
        case,
        case.person.mobile,
        {"code": case.code, **params},
        sign=case.market.name,
    )


def remind_term_ending(today: datetime.date | None = None) -> int:
    """The daily beat job: tell each person in post whose term ends within
    notices.TERM_ENDING_DAYS. Once per placement and term end (the notification's key)."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=notices.TERM_ENDING_DAYS)
    ending = (
        Placement.objects.filter(
            status=Placement.Status.IN_POST,
            term_ends_on__gte=today,
            term_ends_on__lte=until,
        )
        .select_related("case__person", "case__market", "post")
        .order_by("term_ends_on", "pk")
    )
    reminded = 0
    for placement in ending:
        case, ends = placement.case, placement.term_ends_on
        if ends is None:  # (filtered out above)
            continue
        with transaction.atomic():
            row = notify(
                notices.TERM_ENDING,
                case,
                case.person.mobile,
                {
                    "code": case.code,
                    "post": placement.post.title,
                    "ends": _zh(ends),
                },
                sign=case.market.name,
                step=f"placement-{placement.pk}-{ends.isoformat()}",
            )
            reminded += row is not None
    return reminded
