"""The complaint officers' and supervisors' queue: one tab per kind of due work.

Tabs (``?show=``): to decide on acceptance (working days left), awaiting a
supplement (the clock paused, its days frozen), investigating (days left),
decided (to hear and close), referred to labour inspection and awaiting its
feedback (days left; late feedback is also overdue), overdue, extensions
waiting for a supervisor, new complaints to take, mine, finished ones, and all
of them with filters (casework.core.caselist). Only complaints of the user's
markets (access.complaints_visible_to). The page costs the same few queries at
any size: every tab's count in one statement, one page of rows with their
respondents and holders joined, the repeat offenders among the page's
respondents in one more, and one working-day calendar shared by every row.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from casework.complaints import services
from casework.complaints.access import complaints_visible_to
from casework.complaints.models import Complaint, ExtensionRequest, feedback_late
from casework.complaints.penalties import Conduct
from casework.complaints.views.common import (
    APPROVE,
    VIEW,
    WORK,
    clock,
    complaint_for,
    repeat_rule,
    require_staff,
    today,
    user_name,
)
from casework.core.audit import Actor
from casework.core.calendar import WorkCalendar
from casework.core.caselist import all_tab, capped_count, count_text
from casework.core.locking import reread

S = Complaint.State
ROWS_SHOWN = 200
CONDUCT_LABELS = dict(Conduct.choices)
LIST_SEPARATOR = "、"


class Tab:
    ACCEPTANCE = "acceptance"
    SUPPLEMENT = "supplement"
    INVESTIGATING = "investigating"
    DECIDED = "decided"
    FEEDBACK = "feedback"
    OVERDUE = "overdue"
    EXTENSIONS = "extensions"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    FINISHED = "finished"
    ALL = "all"


TAB_LABELS = {
    Tab.ACCEPTANCE: gettext_lazy("To decide on acceptance"),
    Tab.SUPPLEMENT: gettext_lazy("Awaiting a supplement"),
    Tab.INVESTIGATING: gettext_lazy("investigating"),
    Tab.DECIDED: gettext_lazy("Decided: hear and close"),
    Tab.FEEDBACK: gettext_lazy("Awaiting inspection feedback"),
    Tab.OVERDUE: gettext_lazy("Overdue"),
    Tab.EXTENSIONS: gettext_lazy("Investigation extensions to approve"),
    Tab.UNASSIGNED: gettext_lazy("New complaints to take"),
    Tab.MINE: gettext_lazy("My complaints"),
    Tab.FINISHED: gettext_lazy("Finished"),
    Tab.ALL: gettext_lazy("All"),
}


def tabs_for(user) -> list[str]:
    tabs = [
        Tab.ACCEPTANCE,
        Tab.SUPPLEMENT,
        Tab.INVESTIGATING,
        Tab.DECIDED,
        Tab.FEEDBACK,
        Tab.OVERDUE,
    ]
    if user.has_perm(APPROVE):
        tabs.append(Tab.EXTENSIONS)
    tabs.append(Tab.UNASSIGNED)
    if user.has_perm(WORK):
        tabs.append(Tab.MINE)
    # Every complaint of the user's markets, whatever its state (no case out of sight).
    return [*tabs, Tab.FINISHED, Tab.ALL]


def tab_filters(user, day: datetime.date) -> dict[str, Q]:
    """Each complaint tab as a condition on the user's visible complaints."""
    return {
        Tab.ACCEPTANCE: Q(state=S.RECEIVED),
        Tab.SUPPLEMENT: Q(state=S.SUPPLEMENT_REQUESTED),
        Tab.INVESTIGATING: Q(state__in=Complaint.INVESTIGATION_STATES),
        Tab.DECIDED: Q(state__in=(S.DECIDED, S.RESPONDENT_HEARD)),
        Tab.FEEDBACK: Q(state=S.AWAITING_FEEDBACK),
        Tab.OVERDUE: Q(state=S.RECEIVED, acceptance_due__lt=day)
        | Q(state__in=Complaint.INVESTIGATION_STATES, investigation_due__lt=day)
        | feedback_late(day),
        # As the home page counts them (casework.complaints.queues).
        Tab.UNASSIGNED: Q(owner__isnull=True, state=S.RECEIVED),
        Tab.MINE: Q(owner=user) & ~Q(state__in=Complaint.FINAL_STATES),
        Tab.FINISHED: Q(state__in=Complaint.FINAL_STATES),
    }


