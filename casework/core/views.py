import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.core.checks import schedule_missing_years
from casework.core.models import AccessLog, Market, markets_for
from casework.core.queues import queues_for
from casework.core.roles import PORTAL_ROLES, Role, roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if roles and set(roles) <= PORTAL_ROLES:
        return redirect("portal:home")
    sections = [
        {
            "role": Role(role).label,
            "queues": [(q, q.count(request.user)) for q in queues_for(role)],
        }
        for role in roles
        if role not in PORTAL_ROLES
    ]
    markets = markets_for(request.user)
    return render(
        request,
        "core/home.html",
        {
            "sections": sections,
            "markets": markets,
            "market_documents": _market_documents(request.user, markets),
            "missing_schedules": (
                schedule_missing_years(timezone.localdate()) if Role.SUPERVISOR in roles else []
            ),
            "no_role": not roles,
        },
    )


def _market_documents(user, markets):
    from casework.documents.access import documents_visible_to

    market_type = ContentType.objects.get_for_model(Market)
    return documents_visible_to(user).filter(
        subject_type=market_type, subject_id__in=markets.values("pk")
    )


def access_log_visible_to(user):
    """Entries made by staff of the user's markets (all of them for a superuser)."""
    if user.is_superuser:
        return AccessLog.objects.all()
    markets = markets_for(user)
    return AccessLog.objects.filter(user__staff_profile__markets__in=markets).distinct()


def recent_access_count(user) -> int:
    since = timezone.now() - datetime.timedelta(days=7)
    return access_log_visible_to(user).filter(at__gte=since).count()


@login_required
@permission_required("core.view_accesslog", raise_exception=True)
def access_log(request):
    entries = access_log_visible_to(request.user).select_related("user")
    username = request.GET.get("user", "").strip()
    if username:
        entries = entries.filter(user__username=username)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/access_log.html", {"page": page, "username": username})
