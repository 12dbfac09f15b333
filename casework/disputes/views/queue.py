"""The mediator queue: tabs with counts, filters, take next, take one, reassign.

The queue must stay fast at a million disputes, with the same few queries at any
size: the user's markets are read once, every tab's count comes from one statement
(the "all" tab counted only up to caselist.COUNT_CAP), a page is read as PER_PAGE + 1 rows cut
from the tab's index before anything is joined, so no unbounded COUNT(*) runs, and
the applicants' names come in one extra query for the whole page.
"""

import datetime
import functools
from dataclasses import dataclass, replace
from html import escape as escape_html

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casework.core import caselist
from casework.core.audit import Actor
from casework.core.calendar import WorkCalendar
from casework.core.caselist import (
    CappedPage,
    Sort,
    capped_page,
    holder_choices,
    market_choices,
    query_with,
    with_links,
)
from casework.core.locking import reread
from casework.core.templatetags.deadlines import deadline_status
from casework.disputes import services
from casework.disputes.access import get_dispute_for_user
from casework.disputes.filters import QueueFilterForm
from casework.disputes.models import ClaimType, Dispute
from casework.disputes.queues import (
    HELD_STATES,
    TAB_LABELS,
    Tab,
    market_ids,
    tab_queryset,
    tabs_for,
)
from casework.parties.models import Person

PER_PAGE = 25
LIST_SEPARATOR = "、"
CLAIM_LABELS = dict(ClaimType.choices)
STATE_LABELS = dict(Dispute.State.choices)
# The columns a row shows, read as values: a page needs these, not a hundred model
# instances (cases, owners, respondents, applicants) with their FSM bookkeeping.
RESPONDENT_NAME = Coalesce("respondent_organization__name", "respondent_person__name")
ROW_FIELDS = (
    "pk",
    "code",
    "state",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "claim_types",
    "total_claimed",
    "received_at",
    "due_date",
)

VIEW = "disputes.view_dispute"
MEDIATE = "disputes.mediate_dispute"
REASSIGN = "disputes.reassign_dispute"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# -- the queue page -------------------------------------------------------------------


@dataclass(frozen=True)
class TabLink:
    slug: str
    label: str
    count: int
    current: bool
    url: str

    @property
    def count_text(self) -> str:
        return caselist.count_text(self.count)


@dataclass(frozen=True)
class Deadline:
    status: dict  # the context of core/_deadline.html
    badge: str  # that template rendered


@dataclass(frozen=True)
class Row:
    code: str
    state: str
    state_label: str
    url: str
    take_url: str  # empty when the user may not take it
    reassign_url: str
    received_on: str  # YYYY-MM-DD
    applicants: str
    respondent: str
    owner: str  # empty when nobody holds the case
    total_claimed: str  # 1234.50
    claim_types: str
    wage_arrears: bool
    group: bool
    deadline: Deadline


@login_required
@permission_required(VIEW, raise_exception=True)
def queue_page(request):
    user, today = request.user, timezone.localdate()
    tabs = tabs_for(user)
    tab = _chosen_tab(request.GET.get("tab"), tabs)
    choices = market_choices(user)
    holders = holder_choices(MEDIATE, [pk for pk, _name in choices])
    form = QueueFilterForm(request.GET, markets=choices, holders=holders, default_sort=_sort(tab))
    valid = form.is_valid()
    markets = form.markets() if valid else form.market_ids
    # The markets and filters once, each tab's own condition on them.
    scoped = Dispute.objects.filter(market_id__in=markets)
    scoped = form.apply(scoped) if valid else scoped
    querysets = {
        t: tab_queryset(t, user=user, markets=markets, today=today, scoped=scoped) for t in tabs
    }
    counts = _tab_counts(querysets)
    ordering = form.ordering() if valid else None
    page = _page(querysets[tab], ordering, request.GET.get("page"), counts[tab], user, today, valid)
    links = [
        TabLink(t, TAB_LABELS[t], counts[t], t == tab, query_with(request, tab=t, page=None))
        for t in tabs
    ]
    context = {
        "tab": tab,
        "tabs": links,
        "form": form,
        "filters": None
        if form.errors or form.is_filtering
        else _blank_filters(translation.get_language(), tab, tuple(choices), tuple(holders)),
        "page": with_links(page, request),
        "rows": _rows_html(page.items),
        "can_take": user.has_perm(MEDIATE),
    }
    return render(request, "disputes/queue.html", context)


