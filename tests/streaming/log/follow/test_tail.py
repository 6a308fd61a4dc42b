"""The read path: pages, gaps, repeats, dropped doorbells, slow clients, the shared DB thread."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from contextlib import aclosing

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.core import RedisChannelLayer

from streaming import Event, bound_session, emit, flush
from streaming.log.exceptions import BadCursor, BadLimit
from streaming.log.follow import (
    KEEPALIVE,
    End,
    SessionTail,
    iter_pages,
    parse_cursor,
    parse_limit,
    read_page,
)
from streaming.log.follow.watch import watcher
from streaming.log.groups import EVENTS_MESSAGE, session_group
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.log.store import record_events
from tests.conftest import make_session, make_user
from tests.streaming.conftest import (
    SseClient,
    alogin_cookie,
    emit_events,
    think,
    ws_open,
    ws_until_end,
)

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def new_session(**fields) -> Session:
    return make_session(make_user(f"u{uuid.uuid4().hex[:8]}"), **fields)


@sync_to_async
def store(session_id: uuid.UUID, count: int, *, end: bool = False) -> None:
    """Store events directly (no bus, no group message): only the database knows of them."""
    events = [think(n) for n in range(count)]
    if end:
        events.append(Event.for_session("completed", "done"))
    record_events(session_id=session_id, events=events)


async def collect(tail: SessionTail, **kwargs) -> tuple[list[list[int]], End]:
    """Follow `tail` to its end; return the seqs of each yielded batch and the End."""
    batches: list[list[int]] = []
    async with aclosing(tail.follow(**kwargs)) as outputs:
        async for output in outputs:
            if isinstance(output, End):
                return batches, output
            if output is not KEEPALIVE:
                batches.append([w.seq for w in output])
    raise AssertionError("follow() stopped without End")


def message(session_id: uuid.UUID, events: list[dict], last_seq: int) -> dict:
    return {"type": EVENTS_MESSAGE, "sid": str(session_id), "last_seq": last_seq, "events": events}


def event_dict(session_id: uuid.UUID, seq: int, *, terminal: bool = False) -> dict:
    value = Event.for_session("completed", "done") if terminal else think(seq)
    return value.stored(sid=session_id, seq=seq).to_dict()


async def test_replay_reads_in_pages_of_the_configured_size(settings):
    settings.AGENTSTREAM_REPLAY_PAGE = 100
    session = await new_session()
    await store(session.id, 349, end=True)  # 1..350
    batches, end = await collect(SessionTail(session.id, after=0))
    assert [len(b) for b in batches] == [100, 100, 100, 50]
    assert [s for b in batches for s in b] == list(range(1, 351))
    assert end == End("completed", 350)
    pages = [p async for p in iter_pages(session.id, after=120, up_to=130, page=4)]
    assert [[w.seq for w in p] for p in pages] == [
        [121, 122, 123, 124],
        [125, 126, 127, 128],
        [129, 130],
    ]


async def test_a_seq_jump_is_filled_from_the_database_and_repeats_are_dropped(fast_streams):
    session = await new_session()
    await store(session.id, 5)  # 1..5 in the database, no messages sent
    tail = SessionTail(session.id, after=0)
    outputs = tail.follow()
    assert [w.seq for w in await anext(outputs)] == [1, 2, 3, 4, 5]
    await store(session.id, 4)  # 6..9 stored; only 8 and 9 are rung (6 and 7 "dropped")
    tail.ring(message(session.id, [event_dict(session.id, 8), event_dict(session.id, 9)], 9))
    tail.ring(message(session.id, [event_dict(session.id, 3), event_dict(session.id, 9)], 9))
    assert [w.seq for w in await anext(outputs)] == [6, 7]  # the gap, from the database
    assert [w.seq for w in await anext(outputs)] == [8, 9]  # then the buffered run
    await store(session.id, 0, end=True)  # 10: the terminal event, rung twice
    terminal = message(session.id, [event_dict(session.id, 10, terminal=True)], 10)
    tail.ring(terminal)
    tail.ring(terminal)
    assert [w.seq for w in await anext(outputs)] == [10]
    assert await anext(outputs) == End("completed", 10)
    with pytest.raises(StopAsyncIteration):
        await anext(outputs)


async def test_a_bare_doorbell_is_read_from_the_database():
    session = await new_session()
    await store(session.id, 3)
    tail = SessionTail(session.id, after=0)
    outputs = tail.follow()
    assert [w.seq for w in await anext(outputs)] == [1, 2, 3]
    await store(session.id, 600, end=True)  # 4..604
    tail.ring(message(session.id, [], 604))  # a huge batch is published without its events
    seqs = []
    while not isinstance(out := await anext(outputs), End):
        seqs.extend(w.seq for w in out)
    assert seqs == list(range(4, 605))
    await outputs.aclose()


async def test_a_dropped_last_message_is_caught_by_the_idle_reread(fast_streams):
    """No message ever arrives: only the watcher's reread of last_seq can find the events."""
    session = await new_session()
    await store(session.id, 2)
    tail = SessionTail(session.id, after=0)
    task = asyncio.create_task(collect(tail))
    await asyncio.sleep(0.05)
    await store(session.id, 3, end=True)  # 3..6, silently
    batches, end = await asyncio.wait_for(task, 10)
    assert [s for b in batches for s in b] == [1, 2, 3, 4, 5, 6]
    assert end == End("completed", 6)
    assert len(watcher) == 0  # a tail leaves the watcher when it ends


