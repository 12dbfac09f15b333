from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from casework.core.diagram import mermaid, state_edges, state_overview
from tests.caseapp.models import SampleCase


def test_every_transition_becomes_an_edge_and_lists_expand_per_source():
    edges = {(e.source, e.target, e.action) for e in state_edges(SampleCase)}
    assert edges == {
        ("received", "accepted", "accept"),
        ("accepted", "closed", "close"),
        ("received", "withdrawn", "withdraw"),
        ("accepted", "withdrawn", "withdraw"),
    }


def test_the_mermaid_diagram_starts_at_the_default_state():
    text = mermaid(SampleCase)
    assert text.splitlines()[:2] == ["stateDiagram-v2", "    [*] --> received"]
    assert "    accepted --> closed : close" in text


def test_the_command_prints_the_diagram_and_refuses_unknown_models():
    out = StringIO()
    call_command("state_diagram", "caseapp.SampleCase", stdout=out)
    assert out.getvalue().startswith("stateDiagram-v2")
    with pytest.raises(CommandError):
        call_command("state_diagram", "caseapp.Nothing", stdout=StringIO())


def test_the_case_page_partial_marks_the_current_state_and_the_next_steps():
    case = SampleCase(state="accepted")
    overview = state_overview(case)
    assert [s["value"] for s in overview["states"] if s["current"]] == ["accepted"]
    assert {step["label"] for step in overview["next_steps"]} == {"close", "withdraw"}
    html = render_to_string("core/_states.html", {"overview": overview})
    assert 'class="current" aria-current="step">accepted<' in html


def test_the_timeline_names_actions_and_states_in_the_readers_language(market, sam_supervisor):
    from casework.core.audit import Actor, record_event
    from casework.core.diagram import labelled_events
    from casework.core.transitions import perform

    case = SampleCase.objects.create(market=market)
    perform(case, "withdraw", actor=Actor(user=sam_supervisor))
    record_event(case, actor=Actor.system(), action="reassigned")
    record_event(case, actor=Actor.system(), action="custom_note")

    from django.utils import translation

    with translation.override("en"):
        events = labelled_events(case, {"custom_note": "A note"})

    assert [(e.action_label, e.from_label, e.to_label) for e in events] == [
        ("withdraw", "received", "withdrawn"),
        # Every event of a case records the state it leaves the case in.
        ("Reassigned", "", "withdrawn"),
        ("A note", "", "withdrawn"),
    ]
    html = render_to_string("core/_timeline.html", {"events": events})
    assert "received → withdrawn" in html
