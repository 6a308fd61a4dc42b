"""Event values: validation at construction, the factories, the enums of the protocol."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from streaming.log.events import MAX_MSG_CHARS, Event, EventType, Phase
from streaming.log.exceptions import InvalidEvent


def test_supervisor_decision_carries_next_reasoning_confidence():
    wire = Event.decision(next="codesmith", reasoning="graph mapped", confidence=0.8).to_dict()
    assert wire["t"] == "supervisor_event"
    assert wire["agent"] == "supervisor"
    assert wire["data"] == {"next": "codesmith", "reasoning": "graph mapped", "confidence": 0.8}


def test_session_events_have_no_agent_and_mark_the_end():
    assert Event.for_session("started", "go").to_dict()["agent"] is None
    assert not Event.for_session("started", "go").is_terminal
    for phase in ("completed", "failed", "cancelled"):
        assert Event.for_session(phase, "end").is_terminal
    assert not Event.for_agent("reviewer", "result", "ok").is_terminal


def test_data_is_a_snapshot_not_a_reference():
    data = {"files": [1, 2]}
    event = Event.for_agent("research", "result", "done", data=data)
    data["files"].append(3)
    assert event.data == {"files": [1, 2]}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Event.for_agent("research", "progress", "x", pct=1.5), "pct"),
        (lambda: Event.for_agent("research", "progress", "x", pct=-0.1), "pct"),
        (lambda: Event.for_agent("research", "progress", "x", pct=math.nan), "pct"),
        (lambda: Event.for_agent("research", "progress", "x", pct=math.inf), "pct"),
        (lambda: Event.for_agent("research", "progress", "x", pct="half"), "pct"),
        (lambda: Event.for_agent("research", "dreaming", "x"), "dreaming"),
        (lambda: Event.for_agent("research", "started", "x"), "not an agent"),
        (lambda: Event.for_session("think", "x"), "not a session phase"),
        (lambda: Event.for_agent("research", "result", "x", data={"v": math.nan}), "JSON"),
        (lambda: Event.for_agent("research", "result", "x", data={"v": math.inf}), "JSON"),
        (lambda: Event.for_agent("research", "result", "x", data={"v": object()}), "JSON"),
        (lambda: Event.for_agent("research", "result", "x", data=["not", "a", "dict"]), "object"),
        (lambda: Event.for_agent("research", "result", "x", data={"k": "a\x00b"}), "NUL"),
        (lambda: Event.for_agent("research", "think", "nul \x00 here"), "NUL"),
        (lambda: Event.for_agent("re\x00search", "think", "x"), "NUL"),
        (lambda: Event.for_agent("research", "think", "x" * (MAX_MSG_CHARS + 1)), "limit"),
        (lambda: Event.for_agent("", "think", "x"), "empty"),
        (lambda: Event.for_agent("research", "think", 42), "string"),
        (lambda: Event.decision(next="x", reasoning="y", confidence=1.2), "confidence"),
        (lambda: Event.for_supervisor("decision", "x", data={"next": "a"}), "decision"),
        (
            lambda: Event(t="agent_event", agent="a", phase="think", msg="x", ts=datetime.now()),
            "aware",
        ),
    ],
)
def test_bad_values_are_refused_when_the_event_is_made(make, message):
    with pytest.raises(InvalidEvent, match=message):
        make()


def test_enums_cover_the_protocol():
    assert {t.value for t in EventType} == {"agent_event", "supervisor_event", "session_event"}
    assert {p.value for p in Phase} == {
        "think", "progress", "decision", "result", "error",
        "started", "completed", "failed", "cancelled",
    }  # fmt: skip
