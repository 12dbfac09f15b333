"""The assistance case page and the steps taken on it.

Every step: login, the case looked up within the user's markets (404 outside
them), the step's permission (403), the step's state (a message otherwise), the
form, one service call, a redirect to the case page with the outcome as a
message. The two-person rule, the case's holder and every other rule are the
services' (assistance.services); refusals become messages.

The page shows disability and 低保 details, and the categories they match,
only to users privacy.may_see_sensitive() allows; reading them through
privacy.sensitive_facts() writes one access-log row per page view.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assistance import forms, services
from assistance.models import AssistanceCase, Placement, PlanItem, Referral
from assistance.privacy import may_see_sensitive, public_categories, sensitive_facts
from assistance.views.common import (
    APPROVE,
    WORK,
    case_for,
    form_errors,
    not_now,
    run,
    to_case,
)
from casework.core.diagram import labelled_events, state_overview
from casework.core.formtokens import one_time_form
from casework.documents.access import documents_of

S = AssistanceCase.State
REFERRING = (S.PLAN_ACTIVE, S.REFERRED, S.PLACEMENT_PROPOSED, S.PLACED)


@dataclass(frozen=True)
class Step:
    perm: str
    states: tuple[str, ...]


STEPS: dict[str, Step] = {
    "take": Step(WORK, (S.APPLIED,)),
    "propose": Step(WORK, (S.UNDER_REVIEW,)),
    "decline": Step(WORK, (S.APPLIED, S.UNDER_REVIEW, S.ON_NOTICE)),
    "certify": Step(APPROVE, (S.ON_NOTICE,)),
    "tier": Step(WORK, AssistanceCase.ENTITLED_STATES),
    "plan_item_add": Step(WORK, AssistanceCase.ENTITLED_STATES),
    "plan_item_done": Step(WORK, AssistanceCase.ENTITLED_STATES),
    "plan_start": Step(WORK, (S.CERTIFIED, S.EXITED)),
    "refer": Step(WORK, (S.PLAN_ACTIVE, S.REFERRED)),
    "referral_outcome": Step(WORK, REFERRING),
    "referral_release": Step(WORK, REFERRING),
    "placement_propose": Step(WORK, (S.REFERRED,)),
    "placement_decide": Step(APPROVE, (S.PLACEMENT_PROPOSED,)),
    "placement_start": Step(WORK, (S.PLACED,)),
    "placement_end": Step(WORK, (S.IN_POST,)),
    "follow_up": Step(WORK, (S.IN_POST,)),
    "withdraw": Step(APPROVE, AssistanceCase.ENTITLED_STATES),
    "close": Step(WORK, (S.CERTIFIED, S.PLAN_ACTIVE, S.REFERRED, S.EXITED)),
}

# Names of the audit rows that are not transitions (those carry their own labels).
EVENT_LABELS = {
    "applied": gettext_lazy("Application recorded"),
    "documents_added": gettext_lazy("Supporting documents uploaded"),
    "tier_changed": gettext_lazy("Service level changed"),
    "plan_item_added": gettext_lazy("Plan item added"),
    "plan_item_done": gettext_lazy("Plan item done"),
    "referred_to_employer": gettext_lazy("Referred to an employer"),
    "referral_outcome": gettext_lazy("Employer's answer recorded"),
    "post_reserved": gettext_lazy("Place reserved in a public-welfare post"),
    "post_waitlisted": gettext_lazy("On a public-welfare post's waiting list"),
    "referral_released": gettext_lazy("Referral released"),
    services.FOLLOW_UP: gettext_lazy("Follow-up visit"),
}


def available_steps(user, case: AssistanceCase) -> set[str]:
    steps = {
        name
        for name, step in STEPS.items()
        if user.has_perm(step.perm) and case.state in step.states
    }
    if case.owner_id is not None:
        steps.discard("take")
    return steps


def _step(request, code: str, name: str) -> AssistanceCase:
    """The case, if the user may take step ``name`` (403); its state is checked by the caller."""
    return case_for(request, code, STEPS[name].perm)


def _in_state(case: AssistanceCase, name: str) -> bool:
    return case.state in STEPS[name].states


# -- the case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """What the page shows of the rule engine's evaluation to this reader."""

    on: object
    matches: list  # rules.Match, the sensitive ones only for readers who may see them
    hidden: bool  # sensitive categories are withheld from this reader
    tier: str


