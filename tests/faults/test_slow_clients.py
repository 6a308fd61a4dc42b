"""Slow clients are bounded in bytes (AGENTSTREAM_CLIENT_BUFFER, 1 MiB by default).

100 WebSocket clients that read nothing while 10,000 events of about 1.1 KB flow: the server's
RSS stays under 150 MiB above idle, returns once they go, and another client that reads keeps
its p99 latency within 20 % of what it was without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from base64 import b64encode
from os import urandom

import pytest

from streaming.benchmarks.transport_clients import percentile
from streaming.testing import eventually
from tests.faults.checks import (
    MIB,
    Footprint,
    assert_each_seq_once,
    assert_endings,
    assert_stored_exactly,
)
from tests.faults.clients import Follower, finish_all, start_all
from tests.faults.processes import Daphne

pytestmark = pytest.mark.faults

STALLED = 100
EVENTS = 10_000
RATE = 1_000  # events a second: 10 s of traffic
SIZE = 1_100  # bytes an event, on the wire
ABOVE_IDLE_MIB = 150
P99_MOVES_AT_MOST = 0.20
#: Once the stalled clients are gone their memory returns: RSS within this of idle (the
#: allocator keeps some high-water; 100 clients x 1 MiB is what must not stay).
RETURNS_WITHIN_MIB = 20


class StalledSocket:
    """A WebSocket client that completes the handshake and then never reads a byte.

    A raw socket with a small receive buffer: what the server sends piles up in the server
    (the kernel holds only a little), as with a client on a slow or stalled network.
    """

    def __init__(self, server: Daphne, path: str) -> None:
        self.server, self.path = server, path
        self.sock: socket.socket | None = None

    async def open(self) -> StalledSocket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_connect(sock, ("127.0.0.1", self.server.port))
        key = b64encode(urandom(16)).decode()
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.server.port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {self.server.http}\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        head = b""
        while b"\r\n\r\n" not in head:  # the handshake's answer, and not a byte more
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 1), 10)
            if not chunk:
                raise AssertionError(f"handshake of a stalled client refused: {head!r}")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        self.sock = sock
        return self

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


async def flow(
    emitter, sid: str, reader: Follower, tag: str, count: int = EVENTS
) -> tuple[list[float], int]:
    """Emit `count` events at RATE; return the reader's latencies for them and the last seq."""
    start = len(reader.latencies)
    await emitter.call("burst", sid=sid, count=count, rate=RATE, size=SIZE, tag=tag, within=120)
    await eventually(
        lambda: len(reader.latencies) >= start + count,
        within=60,
        what=f"the reading client to receive the {tag} events: {reader.report()}",
    )
    return reader.latencies[start : start + count], reader.last


async def sample_rss(server, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.usage().rss_kib)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)  # a sampling period, not a wait


@pytest.mark.xfail(
    strict=True,
    reason=(
        "not met yet (issue 9): 100 stalled clients still grow daphne by ~880 MiB although "
        "each stream stops at AGENTSTREAM_CLIENT_BUFFER through streaming.transports.flow; "
        "the memory is held below the application (to be traced)"
    ),
)
async def test_stalled_clients_are_bounded_and_do_not_slow_a_reading_client(
    servers, emitter, fault_redis, fault_database
):
    [server] = await servers.start("a")
    [[sid, token]] = await emitter.call("sessions")
    [reader] = start_all([Follower("ws", [server], sid, token)])
    await flow(emitter, sid, reader, "warm-up", count=3_000)  # the same traffic, not measured
    baseline, last = await flow(emitter, sid, reader, "alone")
    idle = await Footprint.of(server, fault_redis)

    path = f"/ws/sessions/{sid}/?token={token}&after={last}"
    stalled = await asyncio.gather(*(StalledSocket(server, path).open() for _ in range(STALLED)))
    peak, stop = [0], asyncio.Event()
    sampler = asyncio.create_task(sample_rss(server, peak, stop))
    try:
        beside, _ = await flow(emitter, sid, reader, "stalled")
    finally:
        stop.set()
        await sampler
        during = server.usage()
        for client in stalled:
            client.close()

    async def returned() -> Footprint:
        now = await Footprint.of(server, fault_redis)
        assert now.rss_kib <= idle.rss_kib + RETURNS_WITHIN_MIB * MIB, f"idle {idle}; now {now}"
        assert not now.over(idle, {}, only={"connections", "channels", "consumers", "tails"}), (
            f"idle {idle}; now {now}"
        )
        return now

    problems = []
    try:
        after = await eventually(returned, within=30, interval=0.5, what="memory back after")
    except AssertionError as error:
        problems.append(str(error))
        after = await Footprint.of(server, fault_redis)
    await emitter.call("finish", sid=sid)
    await finish_all([reader], within=30)
    emitted = await emitter.call("counts", sid=sid)
    total = assert_stored_exactly(fault_database, sid, emitted=emitted, terminal="completed")
    assert_each_seq_once([reader], total)

    p99_alone, p99_beside = percentile(baseline, 0.99) * 1000, percentile(beside, 0.99) * 1000
    growth_mib = (peak[0] - idle.rss_kib) / MIB
    figures = (
        f"idle {idle.rss_kib / MIB:.1f} MiB, peak {peak[0] / MIB:.1f} MiB (+{growth_mib:.1f}), "
        f"at the end of the flow {during.rss_mib:.1f} MiB, after they went "
        f"{after.rss_kib / MIB:.1f} MiB; reader p99 {p99_alone:.1f} ms alone, "
        f"{p99_beside:.1f} ms beside {STALLED} stalled clients"
    )
    print(figures)
    if growth_mib >= ABOVE_IDLE_MIB:
        problems.append(f"RSS grew {growth_mib:.1f} MiB above idle (limit {ABOVE_IDLE_MIB})")
    if p99_beside > p99_alone * (1 + P99_MOVES_AT_MOST):
        problems.append(f"the reader's p99 moved {p99_beside / p99_alone - 1:+.0%} (limit +20 %)")
    assert not problems, "\n".join([*problems, figures])
    assert_endings([reader], set())  # the reading client kept its connection throughout
