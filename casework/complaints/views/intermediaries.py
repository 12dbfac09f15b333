"""The intermediary record: the registry's job intermediaries and their complaints.

Counts and lists include only complaints of the user's markets. The repeat
offender flag is the intermediary's own (services.is_repeat_offender: at least
COMPLAINT_REPEAT_COUNT accepted complaints in COMPLAINT_REPEAT_MONTHS months,
wherever they were made). Sanctions are public (the list of sanctions), so all
of them are shown; only the complaints of the user's markets are linked.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from casework.complaints import services
from casework.complaints.access import complaints_visible_to
from casework.complaints.forms import SearchForm, intermediaries
from casework.complaints.models import Complaint, Outcome, Sanction
from casework.complaints.penalties import Conduct
from casework.complaints.views.common import VIEW, repeat_rule, require_staff
from casework.core.models import markets_for
from casework.parties.models import Organization

PER_PAGE = 50
LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@login_required
@require_GET
def intermediary_list(request):
    user = request.user
    require_staff(user, VIEW)
    form = SearchForm(request.GET)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    orgs = intermediaries()
    if term:
        orgs = orgs.filter(Q(name__icontains=term) | Q(credit_code__icontains=term.upper()))
    mine = Q(complaints__market__in=markets_for(user))
    orgs = orgs.annotate(
        complaint_count=Count("complaints", filter=mine),
        open_count=Count(
            "complaints", filter=mine & ~Q(complaints__state__in=Complaint.FINAL_STATES)
        ),
    ).order_by("-complaint_count", "name", "pk")
    page = Paginator(orgs, PER_PAGE).get_page(request.GET.get("page"))
    repeat = services.repeat_offender_ids([org.pk for org in page]) if page.object_list else set()
    context = {
        "form": form,
        "q": term,
        "page": page,
        "repeat": repeat,
        "can_register": user.has_perm("parties.add_organization"),
        "repeat_rule": repeat_rule(),
    }
    return render(request, "complaints/intermediaries.html", context)


@login_required
@require_GET
def intermediary_detail(request, pk: int):
    user = request.user
    require_staff(user, VIEW)
    org = get_object_or_404(Organization, pk=pk, kind=Organization.Kind.INTERMEDIARY)
    complaints = list(
        complaints_visible_to(user)
        .filter(respondent=org)
        .select_related("market")
        .order_by("-received_at", "-pk")
    )
    visible_markets = set(markets_for(user).values_list("pk", flat=True))
    sanctions = Sanction.objects.filter(intermediary=org).select_related("complaint", "market")
    since = services.repeat_since()
    context = {
        "org": org,
        "complaints": complaints,
        "by_category": _tally(
            (c for complaint in complaints for c in complaint.categories), dict(Conduct.choices)
        ),
        "by_state": _tally((c.state for c in complaints), dict(Complaint.State.choices)),
        "by_outcome": _tally((c.outcome for c in complaints if c.outcome), dict(Outcome.choices)),
        "decisions": [c for c in complaints if c.outcome],
        "sanctions": [(s, s.market_id in visible_markets) for s in sanctions],
        "repeat_offender": services.is_repeat_offender(org),
        "accepted_recently": Complaint.objects.filter(respondent=org).accepted_since(since).count(),
        "repeat_since": since,
        "repeat_count": settings.COMPLAINT_REPEAT_COUNT,
        "repeat_months": settings.COMPLAINT_REPEAT_MONTHS,
        "repeat_rule": repeat_rule(),
    }
    return render(request, "complaints/intermediary.html", context)


def _tally(values, labels: dict) -> list[Tally]:
    counts = Counter(values)
    known = [key for key in labels if key in counts]
    ordered = known + sorted(key for key in counts if key not in labels)
    return [Tally(str(labels.get(key, key)), counts[key]) for key in ordered]
