"""Measure retention: a million stored events pruned beside a live session (`bench_prune`).

Runs inside a process whose settings point at the database to measure (the command starts one
child per database). The live session emits through the bus at a steady rate and each emit waits
until its event is stored, so its latency is emit-to-stored; the prune runs as operators run it,
in a process of its own (`manage.py prune_sessions`), or, for the partitioned variant, as
`DROP TABLE` of old partitions from a thread (server-side work only).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from streaming.log.bus import emit
from streaming.log.context import bound_session
from streaming.log.events import Event
from streaming.log.models import Session, SessionStatus

BENCH_USER = "bench-prune"
BENCH_QUERY = "bench prune"  # the ended sessions; the live one is "bench live"
OLDER_THAN_DAYS = 7
_SUMMARY = re.compile(r"\(([\d,]+) events?\) in ([\d.]+) s")


def _owner() -> Any:
    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    return user


def fill(events: int, sessions: int) -> int:
    """Replace the bench's sessions by `sessions` sessions that ended 10 to 40 days ago, holding
    `events` events in all, generated inside the database; return the number of events."""
    owner = _owner()
    per_session = max(2, events // sessions)
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM streaming_event WHERE session_id IN "
                "(SELECT id FROM streaming_session WHERE owner_id = %s AND query = %s)",
                [owner.pk, BENCH_QUERY],
            )
        Session.objects.filter(owner=owner, query=BENCH_QUERY).delete()
        created = Session.objects.bulk_create(
            Session(owner=owner, query=BENCH_QUERY, status=SessionStatus.COMPLETED)
            for _ in range(sessions)
        )
        for i, session in enumerate(created):
            ended = now - timedelta(days=10 + 30 * i / sessions)
            Session.objects.filter(pk=session.pk).update(
                created_at=ended - timedelta(hours=1),
                started_at=ended - timedelta(hours=1),
                ended_at=ended,
                last_seq=per_session,
            )
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(), [per_session, owner.pk, BENCH_QUERY])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return per_session * sessions


def _fill_sql() -> str:
    """The INSERT … SELECT of every bench event: seq 1 `started`, the last `completed`; its
    parameters are the events per session and the bench user's id."""
    columns = "session_id, seq, ts, t, agent, phase, msg, pct, data"
    edge = "n = 1 OR n = s.last_seq"
    t = f"CASE WHEN {edge} THEN 'session_event' ELSE 'agent_event' END"
    agent = f"CASE WHEN {edge} THEN NULL ELSE 'bench' END"
    phase = (
        "CASE WHEN n = 1 THEN 'started' WHEN n = s.last_seq THEN 'completed' ELSE 'progress' END"
    )
    fields = f"{t}, {agent}, {phase}, 'item ' || n || ' of module_' || (n %% 300) || '.py', "
    fields += "(n %% 100) / 100.0"
    if connection.vendor == "postgresql":
        return (
            f"INSERT INTO streaming_event ({columns}) "  # noqa: S608 fixed text only
            "SELECT s.id, n, s.ended_at - (s.last_seq - n) * interval '10 milliseconds', "
            f"{fields}, json_build_object('n', n, 'module', 'module_' || (n %% 300)) "
            "FROM streaming_session s CROSS JOIN generate_series(1, %s) AS g(n) "
            "WHERE s.owner_id = %s AND s.query = %s"
        )
    return (
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "  # noqa: S608
        f"INSERT INTO streaming_event ({columns}) "
        "SELECT s.id, n, strftime('%%Y-%%m-%%d %%H:%%M:%%f', s.ended_at, "
        f"'-' || ((s.last_seq - n) * 0.01) || ' seconds'), {fields}, "
        "json_object('n', n, 'module', 'module_' || (n %% 300)) "
        "FROM streaming_session s CROSS JOIN g WHERE s.owner_id = %s AND s.query = %s"
    )


def live_session() -> uuid.UUID:
    """Return a new running session of the bench user (the live one)."""
    session = Session.objects.create(owner=_owner(), query="bench live", status="running")
    return session.id


async def live_latencies(
    sid: uuid.UUID, *, rate: float, seconds: float | None = None, until: Any = None
) -> list[float]:
    """Emit into `sid` `rate` times a second, each emit its own task waiting for its event to be
    stored, for `seconds` or until the awaitable `until` is done; return the latencies in ms."""
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []
    stop = asyncio.ensure_future(until if until is not None else asyncio.sleep(seconds or 0))

    async def one(i: int) -> None:
        started = time.perf_counter()
        await emit(Event.for_agent("bench", "progress", f"live {i}"), wait=True)
        latencies.append((time.perf_counter() - started) * 1000)

    loop = asyncio.get_running_loop()
    tick = loop.time()
    with bound_session(sid):
        i = 0
        while not stop.done():
            tasks.append(asyncio.create_task(one(i)))
            i += 1
            tick += 1 / rate
            await asyncio.sleep(max(0.0, tick - loop.time()))
    await asyncio.gather(*tasks)  # an emit that failed raises here
    await stop
    return latencies


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "emits": len(ordered),
        "median_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "worst_ms": ordered[-1],
    }


async def run_prune_command(args: list[str]) -> dict[str, float]:
    """Run ``manage.py prune_sessions --older-than 7 <args>`` in a process of its own; return
    the events it pruned and the seconds it says it took."""
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    argv = [sys.executable, manage, "prune_sessions", "--older-than", str(OLDER_THAN_DAYS), *args]
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"prune_sessions failed: {err.decode()}")
    found = _SUMMARY.search(out.decode())
    if found is None:
        raise RuntimeError(f"prune_sessions said: {out.decode()}")
    return {"events": int(found[1].replace(",", "")), "seconds": float(found[2])}
