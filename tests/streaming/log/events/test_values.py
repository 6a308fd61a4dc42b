"""Event values: validation at construction, the exact wire object, and the MCP mapping."""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import UTC, datetime

import pytest
from mcp import types as mcp_types

from streaming.log.events import (
    MAX_MSG_CHARS,
    Event,
    EventType,
    Phase,
    format_ts,
)
from streaming.log.exceptions import InvalidEvent

WIRE_KEYS = {"sid", "seq", "ts", "t", "agent", "phase", "msg", "pct", "data"}
TS_PATTERN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def stored(event: Event, seq: int = 1, sid: uuid.UUID | None = None) -> Event:
    return event.stored(sid=sid or uuid.uuid4(), seq=seq)


def test_agent_event_serialises_to_the_protocol_object():
    sid = uuid.uuid4()
    event = stored(
        Event.for_agent("research", "progress", "3 of 4 files", pct=0.75, data={"n": 3}), 7, sid
    )
    wire = event.to_dict()
    assert set(wire) == WIRE_KEYS
    assert wire["sid"] == str(sid)
    assert wire["seq"] == 7
    assert wire["t"] == "agent_event"
    assert wire["agent"] == "research"
    assert wire["phase"] == "progress"
    assert wire["pct"] == 0.75
    assert wire["data"] == {"n": 3}
    assert json.loads(event.to_json()) == wire


def test_ts_always_has_six_digits_of_microseconds_in_utc():
    on_the_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert format_ts(on_the_second) == "2026-01-02T03:04:05.000000Z"
    event = Event.for_session("started", "go", data={})
    assert TS_PATTERN.match(event.to_dict()["ts"])


def test_round_trip_through_the_json_boundary():
    event = stored(Event.decision(next="architect", reasoning="inventory done", confidence=0.9))
    again = Event.from_dict(json.loads(event.to_json()))
    assert again == event


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


def test_from_dict_refuses_a_malformed_object():
    with pytest.raises(InvalidEvent):
        Event.from_dict({"t": "agent_event"})


def test_enums_cover_the_protocol():
    assert {t.value for t in EventType} == {"agent_event", "supervisor_event", "session_event"}
    assert {p.value for p in Phase} == {
        "think", "progress", "decision", "result", "error",
        "started", "completed", "failed", "cancelled",
    }  # fmt: skip


def test_mcp_notification_validates_with_the_official_sdk():
    sid = uuid.uuid4()
    events = [
        stored(Event.for_session("started", "go"), 1, sid),
        stored(Event.for_agent("research", "progress", "half", pct=0.5), 2, sid),
        stored(Event.for_agent("research", "progress", "all", pct=1.0), 3, sid),
        stored(Event.for_agent("architect", "progress", "restart", pct=0.1), 4, sid),
    ]
    notes = [e.to_mcp_notification() for e in events]
    for note in notes:
        parsed = mcp_types.JSONRPCNotification.model_validate(note)
        progress = mcp_types.ProgressNotification.model_validate(
            {"method": parsed.method, "params": parsed.params}
        )
        assert progress.params.progress_token == str(sid)
        assert progress.params.meta is not None
    # pct restarts with each agent, but progress strictly increases within the token.
    values = [n["params"]["progress"] for n in notes]
    assert values == sorted(set(values))
    meta = notes[3]["params"]["_meta"]
    assert meta["agentstream/agent"] == "architect"
    assert meta["agentstream/phase"] == "progress"
    assert meta["agentstream/pct"] == 0.1
    assert notes[3]["params"]["message"] == "[architect/progress] restart"


def test_mcp_notification_needs_a_stored_event():
    with pytest.raises(InvalidEvent, match="stored"):
        Event.for_session("started", "go").to_mcp_notification()


def test_mcp_token_can_be_given():
    note = stored(Event.for_session("started", "go")).to_mcp_notification("tok-1")
    assert note["params"]["progressToken"] == "tok-1"