def _evaluation(case: AssistanceCase, sees_sensitive: bool) -> Evaluation:
    today = timezone.localdate()
    result = services.case_evaluate(case, today)
    shown = [m for m in result.matches if sees_sensitive or not m.sensitive]
    return Evaluation(today, shown, not sees_sensitive, result.tier)


def _proposed(case: AssistanceCase, sees_sensitive: bool) -> list:
    if sees_sensitive:
        return list(case.rule_set.categories.filter(code__in=case.proposed_categories))
    return public_categories(case)


def case_documents(user, case: AssistanceCase):
    return documents_of(user, case)


def _own_proposal(user, case: AssistanceCase, placement: Placement | None) -> str:
    """Which of the user's own proposals waits on this case (a second person must approve)."""
    if case.state == S.ON_NOTICE and case.proposed_by_id == user.pk:
        return "certification"
    if placement is not None and placement.proposed_by_id == user.pk:
        return "placement"
    return ""


@login_required
@require_GET
def detail(request, code: str):
    case = case_for(request, code)
    user = request.user
    # Read once per page view: one access-log row when the reader may see them.
    facts = sensitive_facts(request, case)
    sees = may_see_sensitive(user, case)
    placements = list(case.placements.select_related("post", "post__employer", "proposed_by"))
    proposed = next((p for p in placements if p.status == Placement.Status.PROPOSED), None)
    current = next(
        (
            p
            for p in placements
            if p.status in (Placement.Status.APPROVED, Placement.Status.IN_POST)
        ),
        None,
    )
    documents = list(case_documents(user, case))
    context = {
        "case": case,
        "sees_sensitive": sees,
        "facts": facts,
        "evaluation": _evaluation(case, sees),
        "proposed_categories": _proposed(case, sees),
        "plan_items": list(case.plan_items.all()),
        "referrals": list(case.referrals.select_related("post", "post__employer", "employer")),
        "placements": placements,
        "proposed_placement": proposed,
        "current_placement": current,
        "own_proposal": _own_proposal(user, case, proposed),
        "steps": available_steps(user, case),
        "documents": documents,
        "documents_pending": any(d.is_pending for d in documents),
        "state_overview": state_overview(case),
        "events": labelled_events(case, EVENT_LABELS),
        "forms": _forms(case),
    }
    return render(request, "assistance/detail.html", context)


def _forms(case: AssistanceCase) -> dict:
    """The step forms shown on the page; ids are prefixed so that none repeats."""
    return {
        "propose": forms.ProposeForm(auto_id="propose-%s"),
        "decline": forms.ReasonForm(auto_id="decline-%s"),
        "withdraw": forms.ReasonForm(auto_id="withdraw-%s"),
        "refuse": forms.ReasonForm(auto_id="refuse-%s"),
        "tier": forms.TierForm(auto_id="tier-%s", initial={"tier": case.tier}),
        "plan_item": forms.PlanItemForm(auto_id="plan-%s"),
        "employer": forms.EmployerReferralForm(auto_id="employer-%s"),
        "post": forms.PostReferralForm(auto_id="post-%s", case=case),
        "start": forms.PlacementStartForm(
            auto_id="start-%s",
            initial={
                "starts_on": timezone.localdate(),
                "subsidy_approved_on": timezone.localdate(),
            },
        ),
        "end": forms.PlacementEndForm(auto_id="end-%s", initial={"ended_on": timezone.localdate()}),
        "close": forms.CloseForm(auto_id="close-%s"),
        "follow_up": forms.FollowUpForm(auto_id="visit-%s"),
    }


# -- review and certification -----------------------------------------------------------------


@login_required
@require_POST
def take(request, code: str):
    """A caseworker takes a new application from the queue and starts its first review."""
    case = _step(request, code, "take")
    return run(
        request,
        case,
        lambda actor: services.review_start(case=case, actor=actor),
        _("You have taken %(code)s; its first review has started.") % {"code": case.code},
    )


