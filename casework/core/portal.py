"""The workflows' party pages: what each workflow puts into the portal.

A registry of the core, like the queues: the portal app itself is only the
shell (the home page and its frame) and reads it. Each workflow app keeps its
party pages in its own ``views/portal.py`` and registers them there; its
AppConfig.ready() imports that module::

    from casework.core import portal as registry

    urlpatterns = [
        path("disputes/new/", dispute_new, name="dispute_new"),
        path("disputes/<str:code>/", dispute_detail, name="dispute"),
    ]

    registry.register(
        registry.PortalWorkflow(
            name="disputes",
            urls=urlpatterns,
            home=registry.HomeSection("portal/dispute_list.html", home_context),
            order=20,
        )
    )

``urls`` are included under ``/portal/`` in the ``portal:`` namespace
(``{% url 'portal:dispute' code %}``). ``home.context(user)`` gives the
context of the workflow's section on the portal home, or None to leave the
section out; sections appear by ``order``. The portal imports no workflow: the
workflows import this module.

The progress tracker (办件进度) at the top of every portal case page is a second,
small registry: a workflow app's ``progress.py`` (autodiscovered here, like
``documents.py`` and ``reports.py``) registers, for its case model, a function
giving the case's ``Progress``: the steps in order, each done (with when) or not,
and the next one with its deadline::

    registry.register_progress(Dispute, dispute_progress)

A case page shows it with ``{% load portal_progress %}{% progress_tracker case %}``
(templates/portal/_progress.html); a model without a function shows nothing.
"""

import datetime
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString

from casework.core.models import CaseEvent


@dataclass(frozen=True)
class HomeSection:
    """A workflow's section of the portal home, e.g. "My agreements"."""

    template: str
    context: Callable[[Any], dict | None]  # user -> template context, or None: not shown


@dataclass(frozen=True)
class PortalWorkflow:
    name: str
    urls: Sequence[URLPattern | URLResolver] = ()
    home: HomeSection | None = None
    order: int = 100  # where the home section goes: lower first


_WORKFLOWS: dict[str, PortalWorkflow] = {}


def register(workflow: PortalWorkflow) -> PortalWorkflow:
    existing = _WORKFLOWS.get(workflow.name)
    if existing is not None and existing != workflow:
        raise ValueError(f"portal workflow {workflow.name!r} is registered twice")
    taken = {_name(p) for w in _WORKFLOWS.values() if w.name != workflow.name for p in w.urls}
    clashes = taken & {_name(p) for p in workflow.urls} - {None}
    if clashes:
        raise ValueError(f"portal URL names {sorted(clashes)} are already registered")
    _WORKFLOWS[workflow.name] = workflow
    return workflow


def _name(pattern) -> str | None:
    return getattr(pattern, "name", None)  # an include() has none


def workflows() -> list[PortalWorkflow]:
    return sorted(_WORKFLOWS.values(), key=lambda w: (w.order, w.name))


def url_patterns() -> list[URLPattern | URLResolver]:
    """Every registered party page, for the portal's urls.py."""
    return [pattern for workflow in workflows() for pattern in workflow.urls]


def home_sections(request) -> list[SafeString]:
    """The home page's workflow sections for the user, rendered, in order."""
    sections = []
    for workflow in workflows():
        if workflow.home is None:
            continue
        context = workflow.home.context(request.user)
        if context is not None:
            sections.append(render_to_string(workflow.home.template, context, request=request))
    return sections


