"""Helpers of the read path's tests: sessions only the database knows of, tails followed."""

from __future__ import annotations

import uuid
from contextlib import aclosing

from asgiref.sync import sync_to_async

from streaming import Event
from streaming.log.follow import KEEPALIVE, End, SessionTail
from streaming.log.groups import EVENTS_MESSAGE
from streaming.log.models import Session
from tests.conftest import make_session, make_user
from tests.streaming.conftest import think


@sync_to_async
def new_session(**fields) -> Session:
    return make_session(make_user(f"u{uuid.uuid4().hex[:8]}"), **fields)


async def collect(tail: SessionTail, **kwargs) -> tuple[list[list[int]], End]:
    """Follow `tail` to its end; return the seqs of each yielded batch and the End."""
    batches: list[list[int]] = []
    async with aclosing(tail.follow(**kwargs)) as outputs:
        async for output in outputs:
            if isinstance(output, End):
                return batches, output
            if output is not KEEPALIVE:
                batches.append([w.seq for w in output])
    raise AssertionError("follow() stopped without End")


def message(session_id: uuid.UUID, events: list[dict], last_seq: int) -> dict:
    return {"type": EVENTS_MESSAGE, "sid": str(session_id), "last_seq": last_seq, "events": events}


def event_dict(session_id: uuid.UUID, seq: int, *, terminal: bool = False) -> dict:
    value = Event.for_session("completed", "done") if terminal else think(seq)
    return value.stored(sid=session_id, seq=seq).to_dict()
