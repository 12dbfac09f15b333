"""The agreement queues on the home page of caseworkers and supervisors.

Imported once from AgreementsConfig.ready(); each count is one indexed query on
(market, state) within the user's markets.
"""

from django.utils.translation import gettext_lazy as _

from agreements.access import agreements_visible_to
from agreements.models import Agreement
from casework.core.queues import Queue, StartAction, register, register_start
from casework.core.roles import Role


def _count(*states: str):
    def count(user) -> int:
        return agreements_visible_to(user).filter(state__in=states).count()

    return count


QUEUES = [
    Queue(
        _("Agreements waiting for signatures"),
        "agreements:list",
        _count(*Agreement.SIGNING_STATES),
        url_query="state=signing",
    ),
    Queue(
        _("Draft agreements"),
        "agreements:list",
        _count(Agreement.State.DRAFT),
        url_query="state=draft",
    ),
]

for _role in (Role.CASEWORKER, Role.SUPERVISOR):
    for _queue in QUEUES:
        register(_role, _queue)

register_start(
    StartAction(_("New agreement at the counter"), "agreements:new", ("agreements.add_agreement",))
)
