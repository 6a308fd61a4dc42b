"""Following one session: gaps filled, repeats dropped, bare doorbells, keepalives, slow clients."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from streaming import Event, bound_session, emit, flush
from streaming.log.follow import GONE, KEEPALIVE, End, Gone, SessionTail
from streaming.log.follow.watch import watcher
from streaming.log.groups import session_group
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.testing import eventually
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


async def test_an_overflowed_tail_skips_live_events_until_it_reads_the_database(fast_streams):
    """Past its bound a tail stops looking at live events (a stalled client costs a counter
    per message) and buffers again once it reads what it missed from the database."""
    session = await new_session()
    await store(session.id, 3)  # 1..3
    tail = SessionTail(session.id, after=0, buffer_bytes=1)  # no event fits
    outputs = tail.follow()
    assert [w.seq for w in await anext(outputs)] == [1, 2, 3]
    await store(session.id, 4)  # 4..7, rung one by one while the client reads nothing
    for seq in range(4, 8):
        tail.ring(message(session.id, [event_dict(session.id, seq)], seq))
    assert tail.dropped == 4
    assert tail.buffered_bytes == 0
    tail._limit = 1 << 20  # room again: still nothing is buffered until the database is read
    await store(session.id, 1)  # 8
    tail.ring(message(session.id, [event_dict(session.id, 8)], 8))
    assert tail.dropped == 5
    assert tail.buffered_bytes == 0
    assert [w.seq for w in await anext(outputs)] == [4, 5, 6, 7, 8]  # from the database
    await store(session.id, 1)  # 9: buffered again, and sent from the buffer
    tail.ring(message(session.id, [event_dict(session.id, 9)], 9))
    assert tail.buffered_bytes > 0
    assert tail.dropped == 5
    assert [w.seq for w in await anext(outputs)] == [9]
    await outputs.aclose()


async def test_a_session_pruned_while_it_is_replayed_ends_the_stream_with_gone(settings):
    """Never a history with a hole in it: the stream says the session is gone (docs/protocol.md,
    "Retention"), however far it got."""
    settings.AGENTSTREAM_REPLAY_PAGE = 10
    session = await new_session()
    await store(session.id, 99, end=True)  # 1..100, ended
    outputs = SessionTail(session.id, after=0).follow()
    seqs = [w.seq for w in await anext(outputs)]
    assert seqs == list(range(1, 11))
    await sync_to_async(mark_pruned_and_empty)(session.id)
    while not isinstance(out := await anext(outputs), Gone):
        seqs.extend(w.seq for w in out)  # what was read ahead before the prune
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) < 100
    with pytest.raises(StopAsyncIteration):
        await anext(outputs)
    # A stream that starts after the prune says so at once.
    assert [o async for o in SessionTail(session.id, after=0).follow()] == [GONE]


def mark_pruned_and_empty(session_id) -> None:
    """What `streaming.log.retention` does, in its order: the tombstone first, then the rows."""
    Session.objects.filter(pk=session_id).update(pruned_at=timezone.now())
    Row.objects.filter(session_id=session_id).delete()


async def test_a_deleted_session_stops_the_stream():
    session = await new_session()
    tail = SessionTail(session.id, after=0)
    await session.adelete()
    assert [o async for o in tail.follow()] == []


async def test_a_stream_cancelled_as_its_doorbell_rings_stops(fast_streams):
    """A client that goes just as an event arrives: the stream is cancelled, not carried on
    (`asyncio.wait_for` on Python 3.11 returns the event and drops the cancellation; a stream
    of a gone client then went on writing into the void until its server killed it)."""
    session = await new_session()
    await store(session.id, 2)  # 1..2
    tail = SessionTail(session.id, after=0)
    outputs = tail.follow(keepalive=30)  # as SSE follows (wait_for without a timeout was safe)
    assert [w.seq for w in await anext(outputs)] == [1, 2]
    waiting = asyncio.create_task(anext(outputs))
    await eventually(lambda: tail in watcher._tails, what="the stream to wait for its doorbell")
    for _ in range(3):  # the wait itself started (wait_for's inner task is running)
        await asyncio.sleep(0)
    tail.ring(message(session.id, [event_dict(session.id, 3)], 3))
    waiting.cancel()  # in the same turn of the loop as the ring
    with pytest.raises(asyncio.CancelledError):
        await waiting
