"""A stream's place in the channel layer: its channel's membership of the session group.

`join` before the database is read, `leave` on disconnect, and `release` once the channel's
receive is cancelled: channels-redis keeps a receive buffer per process-local channel and does
not drop it when the receive holding its lock is cancelled (django/channels_redis#212, #384),
which would leak one entry per connection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Membership:
    """A channel's membership of a session group, re-joined now and then (group_expiry)."""

    group: str
    channel: str
    joined_at: float

    @classmethod
    async def join(cls, layer: Any, group: str, channel: str) -> Membership:
        """Add `channel` to `group` and return the membership."""
        await layer.group_add(group, channel)
        return cls(group, channel, time.monotonic())

    async def leave(self, layer: Any) -> None:
        await layer.group_discard(self.group, self.channel)


def release(layer: Any, channel: str) -> None:
    """Forget what the layer keeps for `channel` after its last receive (an empty buffer)."""
    buffers = getattr(layer, "receive_buffer", None)
    if buffers is not None and channel in buffers and buffers[channel].empty():
        del buffers[channel]
