"""What every staff page of complaints does first: who may open it and which complaint it is.

Staff get 404 for a complaint outside their markets, whatever their role, and
403 for one inside them that their role may not open or act on. The services
apply every rule again (the holder of the complaint, the supervisor other than
the requester); their refusals come back as form errors or messages.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from casework.complaints.access import get_complaint_for_user
from casework.complaints.models import Complaint
from casework.core.audit import Actor
from casework.core.calendar import WorkCalendar
from casework.core.locking import reread
from casework.core.models import markets_for
from casework.core.roles import PORTAL_ROLES, roles_of
from casework.core.templatetags.deadlines import deadline_status

VIEW = "complaints.view_complaint"
ADD = "complaints.add_complaint"
WORK = "complaints.work_complaint"
APPROVE = "complaints.approve_extension"
# Handing a complaint to another officer is a supervisor's act; supervisors are those who
# approve extensions (there is no separate permission for it).
REASSIGN = "complaints.reassign_complaint"

S = Complaint.State


def require_staff(user, *perms: str) -> None:
    """403 for portal users and for staff without ``perms``."""
    roles = set(roles_of(user))
    if not user.is_superuser and (not roles or roles <= PORTAL_ROLES):
        raise PermissionDenied
    if not all(user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def complaint_for(request, code: str) -> Complaint:
    """The complaint in the user's markets (404 outside them) if the user may open it (403)."""
    user = request.user
    if not user.has_perm(VIEW):
        # Staff of another workflow: outside their markets the complaint does not exist.
        if Complaint.objects.filter(code=code, market__in=markets_for(user)).exists():
            raise PermissionDenied
        raise Http404("No such complaint.")
    return get_complaint_for_user(user, code)


def to_case(complaint: Complaint):
    return redirect("complaints:detail", code=complaint.code)


def not_now(request, complaint: Complaint):
    messages.error(
        request,
        _("This step is not possible now: the case is %(state)s.")
        % {"state": complaint.get_state_display()},
    )
    return to_case(complaint)


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: by field where it names the form's fields."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            # A form with rows of its own (the decision's conducts) places their problems.
            routed = hasattr(form, "route_error") and form.route_error(name, errors)
            if not routed:
                form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def run(request, complaint: Complaint, action: Callable[[Actor], object], done: str):
    """Run one service call without a form and go back to the case page with the outcome."""
    try:
        action(Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except TransitionNotAllowed:
        complaint = reread(complaint)
        return not_now(request, complaint)
    except ConcurrentTransition:
        messages.error(request, _("Someone else changed this case at the same moment; try again."))
    else:
        messages.success(request, done)
    return to_case(complaint)


def user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


# -- deadlines ------------------------------------------------------------------------------


def clock(complaint: Complaint, calendar: WorkCalendar, today: datetime.date) -> dict:
    """The complaint's running time limit for core/_deadline.html, or a paused clock.

    Counts as Complaint.acceptance_days_left() and investigation_days_left() do, with
    one calendar shared by every row of a page (no query per row).
    """
    state = complaint.state
    if state == S.SUPPLEMENT_REQUESTED and complaint.acceptance_paused_on:
        left = complaint.acceptance_days_left(today, calendar)
        return {"kind": "acceptance", "paused": True, "left": left, "due": None}
    if state == S.RECEIVED:
        due, kind = complaint.acceptance_due, "acceptance"
    elif state in Complaint.INVESTIGATION_STATES and complaint.investigation_due:
        due, kind = complaint.investigation_due, "investigation"
    elif complaint.awaits_feedback() and complaint.feedback_due:
        due, kind = complaint.feedback_due, "feedback"
    else:
        return {"kind": "", "paused": False, "left": None, "due": None}
    status = deadline_status(due, "working", today=today, calendar=calendar)
    return {"kind": kind, "paused": False, "left": status["left"], "due": due, "status": status}


def today() -> datetime.date:
    return timezone.localdate()


def repeat_rule() -> str:
    """What makes an intermediary a repeat offender (the badge's explanation)."""
    return _("%(count)s or more accepted complaints within %(months)s months") % {
        "count": settings.COMPLAINT_REPEAT_COUNT,
        "months": settings.COMPLAINT_REPEAT_MONTHS,
    }
