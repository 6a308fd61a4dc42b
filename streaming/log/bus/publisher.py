"""Ringing the doorbell: one group message per session per stored batch, in order.

Publishes run on the server's event loop (the loop of the first async emitter), because a
channel layer belongs to a loop: the in-memory layer's queues and channels-redis's connections.
Without a running server loop (a script, a management command) they run on a private loop in
the writer thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from channels.layers import get_channel_layer

from streaming.log import outages
from streaming.log.bus.waiters import Waiter
from streaming.log.conf import conf
from streaming.log.events import Event
from streaming.log.groups import EVENTS_MESSAGE, session_group

logger = logging.getLogger("streaming.log.bus")

PUBLISH_TIMEOUT = 2.0
#: While the layer is down, publish at most this often (the others are skipped: the streams
#: catch up from the database), so a hanging layer never holds the writer thread back.
PROBE_INTERVAL = 1.0
MAX_IN_FLIGHT = 8

Messages = list[tuple[uuid.UUID, dict[str, Any]]]


class Publisher:
    """Sends stored batches to the channel layer from the writer thread, in the order stored."""

    def __init__(self, stats: Counter[str]) -> None:
        self.stats = stats
        self.loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        self._last_probe = 0.0

    @property
    def uses_own_loop(self) -> bool:
        return self._own_loop is not None

    def adopt(self, running: asyncio.AbstractEventLoop) -> None:
        """Publish on `running` unless the current home loop is still alive (the server's)."""
        loop = self.loop
        if running is not loop and (loop is None or loop.is_closed() or not loop.is_running()):
            self.loop = running
            self._lock = None

    def message(self, sid: uuid.UUID, events: list[Event], last_seq: int) -> dict[str, Any]:
        """Return the group message for a stored batch; a large one rings bare (no events)."""
        wire = [e.to_dict() for e in events] if len(events) <= conf.MAX_PUBLISH_EVENTS else []
        return {"type": EVENTS_MESSAGE, "sid": str(sid), "last_seq": last_seq, "events": wire}

    def publish(self, messages: Messages, flushes: list[Waiter]) -> None:
        """Called from the writer thread after a commit; resolves `flushes` once sent."""
        if not messages and not flushes:
            return
        loop = self.loop
        if loop is not None and loop.is_running() and not loop.is_closed():
            if not self._in_flight.acquire(timeout=PUBLISH_TIMEOUT):
                outages.channel_layer.failed("publishes are not taken within the timeout")
                for waiter in flushes:
                    waiter.resolve()
                return
            try:
                future = asyncio.run_coroutine_threadsafe(self._in_order(messages, flushes), loop)
            except RuntimeError:  # the loop closed between the check and the call
                self._in_flight.release()
            else:
                future.add_done_callback(lambda _f: self._in_flight.release())
                return
        if self._own_loop is None:
            self._own_loop = asyncio.new_event_loop()
        self._own_loop.run_until_complete(self._send(messages))
        for waiter in flushes:
            waiter.resolve()

    def close(self) -> None:
        """Close the private loop, if one was made (the writer thread is stopping)."""
        if self._own_loop is not None:
            self._own_loop.close()
            self._own_loop = None

    async def _in_order(self, messages: Messages, flushes: list[Waiter]) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # FIFO: batches reach the layer in the order they were stored
            try:
                await asyncio.wait_for(self._send(messages), PUBLISH_TIMEOUT)
            except TimeoutError as exc:
                outages.channel_layer.failed(exc)  # clients catch up from the database
            finally:
                for waiter in flushes:
                    waiter.resolve()

    async def _send(self, messages: Iterable[tuple[uuid.UUID, dict[str, Any]]]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        messages = list(messages)
        if outages.channel_layer.down:
            now = time.monotonic()
            if now - self._last_probe < PROBE_INTERVAL:
                self.stats["publish_skipped"] += len(messages)
                return
            self._last_probe = now
        results = await asyncio.gather(
            *(layer.group_send(session_group(sid), message) for sid, message in messages),
            return_exceptions=True,
        )
        for outcome in results:
            if isinstance(outcome, BaseException):
                # The layer is only the doorbell: clients catch up from the database.
                self.stats["publish_errors"] += 1
                outages.channel_layer.failed(outcome)
            else:
                self.stats["published"] += 1
                outages.channel_layer.recovered()
