"""Errors of starting a session: bad input (400 with its code) and the rate limit (429)."""

from __future__ import annotations

from streaming.log.exceptions import BadInput, StreamingError


class BadWorkspace(BadInput):
    """A workspace name that does not exist or resolves outside the workspace root."""

    code = "bad_workspace"


class BadQuery(BadInput):
    """A session query that is not a string of 1 to 10,000 characters."""

    code = "bad_query"


class UnknownWorkflow(BadInput):
    """A workflow name that the project's settings do not register."""

    code = "bad_workflow"


class RateLimited(StreamingError):
    """The user started too many sessions in the last minute; retry after `retry_after` s."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
