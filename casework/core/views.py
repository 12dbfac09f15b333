import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.core import hooks
from casework.core.checks import schedule_missing_years
from casework.core.models import AccessLog, markets_for
from casework.core.queues import queues_for
from casework.core.ratelimit import over_limit
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
            "market_documents": hooks.market_documents(request.user, markets),
            "missing_schedules": (
                schedule_missing_years(timezone.localdate()) if Role.SUPERVISOR in roles else []
            ),
            "no_role": not roles,
        },
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


class LoginView(auth_views.LoginView):
    """Django's login, with attempts per client address limited (settings.LOGIN_IP_LIMIT).

    Wrong passwords per user name lock the account (django-axes); this limit stops one
    address from trying many user names. It is high, since a market's counters may share
    one address.
    """

    def post(self, request, *args, **kwargs):
        if over_limit(request, "login", limit=settings.LOGIN_IP_LIMIT, window=3600):
            return render(request, "registration/locked_out.html", {"by_address": True}, status=429)
        return super().post(request, *args, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers a locked user name with (settings.AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
