"""The caseworkers' queue: one tab per kind of due work, each with its count.

The tabs and their rules are assistance.queues (the home page counts the same);
this page lists the chosen tab's rows, the oldest or most urgent first, and lets
a caseworker take a new application (首问负责). The "all" tab lists every case of the
user's markets with filters (casework.core.caselist).
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assistance.models import AssistanceCase, Placement, PlanItem
from assistance.queues import TAB_LABELS, Tab, tab_items, tabs_for
from assistance.views.common import ADD, VIEW, WORK, require_staff
from casework.core.caselist import all_tab, capped_count, count_text

S = AssistanceCase.State
ROWS_SHOWN = 200


@dataclass(frozen=True)
class TabLink:
    slug: str
    label: str
    count: int
    current: bool

    @property
    def count_text(self) -> str:
        return count_text(self.count)


@dataclass(frozen=True)
class Row:
    code: str
    person: str
    state: str
    what: str
    due: object  # a date, or None
    take: bool


@login_required
@require_GET
def queue_page(request):
    user = request.user
    require_staff(user, VIEW)
    tabs = tabs_for(user)
    chosen = request.GET.get("tab")
    tab = chosen if chosen in tabs else Tab.NEW
    items = {t: tab_items(t, user) for t in tabs}
    counts = {t: capped_count(items[t]) if t == Tab.ALL else items[t].count() for t in tabs}
    rows = [] if tab == Tab.ALL else [_row(tab, item, user) for item in items[tab][:ROWS_SHOWN]]
    context = {
        "tab": tab,
        "tab_label": TAB_LABELS[tab],
        "tabs": [TabLink(t, TAB_LABELS[t], counts[t], t == tab) for t in tabs],
        "rows": rows,
        "more": counts[tab] > len(rows),
        "can_apply": user.has_perm(ADD),
        "can_take": user.has_perm(WORK),
        "all": _all(request, items[Tab.ALL]) if tab == Tab.ALL else None,
        "party_heading": _("applicant"),
    }
    return render(request, "assistance/queue.html", context)


def _all(request, cases):
    return all_tab(
        request,
        cases,
        param=("tab", Tab.ALL),
        holder_permission=WORK,
        url_name="assistance:detail",
        party=lambda case: case.person.name,
        related=("person",),
    )


def _row(tab: str, item, user) -> Row:
    if isinstance(item, PlanItem):
        case, what, due = item.case, item.description, item.due_on
    elif isinstance(item, Placement):
        case, what, due = item.case, str(item.post), item.term_ends_on
    else:
        case = item
        what, due = _case_row(tab, case)
    return Row(
        code=case.code,
        person=case.person.name,
        state=case.get_state_display(),
        what=what,
        due=due,
        take=tab == Tab.NEW and user.has_perm(WORK),
    )


def _case_row(tab: str, case: AssistanceCase) -> tuple[str, object]:
    if tab == Tab.NEW:
        return _("applied"), case.applied_on
    if tab == Tab.REVIEWS:
        holder = case.owner.get_full_name() or case.owner.get_username() if case.owner else "—"
        return _("first review by %(name)s") % {"name": holder}, case.review_due
    if tab == Tab.NOTICES:
        return _("public notice ends"), case.notice_ends
    if tab == Tab.FOLLOW_UP:
        last = getattr(case, "last_visit", None)
        if last is None:
            return _("no follow-up visit yet"), None
        return _("last visit on %(day)s") % {"day": last.date().isoformat()}, None
    if case.state == S.ON_NOTICE:
        return _("certify: the public notice is over"), case.notice_ends
    return _("approve the placement"), None
