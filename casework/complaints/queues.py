"""The complaint officers' and supervisors' queues on the home page."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.complaints.models import Complaint, ExtensionRequest, feedback_late
from casework.core import queues
from casework.core.models import markets_for
from casework.core.roles import Role


def _unassigned(user) -> int:
    return Complaint.objects.filter(
        market__in=markets_for(user), owner__isnull=True, state=Complaint.State.RECEIVED
    ).count()


def _mine(user) -> int:
    return Complaint.objects.filter(owner=user).exclude(state__in=Complaint.FINAL_STATES).count()


def _feedback_overdue(user) -> int:
    return Complaint.objects.filter(
        feedback_late(timezone.localdate()), market__in=markets_for(user)
    ).count()


def _extensions(user) -> int:
    return (
        ExtensionRequest.objects.filter(
            approved__isnull=True, complaint__market__in=markets_for(user)
        )
        .exclude(requested_by=user)
        .count()
    )


queues.register(
    Role.COMPLAINT_OFFICER,
    queues.Queue(_("New complaints to take"), "complaints:queue", _unassigned, "show=unassigned"),
)
queues.register(
    Role.COMPLAINT_OFFICER,
    queues.Queue(_("My complaints"), "complaints:queue", _mine, "show=mine"),
)
queues.register(
    Role.COMPLAINT_OFFICER,
    queues.Queue(
        _("Inspection feedback overdue"), "complaints:queue", _feedback_overdue, "show=overdue"
    ),
)
queues.register(
    Role.SUPERVISOR,
    queues.Queue(
        _("Investigation extensions to approve"),
        "complaints:queue",
        _extensions,
        "show=extensions",
    ),
)

queues.register_start(
    queues.StartAction(
        _("Record a complaint (counter or phone)"),
        "complaints:new",
        ("complaints.view_complaint", "complaints.add_complaint"),
    )
)
