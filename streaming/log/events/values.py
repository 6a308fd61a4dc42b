"""Events as values: frozen dataclasses, validated when made.

Bad values raise `InvalidEvent` where the event is made, which is inside the `emit` call, never
later in a background task. Their JSON goes through `streaming.log.events.wire`, the one boundary.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from streaming.log.events.wire import encode, event_object, mcp_progress, parse_ts
from streaming.log.exceptions import InvalidEvent

MAX_MSG_CHARS = 10_000
MAX_DATA_BYTES = 1024 * 1024
MAX_AGENT_CHARS = 64


class EventType(StrEnum):
    AGENT = "agent_event"
    SUPERVISOR = "supervisor_event"
    SESSION = "session_event"


class Phase(StrEnum):
    THINK = "think"
    PROGRESS = "progress"
    DECISION = "decision"
    RESULT = "result"
    ERROR = "error"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# Keyed by `object`: a lookup takes any value a caller passed (and TypeError for an unhashable one).
_TYPES: dict[object, EventType] = {member.value: member for member in EventType}
_PHASES: dict[object, Phase] = {member.value: member for member in Phase}
WORK_PHASES = frozenset({Phase.THINK, Phase.PROGRESS, Phase.DECISION, Phase.RESULT, Phase.ERROR})
SESSION_PHASES = frozenset({Phase.STARTED, Phase.COMPLETED, Phase.FAILED, Phase.CANCELLED})
TERMINAL_PHASES = frozenset({Phase.COMPLETED, Phase.FAILED, Phase.CANCELLED})


_Member = TypeVar("_Member", EventType, Phase)


def _member(table: Mapping[object, _Member], value: object, kind: str) -> _Member:
    """Return the member of `table` that `value` names, or raise InvalidEvent."""
    try:
        member = table.get(value)
    except TypeError:  # unhashable
        member = None
    if member is None:
        raise InvalidEvent(f"{value!r} is not a valid {kind}")
    return member


def _check_text(name: str, value: object, limit: int) -> str:
    if type(value) is not str and not isinstance(value, str):
        raise InvalidEvent(f"{name} must be a string, not {type(value).__name__}")
    if "\x00" in value:
        raise InvalidEvent(f"{name} contains a NUL character, which the database refuses")
    if len(value) > limit:
        raise InvalidEvent(f"{name} is {len(value)} characters long; the limit is {limit}")
    return value


_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False)
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _snapshot_data(data: object) -> tuple[dict[str, Any], str]:
    """Return a JSON-safe deep copy of `data` and its JSON text, or raise InvalidEvent."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise InvalidEvent(f"data must be a JSON object (a mapping), not {type(data).__name__}")
    if not data:
        return {}, "{}"
    try:
        encoded = _ENCODER.encode(data)
    except ValueError as exc:  # NaN or infinity, or a circular reference
        raise InvalidEvent(f"data is not valid JSON: {exc}") from exc
    except TypeError as exc:
        raise InvalidEvent(f"data is not JSON-serialisable: {exc}") from exc
    if "\\u0000" in encoded:
        raise InvalidEvent("data contains a NUL character, which the database refuses")
    if len(encoded) * 4 > MAX_DATA_BYTES and len(encoded.encode()) > MAX_DATA_BYTES:
        raise InvalidEvent(f"data is larger than {MAX_DATA_BYTES} bytes as JSON")
    if all(type(k) is str and type(v) in _SCALARS for k, v in data.items()):
        return dict(data), encoded  # flat: a shallow copy is already a snapshot
    return json.loads(encoded), encoded


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """One event of a session. `sid` and `seq` are None until the bus has stored it."""

    t: EventType
    phase: Phase
    msg: str
    agent: str | None = None
    pct: float | None = None
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    ts: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))
    sid: uuid.UUID | None = None
    seq: int | None = None
    # `data` as the JSON text it was validated as; the writer stores this text as it is.
    data_json: str = dataclasses.field(default="{}", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A direct call or `from_dict` may pass plain strings: store the enum members.
        t = _member(_TYPES, self.t, "EventType")
        phase = _member(_PHASES, self.phase, "Phase")
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "phase", phase)
        if t is EventType.SESSION:
            if phase not in SESSION_PHASES:
                raise InvalidEvent(f"phase {phase.value!r} is not a session phase")
            if self.agent is not None:
                raise InvalidEvent("session events have no agent")
        else:
            if phase not in WORK_PHASES:
                raise InvalidEvent(f"phase {phase.value!r} is not an agent or supervisor phase")
            if t is EventType.SUPERVISOR and self.agent != "supervisor":
                raise InvalidEvent('supervisor events have agent "supervisor"')
            agent = _check_text("agent", self.agent, MAX_AGENT_CHARS)
            if not agent.strip():
                raise InvalidEvent("agent must not be empty")
        _check_text("msg", self.msg, MAX_MSG_CHARS)
        pct = self.pct
        if pct is not None:
            if type(pct) is not float:
                if isinstance(pct, bool) or not isinstance(pct, (int, float)):
                    raise InvalidEvent(f"pct must be a number, not {type(pct).__name__}")
                object.__setattr__(self, "pct", pct := float(pct))
            if not 0.0 <= pct <= 1.0:  # also False for NaN; infinities are out of range
                raise InvalidEvent(f"pct must be a fraction from 0.0 to 1.0, not {pct!r}")
        data, data_json = _snapshot_data(self.data)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "data_json", data_json)
        if t is EventType.SUPERVISOR and phase is Phase.DECISION:
            _check_decision(self.data)
        if self.ts.tzinfo is None:
            raise InvalidEvent("ts must be timezone-aware")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def for_agent(
        cls,
        agent: str,
        phase: Phase | str,
        msg: str,
        *,
        pct: float | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Event:
        """Return an `agent_event` from `agent`."""
        return cls(
            t=EventType.AGENT,
            agent=agent,
            phase=_member(_PHASES, phase, "Phase"),
            msg=msg,
            pct=pct,
            data=data or {},
        )

    @classmethod
    def for_supervisor(
        cls, phase: Phase | str, msg: str, *, data: Mapping[str, Any] | None = None
    ) -> Event:
        """Return a `supervisor_event`."""
        return cls(
            t=EventType.SUPERVISOR,
            agent="supervisor",
            phase=_member(_PHASES, phase, "Phase"),
            msg=msg,
            data=data or {},
        )

    @classmethod
    def decision(cls, *, next: str, reasoning: str, confidence: float, msg: str = "") -> Event:
        """Return the supervisor's routing `decision` with `next`, `reasoning`, `confidence`."""
        data = {"next": next, "reasoning": reasoning, "confidence": confidence}
        return cls.for_supervisor(Phase.DECISION, msg or f"Next: {next}", data=data)

    @classmethod
    def for_session(
        cls, phase: Phase | str, msg: str, *, data: Mapping[str, Any] | None = None
    ) -> Event:
        """Return a `session_event` (started, completed, failed, cancelled)."""
        return cls(
            t=EventType.SESSION,
            agent=None,
            phase=_member(_PHASES, phase, "Phase"),
            msg=msg,
            data=data or {},
        )

    # -- derived ------------------------------------------------------------------------------

    @property
    def is_terminal(self) -> bool:
        """Return True for the session's last event: completed, failed or cancelled."""
        return self.t is EventType.SESSION and self.phase in TERMINAL_PHASES

    def stored(self, *, sid: uuid.UUID, seq: int) -> Event:
        """Return this event as stored in session `sid` at position `seq`."""
        # A copy of an already-valid value: skip __post_init__ (this runs once per stored event).
        copy = object.__new__(Event)
        for name in _FIELD_NAMES:
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "sid", sid)
        object.__setattr__(copy, "seq", seq)
        return copy

    # -- the JSON boundary --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol's event object."""
        return event_object(
            sid=self.sid,
            seq=self.seq,
            ts=self.ts,
            t=self.t,
            agent=self.agent,
            phase=self.phase,
            msg=self.msg,
            pct=self.pct,
            data=self.data,
        )

    def to_json(self) -> str:
        """Return `to_dict()` encoded as compact JSON."""
        return encode(self.to_dict())

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Event:
        """Read the protocol's event object back into an Event (validating it)."""
        try:
            return cls(
                sid=uuid.UUID(obj["sid"]) if obj.get("sid") else None,
                seq=obj.get("seq"),
                ts=parse_ts(obj["ts"]),
                t=obj["t"],
                agent=obj.get("agent"),
                phase=obj["phase"],
                msg=obj["msg"],
                pct=obj.get("pct"),
                data=obj.get("data") or {},
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InvalidEvent):
                raise
            raise InvalidEvent(f"not an event object: {exc!r}") from exc

    def to_mcp_notification(self, progress_token: str | int | None = None) -> dict[str, Any]:
        """Return this stored event as an MCP `notifications/progress` message (`mcp_progress`)."""
        if self.seq is None or self.sid is None:
            raise InvalidEvent("only a stored event (with sid and seq) maps to MCP progress")
        return mcp_progress(
            sid=self.sid,
            seq=self.seq,
            ts=self.ts,
            t=self.t.value,
            agent=self.agent,
            phase=self.phase.value,
            msg=self.msg,
            pct=self.pct,
            progress_token=progress_token,
        )


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Event))


def _check_decision(data: Mapping[str, Any]) -> None:
    missing = {"next", "reasoning", "confidence"} - data.keys()
    if missing:
        raise InvalidEvent(f"a decision needs data keys {sorted(missing)}")
    confidence = data["confidence"]
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise InvalidEvent("decision confidence must be a number")
    if not 0.0 <= confidence <= 1.0:
        raise InvalidEvent(f"decision confidence must be from 0 to 1, not {confidence!r}")
