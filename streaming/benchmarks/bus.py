"""Measure the event bus against the naive path of the design notes, in one process.

Run inside a process whose settings already point at the database and layer to measure (the
`bench_bus` command starts one such child per configuration). Returns plain dicts of figures.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from streaming.log.bus import emit, flush, get_bus, reset_bus
from streaming.log.context import bound_session
from streaming.log.events import Event
from streaming.log.groups import session_group
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.log.store import record_events


def _event(i: int) -> Event:
    return Event.for_agent("research", "progress", f"file {i}", pct=(i % 100) / 100, data={"i": i})


def _create_sessions(count: int) -> list[uuid.UUID]:
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    return [Session.objects.create(owner=owner, query="bench").id for _ in range(count)]


_sessions = sync_to_async(_create_sessions)


async def bus_throughput(events: int, sessions: int) -> float:
    """Return events/s stored and published when `sessions` tasks emit `events` in all."""
    sids = await _sessions(sessions)
    per_session = events // sessions

    async def agent(sid: uuid.UUID) -> None:
        with bound_session(sid):
            for i in range(per_session):
                await emit(_event(i))
                if i % 50 == 0:
                    await asyncio.sleep(0)  # an agent does other work between emits

    started = time.perf_counter()
    await asyncio.gather(*(agent(sid) for sid in sids))
    await flush()
    return per_session * sessions / (time.perf_counter() - started)


async def emit_cost(events: int) -> dict[str, float]:
    """Return the median and p99 cost of one `await emit(...)` to the agent, in µs."""
    (sid,) = await _sessions(1)
    costs: list[float] = []
    with bound_session(sid):
        for i in range(events):
            before = time.perf_counter_ns()
            await emit(_event(i))
            costs.append((time.perf_counter_ns() - before) / 1000)
            if i % 200 == 0:
                await asyncio.sleep(0)
    await flush()
    return _percentiles(costs)


async def naive_throughput(events: int, sessions: int) -> tuple[float, dict[str, float]]:
    """The design notes' path: one INSERT and one group_send per event, awaited in line."""
    sids = await _sessions(sessions)
    per_session = events // sessions
    layer = get_channel_layer()
    assert layer is not None  # this benchmark measures publishing through the layer
    insert = sync_to_async(record_events)
    costs: list[float] = []

    async def agent(sid: uuid.UUID) -> None:
        for i in range(per_session):
            before = time.perf_counter_ns()
            (stored,) = await insert(session_id=sid, events=[_event(i)])
            message = {"type": "stream.events", "events": [stored.to_dict()]}
            await layer.group_send(session_group(sid), message)
            costs.append((time.perf_counter_ns() - before) / 1000)

    started = time.perf_counter()
    await asyncio.gather(*(agent(sid) for sid in sids))
    rate = per_session * sessions / (time.perf_counter() - started)
    return rate, _percentiles(costs)


@sync_to_async
def _backlog(events: int) -> uuid.UUID:
    (sid,) = _create_sessions(1)
    batch = [_event(i) for i in range(1000)]
    for _ in range(events // 1000):
        record_events(session_id=sid, events=batch)
    return sid


async def emit_rate_during_replay(
    replay_sid: uuid.UUID, seconds: float, *, naive: bool, replaying: bool
) -> dict[str, float]:
    """Emit into a live session for `seconds`, while (`replaying`) a client reads the
    `replay_sid` backlog in pages of 1,000 through the process's shared database thread."""
    (live_sid,) = await _sessions(1)
    insert = sync_to_async(record_events)
    stop = asyncio.Event()
    replayed = 0

    @sync_to_async
    def page(after: int) -> list[dict[str, Any]]:
        rows = Row.objects.for_session(replay_sid).after(after)[:1000]
        return [row.to_dict() for row in rows]

    async def replay() -> None:
        nonlocal replayed
        after = 0
        while not stop.is_set():
            rows = await page(after)
            if not rows:
                after = 0  # read it again: the replay keeps the thread busy all along
                continue
            replayed += len(rows)
            after = rows[-1]["seq"]

    async def live() -> int:
        sent = 0
        with bound_session(live_sid):
            while not stop.is_set():
                if naive:
                    await insert(session_id=live_sid, events=[_event(sent)])
                else:
                    await emit(_event(sent))
                    if sent % 50 == 0:
                        await asyncio.sleep(0)
                sent += 1
        await flush()
        return sent

    started = time.perf_counter()
    reader = asyncio.create_task(replay()) if replaying else None
    writer = asyncio.create_task(live())
    await asyncio.sleep(seconds)
    stop.set()
    sent = await writer
    if reader is not None:
        await reader
    elapsed = time.perf_counter() - started
    return {"emit_rate": sent / elapsed, "replay_rate": replayed / elapsed}


def _percentiles(costs: list[float]) -> dict[str, float]:
    ordered = sorted(costs)
    return {
        "median_us": statistics.median(ordered),
        "p99_us": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    }


async def run_all(events: int, naive_events: int, backlog: int) -> dict[str, Any]:
    """Run every measurement once and return the figures."""
    reset_bus()
    results: dict[str, Any] = {
        "bus_1": await bus_throughput(events, 1),
        "bus_100": await bus_throughput(events, 100),
        "emit": await emit_cost(events),
    }
    results["naive_1"], results["naive_emit"] = await naive_throughput(naive_events, 1)
    results["naive_100"], _ = await naive_throughput(naive_events, 100)
    replay_sid = await _backlog(backlog)
    for name, naive in (("bus", False), ("naive", True)):
        for replaying in (False, True):
            key = f"live_{name}_{'replay' if replaying else 'alone'}"
            results[key] = await emit_rate_during_replay(
                replay_sid, 3.0, naive=naive, replaying=replaying
            )
    results["batches"] = get_bus().stats["batches"]
    results["stored"] = get_bus().stats["stored"]
    return results
