"""The bus: store first, publish second, batching, backpressure, retries, closed sessions."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, connections

from streaming import (
    Event,
    NoSessionBound,
    SessionClosed,
    bound_session,
    emit,
    emit_sync,
    flush,
    flush_sync,
    report_progress,
)
from streaming.log.bus import get_bus
from streaming.log.groups import session_group
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.log.store import record_events
from tests.conftest import make_session, make_user

pytestmark = pytest.mark.django_db(transaction=True)


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


async def test_emit_without_a_session_warns_and_drops(caplog):
    with caplog.at_level(logging.WARNING, logger="streaming.log.bus"):
        assert await emit(think("lost")) is None
    assert "no session bound" in caplog.text
    assert get_bus().stats["dropped_no_session"] == 1
    assert get_bus().queued() == 0


async def test_emit_without_a_session_can_raise(settings):
    settings.AGENTSTREAM_EMIT_WITHOUT_SESSION = "raise"
    with pytest.raises(NoSessionBound):
        await emit(think("lost"))


async def test_bad_values_raise_at_the_emit_call_not_later():
    sid = await new_session()
    with bound_session(sid), pytest.raises(ValueError, match="pct"):
        await report_progress(3, "too far", "research", total=2)
    await flush()
    assert await stored(sid) == []


async def test_stored_before_published_and_delivered_at_once_when_idle():
    sid = await new_session()
    layer, channel = await listen(sid)
    with bound_session(sid):
        await emit(think("hello"))
    message = await asyncio.wait_for(layer.receive(channel), 5)
    # By the time the doorbell rings, the event is in the database.
    assert await stored(sid) == [(1, "hello")]
    assert message["last_seq"] == 1
    assert [e["msg"] for e in message["events"]] == ["hello"]
    assert message["events"][0]["sid"] == str(sid)


async def test_emit_and_wait_returns_the_stored_event():
    sid = await new_session()
    with bound_session(sid):
        first = await emit(think("a"), wait=True)
        second = await emit(think("b"), wait=True)
    assert (first.seq, second.seq) == (1, 2)
    assert first.sid == sid


async def test_report_progress_sets_pct_from_progress_and_total():
    sid = await new_session()
    with bound_session(sid):
        await report_progress(3, "3 of 4", "research", total=4)
    await flush()
    row = await sync_to_async(Row.objects.get)(session_id=sid, seq=1)
    assert (row.pct, row.phase, row.agent) == (0.75, "progress", "research")


async def test_under_load_events_are_batched_and_stay_in_order():
    sid = await new_session()
    layer, channel = await listen(sid)
    with bound_session(sid):
        for i in range(2000):
            await emit(think(str(i)))
    await flush()
    rows = await stored(sid)
    assert [seq for seq, _ in rows] == list(range(1, 2001))
    assert [msg for _, msg in rows] == [str(i) for i in range(2000)]
    stats = get_bus().stats
    assert stats["stored"] == 2000
    assert stats["batches"] < 2000 / 2, stats  # many events per transaction
    # One doorbell per batch, in order; a batch over MAX_PUBLISH_EVENTS rings bare (no events).
    last_seqs: list[int] = []
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), 0.2)
        except TimeoutError:
            break
        last_seqs.append(message["last_seq"])
        if message["events"]:
            seqs = [e["seq"] for e in message["events"]]
            assert seqs == list(range(seqs[0], message["last_seq"] + 1))
    assert last_seqs == sorted(set(last_seqs))
    assert last_seqs[-1] == 2000


async def test_terminal_event_closes_the_session_for_later_emits():
    sid = await new_session()
    with bound_session(sid):
        await emit(Event.for_session("started", "go"))
        await emit(Event.for_session("completed", "done"), wait=True)
        with pytest.raises(SessionClosed):
            await emit(think("after the end"))
    session = await sync_to_async(Session.objects.get)(id=sid)
    assert session.status == "completed"
    assert await stored(sid) == [(1, "go"), (2, "done")]


async def test_a_thread_still_running_after_another_process_closed_the_session(caplog):
    """The session is ended elsewhere; a sync thread's emits are refused and then raise."""
    sid = await new_session()
    await sync_to_async(record_events)(
        session_id=sid, events=[Event.for_session("cancelled", "stopped elsewhere")]
    )
    outcomes: list[str] = []

    def sync_agent() -> None:
        try:
            emit_sync(think("first"), wait=True)
            outcomes.append("stored")
        except SessionClosed:
            outcomes.append("refused")
        try:
            emit_sync(think("second"))
            outcomes.append("queued")
        except SessionClosed:
            outcomes.append("raised")

    with caplog.at_level(logging.WARNING, logger="streaming.log.bus"), bound_session(sid):
        await asyncio.to_thread(sync_agent)
    assert outcomes == ["refused", "raised"]
    assert await stored(sid) == [(1, "stopped elsewhere")]