def _step_run(request, case: AssistanceCase, name: str, action, done, form=None, ready=True):
    """The shared part of every step: state, the posted form, one service call.

    ``action(actor, data)`` calls the service with the form's cleaned data ({} without a
    form); ``ready`` is an extra condition of the step on the record it acts on.
    """
    if not _in_state(case, name) or not ready:
        return not_now(request, case)
    if form is not None and not form.is_valid():
        form_errors(request, form)
        return to_case(case)
    data = form.cleaned_data if form is not None else {}
    return run(request, case, lambda actor: action(actor, data), done)


@login_required
@require_POST
def propose(request, code: str):
    case = _step(request, code, "propose")
    return _step_run(
        request,
        case,
        "propose",
        lambda actor, data: services.certification_propose(
            case=case, actor=actor, tier=data["tier"], tier_reason=data["tier_reason"]
        ),
        _("Certification is proposed and the public notice has started."),
        form=forms.ProposeForm(request.POST),
    )


@login_required
@require_POST
def certify(request, code: str):
    case = _step(request, code, "certify")
    return _step_run(
        request,
        case,
        "certify",
        lambda actor, data: services.certification_approve(case=case, actor=actor),
        _("%(name)s is certified as a hardship worker.") % {"name": case.person.name},
    )


def _reason_step(request, code: str, name: str, service, done: str):
    """A step whose only input is a reason (declining, withdrawing, refusing a placement)."""
    case = _step(request, code, name)
    return _step_run(
        request,
        case,
        name,
        lambda actor, data: service(case=case, actor=actor, reason=data["reason"]),
        done,
        form=forms.ReasonForm(request.POST),
    )


@login_required
@require_POST
def decline(request, code: str):
    return _reason_step(
        request, code, "decline", services.case_decline, _("The application is declined.")
    )


@login_required
@require_POST
def withdraw(request, code: str):
    return _reason_step(
        request,
        code,
        "withdraw",
        services.certification_withdraw,
        _("The certification is withdrawn."),
    )


@login_required
@require_POST
def tier(request, code: str):
    case = _step(request, code, "tier")
    return _step_run(
        request,
        case,
        "tier",
        lambda actor, data: services.tier_change(
            case=case, tier=data["tier"], reason=data["reason"], actor=actor
        ),
        lambda changed: _("The service level is now %(tier)s.") % {"tier": changed.tier},
        form=forms.TierForm(request.POST),
    )


# -- the support plan -------------------------------------------------------------------------


@login_required
@require_POST
@one_time_form
def plan_item_add(request, code: str):
    case = _step(request, code, "plan_item_add")
    return _step_run(
        request,
        case,
        "plan_item_add",
        lambda actor, data: services.plan_item_add(
            case=case,
            kind=data["kind"],
            description=data["description"],
            due_on=data["due_on"],
            actor=actor,
        ),
        _("The plan item has been added."),
        form=forms.PlanItemForm(request.POST),
    )


@login_required
@require_POST
def plan_item_done(request, code: str, pk: int):
    case = _step(request, code, "plan_item_done")
    item = get_object_or_404(case.plan_items, pk=pk)
    return _step_run(
        request,
        case,
        "plan_item_done",
        lambda actor, data: services.plan_item_done(item=item, actor=actor, note=data["note"]),
        _("“%(item)s” is done.") % {"item": item.description},
        form=forms.NoteForm(request.POST),
        ready=item.status == PlanItem.Status.OPEN,
    )


@login_required
@require_POST
def plan_start(request, code: str):
    case = _step(request, code, "plan_start")
    return _step_run(
        request,
        case,
        "plan_start",
        lambda actor, data: services.plan_start(case=case, actor=actor),
        _("The support plan is active."),
    )


# -- referrals --------------------------------------------------------------------------------


@login_required
@require_POST
@one_time_form
def refer_employer(request, code: str):
    case = _step(request, code, "refer")
    return _step_run(
        request,
        case,
        "refer",
        lambda actor, data: services.referral_to_employer(
            case=case, employer=data["employer"], job_title=data["job_title"], actor=actor
        ),
        lambda referral: (
            _("%(name)s is referred to %(employer)s.")
            % {"name": case.person.name, "employer": referral.employer.name}
        ),
        form=forms.EmployerReferralForm(request.POST),
    )


@login_required
@require_POST
def referral_outcome(request, code: str, pk: int):
    case = _step(request, code, "referral_outcome")
    referral = get_object_or_404(case.referrals, pk=pk, kind=Referral.Kind.MARKET_JOB)
    return _step_run(
        request,
        case,
        "referral_outcome",
        lambda actor, data: services.referral_outcome(
            referral=referral, hired=data["hired"], actor=actor, note=data["note"]
        ),
        _("The employer's answer has been recorded."),
        form=forms.ReferralOutcomeForm(request.POST),
    )


