"""What connections leave behind once they are gone: the measures of the transports' leak tests.

A connection that leaks leaves something per connection: a task, a tail or a membership, a
channel's buffer or group membership in the layer, a watched stream, or simply objects. The
footprint counts the first kinds exactly; `ObjectCensus` counts the objects, by type.
"""

from __future__ import annotations

import asyncio
import gc
from collections import Counter

from channels.layers import InMemoryChannelLayer, get_channel_layer

from streaming.log.follow import Doorbell, SessionTail
from streaming.log.follow.watch import watcher


async def layer_footprint(group: str) -> dict[str, int]:
    """What the channel layer holds for connections: group members and per-channel queues."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return {
            "groups": len(layer.groups),
            "group_members": sum(len(m) for m in layer.groups.values()),
            "channels": len(layer.channels),
        }
    if hasattr(layer, "_get_layer"):  # channels-redis pub/sub: the state of this loop's layer
        loop_layer = layer._get_layer()
        return {
            "groups": len(loop_layer.groups),
            "group_members": sum(len(m) for m in loop_layer.groups.values()),
            "channels": len(loop_layer.channels),
        }
    redis = layer.connection(layer.consistent_hash(group))  # channels-redis core
    return {
        "group_members": await redis.zcard(layer._group_key(group)),
        "channels": len(layer.receive_buffer),
    }


def connection_tasks() -> int:
    """Tasks on the loop, leaving out the process-wide ones: the stream watcher (it comes and
    goes) and the Redis pub/sub layer's one receiver per shard (started on first use)."""
    return sum(
        t.get_name() != "agentstream-stream-watcher"
        and "_do_receiving" not in t.get_coro().__qualname__
        and not t.done()
        for t in asyncio.all_tasks()
    )


def streams_alive() -> dict[str, int]:
    """The stream objects alive now (a leak keeps them): tails, group memberships, watched."""
    gc.collect()
    objects = gc.get_objects()
    return {
        "tails": sum(isinstance(o, SessionTail) for o in objects),
        "memberships": sum(isinstance(o, Doorbell) for o in objects),
        "watched": len(watcher),
    }


class ObjectCensus:
    """The objects alive when it is taken, to count later the ones made since that live on.

    asyncio keeps a cancelled timer handle, and the contextvars Context it carries, in the loop's
    heap until the handle is due or most of the heap is cancelled (the handles of timeouts that
    never fired: `wait_for`, the keepalive's wait). What only those handles hold goes away by
    itself, so `made_since` leaves it out; anything a connection leaks stays and is counted.
    """

    def __init__(self) -> None:
        gc.collect()
        self._before = gc.get_objects()  # kept, so that no id is reused by a new object
        self._ids = {id(o) for o in self._before}

    def made_since(self) -> Counter[str]:
        """Count by type the objects made since the census that are still alive."""
        gc.collect()
        made = {id(o): o for o in gc.get_objects() if id(o) not in self._ids}
        for own in (self._before, self._ids):
            made.pop(id(own), None)
        pending = [o for o in made.values() if isinstance(o, asyncio.TimerHandle) and o.cancelled()]
        held: set[int] = set()
        while pending:
            obj = pending.pop()
            if id(obj) not in held:
                held.add(id(obj))
                pending.extend(r for r in gc.get_referents(obj) if id(r) in made)
        return Counter(type(o).__qualname__ for key, o in made.items() if key not in held)

    def kept_per_connection(self, connections: int) -> dict[str, int]:
        """The types of which at least one object per two connections is still alive."""
        return {kind: n for kind, n in self.made_since().items() if 2 * n >= connections}