async def test_emit_sync_refuses_to_block_the_event_loop():
    sid = await new_session()
    with bound_session(sid), pytest.raises(RuntimeError, match="event loop"):
        emit_sync(think("x"))


async def test_sync_emit_publishes_on_the_servers_loop():
    """A thread's emit reaches the in-memory layer of the running loop; no new loop is made."""
    sid = await new_session()
    layer, channel = await listen(sid)
    with bound_session(sid):
        await emit(think("from the loop"))
        await asyncio.to_thread(emit_sync, think("from a thread"))
        await asyncio.to_thread(flush_sync)
    assert await receive_seqs(layer, channel, 2) == [1, 2]
    assert not get_bus().publisher.uses_own_loop


def _lock_events_table():
    """Hold the database's write lock (SQLite) or the session rows (PostgreSQL) elsewhere."""
    other = connections.create_connection("default")
    other.connect()
    other.set_autocommit(False)
    with other.cursor() as cursor:
        if other.vendor == "sqlite":
            cursor.execute("UPDATE streaming_session SET query = query")
        else:
            cursor.execute("SELECT id FROM streaming_session FOR UPDATE")
    return other


async def test_a_full_queue_slows_the_emitter_instead_of_failing(settings):
    settings.AGENTSTREAM_MAX_QUEUE = 20
    sid = await new_session()
    blocker = await sync_to_async(_lock_events_table, thread_sensitive=False)()
    try:

        async def producer() -> None:
            with bound_session(sid):
                for i in range(100):
                    await emit(think(str(i)))

        task = asyncio.create_task(producer())
        deadline = asyncio.get_running_loop().time() + 5
        while get_bus().stats["backpressure_waits"] == 0:
            assert asyncio.get_running_loop().time() < deadline, "emitter never slowed"
            await asyncio.sleep(0.01)
        assert not task.done()
        assert get_bus().queued() <= 20
    finally:
        await sync_to_async(blocker.rollback, thread_sensitive=False)()
        await sync_to_async(blocker.close, thread_sensitive=False)()
    await asyncio.wait_for(task, 30)
    await flush()
    assert [seq for seq, _ in await stored(sid)] == list(range(1, 101))


async def test_a_database_error_is_retried_and_loses_nothing(caplog):
    sid = await new_session()
    with bound_session(sid):
        await emit(think("before"), wait=True)

    @sync_to_async
    def rename(old: str, new: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {old} RENAME TO {new}")

    await rename("streaming_event", "streaming_event_away")
    try:
        with caplog.at_level(logging.ERROR, logger="streaming.log.bus"), bound_session(sid):
            for i in range(5):
                await emit(think(f"during {i}"))
            deadline = asyncio.get_running_loop().time() + 10
            while get_bus().stats["store_errors"] < 2:
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.02)
    finally:
        await rename("streaming_event_away", "streaming_event")
    await flush()
    assert [msg for _, msg in await stored(sid)] == ["before"] + [f"during {i}" for i in range(5)]
    assert str(sid) in caplog.text  # the failure is logged with the session id


async def test_drain_stores_everything_queued():
    sid = await new_session()
    with bound_session(sid):
        for i in range(500):
            await emit(think(str(i)))
    await asyncio.to_thread(get_bus().drain)
    assert len(await stored(sid)) == 500


def test_sync_code_without_a_loop_can_emit_and_flush(session):
    """A management command or script: no running loop, the bus publishes from its thread."""
    with bound_session(session.id):
        stored_event = emit_sync(think("sync"), wait=True)
        flush_sync()
    assert stored_event.seq == 1


async def test_two_writer_threads_keep_concurrent_sessions_apart():
    sessions = [await new_session() for _ in range(5)]
    barrier = threading.Barrier(5)

    def agent(sid: uuid.UUID) -> None:
        barrier.wait()
        with bound_session(sid):
            for i in range(50):
                emit_sync(think(f"{sid.hex[:4]}-{i}"))

    await asyncio.gather(*(asyncio.to_thread(agent, sid) for sid in sessions))
    await flush()
    for sid in sessions:
        rows = await stored(sid)
        assert [seq for seq, _ in rows] == list(range(1, 51))
        assert all(msg.startswith(sid.hex[:4]) for _, msg in rows)
