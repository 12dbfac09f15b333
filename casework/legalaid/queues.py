"""The home page's legal-aid line: referrals still waiting for the centre's answer, for the
roles who refer workers and record the answers (casework.core.queues)."""

from django.utils.translation import gettext_lazy as _

from casework.core import queues
from casework.core.roles import Role
from casework.legalaid.access import referrals_visible_to
from casework.legalaid.models import LegalAidReferral


def _waiting(user) -> int:
    return referrals_visible_to(user).filter(state=LegalAidReferral.State.REFERRED).count()


for _role in (Role.MEDIATOR, Role.COMPLAINT_OFFICER, Role.SUPERVISOR):
    queues.register(
        _role,
        queues.Queue(
            _("Legal-aid referrals waiting for the centre's answer"),
            "legalaid:list",
            _waiting,
            "state=referred",
        ),
    )
