"""The mediator queue's tabs, shared by the queue page and the home page.

Every tab is a filter on indexed columns of the dispute table (market, state,
owner, priority, due date), so a page costs the same at ten thousand and at a
million disputes. Market ids are read once per request and passed in as a list.
"""

import datetime
from typing import cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.queues import Queue, StartAction, register, register_start
from casework.core.roles import Role, access_of
from casework.disputes.models import ArbitrationHandoff, Dispute, DisputeQuerySet

S = Dispute.State
# States in which a case is still somebody's work.
ACTIVE_STATES = (
    S.RECEIVED,
    S.ACCEPTED,
    S.IN_MEDIATION,
    S.SETTLED,
    S.EFFECTIVE,
    S.DEFAULTED,
    S.PERFORMED,
    S.REFERRED,
)
HELD_STATES = ACTIVE_STATES[2:]


class Tab:
    REVIEW = "review"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ALL = "all"


TAB_LABELS = {
    Tab.REVIEW: _("To review"),
    Tab.UNASSIGNED: _("Unassigned"),
    Tab.MINE: _("Mine"),
    Tab.DUE_SOON: _("Due within 3 days"),
    Tab.OVERDUE: _("Overdue"),
    Tab.ALL: _("All"),
}


def tabs_for(user) -> list[str]:
    tabs = []
    if user.has_perm("disputes.accept_dispute"):
        tabs.append(Tab.REVIEW)
    if user.has_perm("disputes.mediate_dispute"):
        tabs += [Tab.UNASSIGNED, Tab.MINE]
    # Everyone who sees the queue sees every case of their markets (no case out of sight).
    return [*tabs, Tab.DUE_SOON, Tab.OVERDUE, Tab.ALL]


def market_ids(user) -> list[int]:
    """The user's market ids (cached with what the user holds: roles.access_of)."""
    return [pk for pk, _name in access_of(user).markets]


def tab_queryset(
    tab: str,
    *,
    user,
    markets: list[int],
    today: datetime.date | None = None,
    scoped: QuerySet[Dispute] | None = None,
) -> QuerySet[Dispute]:
    """The disputes of one tab, unordered; ``markets`` are the user's market ids.

    ``scoped``: the disputes of those markets to narrow, when the caller has built them
    once for every tab (the queue page, with its filters).
    """
    today = today or timezone.localdate()
    if scoped is None:
        scoped = Dispute.objects.filter(market_id__in=markets)
    # A queryset of disputes is a DisputeQuerySet (its manager's), whatever the filters.
    scoped = cast(DisputeQuerySet, scoped)
    soon = today + datetime.timedelta(days=3)
    if tab == Tab.REVIEW:
        return scoped.filter(state=S.RECEIVED)
    if tab == Tab.UNASSIGNED:
        return scoped.unassigned()
    if tab == Tab.MINE:
        return scoped.filter(owner=user, state__in=HELD_STATES)
    if tab == Tab.DUE_SOON:
        return scoped.filter(
            state__in=Dispute.CLOCK_STATES, due_date__gte=today, due_date__lte=soon
        )
    if tab == Tab.OVERDUE:
        return scoped.filter(state__in=Dispute.CLOCK_STATES, due_date__lt=today)
    if tab == Tab.ALL:
        return scoped
    raise ValueError(tab)


def _count(tab: str):
    def count(user) -> int:
        return tab_queryset(tab, user=user, markets=market_ids(user)).count()

    return count


register(
    Role.MEDIATOR,
    Queue(_("Disputes to review"), "disputes:queue", _count(Tab.REVIEW), url_query="tab=review"),
)
register(
    Role.MEDIATOR,
    Queue(
        _("Unassigned disputes"),
        "disputes:queue",
        _count(Tab.UNASSIGNED),
        url_query="tab=unassigned",
    ),
)
register(
    Role.MEDIATOR, Queue(_("My disputes"), "disputes:queue", _count(Tab.MINE), url_query="tab=mine")
)
register(
    Role.MEDIATOR,
    Queue(
        _("Disputes due within 3 days"),
        "disputes:queue",
        _count(Tab.DUE_SOON),
        url_query="tab=due_soon",
    ),
)
register(
    Role.SUPERVISOR,
    Queue(_("Overdue disputes"), "disputes:queue", _count(Tab.OVERDUE), url_query="tab=overdue"),
)
register(
    Role.SUPERVISOR,
    Queue(
        _("Disputes due within 3 days"),
        "disputes:queue",
        _count(Tab.DUE_SOON),
        url_query="tab=due_soon",
    ),
)


def _arbitration_overdue(user) -> int:
    """Hand-offs the committee accepted whose 45 (60) days are over without a result."""
    return (
        ArbitrationHandoff.objects.awaiting_outcome()
        .filter(dispute__market_id__in=market_ids(user), due_date__lt=timezone.localdate())
        .count()
    )


for _role in (Role.MEDIATOR, Role.SUPERVISOR):
    register(
        _role,
        Queue(
            _("Arbitration outcomes overdue"),
            "disputes:arbitration_awaiting",
            _arbitration_overdue,
        ),
    )

# The counter's start points (the home page's "Start" buttons).
register_start(
    StartAction(_("Record a written application"), "disputes:file", ("disputes.add_dispute",))
)
register_start(
    StartAction(_("Record an oral application"), "disputes:file_oral", ("disputes.add_dispute",))
)
