"""The ASGI application the fault suite's daphne processes serve: the project's own
(`project.asgi.application`, untouched), plus one read-only path, ``/__faults__/stats``, that
reports what only the process can see: its asyncio tasks and the stream objects still alive.

RSS, threads and file descriptors come from /proc; Redis subscriptions from Redis. What is left
is inside the interpreter, and a test of "no task outlives its connection" needs it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from typing import Any

from project.asgi import application as project_application
from streaming.transports.flow import Flow

STATS_PATH = "/__faults__/stats"

#: Per-connection objects whose count must return to its starting level after clients go.
TRACKED = ("SessionConsumer", "SessionTail", "Doorbell", "SessionBell")


def stats() -> dict[str, Any]:
    gc.collect()
    alive = dict.fromkeys(TRACKED, 0)
    objects = gc.get_objects()
    for obj in objects:
        name = type(obj).__name__
        if name in alive:
            alive[name] += 1
    return {
        "tasks": len(asyncio.all_tasks()),
        "threads": threading.active_count(),
        "objects": len(objects),  # what the garbage collector tracks: leaks show up here
        # Streams waiting for their client to read what is queued (streaming.transports.flow).
        "paused_flows": sum(isinstance(o, Flow) and o.paused for o in objects),
        **alive,
    }


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == STATS_PATH:
        body = json.dumps(stats()).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await project_application(scope, receive, send)
