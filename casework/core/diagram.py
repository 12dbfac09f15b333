"""State diagrams drawn from a case model's django-fsm transitions (DESIGN.md §3).

The transitions are the only source: ``mermaid()`` gives the README's diagram
(``manage.py state_diagram app.Model``) and ``state_overview()`` the case
page's list of states and next steps, so neither can drift from the code.
"""

from dataclasses import dataclass

from django.db import models

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
