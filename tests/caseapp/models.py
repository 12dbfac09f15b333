"""SampleCase: the smallest workflow on CaseBase (received → accepted → closed)."""

from django.db import models
from django_fsm import FSMField, transition

from casework.core.models import CaseBase


class SampleCase(CaseBase):
    CODE_PREFIX = "TC"

    class State(models.TextChoices):
        RECEIVED = "received", "received"
        ACCEPTED = "accepted", "accepted"
        CLOSED = "closed", "closed"
        WITHDRAWN = "withdrawn", "withdrawn"

    state = FSMField(default=State.RECEIVED, choices=State.choices, protected=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        permissions = [("accept_samplecase", "Can accept a sample case")]

    def has_resolution(self) -> bool:
        return bool(self.resolution)

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.ACCEPTED,
        permission="caseapp.accept_samplecase",
    )
    def accept(self) -> None:
        pass

    @transition(
        field=state, source=State.ACCEPTED, target=State.CLOSED, conditions=[has_resolution]
    )
    def close(self) -> None:
        pass

    @transition(field=state, source=[State.RECEIVED, State.ACCEPTED], target=State.WITHDRAWN)
    def withdraw(self) -> None:
        pass