@login_required
@require_POST
@one_time_form
def refer_post(request, code: str):
    case = _step(request, code, "refer")
    return _step_run(
        request,
        case,
        "refer",
        lambda actor, data: services.referral_to_post(case=case, post=data["post"], actor=actor),
        _post_referral_done,
        form=forms.PostReferralForm(request.POST, case=case),
    )


def _post_referral_done(referral: Referral) -> str:
    if referral.status == Referral.Status.RESERVED:
        return _("A place is reserved for the person in %(post)s.") % {"post": referral.post}
    return _("No place is free in %(post)s: the person is on its waiting list.") % {
        "post": referral.post
    }


@login_required
@require_POST
def referral_release(request, code: str, pk: int):
    case = _step(request, code, "referral_release")
    referral = get_object_or_404(case.referrals, pk=pk)
    return _step_run(
        request,
        case,
        "referral_release",
        lambda actor, data: services.referral_release(
            referral=referral, actor=actor, note=data["note"]
        ),
        _("The referral is released."),
        form=forms.NoteForm(request.POST),
    )


# -- placements -------------------------------------------------------------------------------


@login_required
@require_POST
@one_time_form
def placement_propose(request, code: str, pk: int):
    case = _step(request, code, "placement_propose")
    referral = get_object_or_404(case.referrals, pk=pk, kind=Referral.Kind.POST)
    return _step_run(
        request,
        case,
        "placement_propose",
        lambda actor, data: services.placement_propose(referral=referral, actor=actor),
        _("The placement is proposed; a supervisor other than you must approve it."),
    )


@login_required
@require_POST
def placement_approve(request, code: str):
    case = _step(request, code, "placement_decide")
    return _step_run(
        request,
        case,
        "placement_decide",
        lambda actor, data: services.placement_approve(case=case, actor=actor),
        _("The placement is approved."),
    )


@login_required
@require_POST
def placement_refuse(request, code: str):
    return _reason_step(
        request,
        code,
        "placement_decide",
        services.placement_refuse,
        _("The placement is not approved."),
    )


@login_required
@require_POST
def placement_start(request, code: str, pk: int):
    case = _step(request, code, "placement_start")
    placement = get_object_or_404(case.placements, pk=pk)
    return _step_run(
        request,
        case,
        "placement_start",
        lambda actor, data: services.placement_start(
            placement=placement,
            starts_on=data["starts_on"],
            subsidy_approved_on=data["subsidy_approved_on"],
            actor=actor,
        ),
        _placement_started,
        form=forms.PlacementStartForm(request.POST),
    )


def _placement_started(placement: Placement) -> str:
    return _(
        "The person started in the post on %(start)s; the term ends on %(end)s (%(rule)s)."
    ) % {"start": placement.starts_on, "end": placement.term_ends_on, "rule": placement.term_rule}


@login_required
@require_POST
def placement_end(request, code: str, pk: int):
    case = _step(request, code, "placement_end")
    placement = get_object_or_404(case.placements, pk=pk)
    return _step_run(
        request,
        case,
        "placement_end",
        lambda actor, data: services.placement_end(
            placement=placement, reason=data["reason"], ended_on=data["ended_on"], actor=actor
        ),
        _("The person has left the post."),
        form=forms.PlacementEndForm(request.POST),
    )


# -- follow-up, closing ----------------------------------------------------------------------


@login_required
@require_POST
@one_time_form
def follow_up(request, code: str):
    case = _step(request, code, "follow_up")
    return _step_run(
        request,
        case,
        "follow_up",
        lambda actor, data: services.follow_up_record(case=case, note=data["note"], actor=actor),
        _("The follow-up visit has been recorded."),
        form=forms.FollowUpForm(request.POST),
    )


@login_required
@require_POST
def close(request, code: str):
    case = _step(request, code, "close")
    return _step_run(
        request,
        case,
        "close",
        lambda actor, data: services.case_close(case=case, outcome=data["outcome"], actor=actor),
        _("The case is closed."),
        form=forms.CloseForm(request.POST),
    )
