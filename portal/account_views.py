"""Sign-in by text code and registration (docs/portal.md); the rules are in portal.accounts.

The answer to "send me a code" is the same for every well-formed number: a redirect to
the code page. Only the right code tells what follows.
"""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from casework.core.audit import Actor, client_ip
from casework.core.formtokens import one_time_form
from casework.parties.identifiers import mask_phone
from portal import accounts
from portal.forms import CodeForm, MobileForm, OrganisationForm, RegisterForm
from portal.middleware import start_portal_session

SIGNIN_MOBILE = "portal_signin_mobile"  # the number the last code was sent to
CONFIRMED = "portal_confirmed_mobile"  # {"mobile": ..., "at": epoch seconds}


def _has_person(user) -> bool:
    return user.is_authenticated and getattr(user, "person", None) is not None


def _limited(request) -> object:
    return render(request, "portal/signin_limited.html", status=429)


@never_cache
@one_time_form
def signin(request):
    """Step 1: the mobile number; a code is sent to it."""
    if _has_person(request.user):
        return redirect("portal:home")
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        if accounts.send_limit_reached(request, mobile):
            return _limited(request)
        try:
            accounts.code_send(mobile=mobile, client_ip=client_ip(request))
        except accounts.Refused as refused:
            form.add_error(None, refused.message)
        else:
            request.session[SIGNIN_MOBILE] = mobile
            return redirect("portal:signin_code")
    context = {"form": form, "code_pending": isinstance(request.session.get(SIGNIN_MOBILE), str)}
    return render(request, "portal/signin.html", context)


@never_cache
def signin_code(request):
    """Step 2: the code. A number with a portal login signs in; any other goes on to
    registration with the number confirmed."""
    mobile = request.session.get(SIGNIN_MOBILE)
    if not isinstance(mobile, str):
        return redirect("portal:signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if accounts.entry_limit_reached(request):
            return _limited(request)
        if form.is_valid():
            try:
                accounts.code_check(mobile=mobile, code=form.cleaned_data["code"])
            except accounts.Refused as refused:
                form.add_error("code", refused.message)
            else:
                return _after_code(request, mobile)
    context = {"form": form, "masked_mobile": mask_phone(mobile)}
    return render(request, "portal/signin_code.html", context)


def _after_code(request, mobile: str):
    user = accounts.portal_user_for(mobile)
    if user is not None:
        start_portal_session(request, user)  # a new session: the sign-in keys are gone
        return redirect("portal:home")
    request.session.pop(SIGNIN_MOBILE, None)
    request.session[CONFIRMED] = {"mobile": mobile, "at": int(time.time())}
    messages.info(request, _("Your mobile number is confirmed. Register to use the portal."))
    return redirect("portal:register")


def confirmed_mobile(request) -> str | None:
    """The number confirmed by a code in this session, while it may still be used."""
    confirmed = request.session.get(CONFIRMED)
    if not isinstance(confirmed, dict):
        return None
    mobile, at = confirmed.get("mobile"), confirmed.get("at")
    if not isinstance(mobile, str) or not isinstance(at, int):
        return None
    if time.time() - at > accounts.CONFIRMED_MINUTES * 60:
        request.session.pop(CONFIRMED, None)
        return None
    return mobile


@never_cache
@one_time_form
def register(request):
    """A worker or an individual hiring party registers, with the number confirmed."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and _has_person(user):
        return redirect("portal:home")
    if user is not None and not accounts.is_portal_user(user):
        return redirect("home")
    mobile = confirmed_mobile(request)
    if mobile is None:
        messages.info(request, _("First confirm your mobile number with a text code."))
        return redirect("portal:signin")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = accounts.register(
                name=data["name"],
                id_number=data["id_number"],
                mobile=mobile,
                role=data["role"],
                client_ip=client_ip(request),
                user=user,
            )
        except accounts.Refused as refused:
            form.add_error(None, refused.message)
        else:
            start_portal_session(request, done.user)
            messages.success(request, _("You are registered and signed in."))
            return redirect("portal:home")
    context = {"form": form, "masked_mobile": mask_phone(mobile)}
    return render(request, "portal/register.html", context)


@never_cache
@login_required
@one_time_form
def register_organisation(request):
    """A signed-in person registers the organisation they act for (staff verify it)."""
    user = request.user
    person = getattr(user, "person", None)
    if person is None or not accounts.is_portal_user(user):
        raise PermissionDenied(_("Only a registered worker or hiring party may do this."))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = accounts.organisation_register(
                agent=person,
                name=form.cleaned_data["name"],
                credit_code=form.cleaned_data["credit_code"],
                actor=Actor.from_request(request),
            )
        except accounts.Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is registered. The market's staff must check its business "
                    "licence before it can sign agreements."
                )
                % {"name": org.name},
            )
            return redirect("portal:home")
    return render(request, "portal/register_organisation.html", {"form": form})
