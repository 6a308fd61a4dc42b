"""The watcher: idle rereads find what a dropped message never told; streams keep their group."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.core import RedisChannelLayer

from streaming import Event, bound_session, emit
from streaming.log import outages
from streaming.log.follow import End, SessionTail, watch
from streaming.log.follow.watch import watcher
from streaming.log.groups import EVENTS_MESSAGE, session_group
from streaming.testing import eventually
from tests.conftest import make_session
from tests.streaming.conftest import (
    SseClient,
    alogin_cookie,
    emit_events,
    store,
    think,
    ws_open,
    ws_until_end,
)
from tests.streaming.log.follow.conftest import collect, new_session

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_dropped_last_message_is_caught_by_the_idle_reread(fast_streams, monkeypatch):
    """No message ever arrives (the doorbell is never rung): only the watcher's reread of
    last_seq can find the events, and the tail is seen taking it."""
    session = await new_session()
    await store(session.id, 2)
    tail = SessionTail(session.id, after=0)
    rereads: list[int] = []

    def observe(state):
        rereads.append(state.last_seq)
        SessionTail.observe(tail, state)

    monkeypatch.setattr(tail, "observe", observe)
    task = asyncio.create_task(collect(tail))
    # Replayed 1..2 and waiting live under the watcher: from here on, only a reread can help.
    await eventually(
        lambda: tail.sent == 2 and len(watcher) == 1, what="the tail to follow live, watched"
    )
    await store(session.id, 3, end=True)  # 3..6, silently
    batches, end = await asyncio.wait_for(task, 10)
    assert batches == [[1, 2], [3, 4, 5, 6]]
    assert end == End("completed", 6)
    assert 6 in rereads  # the watcher read last_seq 6 and handed it to the tail
    assert len(watcher) == 0  # a tail leaves the watcher when it ends


class Dropping:
    """A channel layer that loses every `drop_every`-th event message and every terminal one."""

    def __init__(self, *args, drop_every: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.drop_every = drop_every
        self.seen = 0
        self.dropped: list[int] = []

    async def group_send(self, group, message):
        if message.get("type") == EVENTS_MESSAGE:
            self.seen += 1
            terminal = any(e["phase"] == "completed" for e in message["events"])
            if terminal or self.seen % self.drop_every == 0:
                self.dropped.append(message["last_seq"])
                return
        await super().group_send(group, message)


class DroppingLayer(Dropping, InMemoryChannelLayer):
    pass


class DroppingRedisLayer(Dropping, RedisChannelLayer):
    pass


@pytest.fixture
def dropping_layer(settings, fast_streams):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tests.streaming.log.follow.test_watch.DroppingLayer",
            "CONFIG": {"drop_every": 3},
        }
    }
    return settings


@pytest.fixture
def dropping_redis_layer(settings, fast_streams, redis_url):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tests.streaming.log.follow.test_watch.DroppingRedisLayer",
            "CONFIG": {"drop_every": 3, "hosts": [redis_url], "prefix": f"d{uuid.uuid4().hex[:8]}"},
        }
    }
    return settings


async def emit_slowly(session_id: uuid.UUID, count: int) -> None:
    """Emit so that most events travel in their own group message."""
    with bound_session(session_id):
        await emit(Event.for_session("started", "go"), wait=True)
        for n in range(count):
            await emit(think(n), wait=True)
        await emit(Event.for_session("completed", "done"), wait=True)


async def check_nothing_lost_when_the_layer_drops(user) -> None:
    session = await sync_to_async(make_session)(user)
    client = await ws_open(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(user))
    sse = await SseClient(
        f"/api/sessions/{session.id}/stream/", query=f"token={session.share_token}"
    ).start()
    await emit_slowly(session.id, 30)  # seq 1..32
    seqs, end = await ws_until_end(client)
    assert seqs == list(range(1, 33))
    assert end == {"type": "end", "status": "completed", "last_seq": 32}
    assert await sse.read_until_end() == {"status": "completed", "last_seq": 32}
    assert sse.seqs() == list(range(1, 33))
    layer = get_channel_layer()
    assert isinstance(layer, Dropping)
    assert 32 in layer.dropped  # the terminal message never arrived
    assert len(layer.dropped) >= 10
    await client.disconnect()
    await sse.disconnect()


@pytest.mark.usefixtures("dropping_layer", "fast_password_hasher")
async def test_a_layer_dropping_messages_and_the_terminal_one_loses_nothing(user):
    await check_nothing_lost_when_the_layer_drops(user)


@pytest.mark.redis
@pytest.mark.usefixtures("dropping_redis_layer", "fast_password_hasher")
async def test_a_redis_layer_dropping_messages_loses_nothing(user):
    await check_nothing_lost_when_the_layer_drops(user)


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


@pytest.mark.usefixtures("fast_password_hasher")
async def test_a_long_lived_socket_keeps_its_group_membership(settings, user):
    """The watcher re-joins live streams before the layer's group_expiry forgets them."""
    client, layer, group = await _socket_on_expiring_groups(settings, user, refresh=0.3)
    for _ in range(30):  # three seconds: three times the group expiry
        # Time passing is the behaviour under test: membership must outlive the expiry.
        await asyncio.sleep(0.1)
        layer._clean_expired()
        assert len(layer.groups.get(group, {})) == 1
    await client.disconnect()
    assert group not in layer.groups


@pytest.mark.usefixtures("fast_password_hasher")
async def test_without_rejoining_the_layer_would_forget_the_socket(settings, user):
    """The check above can fail: with re-joins pushed past the expiry, membership lapses."""
    client, layer, group = await _socket_on_expiring_groups(settings, user, refresh=3_600)

    def forgotten() -> bool:
        layer._clean_expired()
        return not layer.groups.get(group)

    await eventually(forgotten, within=5, interval=0.1, what="the layer to forget the socket")
    await client.disconnect()


class Busy:
    """A live stream as the watcher sees it, that heard from its session `heard` ago."""

    doorbell = None
    ended = None

    def __init__(self, session_id: uuid.UUID, heard: float) -> None:
        self.session_id = session_id
        self.last_heard = time.monotonic() - heard
        self.observed: list[int] = []

    def observe(self, state) -> None:
        self.observed.append(state.last_seq)


async def test_during_a_database_outage_the_watcher_reads_for_busy_streams_and_ends_it(
    fast_streams, monkeypatch, caplog
):
    outage = outages.Outage("database")
    monkeypatch.setattr(outages, "database", outage)
    caplog.set_level(logging.INFO, logger="streaming.log.outages")
    session = await new_session()
    await store(session.id, 3)
    rounds = 0
    rejoin = watcher._rejoin_groups

    async def counted() -> None:
        nonlocal rounds
        rounds += 1
        await rejoin()

    monkeypatch.setattr(watcher, "_rejoin_groups", counted)
    stream = Busy(session.id, heard=-3600)  # fed by its doorbell: never idle
    watch.follow(stream)
    try:
        await eventually(lambda: rounds >= 3, what="three rounds of the watcher")
        assert stream.observed == []  # a busy stream costs the watcher no read
        outage.failed(OSError("connection refused"))
        await eventually(lambda: not outage.down, what="the watcher's read to end the outage")
    finally:
        watch.unfollow(stream)
    assert stream.observed[-1] == 3  # it read, for the busy stream too
    back = [r for r in caplog.records if r.name == outages.__name__ and r.levelno == logging.INFO]
    assert len(back) == 1