@functools.lru_cache(maxsize=256)
def _blank_filters(language: str, tab: str, markets: tuple, holders: tuple) -> str:
    """The filter form with nothing chosen, rendered once per language, tab and markets.

    Form widgets render through templates, a fifth of the page's time; most requests
    show the blank form.
    """
    form = QueueFilterForm(
        None, markets=list(markets), holders=list(holders), default_sort=_sort(tab)
    )
    return render_to_string("core/_case_filters.html", {"form": form, "param": "tab", "value": tab})


def _sort(tab: str) -> str:
    # The work tabs in queue order; the "all" tab, a register, newest first (on its index).
    return Sort.NEWEST if tab == Tab.ALL else ""


def _chosen_tab(requested: str | None, tabs: list[str]) -> str:
    if requested in tabs:
        return requested
    return next((t for t in (Tab.UNASSIGNED, Tab.REVIEW) if t in tabs), tabs[0])


def _tab_counts(querysets: dict[str, QuerySet[Dispute]]) -> dict[str, int]:
    """Every tab's count in one statement, each a scalar subquery using its own index.

    The "all" tab counts at most caselist.COUNT_CAP + 1 rows: past that the page says "10000+".
    """
    parts, params, db = [], [], "default"
    for tab, queryset in querysets.items():
        pks = queryset.order_by().values("pk")
        if tab == Tab.ALL:
            pks = pks[: caselist.COUNT_CAP + 1]
        db = queryset.db
        try:
            sql, sql_params = pks.query.sql_with_params()
        except EmptyResultSet:  # a user without markets: nothing to count
            parts.append("0")
            continue
        # The ORM's own compilation of the tab; user input stays in the query parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab_{len(parts)})")  # noqa: S608
        params.extend(sql_params)
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def _page(
    queryset: QuerySet[Dispute],
    ordering: tuple[str, ...] | None,
    requested,
    count: int,
    user,
    today: datetime.date,
    valid: bool,
) -> CappedPage:
    if not valid:
        # No cases rather than an unfiltered list the user would take for the filtered one.
        return CappedPage([], 1, False, 0, 1)
    ordered = queryset.order_by(*ordering) if ordering else queryset.in_queue_order()
    page = capped_page(ordered, requested, PER_PAGE, count, fetch=_row_values)
    names = _applicant_names([d["pk"] for d in page.items])
    deadlines = _deadlines([d["due_date"] for d in page.items], today)
    can = {"take": user.has_perm(MEDIATE), "reassign": user.has_perm(REASSIGN)}
    urls = _UrlsByCode()
    # The labels in the request's language, translated once rather than once a row.
    labels = {
        "claims": {key: str(label) for key, label in CLAIM_LABELS.items()},
        "states": {key: str(label) for key, label in STATE_LABELS.items()},
    }
    rows = [
        _row(d, names[d["pk"]], deadlines[d["due_date"]], can, urls, labels) for d in page.items
    ]
    return replace(page, items=rows)


def _row_values(rows: QuerySet[Dispute]) -> QuerySet:
    """The page's rows as values: the columns a row shows, nothing more."""
    return rows.values(*ROW_FIELDS, respondent=RESPONDENT_NAME)


def _applicant_names(pks: list[int]) -> dict[int, list[str]]:
    """The applicants' names of the page's cases, in one query (never their ID numbers).

    Written in SQL: two integer and text columns need none of the ORM's conversions,
    and building the query cost more than running it.
    """
    names: dict[int, list[str]] = {pk: [] for pk in pks}
    if not pks:
        return names
    links, link, person = Dispute.applicants.field, Dispute.applicants.through._meta, Person._meta
    with connections[Dispute.objects.db].cursor() as cursor:
        quote = cursor.db.ops.quote_name
        case, who = quote(links.m2m_column_name()), quote(links.m2m_reverse_name())
        cursor.execute(
            f"SELECT l.{case}, p.{quote(person.get_field('name').column)} "  # noqa: S608
            f"FROM {quote(link.db_table)} l JOIN {quote(person.db_table)} p "
            f"ON p.{quote(person.pk.column)} = l.{who} "
            f"WHERE l.{case} IN ({', '.join(['%s'] * len(pks))}) "
            f"ORDER BY l.{quote(link.pk.column)}",  # names and placeholders only
            pks,
        )
        for dispute_id, name in cursor.fetchall():
            names[dispute_id].append(name)
    return names


