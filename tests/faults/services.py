"""The fault suite's own Redis and PostgreSQL, on spare loopback ports, that tests may break.

The machine's own services are shared with other runs and other suites, so nothing here touches
them: Redis is a `redis-server` child process (killed and restarted on the same port), and
PostgreSQL a throwaway cluster made with the installed binaries (stopped and started on the same
port and data folder). PostgreSQL refuses to run as root, so as root its commands run as the
`postgres` user through `runuser`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg
import redis

from streaming.testing import eventually_sync

#: How long a service may take to answer after (re)starting: a deadline on a shared machine.
START_WITHIN = 30.0


def free_port() -> int:
    """Return a loopback TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: a child the suite started is killed if the test process dies without
    # its finalisers (SIGKILL, a crash), so no server outlives the run.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def spawn(argv: Sequence[str], *, log: Path, env: dict[str, str] | None = None, **kwargs):
    """Start `argv` with stdout and stderr appended to `log`; it dies with the test process."""
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_die_with_parent,
            **kwargs,
        )


def reap(process: subprocess.Popen, *, within: float = 10.0) -> None:
    """Kill `process` (SIGKILL) if it still runs and wait for it."""
    if process.poll() is None:
        process.kill()
    process.wait(within)


class RedisServer:
    """A `redis-server` without persistence on a spare port, as a child process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=2)

    def start(self) -> None:
        """Start it (again, on the same port) and return once it answers PING."""
        if self.running():
            return
        self.process = spawn(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                *("--dir", str(self.folder), "--maxclients", "10000"),
            ],
            log=self.log,
        )
        eventually_sync(self._answers, within=START_WITHIN, what=f"redis on port {self.port}")

    def _answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, f"redis exited: {self.log.read_text()[-2000:]}"
        with self.client() as client:
            try:
                return bool(client.ping())
            except redis.RedisError as error:
                raise AssertionError(repr(error)) from error

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: every connection drops at once, nothing answers until `start()`."""
        if self.process is not None:
            reap(self.process)
            self.process = None

    def channels(self) -> list[str]:
        """The pub/sub channels with at least one subscriber (`PUBSUB CHANNELS *`)."""
        with self.client() as client:
            return sorted(name.decode() for name in client.pubsub_channels("*"))

    def subscriptions(self) -> int:
        """Subscriptions over all channels (the sum of `PUBSUB NUMSUB` of each)."""
        names = self.channels()
        if not names:
            return 0
        with self.client() as client:
            return sum(int(count) for _, count in client.pubsub_numsub(*names))


class PostgresCluster:
    """A throwaway PostgreSQL cluster with trust authentication on a spare port."""

    def __init__(self) -> None:
        found = postgres_bin()
        if found is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) are installed")
        self.bin = found
        self.as_root = os.geteuid() == 0
        # Not under pytest's tmp folder: that is private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="agentstream-faults-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> None:
        self._run(
            *("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres"),
            *("-E", "UTF8", "--no-sync", "--no-instructions"),
        )

    def start(self) -> None:
        """Start on the cluster's port and data folder and return once it takes connections."""
        options = " ".join(
            (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}",
                # Throwaway data: durability costs time and proves nothing here.
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=400 -c shared_buffers=128MB",
            )
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        eventually_sync(self._answers, within=START_WITHIN, what=f"postgres on {self.port}")

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.OperationalError as error:
            raise AssertionError(repr(error)) from error

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m fast`: sessions are ended, new connections refused until `start()`."""
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        """Stop the server (immediately) and remove the cluster's folder."""
        try:
            if self.data.exists():
                self.stop(mode="immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bin() -> Path | None:
    """The folder of the installed PostgreSQL server binaries (the newest), or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: [int(n) for n in path.parts[-3].split(".") if n.isdigit()],
        reverse=True,
    )
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None
