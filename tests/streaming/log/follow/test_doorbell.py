"""Doorbells: the streams of one session in one process share one channel in its group.

Run on the in-memory layer (pass 1) and on Redis pub/sub (pass 2): one channel and one receive
per session, every stream rung with the same message, the last stream's close gives it all back.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

from streaming.log.follow.doorbell import Doorbell, SessionBell, bells
from streaming.log.groups import session_group
from streaming.testing import eventually
from tests.streaming.log.follow.conftest import message


class Heard:
    """The messages one stream was rung with."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def __call__(self, message: Any) -> None:
        self.messages.append(message)


async def members(layer: Any, session_id: uuid.UUID) -> int:
    """How many channels are in the session's group (the in-memory layer and Redis pub/sub)."""
    group = session_group(session_id)
    if isinstance(layer, InMemoryChannelLayer):
        return len(layer.groups.get(group, {}))
    loop_layer = layer._get_layer()
    return len(loop_layer.groups.get(loop_layer._get_group_channel_name(group), ()))


async def open_doorbells(session_id: uuid.UUID, count: int) -> tuple[list[Doorbell], list[Heard]]:
    layer = get_channel_layer()
    heard = [Heard() for _ in range(count)]
    doorbells = [Doorbell(layer, session_id, ring) for ring in heard]
    await asyncio.gather(*(d.open() for d in doorbells))  # at once: they share the one join
    return doorbells, heard


async def test_the_streams_of_a_session_share_one_channel_and_hear_each_message_once():
    sid, other = uuid.uuid4(), uuid.uuid4()
    layer = get_channel_layer()
    doorbells, heard = await open_doorbells(sid, 20)
    [elsewhere], [heard_elsewhere] = await open_doorbells(other, 1)

    bell = bells()[(id(layer), sid)]
    assert isinstance(bell, SessionBell)
    assert bell.joined
    assert {d.bell for d in doorbells} == {bell}
    assert bell.doorbells == doorbells
    assert await members(layer, sid) == 1  # one channel for twenty streams

    await layer.group_send(session_group(sid), message(sid, [], last_seq=7))
    await eventually(lambda: all(h.messages for h in heard), what="every stream to be rung")
    first = heard[0].messages[0]
    assert first["last_seq"] == 7
    assert all(h.messages == [first] and h.messages[0] is first for h in heard)  # decoded once
    assert heard_elsewhere.messages == []  # another session's bell heard nothing

    for doorbell in doorbells[:-1]:
        await doorbell.close()
    assert bells()[(id(layer), sid)] is bell
    assert await members(layer, sid) == 1
    await layer.group_send(session_group(sid), message(sid, [], last_seq=8))
    await eventually(lambda: len(heard[-1].messages) == 2, what="the last stream to be rung")
    assert [len(h.messages) for h in heard[:-1]] == [1] * 19  # closed streams hear nothing

    await doorbells[-1].close()  # the last one: the bell leaves the group and is forgotten
    assert (id(layer), sid) not in bells()
    assert bell.channel is None
    assert not bell.joined
    assert await members(layer, sid) == 0
    await elsewhere.close()
    assert bells() == {}


async def test_a_stream_that_fails_to_take_a_message_leaves_the_others_rung(caplog):
    sid = uuid.uuid4()
    layer = get_channel_layer()

    def broken(message: Any) -> None:
        raise RuntimeError("this stream is broken")

    failing = Doorbell(layer, sid, broken)
    await failing.open()
    doorbells, heard = await open_doorbells(sid, 2)
    with caplog.at_level(logging.ERROR, "streaming.log.follow.doorbell"):
        await layer.group_send(session_group(sid), message(sid, [], last_seq=1))
        await eventually(lambda: all(h.messages for h in heard), what="the other streams")
    assert [r.getMessage() for r in caplog.records] == [
        f"session {sid}: a stream could not take its events"
    ]
    for doorbell in [failing, *doorbells]:
        await doorbell.close()
    assert bells() == {}


async def test_a_stream_closed_while_its_bell_joins_leaves_nothing_behind():
    sid = uuid.uuid4()
    layer = get_channel_layer()
    doorbell = Doorbell(layer, sid, Heard())
    opening = asyncio.create_task(doorbell.open())
    await asyncio.sleep(0)  # the join has started
    await doorbell.close()
    await asyncio.wait_for(opening, 2)  # returns, never raises
    assert bells() == {}
    assert doorbell.bell is None
    assert await members(layer, sid) == 0


async def test_without_a_channel_layer_a_doorbell_does_nothing():
    doorbell = Doorbell(None, uuid.uuid4(), Heard())
    await doorbell.open()
    await doorbell.rejoin()
    assert doorbell.bell is None
    assert not doorbell.joined
    await doorbell.close()


async def test_a_rejoin_renews_the_shared_membership():
    sid = uuid.uuid4()
    doorbells, _ = await open_doorbells(sid, 3)
    bell = doorbells[0].bell
    assert bell is not None
    assert bell.joined_at is not None
    joined = bell.joined_at
    await doorbells[1].rejoin()
    assert bell.joined_at is not None
    assert bell.joined_at > joined
    assert all(d.joined_at == bell.joined_at for d in doorbells)
    for doorbell in doorbells:
        await doorbell.close()
