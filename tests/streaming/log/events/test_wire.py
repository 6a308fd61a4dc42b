"""The one JSON boundary of an event: the exact wire object, its timestamps, and the MCP mapping."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from mcp import types as mcp_types

from streaming.log.events import Event, format_ts
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


def test_from_dict_refuses_a_malformed_object():
    with pytest.raises(InvalidEvent):
        Event.from_dict({"t": "agent_event"})


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
