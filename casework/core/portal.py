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
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.urls import URLPattern, URLResolver
from django.utils.safestring import SafeString


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
