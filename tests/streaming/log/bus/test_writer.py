"""The writer thread: one transaction per batch, in order; retries; closed sessions; threads."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from streaming import Event, SessionClosed, bound_session, emit, emit_sync, flush
from streaming.log.bus import get_bus
from streaming.log.store import record_events
from streaming.testing import eventually
from tests.streaming.log.bus.conftest import listen, new_session, stored, think

pytestmark = pytest.mark.django_db(transaction=True)


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
        with caplog.at_level(logging.WARNING), bound_session(sid):
            for i in range(5):
                await emit(think(f"during {i}"))
            await eventually(
                lambda: get_bus().stats["store_errors"] >= 2, what="the writer to retry twice"
            )
    finally:
        await rename("streaming_event_away", "streaming_event")
    await flush()
    assert [msg for _, msg in await stored(sid)] == ["before"] + [f"during {i}" for i in range(5)]
    # The failure is logged once, with the session id (an outage's first WARNING).
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert str(sid) in warnings[0]


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
