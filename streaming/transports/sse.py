"""Server-Sent Events of docs/protocol.md, as a response the site's views return.

`stream_response` is a `StreamingHttpResponse` over an async generator, which
Django's ASGI handler streams chunk by chunk and cancels when the client goes away (Channels'
`AsyncHttpConsumer` cannot: it stops listening to its channel while it streams). The generator
sends its opening line, rings a `Doorbell` (its own channel in the session's group, which rings
the tail with every group message), then a `SessionTail` replays and follows.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing, suppress

from channels.layers import get_channel_layer
from django.http import HttpRequest, StreamingHttpResponse

from streaming.log import outages
from streaming.log.context import bind_session, reset_session
from streaming.log.follow import (
    Doorbell,
    End,
    Gone,
    Keepalive,
    SessionTail,
    WireEvent,
    parse_cursor,
)
from streaming.log.models import Session
from streaming.transports.conf import conf
from streaming.transports.flow import Flow, flow_of

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
    flow = flow_of(getattr(request, "scope", {}))
    response = StreamingHttpResponse(
        sse_events(session.id, after=after, flow=flow), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def format_events(batch: list[WireEvent]) -> bytes:
    """Return SSE messages for `batch`: ``id``, ``event`` (the event's `t`), ``data``."""
    return "".join(f"id: {w.seq}\nevent: {w.t}\ndata: {w.text}\n\n" for w in batch).encode()


def format_end(end: End) -> bytes:
    return f"event: end\ndata: {json.dumps(end.to_dict())}\n\n".encode()


async def sse_events(
    session_id: uuid.UUID, *, after: int, flow: Flow | None = None
) -> AsyncIterator[bytes]:
    """Yield the SSE body of one session's stream after `after`, until its `end` event.

    Nothing raises out of it once the response has started: a read that fails (the database)
    ends the response, and the client reconnects with ``Last-Event-ID``; a channel layer that
    fails only slows the doorbell (`Doorbell`).
    """
    tail = SessionTail(session_id, after=after)
    doorbell = tail.doorbell = Doorbell(get_channel_layer(), session_id, tail.ring)
    context = bind_session(session_id)
    try:
        yield OPENING  # the headers go out now, whatever the layer and the database do next
        # Join before the tail reads the database: nothing stored from here on is missed.
        await doorbell.open()
        keepalive = conf.SSE_KEEPALIVE_SECONDS
        if flow is not None:
            flow.start()
        async with aclosing(tail.follow(keepalive=keepalive)) as outputs:
            async for output in outputs:
                if isinstance(output, Gone):  # pruned while it was being sent: the
                    break  # client's reconnect is answered 410 gone
                if isinstance(output, Keepalive):
                    chunk = KEEPALIVE_LINE
                elif isinstance(output, End):
                    chunk = format_end(output)
                else:
                    chunk = format_events(output)
                yield chunk
                if flow is not None:  # a slow client: wait while its share is queued
                    await flow.writable()
    except Exception as exc:
        if outages.is_database_error(exc):
            outages.database.failed(exc)
        else:
            logger.error("session %s: the SSE stream failed", session_id, exc_info=exc)
    finally:
        with suppress(ValueError):  # closed from another context (a finaliser): nothing to undo
            reset_session(context)
        await doorbell.close()
        if flow is not None:
            flow.stop()
