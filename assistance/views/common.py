"""What every assistance page does first: who may open it and which case or post it is.

Portal users (workers, hiring parties) get 403 on every staff page. Staff get
404 for a case or post outside their markets, whatever their role, and 403 for
one inside them that their role may not open or act on. Refusals of the services
come back as messages on the case page; the services apply every rule again.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from assistance.access import get_case_for_user
from assistance.models import AssistanceCase, Post
from casework.core.audit import Actor
from casework.core.locking import reread
from casework.core.models import markets_for
from casework.core.roles import PORTAL_ROLES, roles_of

VIEW = "assistance.view_assistancecase"
ADD = "assistance.add_assistancecase"
WORK = "assistance.work_case"
APPROVE = "assistance.approve_case"
VIEW_POST = "assistance.view_post"


def require_staff(user, *perms: str) -> None:
    """403 for portal users and for staff without ``perms``."""
    roles = set(roles_of(user))
    if not user.is_superuser and (not roles or roles <= PORTAL_ROLES):
        raise PermissionDenied
    if not all(user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def case_for(request, code: str, *perms: str) -> AssistanceCase:
    """The case in the user's markets (404 outside them) if the user may open it (403)."""
    user = request.user
    require_staff(user)
    if not user.has_perm(VIEW):
        # Staff of another workflow: outside their markets the case does not exist for them.
        if not AssistanceCase.objects.filter(code=code, market__in=markets_for(user)).exists():
            raise Http404("No such case.")
        raise PermissionDenied
    case = get_case_for_user(user, code)
    if not all(user.has_perm(perm) for perm in perms):
        raise PermissionDenied
    return case


def post_for(request, pk: int) -> Post:
    user = request.user
    require_staff(user)
    try:
        post = Post.objects.select_related("employer", "market").get(
            pk=pk, market__in=markets_for(user)
        )
    except Post.DoesNotExist:
        raise Http404("No such post.") from None
    if not user.has_perm(VIEW_POST):
        raise PermissionDenied
    return post


def to_case(case: AssistanceCase):
    return redirect("assistance:detail", code=case.code)


def form_errors(request, form) -> None:
    """A small form on the case page was not valid: its errors as messages."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def not_now(request, case: AssistanceCase):
    messages.error(
        request,
        _("This step is not possible now: the case is %(state)s.")
        % {"state": case.get_state_display()},
    )
    return to_case(case)


def run(
    request,
    case: AssistanceCase,
    action: Callable[[Actor], object],
    done: str | Callable[[object], str],
):
    """Run one service call for the case and go back to its page with the outcome.

    ``done`` is the success message, or makes it from what the service returned.
    """
    try:
        result = action(Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except TransitionNotAllowed:
        case = reread(case)
        return not_now(request, case)
    except ConcurrentTransition:
        messages.error(request, _("Someone else changed this case at the same moment; try again."))
    except PermissionDenied as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return to_case(case)


def _refusal(exc: PermissionDenied) -> str:
    # Services and transitions refuse in sentences for people; a bare 403 has no text.
    return str(exc) or _("You may not take this step.")
