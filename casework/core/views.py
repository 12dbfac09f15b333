import datetime
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.core import hooks, twofactor
from casework.core.checks import schedule_missing_years
from casework.core.logins import DEMO_PASSWORD
from casework.core.models import AccessLog, NotifyBy, StaffProfile, markets_for
from casework.core.queues import queues_for, starts_for
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
            "has_profile": StaffProfile.objects.filter(user=request.user).exists(),
            "starts": starts_for(request.user),
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

    def form_valid(self, form):
        response = super().form_valid(form)
        # The demo's published password marks the session exempt, where the demo allows it.
        if settings.TWO_FACTOR_DEMO_EXEMPT and form.cleaned_data["password"] == DEMO_PASSWORD:
            self.request.session[twofactor.DEMO_EXEMPT_SESSION_KEY] = True
        return response


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers a locked user name with (settings.AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


# --- the second factor (casework.core.twofactor) -----------------------------------------


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("home")


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{request.GET.urlencode()}" if request.GET else reverse(name)


@never_cache
@login_required
def two_factor(request):
    """Asks for the code from the authenticator app, or a backup code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if twofactor.app_device(user) is None:
        return redirect(_with_next("two_factor_enrol", request))
    error = ""
    if request.method == "POST":
        # django-otp doubles a wait after each wrong code; a code sent during it is not tried.
        wait = twofactor.wait_seconds(twofactor.login_devices(user))
        if not wait and twofactor.verify(request, request.POST.get("code", "")):
            return redirect(_next(request))
        error = _wait_message(wait) or _(
            "That code is not right, or it has been used. Try the current code."
        )
    return render(request, "registration/two_factor.html", {"next": _next(request), "error": error})


@never_cache
@login_required
def two_factor_enrol(request):
    """Sets up an authenticator app: a QR code, then its first code; then the backup codes.

    A user who already has one replaces it only after passing the second factor, so
    that a stolen password alone cannot bring a new phone.
    """
    user = request.user
    if twofactor.app_device(user) and not user.is_verified():
        return redirect(_with_next("two_factor", request))
    device = twofactor.pending_device(user)
    error = ""
    if request.method == "POST":
        wait = twofactor.wait_seconds([device])
        codes = not wait and twofactor.confirm_enrolment(request, request.POST.get("code", ""))
        if codes:
            return _backup_codes_page(request, codes)
        error = _wait_message(wait) or _(
            "That code is not right. Check the phone's time and enter the current code."
        )
    context = {
        "qr": twofactor.enrolment_qr(device),
        "key": twofactor.readable_key(device),
        "next": _next(request),
        "error": error,
        "replacing": twofactor.app_device(user) is not None,
    }
    return render(request, "registration/two_factor_enrol.html", context)


@never_cache
@login_required
def two_factor_settings(request):
    """The user's second factor: when set up, backup codes left, and new ones."""
    user = request.user
    if not user.is_verified():
        return redirect(f"{reverse('two_factor')}?next={reverse('two_factor_settings')}")
    context = {
        "device": twofactor.app_device(user),
        "backup_left": twofactor.remaining_backup_codes(user),
        "required": twofactor.required_for(user),
    }
    return render(request, "registration/two_factor_settings.html", context)


@never_cache
@login_required
@require_POST
def two_factor_backup_codes(request):
    if not request.user.is_verified():
        return redirect("two_factor_settings")
    return _backup_codes_page(request, twofactor.new_backup_codes(request.user))


def _wait_message(seconds: int) -> str:
    if not seconds:
        return ""
    return _("Too many wrong codes. Wait %(seconds)s seconds and try again.") % {"seconds": seconds}


def _backup_codes_page(request, codes):
    # Shown once, never stored in the page cache; the database keeps only what it checks.
    context = {"codes": codes, "next": _next(request)}
    return render(request, "registration/backup_codes.html", context)


class ReminderForm(forms.ModelForm):
    # Longer than the column: spaces typed between the digits are taken out by clean_mobile.
    mobile = forms.CharField(
        label=StaffProfile._meta.get_field("mobile").verbose_name,
        max_length=20,
        required=False,
        help_text=gettext_lazy(
            "11 digits. Texts wait for the end of the quiet hours; e-mails do not."
        ),
    )

    class Meta:
        model = StaffProfile
        fields = ["notify_by", "mobile"]
        widgets = {"notify_by": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notify_by"].required = True
        self.fields["notify_by"].choices = NotifyBy.choices

    def clean_mobile(self) -> str:
        mobile = "".join(self.cleaned_data.get("mobile", "").split())
        if mobile and not re.fullmatch(r"1\d{10}", mobile):
            raise ValidationError(_("Enter an 11-digit mobile number."))
        return mobile

    def clean(self):
        data = super().clean()
        if data.get("notify_by") == NotifyBy.SMS and not data.get("mobile"):
            self.add_error("mobile", _("Enter the mobile number the reminders go to."))
        if data.get("notify_by") == NotifyBy.EMAIL and not self.instance.user.email:
            self.add_error(
                "notify_by",
                _("Your login has no e-mail address: ask an administrator to add one."),
            )
        return data


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    """How a staff member gets reminders of deadlines and escalations (docs/notifications.md)."""
    profile = StaffProfile.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404
    if not profile.notify_by:
        profile.notify_by = NotifyBy.EMAIL if request.user.email else NotifyBy.NONE
    form = ReminderForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your reminder settings have been saved."))
        return redirect("reminder_settings")
    return render(request, "core/reminders.html", {"form": form, "email": request.user.email})


def csrf_failure(request, reason=""):
    """The form came from an expired page or without the cookie (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "403_csrf.html", status=403)
