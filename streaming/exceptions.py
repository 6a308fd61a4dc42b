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


class BadInput(StreamingError, ValueError):
    """Input that PROTOCOL.md refuses with 400; `code` names it (`bad_cursor`, `bad_query`, …)."""

    code = "bad_request"


class BadCursor(BadInput):
    """A cursor (`after`, `Last-Event-ID`, `resume`, `before`) that is not a valid position."""

    code = "bad_cursor"


class BadLimit(BadInput):
    """A `limit` that is not a positive integer."""

    code = "bad_limit"


class BadQuery(BadInput):
    """A session query that is not a string of 1 to 10,000 characters."""

    code = "bad_query"


class RateLimited(StreamingError):
    """The user started too many sessions in the last minute; retry after `retry_after` s."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
