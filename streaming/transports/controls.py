"""What a client of a stream may ask of its session beyond reading it.

The transports know how to read and follow a session; starting, sweeping and cancelling runs
belong to the room above them (`streaming.runs`). A consumer is given its `SessionControls`
when it is routed (``SessionConsumer.as_asgi(controls=...)``); without one, a client may only
read, and a `cancel` frame is answered with an `error` frame.
"""

from __future__ import annotations

import uuid


class ControlRefused(Exception):
    """The request cannot be served here; `code` and `detail` go to the client's `error` frame."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class SessionControls:
    """The default: nothing to start, nothing to cancel."""

    async def connected(self) -> None:
        """Called as each client connects, before its access is checked."""

    async def cancel(self, session_id: uuid.UUID) -> None:
        """Cancel the session (the caller is its owner or staff)."""
        raise ControlRefused("unsupported", "this server cannot cancel sessions")
