"""Flow control: how much a slow client may have queued at the server, in bytes.

ASGI has no back-pressure: daphne writes whatever the application sends into Twisted's
transport buffer at once, so a client that reads nothing would make the server hold everything
sent to it. `streaming.transports.daphne.install` gives each daphne connection a `Flow` (the ASGI
scope's ``extensions["agentstream.flow"]``): a Twisted push producer on the connection's
transport, paused by Twisted once more than its buffer size (64 KiB) waits to be written and
resumed when all of it is written. A stream waits while its flow is paused, and its tail drops
live events past its own bound meanwhile and reads them back from the database later.

The stream gives its flow half of ``AGENTSTREAM_CLIENT_BUFFER`` (the other half is its tail's).
Of that, the kernel's send buffer gets an eighth (``SO_SNDBUF``; Linux doubles it for its own
bookkeeping, and would otherwise grow it to 4 MiB for a client that reads nothing), Twisted
holds at most its 64 KiB plus the last frame (``AGENTSTREAM_WS_BATCH_BYTES``, 256 KiB). So with
the defaults a connection holds at most 128 + 64 + 256 KiB in the kernel and at daphne and 512
KiB in its tail: under 1 MiB whatever the client does, and a client that stops reading costs
nothing once that is queued. The kernel's share also bounds what a client far away can receive
per round trip (at 100 ms about 1.3 MB/s with the defaults); a larger
``AGENTSTREAM_CLIENT_BUFFER`` raises it. Under other servers (and tests' communicators) there
is no `Flow`, and `flow_of` returns None.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Mapping
from typing import Any

from streaming.log.conf import conf as log_conf

logger = logging.getLogger(__name__)

EXTENSION = "agentstream.flow"
#: The part of a stream's budget that the kernel's send buffer may hold (before Linux doubles it).
KERNEL_SHARE = 1 / 8


class Flow:
    """One connection's writability, as its transport reports it (a Twisted push producer)."""

    def __init__(self, target: Any, *, handle: Any = None, takes_over: bool = False) -> None:
        self._target = target  # the transport (WebSocket) or the request (HTTP) to register on
        self._handle = handle  # the connection's socket, whose kernel send buffer is capped
        #: Whether the target's current producer is to be replaced: a WebSocket's transport
        #: still has the HTTP channel that handed it over registered (and Twisted allows one).
        self._takes_over = takes_over
        self._writable = asyncio.Event()
        self._writable.set()
        self._registered = False
        self.pauses = 0  # how often the transport said "enough" (the fault suite counts them)

    # -- Twisted's IPushProducer --------------------------------------------------------------

    def pauseProducing(self) -> None:
        self.pauses += 1
        self._writable.clear()

    def resumeProducing(self) -> None:
        self._writable.set()

    def stopProducing(self) -> None:
        self._writable.set()  # the connection is gone: nobody waits on it any more

    # -- the stream's side --------------------------------------------------------------------

    def start(self, *, budget: int | None = None) -> None:
        """Register on the transport (once, when the stream starts sending) and cap the kernel's
        send buffer at its share of `budget` bytes (default: half of
        ``AGENTSTREAM_CLIENT_BUFFER``; the other half is the stream's tail's)."""
        if self._registered:
            return
        if budget is None:
            budget = log_conf.CLIENT_BUFFER // 2
        kernel = int(budget * KERNEL_SHARE)
        if self._handle is not None and kernel > 0:
            try:
                self._handle.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, kernel)
            except OSError:
                logger.debug("the kernel's send buffer stays as it is", exc_info=True)
        try:
            previous = getattr(self._target, "producer", None)
            if self._takes_over and previous is not None and previous is not self:
                self._target.unregisterProducer()
            self._target.registerProducer(self, True)
        except Exception:
            logger.warning("no flow control for this connection", exc_info=True)
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

    async def writable(self) -> None:
        """Return once the transport takes more: at once, unless it is paused."""
        if not self._writable.is_set():
            await self._writable.wait()


def flow_of(scope: Mapping[str, Any]) -> Flow | None:
    """Return the connection's `Flow`, if its server gave it one."""
    flow = (scope.get("extensions") or {}).get(EXTENSION)
    return flow if isinstance(flow, Flow) else None
