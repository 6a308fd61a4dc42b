"""Client frames over the limit (PROTOCOL.md): over 64 KiB an ``error`` frame ``too_large``
and the socket stays usable, at every size daphne accepts (its limit: 1 MiB a message);
beyond daphne's own limit, a close with 1009."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.faults.processes import Daphne

pytestmark = pytest.mark.faults

KIB = 1024
LIMIT = 64 * KIB  # AGENTSTREAM_WS_MAX_CLIENT_FRAME's default
DAPHNE_LIMIT = 1024 * KIB  # daphne's --websocket-max-message-size default
SIZES = [LIMIT, LIMIT + 1, 128 * KIB, 512 * KIB, DAPHNE_LIMIT - 1, DAPHNE_LIMIT]


def ping_of(size: int) -> str:
    """A `ping` frame of exactly `size` bytes (the padding is a field the server ignores)."""
    frame = '{"type": "ping", "pad": ""}'
    return frame.replace('""', '"' + "x" * (size - len(frame)) + '"')


async def answer(ws: ClientConnection, within: float = 10) -> dict:
    """The next control frame (events of the session are skipped)."""
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await ws.recv())
            if "seq" not in frame and frame.get("type") != "events":
                return frame


async def open_socket(server: Daphne, sid: str, token: str) -> ClientConnection:
    url = f"{server.ws}/ws/sessions/{sid}/?token={token}"
    return await connect(url, origin=server.http, max_size=None, ping_interval=None)


async def test_frames_over_64_kib_get_too_large_and_the_socket_stays_usable(servers, emitter):
    [server] = await servers.start("a")
    [[sid, token]] = await emitter.call("sessions")
    await emitter.call("preload", sid=sid, count=5)
    seen = {}
    ws = await open_socket(server, sid, token)
    try:
        for size in SIZES:
            try:
                await ws.send(ping_of(size))
                first = await answer(ws)
                await ws.send('{"type": "ping"}')  # still usable?
                second = await answer(ws)
                seen[size] = (first.get("type"), first.get("code"), second.get("type"))
            except (ConnectionClosed, TimeoutError) as error:
                code = (
                    error.rcvd.code if isinstance(error, ConnectionClosed) and error.rcvd else None
                )
                seen[size] = ("lost", type(error).__name__, code)
                ws = await open_socket(server, sid, token)  # go on with the other sizes
    finally:
        await ws.close()
    expected = {
        size: ("pong", None, "pong") if size <= LIMIT else ("error", "too_large", "pong")
        for size in SIZES
    }
    wrong = {size: got for size, got in seen.items() if got != expected[size]}
    assert not wrong, "frame size: (answer, code, answer to the next ping): " + ", ".join(
        f"{size}: {got} (expected {expected[size]})" for size, got in wrong.items()
    )


async def read_until_closed(ws: ClientConnection) -> None:
    while True:
        await ws.recv()


async def test_a_frame_beyond_daphnes_limit_closes_the_socket_with_1009(servers, emitter):
    [server] = await servers.start("a")
    [[sid, token]] = await emitter.call("sessions")
    ws = await open_socket(server, sid, token)
    try:
        await ws.send(ping_of(DAPHNE_LIMIT + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(read_until_closed(ws), 10)
    except TimeoutError:
        pytest.fail(f"a {DAPHNE_LIMIT + 1}-byte frame: the socket is neither closed nor answered")
    finally:
        await ws.close()
    code = closed.value.rcvd.code if closed.value.rcvd is not None else None
    assert code == 1009, f"closed by the server with {code} ({closed.value!r}); expected 1009"