async def test_keepalives_while_idle(fast_streams):
    session = await new_session()
    await store(session.id, 1)
    tail = SessionTail(session.id, after=1)
    outputs = tail.follow(keepalive=0.05)
    assert await asyncio.wait_for(anext(outputs), 5) is KEEPALIVE
    assert await asyncio.wait_for(anext(outputs), 5) is KEEPALIVE
    await outputs.aclose()
    assert len(watcher) == 0


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
            "BACKEND": "tests.streaming.test_replay.DroppingLayer",
            "CONFIG": {"drop_every": 3},
        }
    }
    return settings


@pytest.fixture
def dropping_redis_layer(settings, fast_streams, redis_url):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tests.streaming.test_replay.DroppingRedisLayer",
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


async def test_a_slow_client_is_dropped_behind_then_catches_up_from_the_database(settings):
    """The stalled tail's buffer stays bounded; the emitter and another client never wait."""
    settings.AGENTSTREAM_STREAM_BUFFER_BYTES = 20_000
    session = await new_session()
    layer = get_channel_layer()
    stalled = SessionTail(session.id, after=0)
    healthy = SessionTail(session.id, after=0)

    async def listen(channel: str, tail: SessionTail) -> None:
        while True:
            tail.ring(await layer.receive(channel))

    listeners = []
    for tail in (stalled, healthy):
        channel = await layer.new_channel()
        await layer.group_add(session_group(session.id), channel)
        listeners.append(asyncio.create_task(listen(channel, tail)))
    healthy_run = asyncio.create_task(collect(healthy))
    stalled_outputs = stalled.follow()
    first = asyncio.create_task(anext(stalled_outputs))  # starts following, then stalls
    high_water = 0
    with bound_session(session.id):
        await emit(Event.for_session("started", "go"))
        for n in range(3_000):
            await emit(think(n))
            if n % 100 == 0:
                await flush()
                high_water = max(high_water, stalled.buffered_bytes)
        await emit(Event.for_session("completed", "done"), wait=True)
    await flush()
    high_water = max(high_water, stalled.buffered_bytes)
    batches, _ = await asyncio.wait_for(healthy_run, 20)
    assert [s for b in batches for s in b] == list(range(1, 3_003))
    assert high_water <= 20_000
    assert stalled.dropped > 0
    # The client reads again: everything arrives once, in order, from the database.
    seqs = [w.seq for w in await first]
    while not isinstance(out := await anext(stalled_outputs), End):
        seqs.extend(w.seq for w in out)
    assert seqs == list(range(1, 3_003))
    assert out == End("completed", 3_002)
    await stalled_outputs.aclose()
    for task in listeners:
        task.cancel()


