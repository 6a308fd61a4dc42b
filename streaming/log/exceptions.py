"""Errors the event log raises to its callers; the rooms above subclass `StreamingError`."""

from __future__ import annotations


class StreamingError(Exception):
    """Base class of agentstream's own errors."""


class InvalidEvent(StreamingError, ValueError):
    """An event value that docs/protocol.md does not allow (raised at the emit call)."""


class NoSessionBound(StreamingError, LookupError):
    """`emit` was called with no session bound and AGENTSTREAM_EMIT_WITHOUT_SESSION = "raise"."""


class SessionClosed(StreamingError):
    """The session has stored its terminal event; nothing more is stored in it."""


class BadInput(StreamingError, ValueError):
    """Input the protocol refuses with 400; `code` names it (`bad_cursor`, `bad_limit`, …)."""

    code = "bad_request"


class BadCursor(BadInput):
    """A cursor (`after`, `Last-Event-ID`, `resume`, `before`) that is not a valid position."""

    code = "bad_cursor"


class BadLimit(BadInput):
    """A `limit` that is not a positive integer."""

    code = "bad_limit"
