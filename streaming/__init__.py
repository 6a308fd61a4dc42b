"""agentstream's streaming core: what agent code needs, and nothing it should not see.

Agents bind nothing themselves; a runner or consumer binds the session, and agent code calls
`emit` / `report_progress` (or their `_sync` twins in threads).
"""

from streaming.bus import (
    emit,
    emit_sync,
    flush,
    flush_sync,
    report_progress,
    report_progress_sync,
)
from streaming.context import bind_session, bound_session, get_session_id, reset_session
from streaming.events import Event, EventType, Phase
from streaming.exceptions import InvalidEvent, NoSessionBound, SessionClosed

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
