"""The server side of `manage.py bench_transports`: daphne in this process, driven over stdin.

The benchmark needs events emitted *inside* the server process (the in-memory layer reaches no
other process, and the inline runner emits there too), so the server runs daphne's `Server`
in-process with the project's ASGI application and executes commands, one JSON object a line
on stdin, on daphne's event loop; each answer is one JSON line on stdout with the command's
`id`. A bench-only route `/bench/naive/<id>/` serves the naive replay of the design notes (one
unpaged query on the shared database thread, one frame per event) as the baseline.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import sync_to_async

if TYPE_CHECKING:
    from channels.routing import URLRouter, _ExtendedURLPattern


def serve(port: int) -> None:
    """Run daphne on 127.0.0.1:`port` and the control loop until stdin closes."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server  # installs Twisted's asyncio reactor: import it first

    application = _application()
    server = Server(
        application=application,
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=port),
        signal_handlers=False,
        verbosity=0,
        ready_callable=lambda: _answer({"id": 0, "ready": True}),
    )
    from twisted.internet import reactor

    loop: asyncio.AbstractEventLoop = reactor._asyncioEventloop
    threading.Thread(target=_read_commands, args=(loop,), daemon=True).start()
    server.run()


def _application() -> Any:
    from channels.auth import AuthMiddlewareStack
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.urls import path

    from project.asgi import django_asgi_app
    from streaming.log.models import Event
    from streaming.site.routing import websocket_urlpatterns

    class NaiveReplay(AsyncWebsocketConsumer):
        """The baseline: all stored events in one query on the shared thread, a frame each."""

        async def connect(self) -> None:
            await self.accept()
            sid = self.scope["url_route"]["kwargs"]["sid"]
            rows = await sync_to_async(
                lambda: [e.to_dict() for e in Event.objects.for_session(sid)]
            )()
            for row in rows:
                await self.send(text_data=json.dumps(row))
            await self.send(text_data=json.dumps({"type": "end", "last_seq": len(rows)}))

    # Cast as in streaming.site.routing: django-stubs' path() takes views, not ASGI apps.
    naive = path("bench/naive/<str:sid>/", NaiveReplay.as_asgi())  # type: ignore[arg-type]
    routes: list[_ExtendedURLPattern | URLRouter] = [
        cast("_ExtendedURLPattern", naive),
        *websocket_urlpatterns,
    ]
    return ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routes))),
        }
    )


_out = threading.Lock()


def _answer(obj: dict[str, Any]) -> None:
    with _out:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def _read_commands(loop: asyncio.AbstractEventLoop) -> None:
    for line in sys.stdin:
        command = json.loads(line)
        future = asyncio.run_coroutine_threadsafe(_run(command), loop)
        future.add_done_callback(functools.partial(_finish, command["id"]))
    loop.call_soon_threadsafe(loop.stop)


def _finish(cid: int, future: Any) -> None:
    try:
        _answer({"id": cid, "result": future.result()})
    except Exception as exc:
        _answer({"id": cid, "error": repr(exc)})


async def _run(command: dict[str, Any]) -> Any:
    handler = COMMANDS[command["cmd"]]
    return await handler(**command.get("args", {}))


# -- commands ---------------------------------------------------------------------------------


def _make_sessions(count: int) -> list[list[str]]:
    from django.contrib.auth import get_user_model

    from streaming.log.models import Session, SessionStatus

    user, _ = get_user_model().objects.get_or_create(username="bench-transports")
    sessions = Session.objects.bulk_create(
        Session(owner=user, query="bench", status=SessionStatus.RUNNING) for _ in range(count)
    )
    return [[str(s.id), s.share_token] for s in sessions]


async def sessions(count: int) -> list[list[str]]:
    """Create `count` running sessions; return [id, share token] pairs."""
    return await asyncio.to_thread(_make_sessions, count)


def _think(n: int, **data: Any) -> Any:
    from streaming import Event

    return Event.for_agent("bench", "think", f"event {n}", data=data)


async def emit_at(sids: list[str], rate: float, seconds: float) -> int:
    """Emit `rate` events a second spread over `sids` for `seconds`; each carries its emit time."""
    from streaming import bound_session, emit, flush

    ids = [uuid.UUID(s) for s in sids]
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while (elapsed := loop.time() - start) < seconds:
        due = int(elapsed * rate) + 1
        while sent < due:
            with bound_session(ids[sent % len(ids)]):
                await emit(_think(sent, t0=time.time()))
            sent += 1
        await asyncio.sleep(0.002)
    await flush()
    return sent


async def blast(sid: str, count: int) -> float:
    """Emit `count` events into one session as fast as the bus takes them; return seconds."""
    from streaming import bound_session, emit, flush

    start = time.perf_counter()
    with bound_session(uuid.UUID(sid)):
        for n in range(count):
            await emit(_think(n))
    await flush()
    return time.perf_counter() - start


def _load(sid: str, count: int) -> None:
    from streaming import Event
    from streaming.log.store import record_batch

    session_id = uuid.UUID(sid)
    for start in range(0, count, 5_000):
        events = [_think(n, i=n) for n in range(start, min(start + 5_000, count))]
        if start + 5_000 >= count:
            events.append(Event.for_session("completed", "done"))
        record_batch({session_id: events})


async def load(sid: str, count: int) -> float:
    """Store `count` events and a terminal one in a session directly; return seconds."""
    start = time.perf_counter()
    await asyncio.to_thread(_load, sid, count)
    return time.perf_counter() - start


async def live_rate(sid: str, seconds: float) -> float:
    """Emit into a live session as fast as it goes for `seconds`; return stored events/s."""
    from streaming import bound_session, emit, flush

    loop = asyncio.get_running_loop()
    start = loop.time()
    count = 0
    with bound_session(uuid.UUID(sid)):
        while loop.time() - start < seconds:
            for _ in range(50):
                await emit(_think(count))
                count += 1
            await asyncio.sleep(0)
    await flush()
    return count / (loop.time() - start)


COMMANDS: dict[str, Callable[..., Awaitable[Any]]] = {
    "sessions": sessions,
    "emit_at": emit_at,
    "blast": blast,
    "load": load,
    "live_rate": live_rate,
}
