"""A stream's doorbell: its own channel in the session's group, and the task that rings its tail.

The channel layer is only the doorbell; the database is the truth. So nothing here ever raises
into a stream: `open` tries to join within `JOIN_TIMEOUT` (before the stream reads the
database, so nothing stored from then on is missed) and returns either way; while the layer is
down the stream goes on from the database (the watcher's idle re-read, about a second behind)
and the doorbell retries with backoff until the layer answers again, then rejoins. `close`
leaves the group and releases the channel within `CLOSE_TIMEOUT`: channels-redis keeps a
process-local queue (and, on the pub/sub layer, a Redis subscription) per channel that it drops
only when a pending `receive` is cancelled, so a channel whose receive had just returned a
message, or never started, would leak (django/channels_redis#212, #384).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
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


class Doorbell:
    """One stream's channel and group membership; see the module docstring."""

    def __init__(self, layer: Any, session_id: uuid.UUID, ring: Ring) -> None:
        self.layer = layer
        self.group = session_group(session_id)
        self.ring = ring
        self.channel: str | None = None
        self.joined_at: float | None = None  # None: not in the group now
        self._task: asyncio.Task[None] | None = None

    @property
    def joined(self) -> bool:
        return self.joined_at is not None

    async def open(self) -> None:
        """Join the group (or give up for now after `JOIN_TIMEOUT`) and start listening."""
        if self.layer is None:
            return
        with suppress(Exception):
            await asyncio.wait_for(self._join(), JOIN_TIMEOUT)
        self._task = asyncio.create_task(self._listen(), name=f"doorbell-{self.group}")

    async def rejoin(self) -> None:
        """Add the channel to the group again (channels-redis forgets members after its
        `group_expiry`); called by the watcher. A failure is left to the listener's retries."""
        if self.layer is None or self.channel is None or not self.joined:
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
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(BaseException):
                await task
        if self.layer is None or self.channel is None:
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

    async def _join(self) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.joined_at = time.monotonic()
        outages.channel_layer.recovered()

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                if not self.joined:
                    await asyncio.wait_for(self._join(), JOIN_TIMEOUT)
                delay = 0.5
                while True:
                    assert self.channel is not None
                    message = await self.layer.receive(self.channel)
                    outages.channel_layer.recovered()  # a message came: the layer is back
                    if message.get("type") == EVENTS_MESSAGE:
                        self.ring(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                outages.channel_layer.failed(exc)
                self.joined_at = None
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, MAX_BACKOFF)


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
