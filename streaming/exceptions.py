"""Errors the streaming app raises to its callers."""

from __future__ import annotations


class StreamingError(Exception):
    """Base class of agentstream's own errors."""


class InvalidEvent(StreamingError, ValueError):
    """An event value that PROTOCOL.md does not allow (raised at the emit call)."""


class NoSessionBound(StreamingError, LookupError):
    """`emit` was called with no session bound and AGENTSTREAM_EMIT_WITHOUT_SESSION = "raise"."""


class SessionClosed(StreamingError):
    """The session has stored its terminal event; nothing more is stored in it."""


class BadWorkspace(StreamingError, ValueError):
    """A workspace name that does not exist or resolves outside the workspace root."""
