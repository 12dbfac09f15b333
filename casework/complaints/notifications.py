"""The complainant's text messages (casework.notifications; docs/notifications.md).

The texts are those the market registers with its SMS provider: Chinese, with the
parameters in the order given."""

from django.utils.translation import gettext_lazy as _

from casework.notifications.registry import Template, register
from casework.notifications.reminders import Due, register_deadlines, register_escalation

SUPPLEMENT = "complaint_supplement"
ACCEPTED = "complaint_accepted"
NOT_ACCEPTED = "complaint_not_accepted"
RESULT = "complaint_result"
PENALTY_DECIDED = "complaint_penalty_decided"
REFERRED = "complaint_referred"

register(
    Template(
        SUPPLEMENT,
        _("Complaint: documents requested"),
        "您的投诉（{code}）需要补充材料：{items}。请于{due}前提交，补齐后继续办理。",
        params=("code", "items", "due"),
    ),
    Template(
        ACCEPTED,
        _("Complaint accepted"),
        "您的投诉（{code}）已于{date}受理，我们将依法调查处理，并将结果告知您。",
        params=("code", "date"),
    ),
    Template(
        NOT_ACCEPTED,
        _("Complaint not accepted"),
        "您的投诉（{code}）不予受理，原因：{reason}。{advice}",
        params=("code", "reason", "advice"),
    ),
    Template(
        RESULT,
        _("Complaint closed"),
        "您的投诉（{code}）已办结。处理结果：{result}",
        params=("code", "result"),
    ),
    Template(
        PENALTY_DECIDED,
        _("Complaint: penalty decided"),
        "您投诉的违法行为（{code}），{authority}已作出处理决定（{number}）：{decision}。",
        params=("code", "authority", "number", "decision"),
    ),
    Template(
        REFERRED,
        _("Complaint referred"),
        "您的投诉（{code}）已移送{body}依法处理。",
        params=("code", "body"),
    ),
)


# What the reminder calls the deadline, by the complaint's state.
DEADLINE_ZH = {"received": "受理期限", "awaiting_feedback": "劳动保障监察反馈期限"}


def _due_soon(today, until):
    """Held complaints whose acceptance or investigation deadline, or labour inspection's
    feedback, falls from today to ``until``: reminders to the officer holding them
    (casework.notifications.reminders)."""
    from django.db.models import Q

    from casework.complaints.models import Complaint

    held = Complaint.objects.filter(owner__isnull=False).filter(
        Q(state=Complaint.State.RECEIVED, acceptance_due__gte=today, acceptance_due__lte=until)
        | Q(
            state__in=Complaint.INVESTIGATION_STATES,
            investigation_due__gte=today,
            investigation_due__lte=until,
        )
        | Q(
            state=Complaint.State.AWAITING_FEEDBACK,
            feedback_recorded_at__isnull=True,
            feedback_due__gte=today,
            feedback_due__lte=until,
        )
    )
    for complaint in held.select_related("market", "owner__staff_profile"):
        due = complaint.current_due()
        what = DEADLINE_ZH.get(complaint.state, "调查期限")
        yield Due(complaint, complaint.owner, due, what)


register_deadlines(_due_soon)
# sweep_deadlines() records this when a time limit has passed.
register_escalation("overdue")
