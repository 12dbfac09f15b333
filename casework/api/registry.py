"""What each workflow puts into the API (docs/api.md, "A fifth workflow").

The API knows no workflow. Each workflow app's ``api.py`` (autodiscovered when the API
is built) registers its cases once::

    registry.register(registry.ApiWorkflow(
        name="disputes",
        model=Dispute,
        party_cases=lambda user: Dispute.objects.for_party(user),
        documents=dispute_documents,          # (user, case) -> the documents the user may open
        record=dispute_record,                # case -> the fields systems read (no personal data)
        parties=dispute_parties,              # case -> [(role, Person or Organization)]
        router=party_router,                  # its own party calls, under /me/disputes/
    ))

Other apps (the portal's sign-in, the surveys) add a router with ``add_router``.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from ninja import Router


@dataclass(frozen=True)
class ApiWorkflow:
    name: str  # the path segment: /me/cases/<name>/<code>, /system/cases/<name>
    model: type[Model]
    party_cases: Callable[[Any], QuerySet]
    documents: Callable[[Any, Any], Iterable]
    record: Callable[[Any], dict]
    parties: Callable[[Any], Sequence[tuple[str, Any]]]
    title: Callable[[Any], str] = str
    # select_related / prefetch_related for a page of the system sync.
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    router: Router | None = None
    order: int = 100

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


@dataclass(frozen=True)
class ExtraRouter:
    prefix: str
    router: Router
    tags: list[str] = field(default_factory=list)


_WORKFLOWS: dict[str, ApiWorkflow] = {}
_ROUTERS: list[ExtraRouter] = []


def register(workflow: ApiWorkflow) -> ApiWorkflow:
    existing = _WORKFLOWS.get(workflow.name)
    if existing is not None and existing is not workflow:
        raise ValueError(f"API workflow {workflow.name!r} is registered twice")
    _WORKFLOWS[workflow.name] = workflow
    return workflow


def add_router(prefix: str, router: Router, *, tags: Sequence[str] = ()) -> None:
    if any(extra.router is router for extra in _ROUTERS):
        return
    _ROUTERS.append(ExtraRouter(prefix, router, list(tags)))


def workflows() -> list[ApiWorkflow]:
    return sorted(_WORKFLOWS.values(), key=lambda w: (w.order, w.name))


def get_workflow(name: str) -> ApiWorkflow | None:
    return _WORKFLOWS.get(name)


def routers() -> list[ExtraRouter]:
    return list(_ROUTERS)


def plain(**values) -> dict:
    """A record's fields as JSON values: dates and times in ISO 8601, amounts as strings
    (exact yuan), empty text as null."""
    out: dict = {}
    for name, value in values.items():
        if isinstance(value, datetime.date):  # a datetime is a date too
            out[name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[name] = str(value)
        elif value == "":
            out[name] = None
        else:
            out[name] = value
    return out