async def test_replays_do_not_need_the_shared_database_thread(settings):
    """Block the thread Django's async ORM shares: a paged replay still runs to its end."""
    settings.AGENTSTREAM_REPLAY_PAGE = 500
    session = await new_session()
    await store(session.id, 2_999, end=True)
    release = threading.Event()
    blocker = SyncToAsync.single_thread_executor.submit(release.wait, 30)
    try:
        batches, end = await asyncio.wait_for(collect(SessionTail(session.id, after=0)), 20)
    finally:
        release.set()
        blocker.result(5)
    assert end == End("completed", 3_000)
    assert len(batches) == 6


async def test_a_deleted_session_stops_the_stream():
    session = await new_session()
    tail = SessionTail(session.id, after=0)
    await session.adelete()
    assert [o async for o in tail.follow()] == []


async def test_replayed_rows_are_the_same_event_objects_as_the_models_give():
    session = await new_session()
    values = [
        Event.for_session("started", "go"),
        Event.for_agent("research", "progress", "half \u2014 done\n", pct=0.5),
        Event.for_agent("research", "progress", "a third", pct=1 / 3, data={"k": [1, 2.5]}),
        Event.for_agent("codesmith", "result", 'quote " and \\ and \u00e9\U0001f600', pct=1),
        Event.for_agent("a" * 64, "think", "x", data={"nested": {"line": "a\nb", "none": None}}),
        Event.decision(next="reviewer", reasoning="because\r\nso", confidence=0.9),
        Event.for_agent("r", "error", "e", data={"\u00fcber": "\u2028", "big": 10**20}),
        Event.for_session("failed", "boom", data={"error": "Trace\nback"}),
    ]
    await sync_to_async(record_events)(session_id=session.id, events=values)
    page = await sync_to_async(read_page)(session.id, 0, len(values), 100)
    rows = [r async for r in Row.objects.for_session(session.id)]
    assert [json.loads(w.text) for w in page] == [r.to_dict() for r in rows]
    assert all("\n" not in w.text and "\r" not in w.text for w in page)
    assert [w.end_status for w in page] == [None] * 7 + ["failed"]
    assert [w.t for w in page] == [r.t for r in rows]


def test_cursor_rules():
    assert parse_cursor(None, last_seq=5) == 0
    assert parse_cursor("3", last_seq=5) == 3
    assert parse_cursor(" 5 ", last_seq=5) == 5
    assert parse_cursor(0, last_seq=0) == 0
    for bad in ["", "x", "-1", "6", "1e3", "0x1", "३", True, -1, 6]:
        with pytest.raises(BadCursor):
            parse_cursor(bad, last_seq=5)
    assert parse_limit(None, default=50, cap=500) == 50
    assert parse_limit("501", default=50, cap=500) == 500
    for bad in ["0", "-3", "x", "", "2.5"]:
        with pytest.raises(BadLimit):
            parse_limit(bad, default=50, cap=500)


async def test_emits_into_a_session_with_many_streams_reach_every_one(user):
    session = await sync_to_async(make_session)(user)
    tails = [SessionTail(session.id, after=0) for _ in range(20)]
    layer = get_channel_layer()
    listeners = []
    for tail in tails:
        channel = await layer.new_channel()
        await layer.group_add(session_group(session.id), channel)

        async def listen(channel=channel, tail=tail):
            while True:
                tail.ring(await layer.receive(channel))

        listeners.append(asyncio.create_task(listen()))
    runs = [asyncio.create_task(collect(t)) for t in tails]
    await emit_events(session.id, 200)
    for run in runs:
        batches, _ = await asyncio.wait_for(run, 10)
        assert [s for b in batches for s in b] == list(range(1, 203))
    for task in listeners:
        task.cancel()
