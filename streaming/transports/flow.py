"""Flow control: how much a slow client may have queued at the server, in bytes.

ASGI has no back-pressure: daphne writes whatever the application sends into Twisted's
transport buffer at once, so a client that reads nothing would make the server hold everything
sent to it. `streaming.transports.daphne.install` gives each daphne connection a `Flow` (the ASGI
scope's ``extensions["agentstream.flow"]``): a Twisted producer on the connection's transport,
paused by Twisted when the transport's buffer fills and resumed when it drains. A stream sends
on while paused until `budget` more bytes are queued, then waits for the client to drain;
meanwhile its tail drops live events past its own bound and reads them back from the database
later. So one connection holds at most ``AGENTSTREAM_CLIENT_BUFFER`` (half in the transport,
half in the tail), whatever the client does. Under other servers (and tests' communicators)
there is no `Flow`, and `flow_of` returns None.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

EXTENSION = "agentstream.flow"


class Flow:
    """One connection's writability, as its transport reports it (a Twisted push producer)."""

    def __init__(self, target: Any) -> None:
        self._target = target  # the transport (WebSocket) or the request (HTTP) to register on
        self._writable = asyncio.Event()
        self._writable.set()
        self._registered = False
        self.sent_while_paused = 0

    # -- Twisted's IPushProducer --------------------------------------------------------------

    def pauseProducing(self) -> None:
        self._writable.clear()

    def resumeProducing(self) -> None:
        self.sent_while_paused = 0
        self._writable.set()

    def stopProducing(self) -> None:
        self._writable.set()  # the connection is gone: nobody waits on it any more

    # -- the stream's side --------------------------------------------------------------------

    def start(self) -> None:
        """Register on the transport (once, when the stream starts sending)."""
        if self._registered:
            return
        try:
            self._target.registerProducer(self, True)
        except Exception:
            logger.debug("no flow control for this connection", exc_info=True)
            return
        self._registered = True

    def stop(self) -> None:
        """Unregister (the stream is over); never raises."""
        if self._registered:
            self._registered = False
            try:
                self._target.unregisterProducer()
            except Exception:
                logger.debug("unregistering the flow control failed", exc_info=True)
        self._writable.set()

    @property
    def paused(self) -> bool:
        return not self._writable.is_set()

    async def sent(self, size: int, *, budget: int) -> None:
        """Count `size` bytes just handed to the server; once more than `budget` are queued
        since the transport paused, wait until it drains."""
        if self._writable.is_set():
            return
        self.sent_while_paused += size
        if self.sent_while_paused > budget:
            await self._writable.wait()


def flow_of(scope: Mapping[str, Any]) -> Flow | None:
    """Return the connection's `Flow`, if its server gave it one."""
    flow = (scope.get("extensions") or {}).get(EXTENSION)
    return flow if isinstance(flow, Flow) else None
