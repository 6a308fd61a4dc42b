"""What the streams of one process share, so that many clients of one session cost one.

A hundred clients following one session get the same group messages and, after a bare
doorbell, ask for the same page of the database. Events are immutable once stored, so:
`encode_once` encodes each event's JSON once per process (not once per client), and
`shared_page` lets concurrent (and closely following) readers of the same range share one query.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from typing import Any

from streaming.log.follow.reads import WireEvent, read_page, run_read, wire_event

#: The encodings kept, in bytes of JSON: the streams of a session ring the same message at
#: about the same time, so recent events are all that is asked for twice.
ENCODED_KEPT_BYTES = 4 * 1024 * 1024
PAGES_KEPT = 16

_encoded: OrderedDict[tuple[str, int], WireEvent] = OrderedDict()
_encoded_bytes = 0
_pages: OrderedDict[tuple[uuid.UUID, int, int, int], asyncio.Task[list[WireEvent]]] = OrderedDict()


def encode_once(event: dict[str, Any]) -> WireEvent:
    """Return `wire_event(event)`, reusing the encoding of an event another stream already made."""
    global _encoded_bytes
    key = (event["sid"], event["seq"])
    wire = _encoded.get(key)
    if wire is None:
        wire = _encoded[key] = wire_event(event)
        _encoded_bytes += len(wire.text)
        while _encoded_bytes > ENCODED_KEPT_BYTES and len(_encoded) > 1:
            _encoded_bytes -= len(_encoded.popitem(last=False)[1].text)
    return wire


async def shared_page(session_id: uuid.UUID, after: int, up_to: int, limit: int) -> list[WireEvent]:
    """Return `read_page(...)`, sharing the read with other streams asking for the same range.

    Every seq up to a known last_seq is committed and never changes, so a page read once is
    the answer for everyone who asks for that range.
    """
    key = (session_id, after, up_to, limit)
    loop = asyncio.get_running_loop()
    task = _pages.get(key)
    if task is None or task.get_loop() is not loop or _failed(task):
        task = loop.create_task(run_read(read_page, session_id, after, up_to, limit))
        task.add_done_callback(retrieve)
        _pages[key] = task
        while len(_pages) > PAGES_KEPT:
            _pages.popitem(last=False)
    # Shielded: a reader that goes away must not cancel the read the others wait for.
    return await asyncio.shield(task)


def retrieve(future: asyncio.Future[Any]) -> None:
    """Done callback: mark a failure as seen (each waiter raises it; nobody may be waiting)."""
    if not future.cancelled():
        future.exception()


def _failed(task: asyncio.Task[Any]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)