class _UrlsByCode:
    """The case URLs of a page's rows, reversed once per name instead of once per row."""

    PLACEHOLDER = "WD-0000-000000"

    def __init__(self) -> None:
        self._patterns: dict[str, str] = {}

    def __call__(self, name: str, code: str) -> str:
        if name not in self._patterns:
            self._patterns[name] = reverse(name, args=[self.PLACEHOLDER])
        return self._patterns[name].replace(self.PLACEHOLDER, code)


def _row(
    values: dict, applicants: list[str], deadline: Deadline, can: dict, urls, labels: dict
) -> Row:
    code, state = values["code"], values["state"]
    types = [t for t in values["claim_types"].split(",") if t]
    takeable = can["take"] and state == Dispute.State.ACCEPTED and not values["owner_id"]
    reassignable = can["reassign"] and state in HELD_STATES
    # User.get_full_name(), else the username, as _name() gives for a User.
    owner = f"{values['owner__first_name'] or ''} {values['owner__last_name'] or ''}".strip()
    return Row(
        code=code,
        state=state,
        state_label=labels["states"].get(state, state),
        url=urls("disputes:detail", code),
        take_url=urls("disputes:take", code) if takeable else "",
        reassign_url=urls("disputes:reassign", code) if reassignable else "",
        # Formatted here, not by template filters: the page renders 25 rows on every
        # request and the filters cost more than the rest of a row (bench queue).
        received_on=timezone.localdate(values["received_at"]).isoformat(),
        applicants=LIST_SEPARATOR.join(applicants),
        respondent=values["respondent"],
        owner=owner or values["owner__username"] or "",
        total_claimed=f"{values['total_claimed']:.2f}",
        claim_types=LIST_SEPARATOR.join(labels["claims"].get(t, t) for t in types),
        wage_arrears=ClaimType.UNPAID_WAGES in types,
        group=len(applicants) >= settings.DISPUTE_GROUP_SIZE,
        deadline=deadline,
    )


# One row of templates/disputes/_queue_table.html. The rows are written here: a
# template loop over 25 rows of a dozen values cost the page more than its SQL.
ROW_HTML = (
    '<tr><td class="mono"><a href="{url}">{code}</a></td>'
    '<td><span class="state state-{state}">{state_label}</span></td>'
    "<td>{applicants}</td><td>{respondent}</td><td>{claim_types}</td>"
    '<td class="num">{total_claimed}</td><td><time>{received_on}</time></td>'
    "<td>{badges}</td><td>{deadline}</td><td>{owner}</td>"
    '<td class="actions">{actions}</td></tr>\n'
)


def _rows_html(rows: list[Row]) -> SafeString:
    """The page's table rows, every value escaped as format_html() would."""
    badge = {
        "wages": format_html('<span class="badge badge-wages">{}</span>', _("wage arrears")),
        "group": format_html('<span class="badge badge-group">{}</span>', _("group case")),
    }
    take, reassign = _("Take"), _("Reassign")

    def values(row: Row) -> dict:
        badges = [badge["wages"]] * row.wage_arrears + [badge["group"]] * row.group
        actions = []
        if row.take_url:
            actions.append(
                format_html(
                    '<button type="submit" form="take-form" formaction="{}">{}</button>',
                    row.take_url,
                    take,
                )
            )
        if row.reassign_url:
            actions.append(format_html('<a href="{}">{}</a>', row.reassign_url, reassign))
        return {
            "url": row.url,
            "code": row.code,
            "state": row.state,
            "state_label": row.state_label,
            "applicants": row.applicants,
            "respondent": row.respondent,
            "claim_types": row.claim_types,
            "total_claimed": row.total_claimed,
            "received_on": row.received_on,
            "badges": mark_safe(" ".join(badges)),  # noqa: S308  (format_html's output)
            "deadline": row.deadline.badge,  # rendered by core/_deadline.html
            "owner": row.owner or "—",
            "actions": mark_safe(" ".join(actions)),  # noqa: S308  (format_html's output)
        }

    html = "".join(
        ROW_HTML.format_map({name: _escaped(value) for name, value in values(row).items()})
        for row in rows
    )
    return mark_safe(html)  # noqa: S308  (every value escaped above)