# -- the progress tracker (办件进度) ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a case as its party sees it.

    A done step has ``when`` (a date or time, if known); the next step may have
    ``due``, its deadline, counted in calendar or working days (``counting``, as the
    deadline badge of casework.core.templatetags.deadlines takes it).
    """

    label: str | Promise
    done: bool = False
    when: datetime.date | datetime.datetime | None = None
    due: datetime.date | None = None
    counting: str = "calendar"
    note: str | Promise = ""


@dataclass(frozen=True)
class Progress:
    """The steps of one case in order: those done first, then those still to come."""

    steps: Sequence[Step]

    @property
    def done(self) -> list[Step]:
        return [step for step in self.steps if step.done]

    @property
    def next(self) -> Step | None:
        """The first step not done yet: the one the party waits for (None: the case is over)."""
        return next((step for step in self.steps if not step.done), None)

    @property
    def later(self) -> list[Step]:
        upcoming = [step for step in self.steps if not step.done]
        return upcoming[1:]


_PROGRESS: dict[type, Callable[[Any], Progress]] = {}
_discovered = threading.Event()


def register_progress(model: type, progress: Callable[[Any], Progress]) -> None:
    """Let the portal show the progress of ``model``'s cases: ``progress(case) -> Progress``."""
    existing = _PROGRESS.get(model)
    if existing is not None and existing is not progress:
        raise ValueError(f"progress of {model.__name__} is registered twice")
    _PROGRESS[model] = progress


def progress_of(case) -> Progress | None:
    """The case's progress from its workflow's function, or None when it has none."""
    if not _discovered.is_set():
        autodiscover_modules("progress")
        _discovered.set()
    function = _PROGRESS.get(type(case)._meta.concrete_model)
    return function(case) if function is not None else None


_EVENTS = "_reached_events"


def prefetch_reached(cases: Sequence[Any]) -> None:
    """Read the audit trail of many cases of one model at once, for ``reached()``: a list
    of cases (the API's "my cases") then costs one query, not one per case."""
    if not cases:
        return
    subject_type = ContentType.objects.get_for_model(cases[0], for_concrete_model=True)
    events = CaseEvent.objects.filter(
        subject_type=subject_type, subject_id__in=[case.pk for case in cases]
    ).order_by("subject_id", "seq")
    rows: dict[int, list[tuple]] = defaultdict(list)
    for subject_id, *row in events.values_list(
        "subject_id", "from_state", "to_state", "action", "at"
    ):
        rows[subject_id].append(tuple(row))
    for case in cases:
        setattr(case, _EVENTS, rows.get(case.pk, []))


def reached(case) -> dict[str, datetime.datetime]:
    """When the case first reached each state and last took each action, from its audit trail.

    Keys are states (``to_state``) and ``"action:<action>"``; a progress function reads
    when a step was done here when the case model keeps no date of its own for it.
    """
    times: dict[str, datetime.datetime] = {}
    rows = getattr(case, _EVENTS, None)
    if rows is None:
        rows = case.events.order_by("seq").values_list("from_state", "to_state", "action", "at")
    for from_state, to_state, action, at in rows:
        if to_state and to_state != from_state:
            times.setdefault(to_state, at)
        times[f"action:{action}"] = at
    return times


def steps_along(
    path: Sequence[tuple[str, str | Promise]],
    state: str,
    when: Mapping[Any, Any],
    ends: Mapping[Any, str | Promise] | None = None,
) -> list[Step]:
    """The steps of a case that goes along ``path`` ((state, label) in order).

    In a state of the path, its steps up to the state are done and the rest are to
    come. In an end state off the path (``ends``: state -> label, e.g. withdrawn), the
    path's steps the case reached (a time in ``when``) are done, then the end. ``when``
    gives the time each state was reached (e.g. ``reached(case)`` with the model's own
    dates over it).
    """
    states = [s for s, _label in path]
    if state in states:
        index = states.index(state)
        return [
            Step(label, done=i <= index, when=when.get(s) if i <= index else None)
            for i, (s, label) in enumerate(path)
        ]
    ends = ends or {}
    order = [*path, *ends.items()]
    passed = [(s, label) for s, label in order if s != state and when.get(s)]
    # By the local day first, then along the path: some states are known by their day
    # only, and two steps of one day come in the path's order.
    passed.sort(key=lambda item: (_day(when[item[0]]), order.index(item)))
    steps = [Step(label, done=True, when=when[s]) for s, label in passed]
    if state in ends:
        steps.append(Step(ends[state], done=True, when=when.get(state)))
    return steps


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def with_next(steps: list[Step], **changes) -> list[Step]:
    """The steps with ``changes`` (due, counting, label, note) made to the next one."""
    for i, step in enumerate(steps):
        if not step.done:
            return [*steps[:i], replace(step, **changes), *steps[i + 1 :]]
    return steps
