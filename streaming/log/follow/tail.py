"""Following one session for one client: stored events after a cursor, then live, once each.

A `SessionTail` is transport-neutral; the WebSocket consumer and the SSE view both use it:

1. the transport joins the session's group (so nothing published from now on is missed),
2. it hands every group message to `ring()` (never awaits, never blocks the channel),
3. it iterates `follow()`, which reads the session's state, then the database after the cursor
   in pages, then yields live events as they are rung in, until the session's last event.

Every event is checked against the last seq sent: repeats are dropped, a jump is filled from
the database first. A dropped *last* message shows no jump, so a process-wide watcher
(`streaming.log.follow.watch`) rereads `last_seq` of streams that heard nothing for about a second.
A client too slow to take its live events makes the buffer overflow: they are dropped, and so
is every live event after them (a message costs such a tail a counter, not a look at its
events) until the stream reads them back from the database as it catches up; so its memory
stays bounded, and so does the work a stalled client makes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from streaming.log.conf import conf
from streaming.log.follow import watch
from streaming.log.follow.doorbell import Doorbell
from streaming.log.follow.pages import EventsMissing, iter_pages
from streaming.log.follow.reads import SessionState, WireEvent, aread_state
from streaming.log.follow.shared import encode_once

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class End:
    """The session is over and its last event is sent."""

    status: str
    last_seq: int

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "last_seq": self.last_seq}


class Keepalive:
    """Nothing was sent for the keepalive interval (SSE sends a comment line)."""


class Gone:
    """The session was pruned: its history is no longer there to send (docs/protocol.md,
    "Retention"). The stream's last output."""


KEEPALIVE = Keepalive()
GONE = Gone()
Output = list[WireEvent] | End | Keepalive | Gone


