"""The WebSocket of docs/protocol.md: ``/ws/sessions/<id>/``.

Thin by design: authorise, ring a `Doorbell` (its own channel in the session's group), then let a
`SessionTail` replay and follow the session while this consumer serialises its output and answers
client frames. It has no consumer-level channel of Channels': a channel layer that is down (Redis)
only slows the doorbell, never the stream. A stream that cannot go on (its database read failed)
closes with 4503 and the client reconnects from its last seq. The origin check and
the login come from the stack around it (project/asgi.py); starting and cancelling runs come from
the `SessionControls` it is routed with (`streaming.site.routing`). A caller without access is
accepted and closed with 4404 (a refused handshake would be a bare 403 that browsers cannot tell
from a network error); a pruned session the caller may read is closed with 4410; a bad
``?after=`` gets an `error` frame and 4400.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from contextlib import aclosing, suppress
from contextvars import Token
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import aclose_old_connections
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch

from streaming.log import outages
from streaming.log.context import bind_session, reset_session
from streaming.log.exceptions import BadCursor
from streaming.log.follow import (
    Doorbell,
    End,
    Gone,
    Output,
    SessionTail,
    aread_state,
    parse_cursor,
    run_read,
)
from streaming.transports import frames
from streaming.transports.access import Access, get_access
from streaming.transports.conf import conf
from streaming.transports.controls import ControlRefused, SessionControls
from streaming.transports.flow import Flow, flow_of

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_GONE = 4410
CLOSE_BAD_REQUEST = 4400
CLOSE_TRY_AGAIN = 4503


class ClientGone(Exception):
    """A send failed: the client went away (its disconnect, an ordinary event, follows)."""


def query_params(scope: Mapping[str, Any]) -> dict[str, str]:
    """Return the first value of each query parameter of the connection's URL."""
    raw = scope.get("query_string", b"").decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}


