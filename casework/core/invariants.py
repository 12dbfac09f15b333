"""What must hold for every case whatever ran concurrently or failed (``check_invariants``).

The core checks every concrete ``CaseBase`` model, so a new workflow is covered
without edits here:

- its state is the ``to_state`` of the last audit event that records a state
  (events such as ``evidence_added`` or ``draft_changed`` record none);
- its owner is the owner the last event recording one wrote (``records_owner``);
- a case in one of the model's ``FINAL_STATES`` has an ended process and no open
  task, any other case a running process and exactly one open task;
- every stored file is referenced once, and no file lies in storage unreferenced
  (the storage check, which casework.documents registers with
  ``register_storage(check)``: casework/documents/invariants.py).

A workflow adds its own rules with ``register(check)`` from its AppConfig.ready()
(``casework/disputes/invariants.py``: payments and instalments add up).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from casework.core.flows import OPEN
from casework.core.models import CaseBase, CaseEvent

NO_CASE = "-"


@dataclass(frozen=True)
class Violation:
    case: str  # the case code, or NO_CASE (an orphan file)
    rule: str  # state, owner, tasks, file, or a workflow's own rule
    detail: str

    def __str__(self) -> str:
        return f"{self.case}: [{self.rule}] {self.detail}"


Check = Callable[[], Iterable[Violation]]
# A check of the stored files: given the age below which an unreferenced file is left alone.
StorageCheck = Callable[[timedelta], Iterable[Violation]]

_CHECKS: list[Check] = []
_STORAGE_CHECKS: list[StorageCheck] = []


def register(check: Check) -> Check:
    """Add a workflow's own check (a function returning violations); usable as a decorator."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def register_storage(check: StorageCheck) -> StorageCheck:
    """Add a check of the stored files (casework.documents registers one)."""
    if check not in _STORAGE_CHECKS:
        _STORAGE_CHECKS.append(check)
    return check


def find_violations(*, orphans_older_than: timedelta = timedelta(0)) -> list[Violation]:
    """Every violation in the database and the media storage, cases in model order."""
    found = [v for model in case_models() for v in _case_violations(model)]
    for storage_check in _STORAGE_CHECKS:
        found += storage_check(orphans_older_than)
    for check in _CHECKS:
        found += check()
    return found


def case_models() -> list[type[CaseBase]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, CaseBase) and not model._meta.proxy
    ]


# -- cases: trail, owner, tasks ----------------------------------------------------------


def _case_violations(model: type[CaseBase]) -> Iterator[Violation]:
    for row in _case_rows(model).iterator(chunk_size=2000):
        yield from _trail_problems(row)
        yield from _task_problems(model, row)


def _case_rows(model: type[CaseBase]) -> models.QuerySet:
    ct = ContentType.objects.get_for_model(model)
    events = CaseEvent.objects.filter(subject_type=ct, subject_id=OuterRef("pk")).order_by("-seq")
    owner_events = events.filter(records_owner=True)
    open_tasks = (
        Task.objects.filter(process_id=OuterRef("process_id"), status__in=OPEN)
        .order_by()
        .values("process_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        model.objects.order_by("pk")
        .annotate(
            trail_state=Subquery(events.exclude(to_state="").values("to_state")[:1]),
            owner_recorded=Exists(owner_events),
            trail_owner=Subquery(owner_events.values("owner_id")[:1]),
            open_tasks=Coalesce(Subquery(open_tasks), 0),
        )
        .values(
            "code",
            "state",
            "owner_id",
            "process_id",
            "process__status",
            "trail_state",
            "owner_recorded",
            "trail_owner",
            "open_tasks",
        )
    )


def _trail_problems(row: dict) -> Iterator[Violation]:
    # A case without events (bulk-loaded history) has nothing to compare with.
    if row["trail_state"] is not None and row["state"] != row["trail_state"]:
        yield Violation(
            row["code"],
            "state",
            f"state is {row['state']!r} but the audit trail last recorded {row['trail_state']!r}",
        )
    # Events written before owners were recorded say nothing about the owner.
    if row["owner_recorded"] and row["owner_id"] != row["trail_owner"]:
        yield Violation(
            row["code"],
            "owner",
            f"owner is user {row['owner_id']} but the audit trail last recorded "
            f"user {row['trail_owner']}",
        )


def _task_problems(model: type[CaseBase], row: dict) -> Iterator[Violation]:
    if row["process_id"] is None:  # historic cases and workflows without a flow
        return
    ended = row["process__status"] in (PROCESS.DONE, PROCESS.CANCELED)
    final_states = getattr(model, "FINAL_STATES", None)
    final = ended if final_states is None else row["state"] in final_states
    if final != ended:
        yield Violation(
            row["code"],
            "tasks",
            f"state {row['state']!r} is {'final' if final else 'open'} but its process is "
            f"{row['process__status']}",
        )
    expected = 0 if final else 1
    if row["open_tasks"] != expected:
        yield Violation(
            row["code"],
            "tasks",
            f"{row['open_tasks']} open flow tasks in state {row['state']!r} (expected {expected})",
        )