def _escaped(value) -> str:
    """conditional_escape() without its lazy-text wrapper, which costs as much again on
    the three hundred values of a page: safe HTML as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_html(str(value))


def _deadlines(dues: list[datetime.date], today: datetime.date) -> dict[datetime.date, Deadline]:
    """The {% deadline %} badge of each distinct deadline on the page, rendered once.

    Rendering the badge is half the cost of a row, and a page's rows share few dates.
    One calendar, preloaded in one query, serves them all: a calendar per badge would
    read the holiday table per row whenever deadlines reach a year chinese-calendar
    does not cover (each December, nearly every row).
    """
    calendar = WorkCalendar()
    days = [today, *dues]
    calendar.preload(min(days).year, max(days).year)
    deadlines = {}
    language = translation.get_language()
    for due in set(dues):
        status = deadline_status(due, today=today, calendar=calendar)
        deadlines[due] = Deadline(status, _badge(language, **status))
    return deadlines


@functools.lru_cache(maxsize=1024)
def _badge(language: str, **status) -> str:
    # The same date shows the same badge all day on every page: render it once.
    return render_to_string("core/_deadline.html", status)


# -- taking cases ---------------------------------------------------------------------


@require_POST
@login_required
@permission_required([VIEW, MEDIATE], raise_exception=True)
def take_next(request):
    markets = market_ids(request.user)
    dispute = services.dispute_take_next(actor=Actor.from_request(request), markets=markets)
    if dispute is None:
        messages.info(request, _("No case is waiting for a mediator."))
        return redirect(reverse("disputes:queue") + f"?tab={Tab.UNASSIGNED}")
    messages.success(request, _("You have taken %(code)s.") % {"code": dispute.code})
    return redirect("disputes:detail", code=dispute.code)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def take(request, code: str):
    dispute = get_dispute_for_user(request.user, code)
    if not request.user.has_perm(MEDIATE):
        raise PermissionDenied
    if services.dispute_take(dispute=dispute, actor=Actor.from_request(request)):
        messages.success(request, _("You have taken %(code)s.") % {"code": dispute.code})
        return redirect("disputes:detail", code=dispute.code)
    dispute = reread(dispute)
    if dispute.owner is not None:
        message = _("%(code)s has already been taken by %(owner)s.") % {
            "code": dispute.code,
            "owner": _name(dispute.owner),
        }
    else:
        message = _("%(code)s is not waiting for a mediator.") % {"code": dispute.code}
    messages.warning(request, message)
    return redirect(reverse("disputes:queue") + f"?tab={Tab.UNASSIGNED}")


# -- reassigning ----------------------------------------------------------------------


class MediatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return _name(user)


class ReassignForm(forms.Form):
    to = MediatorChoiceField(queryset=None, label=gettext_lazy("New mediator"))
    reason = forms.CharField(
        label=gettext_lazy("Reason (written to the case's audit trail)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Give the reason for the reassignment.")},
    )

    def __init__(self, data=None, *, mediators) -> None:
        super().__init__(data)
        self.fields["to"].queryset = mediators


@login_required
@permission_required(VIEW, raise_exception=True)
def reassign_case(request, code: str):
    dispute = get_dispute_for_user(request.user, code)
    if not request.user.has_perm(REASSIGN):
        raise PermissionDenied
    if dispute.state not in HELD_STATES:
        messages.error(request, _("Only a case a mediator holds can be reassigned."))
        return redirect("disputes:queue")
    mediators = services.mediators_of(dispute.market).exclude(pk=dispute.owner_id)
    form = ReassignForm(request.POST or None, mediators=mediators)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.dispute_reassign(
                dispute=dispute,
                to=to,
                actor=Actor.from_request(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(code)s is now held by %(name)s.") % {"code": code, "name": _name(to)},
            )
            return redirect("disputes:queue")
    return render(request, "disputes/reassign.html", {"dispute": dispute, "form": form})