# The running deadline, for ordering: acceptance before acceptance, investigation after,
# then the inspection's feedback.
CURRENT_DUE = Case(
    When(state__in=Complaint.ACCEPTANCE_STATES, then=F("acceptance_due")),
    When(state=S.AWAITING_FEEDBACK, then=F("feedback_due")),
    default=F("investigation_due"),
)

ORDER = {
    Tab.ACCEPTANCE: ("acceptance_due", "pk"),
    Tab.SUPPLEMENT: ("supplement_due", "pk"),
    Tab.INVESTIGATING: ("investigation_due", "pk"),
    Tab.DECIDED: ("decided_at", "pk"),
    Tab.FEEDBACK: ("feedback_due", "pk"),
    Tab.OVERDUE: (CURRENT_DUE.asc(), "pk"),
    Tab.UNASSIGNED: ("received_at", "pk"),
    Tab.MINE: (CURRENT_DUE.asc(nulls_last=True), "pk"),
    Tab.FINISHED: (F("closed_at").desc(nulls_last=True), "-pk"),
}


@dataclass(frozen=True)
class TabLink:
    slug: str
    label: str
    count: int
    current: bool
    url: str

    @property
    def count_text(self) -> str:
        return count_text(self.count)


@dataclass(frozen=True)
class Row:
    code: str
    url: str
    state: str
    state_label: str
    received_at: datetime.datetime
    complainant: str
    respondent: str
    respondent_url: str
    respondent_linked: bool
    repeat: bool
    categories: str
    owner: str
    clock: dict
    extension_pending: bool
    extended: bool
    overdue: bool
    take: bool


@dataclass(frozen=True)
class ExtensionRow:
    code: str
    url: str
    respondent: str
    repeat: bool
    requested_by: str
    requested_at: datetime.datetime
    reason: str
    previous_due: datetime.date
    own: bool


@login_required
@require_GET
def queue_page(request):
    user = request.user
    require_staff(user, VIEW)
    day = today()
    tabs = tabs_for(user)
    chosen = request.GET.get("show")
    tab = chosen if chosen in tabs else tabs[0]
    visible = complaints_visible_to(user)
    filters = tab_filters(user, day)
    counts = _counts(user, visible, {t: filters[t] for t in tabs if t in filters})
    if Tab.EXTENSIONS in tabs:
        extensions = _extensions(user, visible)
        counts[Tab.EXTENSIONS] = extensions.count()
    counts[Tab.ALL] = capped_count(visible)
    links = [TabLink(t, TAB_LABELS[t], counts[t], t == tab, f"?show={t}") for t in tabs]
    context = {
        "tab": tab,
        "tab_label": TAB_LABELS[tab],
        "tabs": links,
        "can_file": user.has_perm("complaints.add_complaint"),
        "can_take": user.has_perm(WORK),
        "rows": [],
        "extension_rows": [],
        "repeat_rule": repeat_rule(),
    }
    if tab == Tab.EXTENSIONS:
        context["extension_rows"] = _extension_rows(user, extensions)
    elif tab == Tab.ALL:
        context["all"] = _all(request, visible)
        context["party_heading"] = _("respondent")
    else:
        context["rows"] = _rows(user, visible.filter(filters[tab]).order_by(*ORDER[tab]), day)
    shown = len(context["rows"]) + len(context["extension_rows"])
    context["shown"] = shown
    context["more"] = tab != Tab.ALL and counts[tab] > shown
    return TemplateResponse(request, "complaints/queue.html", context)


def _all(request, visible: QuerySet[Complaint]):
    return all_tab(
        request,
        visible,
        param=("show", Tab.ALL),
        holder_permission=WORK,
        url_name="complaints:detail",
        party=_respondent_name,
        related=("respondent",),
        date_field="received_at",
    )


def _respondent_name(complaint: Complaint) -> str:
    if complaint.respondent_id:
        return complaint.respondent.name
    return complaint.respondent_name_given


def _counts(user, visible: QuerySet[Complaint], filters: dict[str, Q]) -> dict[str, int]:
    """Every complaint tab's count in one statement."""
    return visible.aggregate(
        **{tab: Count("pk", filter=condition) for tab, condition in filters.items()}
    )


