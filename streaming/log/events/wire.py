"""The one JSON boundary of an event: its protocol object (docs/protocol.md, "Event") and text.

`event_object` makes the event object from an event's fields (stored rows and `Event` values
alike), `event_text` the same object as JSON text straight from a stored row (the replay's hot
loop), `encode` any such object (or a frame of them) as compact JSON, `format_ts`/`parse_ts` the
timestamps, and `mcp_progress` the MCP ``notifications/progress`` message of a stored event.
`Event.to_dict` / `Event.from_dict` (`streaming.log.events.values`) go through here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

MCP_META_PREFIX = "agentstream/"


def format_ts(ts: datetime) -> str:
    """Return `ts` as ISO 8601 in UTC with exactly six digits of microseconds."""
    if ts.utcoffset():
        ts = ts.astimezone(UTC)
    return ts.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(value: str) -> datetime:
    """Read a timestamp written by `format_ts` (or any ISO 8601 form with an offset)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def event_object(
    *,
    sid: uuid.UUID | str | None,
    seq: int | None,
    ts: datetime,
    t: str,
    agent: str | None,
    phase: str,
    msg: str,
    pct: float | None,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the protocol's event object from already-valid fields (stored rows, Event values)."""
    return {
        "sid": str(sid) if sid is not None else None,
        "seq": seq,
        "ts": format_ts(ts),
        "t": str(t),
        "agent": agent,
        "phase": str(phase),
        "msg": msg,
        "pct": pct,
        "data": dict(data),
    }


def event_text(
    sid: str,
    seq: int,
    ts: datetime,
    t: str,
    agent: str | None,
    phase: str,
    msg: str,
    pct: float | None,
    data_json: str,
) -> str:
    """Return a stored row as the protocol's event object in JSON, without a dict in between.

    The replay's hot loop: the same object `event_object` makes (a test holds them equal), but
    built from the row's fields and the stored `data` JSON text as it is, about three times
    faster than decoding `data` and encoding the whole dict again.
    """
    if "\n" in data_json or "\r" in data_json:  # SSE data lines must not break
        data_json = _compact_json(json.loads(data_json))
    if ts.utcoffset():
        ts = ts.astimezone(UTC)
    return (
        f'{{"sid":"{sid}","seq":{seq},"ts":"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}T'
        f'{ts.hour:02d}:{ts.minute:02d}:{ts.second:02d}.{ts.microsecond:06d}Z","t":"{t}",'
        f'"agent":{"null" if agent is None else _compact_json(agent)},"phase":"{phase}",'
        f'"msg":{_compact_json(msg)},"pct":{"null" if pct is None else repr(float(pct))},'
        f'"data":{data_json}}}'
    )


_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode(obj: Mapping[str, Any]) -> str:
    """Return an event object (or a frame holding event objects) as compact JSON text."""
    return _compact_json(obj)


def mcp_progress(
    *,
    sid: uuid.UUID,
    seq: int,
    ts: datetime,
    t: str,
    agent: str | None,
    phase: str,
    msg: str,
    pct: float | None,
    progress_token: str | int | None = None,
) -> dict[str, Any]:
    """Return a stored event as an MCP `notifications/progress` JSON-RPC message.

    The token defaults to the session id and `progress` is the event's `seq`, which strictly
    increases within a session; `pct` (which restarts with each agent), agent and phase
    travel under `params._meta` with the `agentstream/` prefix (docs/protocol.md, "Event").
    """
    meta = {
        f"{MCP_META_PREFIX}t": str(t),
        f"{MCP_META_PREFIX}agent": agent,
        f"{MCP_META_PREFIX}phase": str(phase),
        f"{MCP_META_PREFIX}pct": pct,
        f"{MCP_META_PREFIX}ts": format_ts(ts),
    }
    label = f"{agent}/{phase}" if agent else str(phase)
    return {
        "jsonrpc": "2.0",
        "method": "notifications/progress",
        "params": {
            "progressToken": progress_token if progress_token is not None else str(sid),
            "progress": seq,
            "message": f"[{label}] {msg}",
            "_meta": meta,
        },
    }
