"""agentstream: what agent code needs, and nothing it should not see.

Agents bind nothing themselves; a runner or consumer binds the session, and agent code calls
`emit` / `report_progress` (or their `_sync` twins in threads). The names are loaded on first
use (PEP 562), because `streaming` is also the parent package of the Django apps in its rooms
(`streaming.log`, `streaming.transports`, `streaming.runs`, `streaming.site`), which Django
imports before its app registry is ready. See docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and the module of the event log that defines it.
_EXPORTS = {
    "Event": "streaming.log.events",
    "EventType": "streaming.log.events",
    "Phase": "streaming.log.events",
    "InvalidEvent": "streaming.log.exceptions",
    "NoSessionBound": "streaming.log.exceptions",
    "SessionClosed": "streaming.log.exceptions",
    "bind_session": "streaming.log.context",
    "bound_session": "streaming.log.context",
    "get_session_id": "streaming.log.context",
    "reset_session": "streaming.log.context",
    "emit": "streaming.log.bus",
    "emit_sync": "streaming.log.bus",
    "flush": "streaming.log.bus",
    "flush_sync": "streaming.log.bus",
    "report_progress": "streaming.log.bus",
    "report_progress_sync": "streaming.log.bus",
}

__all__ = [
    "Event",
    "EventType",
    "InvalidEvent",
    "NoSessionBound",
    "Phase",
    "SessionClosed",
    "bind_session",
    "bound_session",
    "emit",
    "emit_sync",
    "flush",
    "flush_sync",
    "get_session_id",
    "report_progress",
    "report_progress_sync",
    "reset_session",
]

if TYPE_CHECKING:
    from streaming.log.bus import (
        emit,
        emit_sync,
        flush,
        flush_sync,
        report_progress,
        report_progress_sync,
    )
    from streaming.log.context import bind_session, bound_session, get_session_id, reset_session
    from streaming.log.events import Event, EventType, Phase
    from streaming.log.exceptions import InvalidEvent, NoSessionBound, SessionClosed


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'streaming' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
