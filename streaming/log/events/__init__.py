"""Events: frozen values (`values`) and their one JSON boundary (`wire`)."""

from streaming.log.events.values import (
    MAX_AGENT_CHARS,
    MAX_DATA_BYTES,
    MAX_MSG_CHARS,
    SESSION_PHASES,
    TERMINAL_PHASES,
    WORK_PHASES,
    Event,
    EventType,
    Phase,
)
from streaming.log.events.wire import (
    MCP_META_PREFIX,
    encode,
    event_object,
    event_text,
    format_ts,
    mcp_progress,
    parse_ts,
)

__all__ = [
    "MAX_AGENT_CHARS",
    "MAX_DATA_BYTES",
    "MAX_MSG_CHARS",
    "MCP_META_PREFIX",
    "SESSION_PHASES",
    "TERMINAL_PHASES",
    "WORK_PHASES",
    "Event",
    "EventType",
    "Phase",
    "encode",
    "event_object",
    "event_text",
    "format_ts",
    "mcp_progress",
    "parse_ts",
]
