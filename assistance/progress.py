"""The progress of a hardship application for the applicant (办件进度, casework.core.portal).

The path: application received, first review, public notice, certified, support
plan, referral to a job or post, in a public-welfare post. The first review is due
within the rule set's working days of the application (``review_due``); the
certification follows the public notice's last day (``notice_ends``).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from assistance.models import AssistanceCase
from casework.core import portal as registry

S = AssistanceCase.State

PATH = (
    (S.APPLIED, _("Application received")),
    (S.UNDER_REVIEW, _("First review")),
    (S.ON_NOTICE, _("Public notice")),
    (S.CERTIFIED, _("Certified as a person with employment difficulties")),
    (S.PLAN_ACTIVE, _("Support plan")),
    (S.REFERRED, _("Referred to a job or a public-welfare post")),
    (S.IN_POST, _("Working in a public-welfare post")),
)
ENDS = {
    S.DECLINED: _("Not certified"),
    S.CLOSED: _("Case closed"),
    S.WITHDRAWN: _("Certification withdrawn"),
    S.EXPIRED: _("Certification expired"),
}
# States on the way to a post: shown as the step they belong to.
STAGE = {
    S.PLACEMENT_PROPOSED: S.REFERRED,
    S.PLACED: S.REFERRED,
    S.EXITED: S.IN_POST,
}
# What the applicant waits for in each state, when the path's next label does not say it.
NEXT_NOTE = {
    S.APPLIED: _("A caseworker will check your application and documents."),
    S.UNDER_REVIEW: _("If you qualify, your certification is announced publicly for a few days."),
    S.ON_NOTICE: _("The certification is approved after the notice ends."),
    S.PLACEMENT_PROPOSED: _("A placement in a post is waiting for approval."),
    S.PLACED: _("Your placement is approved; the caseworker will tell you when you start."),
}


def assistance_progress(case: AssistanceCase) -> registry.Progress:
    when: dict[str, Any] = {**registry.reached(case)}
    when[S.APPLIED] = case.applied_on
    if case.notice_starts:
        when[S.ON_NOTICE] = case.notice_starts
    if case.certified_on:
        when[S.CERTIFIED] = case.certified_on
    state = STAGE.get(case.state, case.state)
    steps = registry.steps_along(PATH, state, when, ENDS)
    due, counting = None, "calendar"
    if case.state in (S.APPLIED, S.UNDER_REVIEW):
        due, counting = case.review_due, "working"
    elif case.state == S.ON_NOTICE:
        due = case.notice_ends
    steps = registry.with_next(
        steps, due=due, counting=counting, note=NEXT_NOTE.get(case.state, "")
    )
    return registry.Progress(steps)


registry.register_progress(AssistanceCase, assistance_progress)