def _extensions(user, visible: QuerySet[Complaint]) -> QuerySet[ExtensionRequest]:
    """Pending requests a supervisor other than the requester must decide."""
    return ExtensionRequest.objects.filter(
        approved__isnull=True,
        complaint__in=visible.filter(state__in=Complaint.INVESTIGATION_STATES),
    ).exclude(requested_by=user)


def _rows(user, complaints: QuerySet[Complaint], day: datetime.date) -> list[Row]:
    pending = ExtensionRequest.objects.filter(complaint=OuterRef("pk"), approved__isnull=True)
    page = list(
        complaints.select_related("respondent", "owner", "complainant").annotate(
            extension_pending=Exists(pending)
        )[:ROWS_SHOWN]
    )
    repeat = _repeat_offenders(c.respondent_id for c in page)
    calendar = _calendar(page, day)
    can_take = user.has_perm(WORK)
    detail = _url_for("complaints:detail")
    intermediary = _url_for("complaints:intermediary", pk=True)
    return [
        Row(
            code=c.code,
            url=detail(c.code),
            state=c.state,
            state_label=c.get_state_display(),
            received_at=c.received_at,
            complainant=c.complainant_label or "—",
            respondent=_respondent_name(c),
            respondent_url=intermediary(c.respondent_id) if c.respondent_id else "",
            respondent_linked=c.respondent_id is not None,
            repeat=c.respondent_id in repeat,
            categories=LIST_SEPARATOR.join(
                str(CONDUCT_LABELS.get(category, category)) for category in c.categories
            ),
            owner=user_name(c.owner),
            clock=clock(c, calendar, day),
            extension_pending=c.extension_pending,
            extended=c.extended,
            overdue=c.is_overdue(day),
            take=can_take and c.owner_id is None and c.state not in Complaint.FINAL_STATES,
        )
        for c in page
    ]


def _extension_rows(user, extensions: QuerySet[ExtensionRequest]) -> list[ExtensionRow]:
    requests = list(
        extensions.select_related("complaint", "complaint__respondent", "requested_by").order_by(
            "requested_at", "pk"
        )[:ROWS_SHOWN]
    )
    repeat = _repeat_offenders(r.complaint.respondent_id for r in requests)
    detail = _url_for("complaints:detail")
    return [
        ExtensionRow(
            code=r.complaint.code,
            url=detail(r.complaint.code) + "#extension",
            respondent=_respondent_name(r.complaint),
            repeat=r.complaint.respondent_id in repeat,
            requested_by=user_name(r.requested_by),
            requested_at=r.requested_at,
            reason=r.reason,
            previous_due=r.previous_due,
            own=r.requested_by_id == user.pk,
        )
        for r in requests
    ]


def _repeat_offenders(respondent_ids) -> set[int]:
    ids = {pk for pk in respondent_ids if pk is not None}
    return services.repeat_offender_ids(ids) if ids else set()


def _calendar(complaints: list[Complaint], day: datetime.date) -> WorkCalendar:
    calendar = WorkCalendar()
    days = [day]
    for c in complaints:
        dues = (c.acceptance_due, c.investigation_due, c.acceptance_paused_on, c.feedback_due)
        days += [d for d in dues if d]
    calendar.preload(min(days).year, max(days).year)
    return calendar


def _url_for(name: str, *, pk: bool = False):
    """Reverse ``name`` once and fill in each row's key (no reverse() per row)."""
    placeholder = "987654321" if pk else "IC-0000-000000"
    pattern = reverse(name, args=[int(placeholder) if pk else placeholder])
    return lambda key: pattern.replace(placeholder, str(key), 1)


# -- taking a complaint ---------------------------------------------------------------------


@login_required
@require_POST
def take(request, code: str):
    """An officer takes a complaint nobody holds (a web or portal complaint)."""
    complaint = complaint_for(request, code)
    require_staff(request.user, WORK)
    if services.complaint_take(complaint=complaint, actor=Actor.from_request(request)):
        messages.success(request, _("You have taken %(code)s.") % {"code": complaint.code})
        return redirect("complaints:detail", code=complaint.code)
    complaint = reread(complaint)
    if complaint.owner is not None:
        message = _("%(code)s has already been taken by %(owner)s.") % {
            "code": complaint.code,
            "owner": user_name(complaint.owner),
        }
    else:
        message = _("%(code)s is no longer open.") % {"code": complaint.code}
    messages.warning(request, message)
    return redirect(reverse("complaints:queue") + f"?show={Tab.UNASSIGNED}")
