"""Ringing the doorbell: stored first, published second, on the server's loop or the bus's own."""

from __future__ import annotations

import asyncio

import pytest

from streaming import bound_session, emit, emit_sync, flush_sync
from streaming.log.bus import get_bus
from tests.streaming.log.bus.conftest import listen, new_session, receive_seqs, stored, think

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_sync_code_without_a_loop_can_emit_and_flush(session):
    """A management command or script: no running loop, the bus publishes from its thread."""
    with bound_session(session.id):
        stored_event = emit_sync(think("sync"), wait=True)
        flush_sync()
    assert stored_event.seq == 1
