"""Clients as the documented ones behave: follow a session, reconnect with their last seq.

A `Follower` reads one session over WebSocket or SSE until its ``end``; when its stream closes
(4503, an SSE response that ends without ``end``, a server that vanished) it reconnects with
backoff, to the next live server, from its last seq (``?after=`` / ``Last-Event-ID``). It keeps
every seq it received in order and every way a connection ended, so a failing test can say
what was missing, what came twice and how each stream ended. A stream open and silent past
`SILENCE` seconds is recorded as a violation of "every open stream either delivers or closes"
(PROTOCOL.md: nothing is left open and silent past its keepalive interval, 15 s) and left.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from tests.faults.processes import Daphne

#: Silence on an open stream that counts as hanging: the keepalive interval (15 s) and a margin.
SILENCE = 20.0
#: Close codes after which PROTOCOL.md says a client must not reconnect.
FINAL_CLOSES = {4404, 4400, 4410}


@dataclass
class Ending:
    """How one connection of a follower ended."""

    at: float
    server: str
    how: str  # "close 4503", "http 503", "ended without end", "silent 20 s", "refused: …"

    def __str__(self) -> str:
        return f"{self.at:7.2f}s {self.server}: {self.how}"


@dataclass
class Follower:
    transport: str  # "ws" or "sse"
    servers: list[Daphne]
    sid: str
    token: str
    seqs: list[int] = field(default_factory=list)
    endings: list[Ending] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds from data.t0, when present
    end: dict[str, Any] | None = None
    final_close: int | None = None
    reading: asyncio.Event = field(default_factory=asyncio.Event)  # clear() pauses the reader
    _server: int = 0
    _start: float = field(default_factory=time.monotonic)

    task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.reading.set()

    def start(self) -> asyncio.Task[None]:
        """Start following in a task of its own (once); return the task."""
        if self.task is None:
            self.task = asyncio.create_task(self.run(), name=self.name)
        return self.task

    @property
    def name(self) -> str:
        return f"{self.transport} follower"

    @property
    def last(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    async def run(self) -> None:
        """Follow until ``end`` (or a close that forbids reconnecting)."""
        backoff = 0.1
        while self.end is None and self.final_close is None:
            server = self._pick()
            received = len(self.seqs)
            how = await (self._ws(server) if self.transport == "ws" else self._sse(server))
            if how is None:
                break
            self.endings.append(Ending(time.monotonic() - self._start, server.name, how))
            if self.final_close is not None:
                break
            backoff = 0.1 if len(self.seqs) > received else min(backoff * 2, 2.0)
            await asyncio.sleep(backoff)  # the client's reconnect backoff, not a wait

    def _pick(self) -> Daphne:
        for _ in range(len(self.servers)):
            server = self.servers[self._server % len(self.servers)]
            if server.alive():
                return server
            self._server += 1
        return self.servers[0]

    def _take(self, event: dict[str, Any], now: float) -> None:
        self.seqs.append(event["seq"])
        t0 = (event.get("data") or {}).get("t0")
        if t0 is not None:
            self.latencies.append(now - t0)

    async def _ws(self, server: Daphne) -> str | None:
        url = f"{server.ws}/ws/sessions/{self.sid}/?token={self.token}&after={self.last}"
        try:
            async with connect(
                url, origin=server.http, max_size=None, open_timeout=10, ping_interval=None
            ) as ws:
                while True:
                    await self.reading.wait()
                    try:
                        async with asyncio.timeout(SILENCE):
                            text = await ws.recv()
                    except TimeoutError:
                        return f"silent {SILENCE:g} s"
                    now = time.time()
                    frame = json.loads(text)
                    if frame.get("type") == "end":
                        self.end = frame
                        return None
                    if frame.get("type") == "events":
                        for event in frame["events"]:
                            self._take(event, now)
                    elif "seq" in frame:
                        self._take(frame, now)
                    elif frame.get("type") == "error":
                        at = time.monotonic() - self._start
                        self.endings.append(Ending(at, server.name, f"error frame {frame}"))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
            if code in FINAL_CLOSES:
                self.final_close = code
            return f"close {code}" if code is not None else "dropped without a close frame"
        except InvalidStatus as refused:
            return f"handshake {refused.response.status_code}"
        except (OSError, TimeoutError, WebSocketException) as error:
            return f"refused: {error!r}"[:200]

    async def _sse(self, server: Daphne) -> str | None:
        url = f"{server.http}/api/sessions/{self.sid}/stream/?token={self.token}"
        headers = {"Last-Event-ID": str(self.last)} if self.seqs else {}
        timeout = httpx.Timeout(10, read=SILENCE)
        try:
            async with (
                httpx.AsyncClient(timeout=timeout) as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code != 200:
                    await response.aread()
                    if response.status_code in (404, 400, 410):
                        self.final_close = response.status_code
                    return f"http {response.status_code}"
                message: dict[str, str] = {}
                async for line in response.aiter_lines():
                    if line:
                        key, _, value = line.partition(": ")
                        message[key] = value
                        continue
                    if message.get("event") == "end":
                        self.end = json.loads(message["data"])
                        return None
                    if "id" in message:
                        self._take(json.loads(message["data"]), time.time())
                    message = {}
                    await self.reading.wait()
                return "ended without end"
        except httpx.ReadTimeout:
            return f"silent {SILENCE:g} s"
        except (httpx.HTTPError, OSError) as error:
            return f"refused: {error!r}"[:200]

    def report(self) -> str:
        return (
            f"{self.name}: {len(self.seqs)} seqs (last {self.last}), end={self.end}, "
            f"{seq_problems(self.seqs, None)}; connections ended: "
            + ("; ".join(map(str, self.endings)) or "none")
        )


def ranges(numbers: list[int]) -> str:
    """Compress sorted ints to "1-5, 9, 12-13" (at most 20 runs)."""
    runs: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    shown = ", ".join(runs[:20])
    return shown + (f", … ({len(runs)} runs)" if len(runs) > 20 else "")


def seq_problems(seqs: list[int], last_seq: int | None) -> str:
    """Say what keeps `seqs` from being 1..last_seq, each once, in order ("" if nothing)."""
    seen: dict[int, int] = {}
    for seq in seqs:
        seen[seq] = seen.get(seq, 0) + 1
    top = last_seq if last_seq is not None else max(seqs, default=0)
    missing = [n for n in range(1, top + 1) if n not in seen]
    repeated = sorted(n for n, c in seen.items() if c > 1)
    beyond = sorted(n for n in seen if n > top or n < 1)
    disorder = next((i for i in range(1, len(seqs)) if seqs[i] <= seqs[i - 1]), None)
    problems = []
    if missing:
        problems.append(f"missing {len(missing)}: {ranges(missing)}")
    if repeated:
        problems.append(f"repeated {len(repeated)}: {ranges(repeated)}")
    if beyond:
        problems.append(f"outside 1..{top}: {ranges(beyond)}")
    if disorder is not None and not repeated:
        problems.append(f"out of order at index {disorder}: {seqs[disorder - 1 : disorder + 2]}")
    return "; ".join(problems)


def start_all(followers: list[Follower]) -> list[Follower]:
    """Start following (each follower once); return them."""
    for follower in followers:
        follower.start()
    return followers


async def finish_all(followers: list[Follower], within: float) -> None:
    """Wait up to `within` s for every follower to reach its ``end`` (starting those not yet
    started); fail naming what each received and how each connection ended."""
    tasks = [f.start() for f in followers]
    done, pending = await asyncio.wait(tasks, timeout=within)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()  # a bug in the follower itself
    unfinished = [f for f in followers if f.end is None]
    assert not unfinished, f"not ended within {within:g} s:\n" + "\n".join(
        f.report() for f in followers
    )


async def stop_all(followers: list[Follower]) -> None:
    """Stop following (the test is done with them, ended or not)."""
    tasks = [f.task for f in followers if f.task is not None]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
