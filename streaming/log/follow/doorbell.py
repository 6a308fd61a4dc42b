"""A stream's doorbell: the session's group, heard once per process and rung into every tail.

Each stream holds a `Doorbell`; all the doorbells of one session in one process (one event loop,
one channel layer) share a `SessionBell`: one channel in the session's group and one task that
receives on it and rings each of its streams with the same message. So a group message is
received and decoded once per process, not once per client, and a hundred clients of a session
cost one channel and one Redis subscription.

The channel layer is only the doorbell; the database is the truth. So nothing here ever raises
into a stream: `open` waits for the bell to join (at most `JOIN_TIMEOUT`; the streams opening
meanwhile share that one attempt), before the stream reads the database, so nothing stored from
then on is missed, and returns either way. While the layer is down the streams go on from the
database (the watcher's idle re-read, about a second behind) and the bell retries with backoff
until the layer answers again, then rejoins. When its last stream closes, the bell leaves the
group and releases its channel within `CLOSE_TIMEOUT`: channels-redis keeps a process-local
queue (and, on the pub/sub layer, a Redis subscription) per channel that it drops only when a
pending `receive` is cancelled, so a channel whose receive had just returned a message, or
never started, would leak (django/channels_redis#212, #384).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

from streaming.log import outages
from streaming.log.groups import EVENTS_MESSAGE, session_group

logger = logging.getLogger(__name__)

JOIN_TIMEOUT = 1.0
CLOSE_TIMEOUT = 1.0
MAX_BACKOFF = 10.0

Ring = Callable[[Mapping[str, Any]], None]


class SessionBell:
    """One session's channel and group membership in this process, shared by its streams."""

    def __init__(self, layer: Any, session_id: uuid.UUID) -> None:
        self.layer = layer
        self.session_id = session_id
        self.group = session_group(session_id)
        self.doorbells: list[Doorbell] = []  # the streams it rings, in the order they came
        self.channel: str | None = None
        self.joined_at: float | None = None  # None: not in the group now
        self._joining: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def joined(self) -> bool:
        return self.joined_at is not None

    async def join(self) -> None:
        """Join the group, sharing one attempt with whoever else waits; never raises."""
        if self.joined:
            return
        attempt = self._joining
        if attempt is None or attempt.done():
            attempt = self._joining = asyncio.ensure_future(self._attempt())
        await asyncio.wait([attempt])  # a waiter that goes away leaves the attempt alone

    def listen(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name=f"doorbell-{self.group}")

    async def rejoin(self) -> None:
        """Add the channel to the group again (channels-redis forgets members after its
        `group_expiry`); called by the watcher. A failure is left to the listener's retries."""
        if self.channel is None or not self.joined:
            return
        try:
            await asyncio.wait_for(self.layer.group_add(self.group, self.channel), JOIN_TIMEOUT)
        except Exception as exc:
            outages.channel_layer.failed(exc)
        else:
            self.joined_at = time.monotonic()
            outages.channel_layer.recovered()

    async def close(self) -> None:
        """Stop listening, leave the group and release the channel; never raises."""
        for task in (self._joining, self._task):
            if task is not None and not task.done():
                task.cancel()
                with suppress(BaseException):
                    await task
        self._joining = self._task = None
        if self.channel is None:
            return
        channel, self.channel = self.channel, None
        try:
            if self.joined_at is not None:
                self.joined_at = None
                await asyncio.wait_for(self.layer.group_discard(self.group, channel), CLOSE_TIMEOUT)
        except Exception as exc:
            outages.channel_layer.failed(exc)
        finally:
            await release(self.layer, channel)

    async def _attempt(self) -> None:
        try:
            await asyncio.wait_for(self._join(), JOIN_TIMEOUT)
        except Exception as exc:
            outages.channel_layer.failed(exc)

    async def _join(self) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.joined_at = time.monotonic()
        outages.channel_layer.recovered()

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            await self.join()
            if self.joined:
                delay = 0.5
                try:
                    await self._receive()
                except Exception as exc:
                    outages.channel_layer.failed(exc)
                    self.joined_at = None
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, MAX_BACKOFF)

    async def _receive(self) -> None:
        """Ring the streams with each message on the channel, until receiving fails."""
        while True:
            assert self.channel is not None
            message = await self.layer.receive(self.channel)
            outages.channel_layer.recovered()  # a message came: the layer is back
            if message.get("type") == EVENTS_MESSAGE:
                self._ring(message)

    def _ring(self, message: Mapping[str, Any]) -> None:
        for doorbell in list(self.doorbells):  # one stream's failure is not the others'
            try:
                doorbell.ring(message)
            except Exception:
                logger.exception("session %s: a stream could not take its events", self.session_id)


#: The bells of each event loop, by (channel layer, session).
_bells: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[int, uuid.UUID], SessionBell]
] = weakref.WeakKeyDictionary()


def bells() -> dict[tuple[int, uuid.UUID], SessionBell]:
    """The running loop's bells (what the tests and the fault suite's probe count)."""
    return _bells.setdefault(asyncio.get_running_loop(), {})


class Doorbell:
    """One stream's hold on its session's `SessionBell`; see the module docstring."""

    def __init__(self, layer: Any, session_id: uuid.UUID, ring: Ring) -> None:
        self.layer = layer
        self.session_id = session_id
        self.ring = ring
        self.bell: SessionBell | None = None

    @property
    def joined_at(self) -> float | None:
        return self.bell.joined_at if self.bell is not None else None

    @property
    def joined(self) -> bool:
        return self.joined_at is not None

    async def open(self) -> None:
        """Ring this stream from the session's bell, once it joined or gave up for now."""
        if self.layer is None or self.bell is not None:
            return
        key = (id(self.layer), self.session_id)
        bell = bells().get(key)
        if bell is None or bell.layer is not self.layer:
            bell = bells()[key] = SessionBell(self.layer, self.session_id)
        self.bell = bell
        bell.doorbells.append(self)
        await bell.join()
        if self.bell is bell:  # not closed while it waited
            bell.listen()

    async def rejoin(self) -> None:
        if self.bell is not None:
            await self.bell.rejoin()

    async def close(self) -> None:
        """Stop ringing this stream; the last stream of a bell closes it. Never raises."""
        bell, self.bell = self.bell, None
        if bell is None:
            return
        with suppress(ValueError):
            bell.doorbells.remove(self)
        if bell.doorbells:
            return
        key = (id(bell.layer), bell.session_id)
        with suppress(RuntimeError):  # no running loop: nothing registered on it
            if bells().get(key) is bell:
                del bells()[key]
        await bell.close()


async def release(layer: Any, channel: str) -> None:
    """Forget what the layer keeps for `channel` once nothing receives on it any more."""
    # The core layer: a receive buffer per channel.
    buffers = getattr(layer, "receive_buffer", None)
    if buffers is not None and channel in buffers and buffers[channel].empty():
        del buffers[channel]
    # The pub/sub layer (a per-loop layer behind a proxy): a queue and a Redis subscription.
    loop_layer = layer._get_layer() if hasattr(layer, "_get_layer") else None
    queues = getattr(loop_layer, "channels", None)
    if loop_layer is not None and isinstance(queues, dict) and channel in queues:
        del queues[channel]
        with suppress(Exception):
            shard = loop_layer._get_shard(channel)
            await asyncio.wait_for(shard.unsubscribe(channel), CLOSE_TIMEOUT)
    # (The in-memory layer drops an empty channel's queue itself.)
