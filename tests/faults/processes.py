"""The suite's own processes, seen from the test: daphne servers, the emitter, a runworker.

Each writes its log to a file of its own; `ProcessLog` reads the records written since a mark,
so a test can count the WARNING and ERROR lines of one fault. `Usage` reads what a process holds
(RSS, file descriptors, threads) from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from streaming.testing import eventually
from tests.faults.probe import STATS_PATH
from tests.faults.services import free_port, reap, spawn

ROOT = Path(__file__).resolve().parents[2]

#: One record of the project's log format: "%(asctime)s %(levelname)s %(name)s %(message)s".
RECORD = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) (?P<logger>\S+) (?P<msg>.*)$"
)


@dataclass(frozen=True)
class Record:
    level: str
    logger: str
    text: str  # the message and any traceback lines after it

    def __str__(self) -> str:
        """The record's first line and, for a traceback, its last (the exception)."""
        lines = self.text.splitlines() or [""]
        last = f" … {lines[-1].strip()[:200]}" if len(lines) > 1 else ""
        return f"{self.level} {self.logger} {lines[0][:300]}{last}"


class ProcessLog:
    """A process's log file, read from a mark on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def text(self, since: int = 0) -> str:
        with open(self.path, "rb") as f:
            f.seek(since)
            return f.read().decode(errors="replace")

    def records(self, since: int = 0) -> list[Record]:
        """The log records written since `since`; lines that are no record (tracebacks,
        output of other libraries) belong to the record before them."""
        found: list[Record] = []
        for line in self.text(since).splitlines():
            match = RECORD.match(line)
            if match:
                found.append(Record(match["level"], match["logger"], match["msg"]))
            elif found:
                last = found[-1]
                found[-1] = Record(last.level, last.logger, f"{last.text}\n{line}")
        return found

    def at(self, levels: set[str], since: int = 0) -> list[Record]:
        return [r for r in self.records(since) if r.level in levels]

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.path} (last {chars} chars) ---\n{self.text()[-chars:]}"


@dataclass(frozen=True)
class Usage:
    """What a process holds, from /proc: resident memory, open descriptors, threads."""

    rss_kib: int
    fds: int
    threads: int

    @classmethod
    def of(cls, pid: int) -> Usage:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        return cls(
            rss_kib=int(status["VmRSS"].split()[0]),
            fds=len(list(Path(f"/proc/{pid}/fd").iterdir())),
            threads=int(status["Threads"]),
        )

    @staticmethod
    def connections(pid: int, port: int) -> int:
        """TCP connections of `pid` accepted on `port` (its clients, open or half-closed).

        /proc/<pid>/net/tcp lists the namespace's sockets: the process's own are those with
        `port` as their local port and an inode (TIME_WAIT leftovers have none); listeners
        (state 0A) are not connections.
        """
        count = 0
        for table in ("tcp", "tcp6"):
            path = Path(f"/proc/{pid}/net/{table}")
            if not path.exists():
                continue
            for line in path.read_text().splitlines()[1:]:
                parts = line.split()
                local_port = int(parts[1].rsplit(":", 1)[1], 16)
                if local_port == port and parts[3] != "0A" and parts[9] != "0":
                    count += 1
        return count

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024

    def __str__(self) -> str:
        return f"RSS {self.rss_mib:.1f} MiB, {self.fds} fds, {self.threads} threads"


class Daphne:
    """A real ``daphne`` process serving the project (through `tests.faults.probe`)."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log = ProcessLog(folder / f"daphne-{name}.log")
        self.process = spawn(
            [
                *(sys.executable, "-m", "daphne", "-v", "1"),
                *("--access-log", str(folder / f"daphne-{name}.access.log")),
                *("-b", "127.0.0.1", "-p", str(self.port), "tests.faults.probe:application"),
            ],
            log=self.log.path,
            env=env,
            cwd=ROOT,
        )

    def __repr__(self) -> str:
        return f"<daphne {self.name} :{self.port}>"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    async def ready(self, within: float = 60) -> Daphne:
        """Return once the server answers HTTP (any status: /healthz may say 503)."""

        async def answers() -> bool:
            assert self.alive(), f"daphne {self.name} exited\n{self.log.tail()}"
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    await client.get(f"{self.http}{STATS_PATH}")
            except httpx.HTTPError as error:
                raise AssertionError(f"no answer yet: {error!r}") from error
            return True

        await eventually(answers, within=within, interval=0.1, what=f"{self!r} to answer")
        return self

    def usage(self) -> Usage:
        return Usage.of(self.pid)

    async def stats(self) -> dict[str, int]:
        """Tasks, threads and live stream objects inside the process (`tests.faults.probe`)."""
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.get(f"{self.http}{STATS_PATH}")
            response.raise_for_status()
            return dict(response.json())

    def kill(self) -> None:
        """SIGKILL: no shutdown, no close frame; the clients see their connections drop."""
        reap(self.process)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        reap(self.process)


class Worker:
    """``manage.py runworker agents``: runs workflows claimed from the database queue."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.log = ProcessLog(folder / "runworker.log")
        self.process = spawn(
            [sys.executable, "manage.py", "runworker", "agents"],
            log=self.log.path,
            env=env,
            cwd=ROOT,
        )

    def kill(self) -> None:
        reap(self.process)


class Emitter:
    """The emitter process (`tests.faults.emitter`) and its command channel."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.log = ProcessLog(folder / "emitter.log")
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}

    async def start(self, within: float = 60) -> Emitter:
        self._log_file = self.log.path.open("ab")  # closed in stop()
        self.process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "tests.faults.emitter"),
            env=self.env,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log_file,
            limit=2**24,
        )
        ready = asyncio.get_running_loop().create_future()
        self._waiting[0] = ready
        self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(ready, within)
        except TimeoutError as error:
            raise AssertionError(f"the emitter did not start\n{self.log.tail()}") from error
        return self

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            answer = json.loads(line)
            future = self._waiting.pop(answer["id"], None)
            if future is None or future.done():
                continue
            if "error" in answer:
                future.set_exception(AssertionError(f"the emitter failed:\n{answer['error']}"))
            else:
                future.set_result(answer["result"])
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(AssertionError(f"the emitter died\n{self.log.tail()}"))

    async def call(self, cmd: str, *, within: float = 120, **args: Any) -> Any:
        """Run `cmd` in the emitter; return its result (AssertionError past `within` s)."""
        cid = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[cid] = future
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"id": cid, "cmd": cmd, "args": args}).encode() + b"\n")
        await self.process.stdin.drain()
        try:
            return await asyncio.wait_for(future, within)
        except TimeoutError as error:
            raise AssertionError(
                f"emitter `{cmd}` took over {within} s\n{self.log.tail()}"
            ) from error

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        self._log_file.close()
