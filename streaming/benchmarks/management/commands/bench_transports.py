"""`manage.py bench_transports`: the live transports through real daphne servers and clients.

For SQLite + the in-memory layer and for PostgreSQL + Redis it starts a benchmark server process
(daphne in-process, see `streaming.benchmarks.transport_server`) on a scratch database and
measures, with `websockets` and `httpx` clients on loopback: emit-to-client latency at 1,000
events/s over 100 sessions (WebSocket and SSE), the rate one process delivers to 100 clients of
one session, the time to replay a 100,000-event session to a new client beside the naive replay
(and a live session's emit rate meanwhile), and server memory per idle WebSocket with 1,000 open.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from streaming.benchmarks import transport_clients as bench


class Command(BaseCommand):
    help = "Benchmark the WebSocket and SSE transports through real daphne servers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=["sqlite", "postgres"], default=None)
        parser.add_argument("--rate", type=int, default=1_000, help="events/s for latency")
        parser.add_argument("--seconds", type=float, default=5.0, help="latency run length")
        parser.add_argument("--clients", type=int, default=100, help="fan-out clients")
        parser.add_argument("--fanout-events", type=int, default=10_000)
        parser.add_argument("--backlog", type=int, default=100_000, help="events replayed")
        parser.add_argument("--idle", type=int, default=1_000, help="idle connections")
        parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
        parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
        parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["serve"]:
            from streaming.benchmarks.transport_server import serve

            call_command("migrate", verbosity=0)
            serve(opts["serve"])
            return
        from streaming.benchmarks.databases import scratch_postgres

        rows: dict[str, dict[str, Any]] = {}
        base = {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-transports-" + uuid.uuid4().hex,
            "AGENTSTREAM_LOG_LEVEL": "ERROR",
        }
        with tempfile.TemporaryDirectory() as tmp:
            if opts["only"] in (None, "sqlite"):
                env = {**base, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
                rows["SQLite + in-memory"] = self._measure(opts, env, Path(tmp))
            if opts["only"] in (None, "postgres"):
                with scratch_postgres(opts["postgres"], "agentstream_bench_transports") as url:
                    env = {
                        **base,
                        "DATABASE_URL": url,
                        "REDIS_URL": opts["redis"],
                        "AGENTSTREAM_CHANNEL_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
                    }
                    rows["PostgreSQL + Redis"] = self._measure(opts, env, Path(tmp))
        self._print(rows, opts)

    def _measure(self, opts: dict[str, Any], env: dict[str, str], tmp: Path) -> dict[str, Any]:
        if "REDIS_URL" not in env:
            os.environ.pop("REDIS_URL", None)  # the server inherits this process's environment
        self.stderr.write(f"measuring {env['DATABASE_URL'].split(':')[0]} ...")
        return asyncio.run(self._scenarios(opts, env, tmp))

    async def _scenarios(self, opts: dict[str, Any], env: dict[str, str], tmp: Path) -> dict:
        manage = Path(settings.BASE_DIR) / "manage.py"
        log = tmp / "bench-server.log"
        figures: dict[str, Any] = {}
        server = await bench.BenchServer(manage, env, log).start()
        try:
            for transport in ("ws", "sse"):
                figures[transport] = await bench.latency(
                    server, transport, opts["rate"], opts["seconds"]
                )
            figures["fanout"] = await bench.fanout(server, opts["clients"], opts["fanout_events"])
            figures.update(await bench.replay(server, opts["backlog"]))
        finally:
            await server.stop()
        server = await bench.BenchServer(manage, env, log).start()  # fresh, for memory
        try:
            figures["idle"] = await bench.idle_memory(server, opts["idle"])
        finally:
            await server.stop()
        return figures

    def _print(self, rows: dict[str, dict[str, Any]], opts: dict[str, Any]) -> None:
        w = self.stdout.write
        w(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {platform.platform()}; servers and clients share it\n"
        )
        w(
            f"latency from emit to client, {opts['rate']:,} events/s over 100 sessions "
            f"({opts['seconds']:.0f} s):\n"
        )
        w("| setup | transport | p50 ms | p99 ms | received/sent |")
        w("|---|---|---:|---:|---:|")
        for name, r in rows.items():
            for key, label in (("ws", "WebSocket"), ("sse", "SSE")):
                x = r[key]
                w(
                    f"| {name} | {label} | {x['p50']:.1f} | {x['p99']:.1f} "
                    f"| {x['received']:,}/{x['sent']:,} |"
                )
        w(
            f"\none session, {opts['clients']} WebSocket clients, {opts['fanout_events']:,} events "
            "emitted as fast as the bus takes them:\n"
        )
        w("| setup | events/s to each client | deliveries/s | emitted/s |")
        w("|---|---:|---:|---:|")
        for name, r in rows.items():
            f = r["fanout"]
            per = f["events_per_client_s"]
            w(f"| {name} | {per:,.0f} | {per * opts['clients']:,.0f} | {f['emit_s']:,.0f} |")
        w(
            f"\nreplaying a {opts['backlog']:,}-event session to a new WebSocket client, alone "
            "and while another session emits as fast as it can:\n"
        )
        w(
            "| setup | replay | seconds alone | seconds beside the emitter "
            "| live emits/s alone | live emits/s during the replay "
            "| another client's connect to first frame, max ms (inf: refused) |"
        )
        w("|---|---|---:|---:|---:|---:|---:|")
        for name, r in rows.items():
            for key, label in (("paged", "paged, reader threads"), ("naive", "naive baseline")):
                x = r[key]
                w(
                    f"| {name} | {label} | {x['quiet']:.2f} | {x['seconds']:.2f} "
                    f"| {x['live_alone']:,.0f} | {x['live_during']:,.0f} "
                    f"| {x['probe_max_ms']:,.0f} |"
                )
        w(f"\nserver memory with {opts['idle']:,} idle WebSockets on one running session:\n")
        w("| setup | RSS before MiB | RSS after MiB | KiB per connection |")
        w("|---|---:|---:|---:|")
        for name, r in rows.items():
            m = r["idle"]
            w(
                f"| {name} | {m['before_kib'] / 1024:.1f} | {m['after_kib'] / 1024:.1f} "
                f"| {m['per_conn_kib']:.1f} |"
            )
