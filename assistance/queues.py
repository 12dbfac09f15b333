"""The caseworkers' assistance queue: its tabs, shared by the queue page and the home page.

Each tab is one query within the user's markets (``access.cases_visible_to``):

- ``new``: applications nobody has taken yet (首问负责: the first to take one owns it);
- ``reviews``: first reviews in progress, the nearest review deadline first;
- ``notices``: public notices ending within NOTICE_WARNING_WORKING_DAYS or already over;
- ``plan``: open support-plan items past their due date;
- ``exit``: placements whose term ends within settings.ASSISTANCE_EXIT_PLANNING_DAYS;
- ``follow_up``: people in post without a follow-up visit in FOLLOW_UP_DAYS;
- ``approvals`` (supervisors): notices that are over and proposed placements, except
  the user's own proposals (the two-person rule);
- ``all``: every case, filtered and sorted on the page (casework.core.caselist).

Imported once from AssistanceConfig.ready(), which registers the home-page queues.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.access import cases_visible_to
from assistance.models import AssistanceCase, Placement, PlanItem
from assistance.services import FOLLOW_UP, FOLLOW_UP_DAYS
from casework.core.calendar import add_working_days
from casework.core.models import CaseEvent
from casework.core.queues import Queue, StartAction, register, register_start
from casework.core.roles import Role

S = AssistanceCase.State
# A public notice shows in the queue from this many working days before it ends.
NOTICE_WARNING_WORKING_DAYS = 2
APPROVE = "assistance.approve_case"


class Tab:
    NEW = "new"
    REVIEWS = "reviews"
    NOTICES = "notices"
    PLAN = "plan"
    EXIT = "exit"
    FOLLOW_UP = "follow_up"
    APPROVALS = "approvals"
    ALL = "all"


TAB_LABELS = {
    Tab.NEW: _("New applications"),
    Tab.REVIEWS: _("Reviews due"),
    Tab.NOTICES: _("Public notices ending"),
    Tab.PLAN: _("Plan items overdue"),
    Tab.EXIT: _("Exit planning"),
    Tab.FOLLOW_UP: _("Follow-up visits due"),
    Tab.APPROVALS: _("Approvals waiting"),
    Tab.ALL: _("All"),
}

# The titles of the same queues on the home page.
HOME_TITLES = {
    Tab.NEW: _("New hardship applications"),
    Tab.REVIEWS: _("Hardship reviews in progress"),
    Tab.NOTICES: _("Hardship public notices ending"),
    Tab.PLAN: _("Overdue support-plan items"),
    Tab.EXIT: _("Public-welfare placements ending soon"),
    Tab.FOLLOW_UP: _("Follow-up visits due"),
    Tab.APPROVALS: _("Hardship approvals waiting"),
}


def tabs_for(user) -> list[str]:
    tabs = [Tab.NEW, Tab.REVIEWS, Tab.NOTICES, Tab.PLAN, Tab.EXIT, Tab.FOLLOW_UP]
    if user.has_perm(APPROVE):
        tabs.append(Tab.APPROVALS)
    # Every case of the user's markets, whatever its state (no case out of sight).
    return [*tabs, Tab.ALL]


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def new_applications(cases: QuerySet[AssistanceCase]) -> QuerySet[AssistanceCase]:
    return cases.filter(state=S.APPLIED, owner__isnull=True).order_by("applied_on", "pk")


def reviews_due(cases: QuerySet[AssistanceCase]) -> QuerySet[AssistanceCase]:
    return cases.filter(state=S.UNDER_REVIEW).order_by("review_due", "pk")


def notices_ending(cases, today: datetime.date | None = None) -> QuerySet[AssistanceCase]:
    until = add_working_days(_today(today), NOTICE_WARNING_WORKING_DAYS)
    return cases.filter(state=S.ON_NOTICE, notice_ends__lte=until).order_by("notice_ends", "pk")


def plan_items_overdue(cases, today: datetime.date | None = None) -> QuerySet[PlanItem]:
    return (
        PlanItem.objects.filter(
            case__in=cases.filter(state__in=AssistanceCase.ENTITLED_STATES),
            status=PlanItem.Status.OPEN,
            due_on__lt=_today(today),
        )
        .select_related("case", "case__person")
        .order_by("due_on", "pk")
    )


def placements_ending(cases, today: datetime.date | None = None) -> QuerySet[Placement]:
    until = _today(today) + datetime.timedelta(days=settings.ASSISTANCE_EXIT_PLANNING_DAYS)
    return (
        Placement.objects.filter(
            case__in=cases, status=Placement.Status.IN_POST, term_ends_on__lte=until
        )
        .select_related("case", "case__person", "post")
        .order_by("term_ends_on", "pk")
    )


def follow_ups_due(cases, now: datetime.datetime | None = None) -> QuerySet[AssistanceCase]:
    """People in post whose last follow-up visit is older than FOLLOW_UP_DAYS, or missing."""
    since = (now or timezone.now()) - datetime.timedelta(days=FOLLOW_UP_DAYS)
    last_visit = (
        CaseEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(AssistanceCase),
            subject_id=OuterRef("pk"),
            action=FOLLOW_UP,
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        cases.filter(state=S.IN_POST)
        .annotate(last_visit=Subquery(last_visit))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
        .order_by("last_visit", "pk")
    )


def approvals_waiting(cases, user, today: datetime.date | None = None):
    """What a supervisor may approve now: over notices and proposed placements, not their own."""
    notices = Q(state=S.ON_NOTICE, notice_ends__lt=_today(today)) & ~Q(proposed_by=user)
    own_placements = Placement.objects.filter(
        status=Placement.Status.PROPOSED, proposed_by=user
    ).values("case_id")
    placements = Q(state=S.PLACEMENT_PROPOSED) & ~Q(pk__in=own_placements)
    return cases.filter(notices | placements).order_by("updated_at", "pk")


def tab_items(tab: str, user, today: datetime.date | None = None) -> QuerySet:
    """The rows of ``tab`` for ``user``: cases, or plan items / placements for two tabs."""
    cases = cases_visible_to(user)
    if tab == Tab.NEW:
        return new_applications(cases)
    if tab == Tab.REVIEWS:
        return reviews_due(cases)
    if tab == Tab.NOTICES:
        return notices_ending(cases, today)
    if tab == Tab.PLAN:
        return plan_items_overdue(cases, today)
    if tab == Tab.EXIT:
        return placements_ending(cases, today)
    if tab == Tab.FOLLOW_UP:
        return follow_ups_due(cases)
    if tab == Tab.APPROVALS:
        if not user.has_perm(APPROVE):
            return cases.none()
        return approvals_waiting(cases, user, today)
    if tab == Tab.ALL:
        return cases
    raise ValueError(tab)


def _count(tab: str):
    def count(user) -> int:
        return tab_items(tab, user).count()

    return count


for _tab in (Tab.NEW, Tab.REVIEWS, Tab.NOTICES, Tab.PLAN, Tab.EXIT, Tab.FOLLOW_UP):
    _queue = Queue(HOME_TITLES[_tab], "assistance:queue", _count(_tab), url_query=f"tab={_tab}")
    register(Role.CASEWORKER, _queue)
    register(Role.SUPERVISOR, _queue)
register(
    Role.SUPERVISOR,
    Queue(
        HOME_TITLES[Tab.APPROVALS],
        "assistance:queue",
        _count(Tab.APPROVALS),
        url_query=f"tab={Tab.APPROVALS}",
    ),
)

register_start(
    StartAction(
        _("New application at the counter"),
        "assistance:apply",
        ("assistance.view_assistancecase", "assistance.add_assistancecase"),
    )
)