class SessionConsumer(AsyncWebsocketConsumer):
    """One client following one session over a WebSocket."""

    controls: SessionControls = SessionControls()
    access: Access | None = None
    tail: SessionTail | None = None
    doorbell: Doorbell | None = None
    flow: Flow | None = None  # the server's back-pressure, under daphne
    _follower: asyncio.Task[None] | None = None
    _context: Token[uuid.UUID | None] | None = None

    def __init__(self, *args: Any, controls: SessionControls | None = None, **kwargs: Any) -> None:
        # Channels' consumers take no keyword arguments of their own: ``as_asgi(controls=...)``
        # reaches us here, once per connection.
        super().__init__(*args, **kwargs)
        if controls is not None:
            self.controls = controls

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' consumer loop, without the consumer channel it would make first: that
        needs the layer, and a stream must not (the doorbell joins the group instead)."""
        self.scope = scope
        # No consumer-level channel (channels-stubs type the layer as never None).
        self.channel_layer = None  # type: ignore[assignment]
        self.base_send = send
        try:
            await await_many_dispatch([receive], self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self._stop_following()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch hops to the shared database thread before every message to
        # close stale connections; this consumer reads on the reader threads, so skip it.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        params = query_params(self.scope)
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        try:
            if not outages.database.worth_trying():
                raise outages.Unavailable("the database")
            await self.controls.connected()
            access = await run_read(
                get_access, session_id, self.scope.get("user"), params.get("token")
            )
        except Exception as exc:
            outages.database.failed(exc)
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        outages.database.recovered()
        await self.accept()
        if access is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if access.gone:  # pruned: its history was removed (docs/protocol.md, "Retention")
            await self.close(code=CLOSE_GONE)
            return
        try:
            after = parse_cursor(params.get("after"), last_seq=access.session.last_seq)
        except BadCursor as exc:
            await self.send(text_data=frames.error(exc.code, str(exc)))
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        self.access = access
        self._context = bind_session(access.session.id)  # for everything this socket runs
        # Join before the tail reads the database: nothing stored from here on is missed.
        self.doorbell = Doorbell(get_channel_layer(), access.session.id, self._ring)
        await self.doorbell.open()
        self.flow = flow_of(self.scope)
        if self.flow is not None:
            self.flow.start()
        self._start_following(after)

    async def disconnect(self, code: int) -> None:
        await self._stop_following()

    def _ring(self, message: Mapping[str, Any]) -> None:
        """A batch stored by the bus (group message `stream.events`): hand it to the tail."""
        if self.tail is not None:
            self.tail.ring(message)

    # -- client frames -------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.access is None:
            return  # closing: nothing more is answered
        try:
            frame = frames.read_frame(text_data, bytes_data, max_bytes=conf.WS_MAX_CLIENT_FRAME)
            if frame.type == "ping":
                await self.send(text_data=frames.control("pong"))
            elif frame.type == "cancel":
                await self._cancel()
            else:
                await self._resume(frame.after or 0)
        except frames.BadFrame as exc:
            await self.send(text_data=frames.error(exc.code, exc.detail))
        except Exception as exc:
            await self._cannot_go_on(exc)

    async def _cancel(self) -> None:
        assert self.access is not None
        if not self.access.can_control:
            raise frames.BadFrame("forbidden", "only the owner or staff may cancel a session")
        await aclose_old_connections()
        try:
            await self.controls.cancel(self.access.session.id)
        except ControlRefused as exc:
            raise frames.BadFrame(exc.code, exc.detail) from exc

    async def _resume(self, after: int) -> None:
        assert self.access is not None
        state = await aread_state(self.access.session.id)
        try:
            after = parse_cursor(after, last_seq=state.last_seq if state else 0)
        except BadCursor as exc:
            raise frames.BadFrame(exc.code, str(exc)) from exc
        await self._stop_follower()
        self._start_following(after)

    # -- sending -------------------------------------------------------------------------------

    def _start_following(self, after: int) -> None:
        assert self.access is not None
        self.tail = SessionTail(self.access.session.id, after=after, doorbell=self.doorbell)
        self._follower = asyncio.create_task(self._follow(self.tail))

    async def _follow(self, tail: SessionTail) -> None:
        try:
            async with aclosing(tail.follow()) as outputs:
                async for output in outputs:
                    if isinstance(output, Gone):  # pruned while it was being sent
                        await self.close(code=CLOSE_GONE)
                        return
                    await self._send_output(output)
                    del output  # an idle socket keeps no copy of what it sent last
            if tail.ended is None:  # the session was deleted under us
                await self.close(code=CLOSE_NOT_FOUND)
        except asyncio.CancelledError:
            raise
        except ClientGone:
            return  # nothing to log: the disconnect cleans up
        except Exception as exc:
            await self._cannot_go_on(exc)

    async def _cannot_go_on(self, exc: BaseException) -> None:
        """Close with 4503: the client reconnects with backoff from its last seq."""
        if outages.is_database_error(exc):
            outages.database.failed(exc)
        else:
            logger.error("session %s: the WebSocket stream failed", self._sid(), exc_info=exc)
        with suppress(Exception):  # the client may be gone already
            await self.close(code=CLOSE_TRY_AGAIN)

    def _sid(self) -> str:
        return str(self.access.session.id) if self.access is not None else "?"

    async def _send_output(self, output: Output) -> None:
        if isinstance(output, End):
            await self._send(frames.control("end", **output.to_dict()))
        elif isinstance(output, list):
            batch_bytes = conf.WS_BATCH_BYTES
            for frame in frames.event_frames(output, max_bytes=batch_bytes):
                await self._send(frame)
                if self.flow is not None:  # a slow client: wait while its share is queued
                    await self.flow.writable()

    async def _send(self, text: str) -> None:
        try:
            await self.send(text_data=text)
        except Exception as exc:  # daphne's protocol is closed (autobahn's Disconnected)
            raise ClientGone from exc

    async def _stop_follower(self) -> None:
        task, self._follower = self._follower, None
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _stop_following(self) -> None:
        """Stop the stream and give back all it holds (idempotent; never raises)."""
        await self._stop_follower()
        doorbell, self.doorbell = self.doorbell, None
        if doorbell is not None:
            await doorbell.close()
        flow, self.flow = self.flow, None
        if flow is not None:
            flow.stop()
        if self._context is not None:
            with suppress(ValueError):  # reset from another context: nothing to undo
                reset_session(self._context)
        self.tail = self.access = self._context = None
