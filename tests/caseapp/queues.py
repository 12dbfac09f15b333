"""The sample workflow's home-page queue, registered like any workflow's."""

from casework.core import queues
from casework.core.roles import Role
from tests.caseapp.models import SampleCase


def unassigned_samples(user) -> int:
    return SampleCase.objects.filter(owner=None, state=SampleCase.State.RECEIVED).count()


queues.register(Role.MEDIATOR, queues.Queue("Sample cases to take", "home", unassigned_samples))
