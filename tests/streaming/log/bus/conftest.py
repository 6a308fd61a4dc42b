"""Helpers of the bus's tests: sessions to emit into, what they store, what their group hears."""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from streaming import Event
from streaming.log.groups import session_group
from streaming.log.models import Event as Row
from tests.conftest import make_session, make_user


def think(msg: str) -> Event:
    return Event.for_agent("research", "think", msg)


@sync_to_async
def new_session() -> uuid.UUID:
    return make_session(make_user(f"u{uuid.uuid4().hex[:8]}")).id


@sync_to_async
def stored(session_id: uuid.UUID) -> list[tuple[int, str]]:
    return list(Row.objects.for_session(session_id).values_list("seq", "msg"))


async def listen(session_id: uuid.UUID) -> tuple[object, str]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(session_group(session_id), channel)
    return layer, channel


async def receive_seqs(layer, channel, count: int) -> list[int]:
    seen: list[int] = []
    while len(seen) < count:
        message = await asyncio.wait_for(layer.receive(channel), 5)
        assert message["type"] == "stream.events"
        seen.extend(e["seq"] for e in message["events"])
    return seen
