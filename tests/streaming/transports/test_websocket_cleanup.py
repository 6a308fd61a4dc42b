"""Disconnects clean up: 1,000 connections later, nothing per connection is left behind."""

from __future__ import annotations

import gc
import threading

import pytest
from asgiref.sync import sync_to_async

from streaming.log.conf import conf
from streaming.log.groups import session_group
from streaming.testing import eventually
from streaming.transports.websocket import SessionConsumer
from tests.conftest import make_session
from tests.streaming.conftest import emit_events, ws_open
from tests.streaming.transports.conftest import (
    ObjectCensus,
    connection_tasks,
    layer_footprint,
    streams_alive,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


def consumers_alive() -> int:
    gc.collect()
    return sum(isinstance(o, SessionConsumer) for o in gc.get_objects())


async def footprint(group: str) -> dict[str, object]:
    return {
        "layer": await layer_footprint(group),
        "tasks": connection_tasks(),
        "other_threads": sum(
            not t.name.startswith("agentstream-read") for t in threading.enumerate()
        ),
        "consumers": consumers_alive(),
        **streams_alive(),
    }


async def settles_back(group: str, before: dict[str, object]) -> None:
    async def back_to_before() -> bool:
        assert await footprint(group) == before
        return True

    await eventually(back_to_before, what="what the connections held to go")


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
    group = session_group(session.id)
    before = await footprint(group)
    assert before["layer"]["group_members"] == 0
    assert (before["consumers"], before["tails"], before["memberships"]) == (0, 0, 0)
    census = ObjectCensus()
    for _ in range(1_000):
        await cycle(path)
    await settles_back(group, before)
    readers = [t for t in threading.enumerate() if t.name.startswith("agentstream-read")]
    assert len(readers) <= conf.REPLAY_THREADS

    def nothing_kept_per_connection() -> bool:
        # Anything kept per connection (a consumer, a tail, a task, a dict) would be 1,000+.
        kept = census.kept_per_connection(1_000)
        assert not kept, f"objects kept per connection, by type: {kept}"
        return True

    await eventually(nothing_kept_per_connection, interval=0.2, what="the connections' objects")


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
    group = session_group(session.id)
    before = await footprint(group)
    for n in range(200):
        await refused(n)
    await settles_back(group, before)
