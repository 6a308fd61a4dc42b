"""Following one session: gaps filled, repeats dropped, bare doorbells, keepalives, slow clients."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from streaming import Event, bound_session, emit, flush
from streaming.log.follow import KEEPALIVE, End, SessionTail
from streaming.log.follow.watch import watcher
from streaming.log.groups import session_group
from tests.streaming.conftest import store, think
from tests.streaming.log.follow.conftest import collect, event_dict, message, new_session

pytestmark = pytest.mark.django_db(transaction=True)


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


async def test_keepalives_while_idle(fast_streams):
    session = await new_session()
    await store(session.id, 1)
    tail = SessionTail(session.id, after=1)
    outputs = tail.follow(keepalive=0.05)
    assert await asyncio.wait_for(anext(outputs), 5) is KEEPALIVE
    assert await asyncio.wait_for(anext(outputs), 5) is KEEPALIVE
    await outputs.aclose()
    assert len(watcher) == 0


async def test_a_slow_client_is_dropped_behind_then_catches_up_from_the_database(settings):
    """The stalled tail's buffer stays bounded; the emitter and another client never wait."""
    settings.AGENTSTREAM_CLIENT_BUFFER = 40_000  # half of it for the tail's live events
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


async def test_a_deleted_session_stops_the_stream():
    session = await new_session()
    tail = SessionTail(session.id, after=0)
    await session.adelete()
    assert [o async for o in tail.follow()] == []
