"""`manage.py bench_bus`: the bus beside the naive path, on SQLite and on PostgreSQL+Redis."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from streaming.benchmarks import bus
from streaming.benchmarks.databases import scratch_postgres


class Command(BaseCommand):
    help = "Measure events/s and emit cost of the bus beside the naive path (prints a table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=20_000)
        parser.add_argument("--naive-events", type=int, default=2_000)
        parser.add_argument("--backlog", type=int, default=100_000)
        parser.add_argument("--only", choices=["sqlite", "postgres"], default=None)
        parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
        parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["child"]:
            call_command("migrate", verbosity=0)
            figures = asyncio.run(
                bus.run_all(opts["events"], opts["naive_events"], opts["backlog"])
            )
            self.stdout.write(json.dumps(figures))
            return
        rows: dict[str, dict[str, Any]] = {}
        if opts["only"] in (None, "sqlite"):
            with tempfile.TemporaryDirectory() as tmp:
                env = {"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
                rows["SQLite + in-memory"] = self._child(opts, env, drop_redis=True)
        if opts["only"] in (None, "postgres"):
            with scratch_postgres(opts["postgres"], "agentstream_bench_bus") as url:
                env = {"DATABASE_URL": url, "REDIS_URL": opts["redis"]}
                rows["PostgreSQL + Redis"] = self._child(opts, env, drop_redis=False)
        self._print(rows, opts)

    def _child(
        self, opts: dict[str, Any], extra: dict[str, str], drop_redis: bool
    ) -> dict[str, Any]:
        env = {**os.environ, **extra, "AGENTSTREAM_LOG_LEVEL": "ERROR"}
        if drop_redis:
            env.pop("REDIS_URL", None)
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_bus", "--child"]
        argv += ["--events", str(opts["events"]), "--naive-events", str(opts["naive_events"])]
        argv += ["--backlog", str(opts["backlog"])]
        self.stderr.write(f"measuring {extra['DATABASE_URL'].split(':')[0]} ...")
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
        row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return row

    def _print(self, rows: dict[str, dict[str, Any]], opts: dict[str, Any]) -> None:
        w = self.stdout.write
        cpu = f"{platform.machine()}, {os.cpu_count()} cores"
        w(f"machine: {cpu}, Python {platform.python_version()}, {platform.platform()}")
        w(f"bus: {opts['events']} events per run; naive: {opts['naive_events']} events per run\n")
        w(
            "| setup | path | events/s, 1 session | events/s, 100 sessions "
            "| emit median µs | emit p99 µs |"
        )
        w("|---|---|---:|---:|---:|---:|")
        for name, r in rows.items():
            w(
                f"| {name} | bus | {r['bus_1']:,.0f} | {r['bus_100']:,.0f} "
                f"| {r['emit']['median_us']:.1f} | {r['emit']['p99_us']:.1f} |"
            )
            w(
                f"| {name} | naive | {r['naive_1']:,.0f} | {r['naive_100']:,.0f} "
                f"| {r['naive_emit']['median_us']:.1f} | {r['naive_emit']['p99_us']:.1f} |"
            )
        backlog = f"{opts['backlog']:,}"
        w(f"\nlive emits/s while a {backlog}-event session is replayed in pages of 1,000:\n")
        w("| setup | path | alone | during replay | replayed rows/s |")
        w("|---|---|---:|---:|---:|")
        for name, r in rows.items():
            for path in ("bus", "naive"):
                alone, during = r[f"live_{path}_alone"], r[f"live_{path}_replay"]
                w(
                    f"| {name} | {path} | {alone['emit_rate']:,.0f} | {during['emit_rate']:,.0f} "
                    f"| {during['replay_rate']:,.0f} |"
                )
        for name, r in rows.items():
            speedup = r["bus_100"] / r["naive_100"]
            w(f"\n{name}: bus/naive throughput with 100 sessions: {speedup:.0f}x")
