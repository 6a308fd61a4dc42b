"""Server-Sent Events of docs/protocol.md, as a response the site's views return.

`stream_response` is a `StreamingHttpResponse` over an async generator, which
Django's ASGI handler streams chunk by chunk and cancels when the client goes away (Channels'
`AsyncHttpConsumer` cannot: it stops listening to its channel while it streams). The generator
joins the session's group on its own channel, then a `SessionTail` replays and follows; a
listener task rings the tail with every group message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing, suppress

from channels.layers import BaseChannelLayer, get_channel_layer
from django.http import HttpRequest, StreamingHttpResponse

from streaming.log.context import bind_session, reset_session
from streaming.log.follow import (
    End,
    Keepalive,
    Membership,
    SessionTail,
    WireEvent,
    parse_cursor,
    release,
)
from streaming.log.groups import EVENTS_MESSAGE, session_group
from streaming.log.models import Session
from streaming.transports.conf import conf

logger = logging.getLogger(__name__)

OPENING = b": agentstream\n\n"  # flushes the headers at once (daphne sends them with a body)
KEEPALIVE_LINE = b": keepalive\n\n"


def stream_response(request: HttpRequest, session: Session) -> StreamingHttpResponse:
    """Return the SSE stream of `session` after the request's cursor: the ``Last-Event-ID``
    header, else ``?after=``, else 0. Raise `BadCursor` for one that is not 0..last_seq."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None:
        raw = request.GET.get("after")
    after = parse_cursor(raw, last_seq=session.last_seq)
    response = StreamingHttpResponse(
        sse_events(session.id, after=after), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def format_events(batch: list[WireEvent]) -> bytes:
    """Return SSE messages for `batch`: ``id``, ``event`` (the event's `t`), ``data``."""
    return "".join(f"id: {w.seq}\nevent: {w.t}\ndata: {w.text}\n\n" for w in batch).encode()


def format_end(end: End) -> bytes:
    return f"event: end\ndata: {json.dumps(end.to_dict())}\n\n".encode()


async def sse_events(session_id: uuid.UUID, *, after: int) -> AsyncIterator[bytes]:
    """Yield the SSE body of one session's stream after `after`, until its `end` event."""
    layer = get_channel_layer()
    assert layer is not None  # the settings always configure one (in memory without Redis)
    channel = await layer.new_channel()
    # Join before the tail reads the database: nothing stored from here on is missed.
    membership = await Membership.join(layer, session_group(session_id), channel)
    tail = SessionTail(session_id, after=after, membership=membership)
    listener = asyncio.create_task(_listen(layer, channel, tail))
    context = bind_session(session_id)
    try:
        yield OPENING
        keepalive = conf.SSE_KEEPALIVE_SECONDS
        async with aclosing(tail.follow(keepalive=keepalive)) as outputs:
            async for output in outputs:
                if isinstance(output, Keepalive):
                    yield KEEPALIVE_LINE
                elif isinstance(output, End):
                    yield format_end(output)
                else:
                    yield format_events(output)
    finally:
        with suppress(ValueError):  # closed from another context (a finaliser): nothing to undo
            reset_session(context)
        listener.cancel()
        with suppress(asyncio.CancelledError):
            await listener
        await membership.leave(layer)
        release(layer, channel)


async def _listen(layer: BaseChannelLayer, channel: str, tail: SessionTail) -> None:
    """Ring `tail` with the channel's group messages until cancelled.

    If the layer fails, stop listening: the stream goes on through the watcher's idle
    rereads (about a second behind) rather than failing the client.
    """
    try:
        while True:
            message = await layer.receive(channel)
            if message.get("type") == EVENTS_MESSAGE:
                tail.ring(message)
    except Exception:
        logger.warning(
            "session %s: the SSE stream stopped listening", tail.session_id, exc_info=True
        )
