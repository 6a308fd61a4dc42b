"""The client side of `manage.py bench_transports`: real WebSocket and SSE clients on loopback.

`BenchServer` starts ``manage.py bench_transports --serve`` (see `transport_server`) and sends it
commands; the scenarios connect with the `websockets` library and `httpx` and measure what a
client sees. Figures are wall-clock on a shared machine: read them as orders of magnitude.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Origin


class BenchServer:
    """One benchmark server process and its command channel."""

    def __init__(self, manage: Path, env: dict[str, str], log: Path) -> None:
        self.manage, self.env, self.log_path = manage, env, log
        self.port = 0
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}

    async def start(self) -> BenchServer:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._log = open(self.log_path, "ab")  # noqa: SIM115, ASYNC230 closed in stop(); tiny
        self.process = await asyncio.create_subprocess_exec(
            *(sys.executable, str(self.manage), "bench_transports", "--serve", str(self.port)),
            env={**os.environ, **self.env},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
        )
        ready = asyncio.get_running_loop().create_future()
        self._waiting[0] = ready
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(ready, 120)
        return self

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            answer = json.loads(line)
            future = self._waiting.pop(answer["id"], None)
            if future is None or future.done():
                continue
            if "error" in answer:
                future.set_exception(RuntimeError(answer["error"]))
            else:
                future.set_result(answer.get("result", answer))
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(RuntimeError(f"the server died; see {self.log_path}"))

    async def call(self, cmd: str, **args: Any) -> Any:
        cid = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[cid] = future
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"id": cid, "cmd": cmd, "args": args}).encode() + b"\n")
        await self.process.stdin.drain()
        return await future

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        )

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        self._log.close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, sid: str, token: str, after: int = 0) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/sessions/{sid}/?token={token}&after={after}"

    def sse_url(self, sid: str, token: str) -> str:
        return f"{self.origin}/api/sessions/{sid}/stream/?token={token}"

    async def ws(self, url: str) -> ClientConnection:
        return await connect(url, origin=Origin(self.origin), max_size=None, open_timeout=60)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def events_of(frame: dict[str, Any]) -> list[dict[str, Any]]:
    return frame["events"] if frame.get("type") == "events" else [frame] if "seq" in frame else []


# -- scenarios --------------------------------------------------------------------------------


async def latency(server: BenchServer, transport: str, rate: int, seconds: float) -> dict:
    """p50/p99 ms from emit (in the server) to a client, at `rate` events/s over 100 sessions."""
    pairs = await server.call("sessions", count=100)
    samples: list[float] = []

    async def ws_reader(sid: str, token: str, ready: asyncio.Event) -> None:
        async with await server.ws(server.ws_url(sid, token)) as socket:
            ready.set()
            async for text in socket:
                now = time.time()
                for event in events_of(json.loads(text)):
                    samples.append(now - event["data"]["t0"])

    async def sse_reader(sid: str, token: str, ready: asyncio.Event) -> None:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(60, connect=30)) as client,
            client.stream("GET", server.sse_url(sid, token)) as response,
        ):
            ready.set()
            async for line in response.aiter_lines():
                if line.startswith("data: {"):
                    samples.append(time.time() - json.loads(line[6:])["data"]["t0"])

    reader = ws_reader if transport == "ws" else sse_reader
    readies = [asyncio.Event() for _ in pairs]
    tasks = [asyncio.create_task(reader(s, t, r)) for (s, t), r in zip(pairs, readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    sids = [s for s, _ in pairs]
    warm = await server.call("emit_at", sids=sids, rate=rate, seconds=1)  # warm up, not counted
    for _ in range(100):
        if len(samples) >= warm:
            break
        await asyncio.sleep(0.05)
    samples.clear()
    sent = await server.call("emit_at", sids=sids, rate=rate, seconds=seconds)
    for _ in range(200):  # up to 10 s for the stragglers
        if len(samples) >= sent:
            break
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    ms = [s * 1000 for s in samples]
    return {
        "sent": sent,
        "received": len(ms),
        "p50": percentile(ms, 0.5),
        "p99": percentile(ms, 0.99),
    }


async def fanout(server: BenchServer, clients: int, count: int) -> dict:
    """Events/s one server delivers to each of `clients` WebSockets following one session."""
    [(sid, token)] = await server.call("sessions", count=1)
    done_at: list[float] = []

    async def reader(socket: ClientConnection) -> None:
        seen = 0
        async for text in socket:
            assert isinstance(text, str)  # the consumer sends text frames only
            seen += text.count('"seq":')  # counting, not parsing: the client must not be the limit
            if seen >= count:
                done_at.append(time.perf_counter())
                return

    sockets = [await server.ws(server.ws_url(sid, token)) for _ in range(clients)]
    tasks = [asyncio.create_task(reader(s)) for s in sockets]
    start = time.perf_counter()
    emit_seconds = await server.call("blast", sid=sid, count=count)
    await asyncio.wait_for(asyncio.gather(*tasks), 300)
    elapsed = max(done_at) - start
    for socket in sockets:
        await socket.close()
    return {"events_per_client_s": count / elapsed, "emit_s": count / emit_seconds}


async def replay(server: BenchServer, count: int) -> dict:
    """Seconds to replay a `count`-event session to a new client, paged and naive: alone, and
    beside a live session emitting as fast as it can (its emits/s), and how long other
    clients wait meanwhile to connect and get their first frame."""
    [(sid, token), (live, _), (small, small_token)] = await server.call("sessions", count=3)
    await server.call("load", sid=sid, count=count)
    await server.call("load", sid=small, count=1)
    figures = {}
    for name, url in (
        ("paged", server.ws_url(sid, token)),
        ("naive", f"ws://127.0.0.1:{server.port}/bench/naive/{sid}/"),
    ):
        quiet = await _read_to_end(server, url)
        alone = await server.call("live_rate", sid=live, seconds=2)
        reading = asyncio.create_task(_read_to_end(server, url))
        during = asyncio.create_task(server.call("live_rate", sid=live, seconds=1))
        probes = asyncio.create_task(_probe(server, server.ws_url(small, small_token), reading))
        seconds = await reading
        figures[name] = {
            "quiet": quiet,
            "seconds": seconds,
            "live_alone": alone,
            "live_during": await during,
            "probe_max_ms": max(await probes) * 1000,
        }
    return figures


async def _probe(server: BenchServer, url: str, until: asyncio.Task[float]) -> list[float]:
    """Connect, wait for the first frame, close, again, until `until` is done; the waits."""
    waits = [0.0]
    while not until.done():
        start = time.perf_counter()
        try:
            async with await server.ws(url) as socket:
                await socket.recv()
        except (OSError, WebSocketException):  # refused: daphne's handshake timed out
            waits.append(float("inf"))
        else:
            waits.append(time.perf_counter() - start)
        await asyncio.sleep(0.05)
    return waits


async def _read_to_end(server: BenchServer, url: str) -> float:
    start = time.perf_counter()
    async with await server.ws(url) as socket:
        async for text in socket:
            if '"type":"end"' in text or '"type": "end"' in text:
                return time.perf_counter() - start
    raise RuntimeError("the replay ended without `end`")


async def idle_memory(server: BenchServer, connections: int) -> dict:
    """Server RSS growth per idle WebSocket with `connections` of them open on one session."""
    [(sid, token)] = await server.call("sessions", count=1)
    await server.call("emit_at", sids=[sid], rate=100, seconds=0.1)
    warm = [await server.ws(server.ws_url(sid, token)) for _ in range(20)]
    for socket in warm:
        await socket.recv()
    await asyncio.sleep(1)
    before = server.rss_kib()
    sockets: list[ClientConnection] = []
    for start in range(0, connections, 50):
        batch = await asyncio.gather(
            *(server.ws(server.ws_url(sid, token)) for _ in range(min(50, connections - start)))
        )
        await asyncio.gather(*(s.recv() for s in batch))
        sockets.extend(batch)
    await asyncio.sleep(2)
    after = server.rss_kib()
    await asyncio.gather(*(s.close() for s in [*sockets, *warm]))
    return {
        "before_kib": before,
        "after_kib": after,
        "per_conn_kib": (after - before) / connections,
    }
