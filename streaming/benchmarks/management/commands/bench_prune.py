"""`manage.py bench_prune`: pruning a million events beside a live session.

For each configuration (SQLite; PostgreSQL; PostgreSQL with the events table partitioned by day)
a child process on a scratch database fills `--events` events over `--sessions` sessions that
ended 10 to 40 days ago, measures a live session emitting through the bus (`--rate` emits a
second, each waiting until stored) alone, then again while the old events are pruned:
``prune_sessions --older-than 7`` with and without ``--archive`` in a process of its own, or, on
the partitioned table, by dropping the old partitions. Prints events pruned per second and the
live session's emit-to-stored latency beside its latency with no prune running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from streaming.benchmarks import partitions, prune
from streaming.benchmarks.databases import scratch_postgres
from streaming.log import retention
from streaming.log.models import Event

TARGET_MS = 100


class Command(BaseCommand):
    help = "Prune a million events beside a live session; print events/s and live latency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--sessions", type=int, default=1_000)
        parser.add_argument("--rate", type=float, default=200, help="live emits a second")
        parser.add_argument("--seconds", type=float, default=5, help="live alone, seconds")
        parser.add_argument("--batch-size", type=int, default=retention.DEFAULT_BATCH_SIZE)
        parser.add_argument("--pause", type=float, default=None, help="(prune_sessions' default)")
        parser.add_argument("--only", choices=["sqlite", "postgres", "partitioned"])
        parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
        parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--partitioned", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["child"]:
            call_command("migrate", verbosity=0)
            if opts["partitioned"]:
                partitions.partition_by_day(days_back=45)
            self.stdout.write(json.dumps(asyncio.run(measure(opts))))
            return
        rows: dict[str, dict[str, Any]] = {}
        only = opts["only"]
        if only in (None, "sqlite"):
            with tempfile.TemporaryDirectory() as tmp:
                env = {"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
                rows["SQLite"] = self._child(opts, env)
        for name, partitioned in (("PostgreSQL", False), ("PostgreSQL, by day", True)):
            if only not in (None, "partitioned" if partitioned else "postgres"):
                continue
            with scratch_postgres(opts["postgres"], "agentstream_bench_prune") as url:
                env = {"DATABASE_URL": url, "REDIS_URL": opts["redis"]}
                rows[name] = self._child(opts, env, partitioned=partitioned)
        self._print(rows, opts)

    def _child(
        self, opts: dict[str, Any], extra: dict[str, str], *, partitioned: bool = False
    ) -> dict[str, Any]:
        env = {**os.environ, **extra, "AGENTSTREAM_LOG_LEVEL": "ERROR"}
        if "REDIS_URL" not in extra:
            env.pop("REDIS_URL", None)
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_prune"]
        argv += ["--child", *(["--partitioned"] if partitioned else [])]
        for name in ("events", "sessions", "rate", "seconds", "batch_size", "pause"):
            if opts[name] is not None:
                argv += [f"--{name.replace('_', '-')}", str(opts[name])]
        self.stderr.write(f"measuring {extra['DATABASE_URL'].split(':')[0]} ...")
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"the bench child failed:\n{out.stderr}")
        row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return row

    def _print(self, rows: dict[str, dict[str, Any]], opts: dict[str, Any]) -> None:
        w = self.stdout.write
        pause = "as prune_sessions' default" if opts["pause"] is None else f"{opts['pause']} s"
        w(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {platform.platform()}"
        )
        w(
            f"{opts['events']:,} events in {opts['sessions']:,} ended sessions; live session: "
            f"{opts['rate']:.0f} emits/s, each waiting until stored; batch size "
            f"{opts['batch_size']:,}, pause {pause}\n"
        )
        w(
            "| database | prune | events pruned | seconds | events/s | live emits "
            "| median ms | p99 ms | worst ms |"
        )
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        worst = 0.0
        for database, figures in rows.items():
            for name, r in figures.items():
                pruned = r.get("events")
                cells = (
                    ("—", "—", "—")
                    if pruned is None
                    else (f"{pruned:,}", f"{r['seconds']:.1f}", f"{pruned / r['seconds']:,.0f}")
                )
                w(
                    f"| {database} | {name} | {' | '.join(cells)} | {r['emits']:,} "
                    f"| {r['median_ms']:.1f} | {r['p99_ms']:.1f} | {r['worst_ms']:.1f} |"
                )
                if pruned is not None:
                    worst = max(worst, r["worst_ms"])
        verdict = "met" if worst <= TARGET_MS else "missed"
        w(
            f"\ntarget: no live emit waits over {TARGET_MS} ms during a prune: {verdict} "
            f"(worst {worst:.1f} ms)"
        )


async def measure(opts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The child's measurements: the live session alone, then during each way of pruning."""
    events, sessions = opts["events"], opts["sessions"]
    await sync_to_async(prune.fill)(events, sessions)
    sid = await sync_to_async(prune.live_session)()
    # Warm up: the first emits start the bus's writer and open its connection.
    await prune.live_latencies(sid, rate=opts["rate"], seconds=1)
    alone = await prune.live_latencies(sid, rate=opts["rate"], seconds=opts["seconds"])
    results: dict[str, dict[str, Any]] = {"none (live alone)": prune.summary(alone)}
    batch = ["--batch-size", str(opts["batch_size"])]
    if opts["pause"] is not None:
        batch += ["--pause", str(opts["pause"])]
    with tempfile.TemporaryDirectory() as archive:
        ways: list[tuple[str, list[str] | None]] = (
            [("drop day partitions", None)]
            if opts["partitioned"]
            else [
                ("prune_sessions --archive", ["--archive", archive, *batch]),
                ("prune_sessions", batch),
            ]
        )
        for index, (name, args) in enumerate(ways):
            if index:
                await sync_to_async(prune.fill)(events, sessions)
            filled = await sync_to_async(bench_events)()
            started = time.perf_counter()
            job = asyncio.ensure_future(
                prune.run_prune_command(args) if args is not None else _drop_partitions()
            )
            latencies = await prune.live_latencies(sid, rate=opts["rate"], until=job)
            said = job.result()
            elapsed = said.get("seconds") or time.perf_counter() - started
            left = await sync_to_async(bench_events)()
            results[name] = {
                **prune.summary(latencies),
                "events": filled - left,
                "seconds": elapsed,
            }
    return results


async def _drop_partitions() -> dict[str, float]:
    def drop() -> None:
        try:
            ended_before = retention.cutoff(timedelta(days=prune.OLDER_THAN_DAYS))
            partitions.drop_old_partitions(ended_before)
        finally:
            connection.close()

    await asyncio.to_thread(drop)
    return {}


def bench_events() -> int:
    """Events of the bench's ended sessions (the live one left out)."""
    return Event.objects.filter(session__query=prune.BENCH_QUERY).count()
