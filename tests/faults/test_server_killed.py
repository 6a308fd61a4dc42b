"""A daphne server killed with SIGKILL while its clients follow a live session.

Its clients lose their connections without a close frame, reconnect to another server with
their last seq (``?after=`` / ``Last-Event-ID``) and complete: every seq once, then ``end``.
"""

from __future__ import annotations

import pytest

from streaming.testing import eventually
from tests.faults.checks import assert_each_seq_once, assert_stored_exactly
from tests.faults.clients import Follower, finish_all, start_all

pytestmark = pytest.mark.faults


async def test_clients_of_a_killed_server_resume_on_another_with_every_seq_once(
    servers, emitter, fault_database
):
    server_a, server_b = await servers.start("a", "b")
    [[sid, token]] = await emitter.call("sessions")
    await emitter.call("preload", sid=sid, count=1_000)
    await emitter.call("live", sid=sid, rate=200)
    followers = start_all(
        [Follower(kind, [server_a, server_b], sid, token) for kind in ("ws", "sse") * 2]
    )
    await eventually(
        lambda: all(len(f.seqs) >= 1_500 for f in followers),
        within=30,
        what="clients following live on server a: " + " / ".join(f.report() for f in followers),
    )
    server_a.kill()
    killed_at = await emitter.call("emitted", sid=sid)
    await eventually(
        lambda: all(len(f.seqs) >= 1_000 + killed_at + 400 for f in followers),
        within=30,
        what="clients following live on server b after a was killed: "
        + " / ".join(f.report() for f in followers),
    )
    await emitter.call("stop", sid=sid)
    await finish_all(followers, within=30)
    emitted = await emitter.call("counts", sid=sid)
    total = assert_stored_exactly(fault_database, sid, emitted=emitted, terminal="completed")
    assert_each_seq_once(followers, total)
    lost_elsewhere = [f"{f.name}: {e}" for f in followers for e in f.endings if e.server != "a"]
    assert not lost_elsewhere, "connections to the surviving server ended: " + "; ".join(
        lost_elsewhere
    )
    assert all(f.endings for f in followers), "a client never noticed the kill"
