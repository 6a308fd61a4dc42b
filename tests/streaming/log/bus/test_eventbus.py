"""The emitting side of the bus: sessions, validation, backpressure, closed sessions, draining."""

from __future__ import annotations

import asyncio
import logging

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from streaming import (
    Event,
    NoSessionBound,
    SessionClosed,
    bound_session,
    emit,
    emit_sync,
    flush,
    report_progress,
)
from streaming.log.bus import get_bus
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.testing import eventually
from tests.streaming.log.bus.conftest import new_session, stored, think

pytestmark = pytest.mark.django_db(transaction=True)


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


async def test_report_progress_sets_pct_from_progress_and_total():
    sid = await new_session()
    with bound_session(sid):
        await report_progress(3, "3 of 4", "research", total=4)
    await flush()
    row = await sync_to_async(Row.objects.get)(session_id=sid, seq=1)
    assert (row.pct, row.phase, row.agent) == (0.75, "progress", "research")


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


async def test_emit_sync_refuses_to_block_the_event_loop():
    sid = await new_session()
    with bound_session(sid), pytest.raises(RuntimeError, match="event loop"):
        emit_sync(think("x"))


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
        await eventually(
            lambda: get_bus().stats["backpressure_waits"],
            within=5,
            interval=0.01,
            what="the emitter to wait for room in the queue",
        )
        assert not task.done()
        assert get_bus().queued() <= 20
    finally:
        await sync_to_async(blocker.rollback, thread_sensitive=False)()
        await sync_to_async(blocker.close, thread_sensitive=False)()
    await asyncio.wait_for(task, 30)
    await flush()
    assert [seq for seq, _ in await stored(sid)] == list(range(1, 101))


async def test_drain_stores_everything_queued():
    sid = await new_session()
    with bound_session(sid):
        for i in range(500):
            await emit(think(str(i)))
    await asyncio.to_thread(get_bus().drain)
    assert len(await stored(sid)) == 500