class SessionTail:
    """The read side of one stream: a cursor (`sent`), a bounded live buffer, a wake-up flag."""

    def __init__(
        self,
        session_id: uuid.UUID,
        *,
        after: int,
        doorbell: Doorbell | None = None,
        buffer_bytes: int | None = None,
    ) -> None:
        self.session_id = session_id
        self.sent = after
        self.doorbell = doorbell  # its group membership, which the watcher renews
        self.ended: End | None = None
        self.dropped = 0  # live events dropped past the buffer bound (read back from the DB)
        self.last_heard = time.monotonic()
        self._limit = buffer_bytes or conf.CLIENT_BUFFER // 2
        self._buffer: dict[int, WireEvent] = {}
        self._buffered_bytes = 0
        self._announced = after  # the highest last_seq a message or the watcher told of
        self._overflowed = False  # live events are dropped until the next read of the database
        self._lost: Literal["pruned", "deleted"] | None = None  # its events, removed under it
        self._wake = asyncio.Event()

    # -- fed by the transport and the watcher (plain calls, never await) ----------------------

    def ring(self, message: Mapping[str, Any]) -> None:
        """Take one `stream.events` group message: buffer its new events, or drop them if full."""
        self.last_heard = time.monotonic()
        self._announced = max(self._announced, int(message.get("last_seq") or 0))
        events = message.get("events") or ()
        if self._overflowed:
            self.dropped += len(events)
        else:
            self._buffer_events(events)
        self._wake.set()

    def _buffer_events(self, events: Iterable[dict[str, Any]]) -> None:
        for event in events:
            seq = event["seq"]
            if seq <= self.sent or seq in self._buffer:
                continue  # a repeat: sent already, or buffered from another message
            wire = encode_once(event)
            if self._buffered_bytes + len(wire.text) > self._limit:
                self._overflow()
                return
            self._buffer[seq] = wire
            self._buffered_bytes += len(wire.text)

    def observe(self, state: SessionState) -> None:
        """Take a state the watcher read: wake up if the database has events not yet told of."""
        if state.last_seq > max(self.sent, self._announced):
            self._announced = state.last_seq
            self._wake.set()

    def _overflow(self) -> None:
        # The client does not keep up: forget the buffered events; `_announced` still covers
        # them, so the next drain reads them back from the database, page by page.
        self.dropped += len(self._buffer) + 1
        self._buffer.clear()
        self._buffered_bytes = 0
        self._overflowed = True

    @property
    def buffered_bytes(self) -> int:
        return self._buffered_bytes

    # -- the stream ---------------------------------------------------------------------------

    async def follow(self, *, keepalive: float | None = None) -> AsyncGenerator[Output, None]:
        """Yield batches of events after the cursor in seq order, then `End` once it is over.

        With `keepalive`, also yield `KEEPALIVE` when nothing was yielded for that many seconds.
        Stops without `End` if the session no longer exists, and with `GONE` once it finds the
        session pruned (its events removed, maybe while it was being read).
        """
        state = await aread_state(self.session_id)
        if state is None:
            return
        if state.pruned:
            yield GONE
            return
        self._announced = max(self._announced, state.last_seq)
        async for batch in self._drain():
            yield batch
        if self._lost is not None:
            if self._lost == "pruned":
                yield GONE
            return
        if self.ended is None and state.ended and self.sent >= state.last_seq:
            self.ended = End(state.status, state.last_seq)
        if self.ended is not None:
            yield self.ended
            return
        watch.follow(self)
        try:
            while self.ended is None and self._lost is None:
                try:  # not wait_for: on 3.11 it can swallow the stream's cancellation
                    async with asyncio.timeout(keepalive):
                        await self._wake.wait()
                except TimeoutError:
                    yield KEEPALIVE
                    continue
                self._wake.clear()
                async for batch in self._drain():
                    yield batch
            if self._lost == "pruned":
                yield GONE
            elif self.ended is not None:
                yield self.ended
        finally:
            watch.unfollow(self)

    async def _drain(self) -> AsyncIterator[list[WireEvent]]:
        """Yield everything known to exist after `sent`: buffered runs, gaps from the database."""
        while self.ended is None and self._lost is None:
            run = self._take_run() if self._buffer else []
            if run:
                yield self._sent_through(run)
            elif self._buffer:  # a seq jump: fill it from the database before sending on
                async for page in self._read(min(self._buffer) - 1):
                    yield page
            elif self._announced > self.sent:  # a bare doorbell, a dropped message or overflow
                self._overflowed = False  # what rings from now on is buffered again
                async for page in self._read(self._announced):
                    yield page
            else:
                return

    def _take_run(self) -> list[WireEvent]:
        """Pop the buffered events that continue `sent` without a gap (drop repeats)."""
        for seq in [s for s in self._buffer if s <= self.sent]:
            self._forget(seq)
        run = []
        next_seq = self.sent + 1
        while next_seq in self._buffer:
            run.append(self._forget(next_seq))
            next_seq += 1
        return run

    def _forget(self, seq: int) -> WireEvent:
        wire = self._buffer.pop(seq)
        self._buffered_bytes -= len(wire.text)
        return wire

    async def _read(self, up_to: int) -> AsyncIterator[list[WireEvent]]:
        try:
            async for page in iter_pages(self.session_id, after=self.sent, up_to=up_to):
                fresh = [w for w in page if w.seq > self.sent]
                if fresh:
                    yield self._sent_through(fresh)
                if self.ended is not None:
                    return
        except EventsMissing as missing:
            # Removed under the stream: say so rather than send a history with a hole in it.
            state = await aread_state(self.session_id)
            if state is None or state.pruned:
                self._lost = "pruned" if state is not None else "deleted"
                return
            logger.warning("%s, though the session is not pruned: skipped", missing)
            self.sent = max(self.sent, up_to)  # do not ask again

    def _sent_through(self, batch: list[WireEvent]) -> list[WireEvent]:
        """Advance the cursor past `batch` (about to be yielded); note the end if it is there."""
        last = batch[-1]
        self.sent = last.seq
        if last.end_status is not None:
            self.ended = End(last.end_status, last.seq)
        return batch
