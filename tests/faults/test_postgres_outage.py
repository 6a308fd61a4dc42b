"""PostgreSQL stopped (``pg_ctl stop -m fast``) and started again under real daphne processes.

Every open stream either delivers or closes (PROTOCOL.md): a WebSocket whose reads fail closes
with 4503 and the client resumes from its last seq; an SSE response ends and the client resumes
with ``Last-Event-ID``. Meanwhile the bus keeps what is emitted and stores it once the database
is back, so the database holds exactly the events emitted. With the database down, /healthz
says 503 within a second and new streams get a clear answer at once; each process logs the
outage once.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from streaming.testing import eventually
from tests.faults.checks import (
    assert_each_seq_once,
    assert_endings,
    assert_stored_exactly,
    outage_logged_once,
)
from tests.faults.clients import Follower, finish_all, start_all

pytestmark = pytest.mark.faults

#: Events stored before the clients start: a replay that takes them a while.
LARGE = 60_000
#: How the documented clients see a database outage (PROTOCOL.md): a 4503 close, an SSE
#: response that ends, a new stream refused with 503 while the database is still down.
DOCUMENTED = {"close 4503", "ended without end", "http 503"}
#: How fast new connections must be answered while the database is down.
ANSWER_WITHIN = 1.0  # /healthz (the issue)
NEW_STREAM_WITHIN = 2.0  # a new WebSocket or SSE request: a clear, fast answer, not silence


@pytest.mark.parametrize("down_seconds", [5, 12])
async def test_streams_replaying_through_a_postgres_outage_end_with_every_seq_once(
    servers, emitter, fault_postgres, fault_database, down_seconds
):
    [server] = await servers.start("a")
    [[sid, token]] = await emitter.call("sessions")
    await emitter.call("preload", sid=sid, count=LARGE, within=180)
    await emitter.call("live", sid=sid, rate=100)
    followers = start_all(
        [Follower("ws", [server], sid, token), Follower("sse", [server], sid, token)]
    )
    await eventually(
        lambda: all(len(f.seqs) >= 2_000 for f in followers),
        within=30,
        what="both clients replaying: " + " / ".join(f.report() for f in followers),
    )
    for follower in followers:  # hold them mid-replay while the database goes
        follower.reading.clear()
    fault_postgres.stop()
    at_stop = {f.name: len(f.seqs) for f in followers}
    try:
        for follower in followers:
            follower.reading.set()
        await asyncio.sleep(down_seconds)  # the fault: the database is down this long
    finally:
        fault_postgres.start()
    restarted_at = await emitter.call("emitted", sid=sid)
    # Live events go on after the outage; the clients must catch up with them, then end.
    await eventually(
        lambda: all(f.seqs and len(f.seqs) >= LARGE + restarted_at + 200 for f in followers),
        within=60,
        what=f"clients (at {at_stop} when the database stopped) catching up after it is back: "
        + " / ".join(f.report() for f in followers),
    )
    await emitter.call("stop", sid=sid)
    await finish_all(followers, within=60)
    emitted = await emitter.call("counts", sid=sid)
    total = assert_stored_exactly(fault_database, sid, emitted=emitted, terminal="completed")
    print(f"at the stop: {at_stop}; " + " / ".join(f.report() for f in followers))
    assert_each_seq_once(followers, total)
    assert_endings(followers, DOCUMENTED)


async def test_healthz_answers_503_within_a_second_while_postgres_is_down(servers, fault_postgres):
    [server] = await servers.start("a")
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(f"{server.http}/healthz")).status_code == 200
        fault_postgres.stop()
        try:
            answers = []
            for _ in range(5):
                start = time.monotonic()
                try:
                    response = await client.get(f"{server.http}/healthz")
                    answers.append((response.status_code, time.monotonic() - start))
                except httpx.HTTPError as error:
                    answers.append((repr(error), time.monotonic() - start))
        finally:
            fault_postgres.start()

        async def healthy() -> bool:
            response = await client.get(f"{server.http}/healthz")
            assert response.status_code == 200, response.text
            return True

        await eventually(healthy, within=15, what="/healthz 200 once the database is back")
    shown = ", ".join(f"{status} in {seconds:.2f} s" for status, seconds in answers)
    assert all(s == 503 and t <= ANSWER_WITHIN for s, t in answers), (
        f"/healthz with the database down (expected 503 within {ANSWER_WITHIN} s): {shown}"
    )


async def new_websocket(server, sid: str, token: str) -> str:
    """Open a new WebSocket; return how it was answered (a close code, a refusal)."""
    url = f"{server.ws}/ws/sessions/{sid}/?token={token}"
    try:
        async with connect(url, origin=server.http, open_timeout=30) as ws:
            while True:
                frame = await asyncio.wait_for(ws.recv(), 30)
                if '"seq"' in frame:
                    return "events"
    except ConnectionClosed as closed:
        return f"close {closed.rcvd.code if closed.rcvd else None}"
    except InvalidStatus as refused:
        return f"handshake {refused.response.status_code}"
    except (OSError, TimeoutError, WebSocketException) as error:
        return repr(error)


async def new_sse(server, sid: str, token: str) -> str:
    url = f"{server.http}/api/sessions/{sid}/stream/?token={token}"
    try:
        async with (
            httpx.AsyncClient(timeout=30) as client,
            client.stream("GET", url) as response,
        ):
            return f"http {response.status_code}"
    except httpx.HTTPError as error:
        return repr(error)


async def timed(answer) -> tuple[str, float]:
    start = time.monotonic()
    return await answer, time.monotonic() - start


async def test_new_streams_get_a_fast_clear_answer_while_postgres_is_down(
    servers, emitter, fault_postgres
):
    [server] = await servers.start("a")
    [[sid, token]] = await emitter.call("sessions")
    await emitter.call("preload", sid=sid, count=10)
    fault_postgres.stop()
    try:
        ws, sse = await asyncio.gather(
            timed(new_websocket(server, sid, token)), timed(new_sse(server, sid, token))
        )
    finally:
        fault_postgres.start()
    problems = []
    if ws[0] != "close 4503" or ws[1] > NEW_STREAM_WITHIN:
        problems.append(f"new WebSocket: {ws[0]} after {ws[1]:.2f} s (expected close 4503)")
    if sse[0] != "http 503" or sse[1] > NEW_STREAM_WITHIN:
        problems.append(f"new SSE request: {sse[0]} after {sse[1]:.2f} s (expected http 503)")
    assert not problems, f"with the database down, within {NEW_STREAM_WITHIN} s: " + "; ".join(
        problems
    )


async def test_a_postgres_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    servers, emitter, fault_postgres, fault_database
):
    [server] = await servers.start("a")
    [[sid, token]] = await emitter.call("sessions")
    followers = start_all(
        [Follower("ws", [server], sid, token), Follower("sse", [server], sid, token)]
    )
    await emitter.call("live", sid=sid, rate=100)
    await eventually(
        lambda: all(len(f.seqs) >= 50 for f in followers), within=20, what="live events flowing"
    )
    marks = {log: log.mark() for log in (server.log, emitter.log)}
    fault_postgres.stop()
    try:
        await asyncio.sleep(3)  # the fault: 3 s without the database, 300 events queued
    finally:
        fault_postgres.start()
    restarted_at = await emitter.call("emitted", sid=sid)
    await eventually(
        lambda: all(len(f.seqs) >= restarted_at + 100 for f in followers),
        within=30,
        what="live events flowing again after the database is back: "
        + " / ".join(f.report() for f in followers),
    )
    await emitter.call("stop", sid=sid)
    await finish_all(followers, within=30)
    emitted = await emitter.call("counts", sid=sid)
    total = assert_stored_exactly(fault_database, sid, emitted=emitted, terminal="completed")
    assert_each_seq_once(followers, total)

    def logged_once() -> bool:  # the INFO comes with the first operation that gets through
        problems = [
            *outage_logged_once(emitter.log, marks[emitter.log], must_warn=True),
            *outage_logged_once(server.log, marks[server.log], must_warn=False),
        ]
        assert not problems, "\n".join(problems)
        return True

    await eventually(logged_once, within=10, what="the outage logged once as it began and ended")
    assert_endings(followers, DOCUMENTED)
