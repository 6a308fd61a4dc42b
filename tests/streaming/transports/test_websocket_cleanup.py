"""Disconnects clean up: 1,000 connections later, nothing per connection is left behind."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from streaming.log.conf import conf
from streaming.log.follow.watch import watcher
from streaming.log.groups import session_group
from streaming.transports.websocket import SessionConsumer
from tests.conftest import make_session
from tests.streaming.conftest import (
    connection_tasks,
    emit_events,
    layer_footprint,
    settled,
    ws_open,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


def consumers_alive() -> int:
    gc.collect()
    return sum(isinstance(o, SessionConsumer) for o in gc.get_objects())


async def footprint(group: str) -> dict[str, int]:
    return {
        **(await layer_footprint(group)),
        "tasks": connection_tasks(),
        "other_threads": sum(
            not t.name.startswith("agentstream-read") for t in threading.enumerate()
        ),
        "watched": len(watcher),
        "consumers": consumers_alive(),
    }


async def cycle(path: str) -> None:
    client = await ws_open(path)
    frame = await client.receive_json_from(timeout=5)  # replayed: the tail is live now
    assert frame["type"] == "events"
    await client.disconnect()


async def test_a_thousand_connects_and_disconnects_leave_nothing_behind(user):
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 3, end=None)  # running: every client goes live and is watched
    path = f"/ws/sessions/{session.id}/?token={session.share_token}"
    for _ in range(50):  # warm up: lazily made pools, caches, the watcher task
        await cycle(path)
    await asyncio.sleep(0)
    before = await footprint(session_group(session.id))
    gc.collect()
    objects_before = len(gc.get_objects())
    for _ in range(1_000):
        await cycle(path)
    gc.collect()
    grown = len(gc.get_objects()) - objects_before
    after = await settled(lambda: footprint(session_group(session.id)), before)
    assert after == before
    assert before["group_members"] == 0
    assert before["consumers"] == 0
    readers = [t for t in threading.enumerate() if t.name.startswith("agentstream-read")]
    assert len(readers) <= conf.REPLAY_THREADS
    # Anything kept per connection (a consumer, a tail, a task, a dict) would be 1,000+.
    assert grown < 200, grown


async def test_connections_that_were_refused_leave_nothing_behind(user):
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 1, end=None)

    async def refused(n: int) -> None:
        query = "token=nope" if n % 2 else f"token={session.share_token}&after=x"
        client = await ws_open(f"/ws/sessions/{session.id}/?{query}")
        while (await client.receive_output(timeout=5))["type"] != "websocket.close":
            pass
        await client.disconnect()

    for n in range(2):  # warm up: the first connection starts the process's runner
        await refused(n)
    before = await footprint(session_group(session.id))
    for n in range(200):
        await refused(n)
    assert await settled(lambda: footprint(session_group(session.id)), before) == before


async def _socket_on_expiring_groups(settings, user, *, refresh: float):
    """A socket on an in-memory layer that forgets group members after 1 s; streams re-join
    every `refresh` seconds."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": 1},
        }
    }
    settings.AGENTSTREAM_IDLE_POLL_SECONDS = 0.1
    settings.AGENTSTREAM_GROUP_REFRESH_SECONDS = refresh
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 0, end=None)
    client = await ws_open(f"/ws/sessions/{session.id}/?token={session.share_token}")
    assert (await client.receive_json_from(timeout=5))["seq"] == 1
    return client, get_channel_layer(), session_group(session.id)


async def test_a_long_lived_socket_keeps_its_group_membership(settings, user):
    """The watcher re-joins live streams before the layer's group_expiry forgets them."""
    client, layer, group = await _socket_on_expiring_groups(settings, user, refresh=0.3)
    for _ in range(30):  # three seconds: three times the group expiry
        await asyncio.sleep(0.1)
        layer._clean_expired()
        assert len(layer.groups.get(group, {})) == 1
    await client.disconnect()
    assert group not in layer.groups


async def test_without_rejoining_the_layer_would_forget_the_socket(settings, user):
    """The check above can fail: with re-joins pushed past the expiry, membership lapses."""
    client, layer, group = await _socket_on_expiring_groups(settings, user, refresh=3_600)
    for _ in range(50):
        await asyncio.sleep(0.1)
        layer._clean_expired()
        if not layer.groups.get(group):
            break
    assert not layer.groups.get(group)
    await client.disconnect()
