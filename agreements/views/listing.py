"""The agreements list (scoped to the user's markets) and the development SMS outbox."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agreements.access import agreements_visible_to
from agreements.models import Agreement
from casework.core.caselist import (
    CappedPage,
    CaseListForm,
    Sort,
    capped_count,
    capped_page,
    holder_choices,
    market_choices,
    with_links,
)
from casework.core.models import SmsMessage
from casework.core.sms import outbox_enabled
from casework.notifications.registry import templates

PAGE_SIZE = 50
# A filter that is not a single state: both states in which signatures are collected.
SIGNING = "signing"


def state_filters(counts: dict[str, int]) -> list[dict]:
    """The list's filters with their counts: all, waiting for signatures, then each state."""
    filters = [
        {"value": "", "label": _("All"), "count": sum(counts.values())},
        {
            "value": SIGNING,
            "label": _("Waiting for signatures"),
            "count": sum(counts.get(s, 0) for s in Agreement.SIGNING_STATES),
        },
    ]
    filters += [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Agreement.State.choices
    ]
    return filters


def _filtered(queryset, state: str, term: str):
    if state == SIGNING:
        queryset = queryset.filter(state__in=Agreement.SIGNING_STATES)
    elif state in Agreement.State.values:
        queryset = queryset.filter(state=state)
    if term:
        queryset = queryset.filter(
            Q(code__icontains=term)
            | Q(worker__name__icontains=term)
            | Q(hiring_organization__name__icontains=term)
            | Q(hiring_person__name__icontains=term)
        )
    return queryset


@login_required
@permission_required("agreements.view_agreement", raise_exception=True)
@require_GET
def agreement_list(request):
    scoped = agreements_visible_to(request.user)
    counts = dict(scoped.order_by().values_list("state").annotate(n=Count("pk")))
    state = request.GET.get("state", "")
    term = request.GET.get("q", "").strip()
    markets = market_choices(request.user)
    form = CaseListForm(
        request.GET,
        markets=markets,
        holders=holder_choices("agreements.add_agreement", [pk for pk, _name in markets]),
        default_sort=Sort.NEWEST,
    )
    page = CappedPage([], 1, False, 0, 1)
    if form.is_valid():
        rows = form.apply(_filtered(scoped, state, term)).order_by(*form.ordering())
        page = capped_page(
            rows,
            request.GET.get("page"),
            PAGE_SIZE,
            capped_count(rows),
            fetch=lambda page_rows: page_rows.select_related(
                "worker", "hiring_organization", "hiring_person", "market"
            ),
        )
    context = {
        "page": with_links(page, request),
        "form": form,
        "q": term,
        "state": state,
        "filters": state_filters(counts),
        "query": urlencode({"state": state, "q": term}) + "&",
        "outbox": outbox_enabled() and request.user.has_perm("core.view_smsmessage"),
    }
    return render(request, "agreements/list.html", context)


@login_required
@permission_required("core.view_smsmessage", raise_exception=True)
@require_GET
def outbox(request):
    """The development outbox: the text messages (signing codes) a party would receive.

    Only with the outbox SMS backend; a real gateway keeps no text, so there is nothing
    to show and the page does not exist.
    """
    if not outbox_enabled():
        raise Http404("The SMS outbox is only kept in development.")
    page = Paginator(outbox_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    titles = {template.slug: template.title for template in templates()}
    for message in page:
        # The template it was sent under, by its registered title (none for an old row).
        message.template_title = titles.get(message.template or message.purpose, "")
    return render(request, "agreements/outbox.html", {"page": page})


def outbox_visible_to(user):
    """Newest first; codes for another market's agreements stay hidden even in development."""
    messages = SmsMessage.objects.order_by("-sent_at", "-pk")
    if user.is_superuser:
        return messages
    prefix = f"{Agreement.CODE_PREFIX}-"
    visible = agreements_visible_to(user).values("code")
    return messages.filter(~Q(subject_label__startswith=prefix) | Q(subject_label__in=visible))
