"""Several server processes on PostgreSQL and Redis: a client survives losing its server.

Two real daphne processes serve the same database and channel layer. The test process emits
into a session (it shares both with the servers); clients read over WebSocket and SSE from
server A, A is killed mid-stream, and they resume on server B with their last seq: every event
arrives exactly once, in order, then `end`.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from project.env import channel_layers
from streaming import Event, bound_session, emit
from streaming.testing import database_url, eventually
from tests.conftest import make_session, make_user
from tests.streaming.conftest import DaphneServer, think

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres", "fast_password_hasher"),
]

TOTAL = 3_000


@pytest.fixture
def shared_layer(settings, redis_url, monkeypatch):
    """The test process and the servers on one Redis layer, apart from other test runs."""
    prefix = f"mp{uuid.uuid4().hex[:8]}"
    layer_env = {"REDIS_URL": redis_url, "AGENTSTREAM_CHANNEL_PREFIX": prefix}
    monkeypatch.setenv("AGENTSTREAM_CHANNEL_PREFIX", prefix)
    settings.CHANNEL_LAYERS = channel_layers(redis_url)  # what the servers build from layer_env
    return layer_env


@pytest.fixture
def servers(settings, shared_layer, tmp_path):
    env = {**shared_layer, "DATABASE_URL": database_url()}
    started = [DaphneServer(env, str(tmp_path / f"daphne-{n}.log")) for n in ("a", "b")]
    yield started
    for server in started:
        server.stop()


#: Where the emitter pauses until server A is gone: the clients have all of it by then.
PAUSE_AT = 2 * TOTAL // 3


async def emit_steadily(session_id: uuid.UUID, resume: asyncio.Event) -> None:
    """Emit TOTAL events over time; after seq PAUSE_AT, wait for `resume` before the rest."""
    with bound_session(session_id):
        await emit(Event.for_session("started", "go"))
        for n in range(TOTAL - 2):
            await emit(think(n), wait=n + 2 == PAUSE_AT)
            if n + 2 == PAUSE_AT:
                await resume.wait()
            if n % 25 == 0:
                # Spread the session over time, so that clients read it live, a few at a time.
                await asyncio.sleep(0.005)
        await emit(Event.for_session("completed", "done"), wait=True)


def seqs_of(frame: dict) -> list[int]:
    if "seq" in frame:
        return [frame["seq"]]
    return [e["seq"] for e in frame.get("events", [])]


async def read_ws(server: DaphneServer, path: str, seqs: list[int], stop_after: int | None):
    """Read from `server` after seqs[-1]; return the end frame, or None once `stop_after`
    events arrived or the server went away."""
    after = seqs[-1] if seqs else 0
    url = f"{server.ws}{path}&after={after}"
    try:
        async with connect(url, origin=server.http, max_size=None) as socket:
            while True:
                frame = json.loads(await socket.recv())
                if frame.get("type") == "end":
                    return frame
                assert frame.get("type") != "error", frame
                seqs.extend(seqs_of(frame))
                if stop_after is not None and len(seqs) >= stop_after:
                    return None
    except (ConnectionClosed, OSError):
        return None


async def read_sse(server: DaphneServer, path: str, seqs: list[int], started: asyncio.Event):
    """Read SSE from `server` with Last-Event-ID; return the end data, or None if cut off."""
    headers = {"Last-Event-ID": str(seqs[-1])} if seqs else {}
    try:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(30, connect=5)) as client,
            client.stream("GET", f"{server.http}{path}", headers=headers) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            event = None
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("id: "):
                    seqs.append(int(line[4:]))
                    started.set()
                elif line.startswith("data: ") and event == "end":
                    return json.loads(line[6:])
    except (httpx.HTTPError, OSError):
        return None
    return None


async def test_clients_resume_on_another_server_when_theirs_is_killed(servers):
    server_a, server_b = servers
    await asyncio.gather(server_a.ready(), server_b.ready())
    session = await sync_to_async(lambda: make_session(make_user("mp")))()
    token = f"token={session.share_token}"
    ws_path = f"/ws/sessions/{session.id}/?{token}"
    sse_path = f"/api/sessions/{session.id}/stream/?{token}"

    ws_seqs: list[int] = []
    sse_seqs: list[int] = []
    sse_started = asyncio.Event()
    resume = asyncio.Event()
    sse_on_a = asyncio.create_task(read_sse(server_a, sse_path, sse_seqs, sse_started))
    emitter = asyncio.create_task(emit_steadily(session.id, resume))
    # Read live from A until a third of the session has arrived, then reconnect to A.
    assert await read_ws(server_a, ws_path, ws_seqs, stop_after=TOTAL // 3) is None
    await asyncio.wait_for(sse_started.wait(), 30)
    resumer = asyncio.create_task(read_ws(server_a, ws_path, ws_seqs, stop_after=None))
    # Both clients follow A live, caught up with the paused session: lose A mid-stream.
    await eventually(
        lambda: ws_seqs[-1:] == sse_seqs[-1:] == [PAUSE_AT],
        within=60,
        what=f"both clients on server A to reach seq {PAUSE_AT}",
    )
    server_a.kill()
    assert await asyncio.wait_for(resumer, 30) is None  # cut off by the kill
    assert await asyncio.wait_for(sse_on_a, 30) is None
    assert not emitter.done()  # the session was still going when A died
    resume.set()
    cut_at = (len(ws_seqs), len(sse_seqs))

    ws_end, sse_end = await asyncio.wait_for(
        asyncio.gather(
            read_ws(server_b, ws_path, ws_seqs, stop_after=None),
            read_sse(server_b, sse_path, sse_seqs, asyncio.Event()),
        ),
        60,
    )
    await emitter
    assert ws_end == {"type": "end", "status": "completed", "last_seq": TOTAL}
    assert sse_end == {"status": "completed", "last_seq": TOTAL}
    assert ws_seqs == list(range(1, TOTAL + 1))
    assert sse_seqs == list(range(1, TOTAL + 1))
    assert 0 < cut_at[0] < TOTAL
    assert 0 < cut_at[1] < TOTAL


async def test_a_server_streams_what_another_process_emits_live(servers):
    """Events emitted in another process reach the clients of every server."""
    server_a, server_b = servers
    await asyncio.gather(server_a.ready(), server_b.ready())
    session = await sync_to_async(lambda: make_session(make_user("mp2")))()
    path = f"/ws/sessions/{session.id}/?token={session.share_token}"
    async with (
        connect(f"{server_a.ws}{path}", origin=server_a.http) as on_a,
        connect(f"{server_b.ws}{path}", origin=server_b.http) as on_b,
    ):
        with bound_session(session.id):
            await emit(Event.for_session("started", "go"), wait=True)
        for socket in (on_a, on_b):
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["seq"] == 1
        with bound_session(session.id):
            await emit(Event.for_session("completed", "done"), wait=True)
        for socket in (on_a, on_b):
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["seq"] == 2
            end = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert end == {"type": "end", "status": "completed", "last_seq": 2}
        # The handshake without an allowed Origin is refused with HTTP 403.
        with pytest.raises(Exception, match="403"):
            async with connect(f"{server_b.ws}{path}", origin="http://evil.example"):
                pass
