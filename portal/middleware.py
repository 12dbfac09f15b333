"""Portal sessions: a session signed in by a text code reaches the party pages only.

A portal session (docs/portal.md) is marked in the session when it starts; it lasts
PORTAL_SESSION_SECONDS from sign-in, whatever is done meanwhile, and it may open only
the portal, the party-facing pages (document downloads, the public complaint pages,
document verification), the language switch and logout. Any other page answers 403, so
a code-made session can never act on a staff page, even if its user gains a staff role.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_FLAG = "portal_session_since"  # when the portal session began (epoch seconds)

# What a portal session may open, by URL namespace and by (namespace, name).
ALLOWED_NAMESPACES = frozenset({"portal", "complaints_public"})
ALLOWED_VIEWS = frozenset(
    {
        ("", "logout"),
        ("", "set_language"),
        ("", "healthz"),
        ("", "readyz"),
        ("documents", "download"),
        ("documents", "verify"),
        ("documents", "verify_lookup"),
        # The satisfaction survey's public page (the link in the text message).
        ("surveys", "answer"),
    }
)


def start_portal_session(request, user) -> None:
    """Sign ``user`` in (a new session key) as a portal session."""
    login(request, user, backend="casework.core.permissions.PermissionBackend")
    request.session[SESSION_FLAG] = int(time.time())
    # The cookie outlives the session a little, so that its end shows the portal's sign-in.
    request.session.set_expiry(settings.PORTAL_SESSION_SECONDS + 600)


def is_portal_session(request) -> bool:
    return SESSION_FLAG in request.session


def _allowed(match) -> bool:
    namespace = match.namespaces[0] if match.namespaces else ""
    return namespace in ALLOWED_NAMESPACES or (namespace, match.url_name) in ALLOWED_VIEWS


class PortalSessionMiddleware:
    """After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not is_portal_session(request):
            return None
        began = request.session.get(SESSION_FLAG)
        if not isinstance(began, int) or time.time() - began > settings.PORTAL_SESSION_SECONDS:
            logout(request)
            messages.info(request, _("Your portal session has ended. Please sign in again."))
            return redirect("portal:signin")
        match = request.resolver_match
        if match.url_name == "home" and not match.namespaces:
            return redirect("portal:home")
        if _allowed(match):
            return None
        raise PermissionDenied(
            _("You are signed in to the portal with a text code. This page is not part of it.")
        )
