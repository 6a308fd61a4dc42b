"""What the streams of one process share: many streams of one session each get every event."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from streaming.log.follow import SessionTail, shared
from streaming.log.groups import session_group
from tests.conftest import make_session
from tests.streaming.conftest import emit_events
from tests.streaming.log.follow.conftest import collect, event_dict

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_encodings_are_shared_and_kept_within_a_byte_bound(monkeypatch):
    sid = uuid.uuid4()
    first = shared.encode_once(event_dict(sid, 1))
    assert shared.encode_once(event_dict(sid, 1)) is first  # another stream's copy: reused
    monkeypatch.setattr(shared, "ENCODED_KEPT_BYTES", len(first.text) * 10)
    for seq in range(2, 200):
        shared.encode_once(event_dict(sid, seq))
    kept = [key for key in shared._encoded if key[0] == str(sid)]
    assert shared._encoded_bytes <= shared.ENCODED_KEPT_BYTES
    assert kept == [(str(sid), seq) for seq in range(199 - len(kept) + 1, 200)]  # the newest
    assert shared.encode_once(event_dict(sid, 1)) is not first  # forgotten, encoded again
