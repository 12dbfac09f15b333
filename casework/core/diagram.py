"""State diagrams drawn from a case model's django-fsm transitions (docs/workflows.md).

The transitions are the only source: ``mermaid()`` gives the README's diagram
(``manage.py state_diagram app.Model``) and ``state_overview()`` the case
page's list of states and next steps, so neither can drift from the code.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

ANY_STATE = ("*", "+")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    action: str
    label: str


def _state_field(model: type[models.Model]):
    return model._meta.get_field("state")


def states_of(model: type[models.Model]) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in _state_field(model).choices]


def state_edges(model: type[models.Model]) -> list[Edge]:
    """Every (source, target, transition) of the model, in the order the states are declared."""
    order = [value for value, _label in states_of(model)]
    edges = set()
    for transition in _state_field(model).get_all_transitions(model):
        sources = order if transition.source in ANY_STATE else [transition.source]
        label = str((transition.custom or {}).get("label", transition.name))
        for source in sources:
            if transition.source == "+" and source == transition.target:
                continue
            edges.add(Edge(source, transition.target, transition.name, label))
    return sorted(edges, key=lambda e: (order.index(e.source), order.index(e.target), e.action))


def mermaid(model: type[models.Model]) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {_state_field(model).get_default()}"]
    lines += [f"    {e.source} --> {e.target} : {e.label}" for e in state_edges(model)]
    return "\n".join(lines)


def state_overview(case: models.Model) -> dict:
    """Context for templates/core/_states.html: every state, the current one marked."""
    labels = dict(states_of(type(case)))
    return {
        "states": [
            {"value": value, "label": label, "current": value == case.state}
            for value, label in labels.items()
        ],
        "next_steps": [
            {"label": edge.label, "target": labels[edge.target]}
            for edge in state_edges(type(case))
            if edge.source == case.state
        ],
    }


# Audit actions the case core itself writes (queues.claim_next, queues.reassign).
CORE_EVENT_LABELS = {
    "claimed": _("Taken from the queue"),
    "reassigned": _("Reassigned"),
}


def register_event_labels(labels: dict) -> None:
    """Name audit actions that an app above the core writes on the cases of any workflow
    (e.g. casework.legalaid's referral steps), so every case history reads them."""
    CORE_EVENT_LABELS.update(labels)


def labelled_events(case: models.Model, extra_labels: dict | None = None) -> list:
    """The case's audit rows with readable names for templates/core/_timeline.html.

    Transitions are named by their labels, states by their choices, other
    actions by ``extra_labels`` ({action: label}); unknown ones keep their slug.
    """
    states = dict(states_of(type(case)))
    actions = {edge.action: edge.label for edge in state_edges(type(case))}
    actions.update({k: str(v) for k, v in {**CORE_EVENT_LABELS, **(extra_labels or {})}.items()})
    events = list(case.events)
    for event in events:
        event.action_label = actions.get(event.action, event.action)
        event.from_label = states.get(event.from_state, event.from_state)
        event.to_label = states.get(event.to_state, event.to_state)
    return events
