"""The fault suite's writer: a process that stores events through the bus, driven over stdin.

``python -m tests.faults.emitter`` with ``DATABASE_URL`` and ``REDIS_URL`` of the suite's own
services. Each command is one JSON line on stdin (``{"id", "cmd", "args"}``), run as a task of
its own; each answer one JSON line on stdout with the command's ``id`` (``result`` or ``error``).
Its stderr (Django's log) is the process log the tests read.

Every live event carries ``data.tag``, ``data.n`` (0, 1, … per session and tag) and ``data.t0``
(its emit time), so a test can say which emitted events the database or a client lacks or holds
twice, and how late each arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402

from streaming import Event, bound_session, emit, flush  # noqa: E402
from streaming.log.models import Session, SessionStatus  # noqa: E402
from streaming.log.store import record_batch  # noqa: E402

#: Live emitters, by session id: their task and how many events each has emitted so far.
LIVE: dict[str, tuple[asyncio.Task[None], list[int]]] = {}
#: How many events of each tag this process has emitted (or preloaded) into each session.
COUNTS: dict[str, dict[str, int]] = {}


def event(sid: str, tag: str, size: int) -> Event:
    """The next event of `tag` in `sid` (`data.n` counts them from 0), of about `size` bytes
    on the wire (`data.pad` makes up the size)."""
    counts = COUNTS.setdefault(sid, {})
    n = counts.get(tag, 0)
    counts[tag] = n + 1
    data = {"tag": tag, "n": n, "t0": time.time(), "pad": "x" * max(0, size - 190)}
    return Event.for_agent("research", "think", f"{tag} {n}", data=data)


async def counts(sid: str) -> dict[str, int]:
    """How many events of each tag were emitted (or preloaded) into `sid` so far."""
    return dict(COUNTS.get(sid, {}))


def _in_thread(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Run the ORM code `function` in a worker thread with a fresh connection, returned after."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            close_old_connections()
            try:
                return function(*args, **kwargs)
            finally:
                connection.close()

        return await asyncio.to_thread(run)

    return call


@_in_thread
def sessions(count: int = 1, status: str = SessionStatus.RUNNING, workflow: str = "") -> list:
    """Create `count` sessions (running by default; a `Run` with `workflow` if one is named);
    return their [id, share token] pairs."""
    owner, _ = get_user_model().objects.get_or_create(username="faults")
    made = Session.objects.bulk_create(
        Session(owner=owner, query="fault suite", workspace="sample", status=status)
        for _ in range(count)
    )
    if workflow:
        from streaming.runs.models import Run

        Run.objects.bulk_create(Run(session=s, workflow=workflow) for s in made)
    return [[str(s.id), s.share_token] for s in made]


@_in_thread
def preload(sid: str, count: int, size: int = 200, tag: str = "pre") -> int:
    """Store `count` events straight through the write path (no bus, no doorbell)."""
    session_id = uuid.UUID(sid)
    for start in range(0, count, 5_000):
        batch = [event(sid, tag, size) for _ in range(start, min(start + 5_000, count))]
        record_batch({session_id: batch})
    return count


async def _emit_at(sid: str, rate: float, size: int, tag: str, sent: list[int], count: int) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    with bound_session(uuid.UUID(sid)):
        while count < 0 or sent[0] < count:
            due = int((loop.time() - start) * rate) + 1
            while sent[0] < due and (count < 0 or sent[0] < count):
                await emit(event(sid, tag, size))
                sent[0] += 1
            await asyncio.sleep(0.002)


async def live(sid: str, rate: float, size: int = 200, tag: str = "live") -> str:
    """Start emitting `rate` events a second into `sid` until `stop`; return at once."""
    sent = [0]
    task = asyncio.create_task(_emit_at(sid, rate, size, tag, sent, -1))
    LIVE[sid] = (task, sent)
    return "started"


async def emitted(sid: str) -> int:
    """How many events the live emitter of `sid` has emitted so far."""
    return LIVE[sid][1][0]


async def stop(sid: str, end: str | None = "completed") -> int:
    """Stop the live emitter of `sid`, then emit the terminal event `end` (stored before this
    answers); return how many live events were emitted."""
    task, sent = LIVE.pop(sid)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if end:
        await finish(sid, end)
    else:
        await flush()
    return sent[0]


async def finish(sid: str, end: str = "completed") -> str:
    """Emit the terminal event `end` into `sid`; return once it is stored."""
    with bound_session(uuid.UUID(sid)):
        await emit(Event.for_session(end, "the fault suite is done"), wait=True)
    return end


async def burst(sid: str, count: int, rate: float, size: int = 200, tag: str = "burst") -> int:
    """Emit `count` events at `rate` a second (stored before this answers); return `count`."""
    sent = [0]
    await _emit_at(sid, rate, size, tag, sent, count)
    await flush()
    return sent[0]


async def wake() -> str:
    """Ring the workers' doorbell (the `agents` channel), as a web process does on launch."""
    from channels.layers import get_channel_layer

    from streaming.runs.doorbell import ring_doorbell

    await ring_doorbell(get_channel_layer())
    return "rung"


COMMANDS: dict[str, Callable[..., Awaitable[Any]]] = {
    "sessions": sessions,
    "preload": preload,
    "live": live,
    "emitted": emitted,
    "counts": counts,
    "stop": stop,
    "finish": finish,
    "burst": burst,
    "wake": wake,
}


def _answer(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _run(command: dict[str, Any]) -> None:
    try:
        result = await COMMANDS[command["cmd"]](**command.get("args", {}))
    except Exception:
        _answer({"id": command["id"], "error": traceback.format_exc()})
    else:
        _answer({"id": command["id"], "result": result})


async def serve() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    running: set[asyncio.Task[None]] = set()
    _answer({"id": 0, "result": "ready"})
    while line := await reader.readline():
        task = asyncio.create_task(_run(json.loads(line)))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running, return_exceptions=True)
    await flush()


if __name__ == "__main__":
    asyncio.run(serve())
