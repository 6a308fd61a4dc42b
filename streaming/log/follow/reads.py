"""The streams' reads: a session's state and its events in pages, on the streams' own threads.

Django's async ORM and `database_sync_to_async` run every query of a process on one shared thread
(outside an HTTP request). A 100,000-event replay there would queue every other connection's query
behind it. Stream reads run instead on a small pool of threads with their own connections
(`run_read`), page by page (`streaming.log.follow.pages`), so replays interleave fairly with each
other and never hold the shared thread; the bus's writer has its own thread too. See
docs/transports.md.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from django.db import close_old_connections
from django.db.models import TextField
from django.db.models.functions import Cast

from streaming.log import outages
from streaming.log.conf import conf
from streaming.log.events import TERMINAL_PHASES, EventType, encode, event_text
from streaming.log.models import ENDED_STATUSES, Event, Session

logger = logging.getLogger(__name__)

T = TypeVar("T")

_TERMINAL = frozenset(p.value for p in TERMINAL_PHASES)
_SESSION = EventType.SESSION.value
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class WireEvent(NamedTuple):
    """One event ready for a transport: its seq, its `t`, and its JSON text.

    `end_status` is the session's final status when this is its terminal event, else None.
    """

    seq: int
    t: str
    end_status: str | None
    text: str


@dataclass(frozen=True, slots=True)
class SessionState:
    """A session's status and last_seq, read together (one row, one snapshot)."""

    status: str
    last_seq: int
    pruned: bool = False  # its events were removed by retention (the row is a tombstone)

    @property
    def ended(self) -> bool:
        return self.status in ENDED_STATUSES


def wire_event(event: dict[str, Any]) -> WireEvent:
    """Return the protocol's event object `event` as a `WireEvent` (compact JSON)."""
    terminal = event["t"] == _SESSION and event["phase"] in _TERMINAL
    return WireEvent(
        seq=event["seq"],
        t=event["t"],
        end_status=event["phase"] if terminal else None,
        text=encode(event),
    )


def reader_pool() -> ThreadPoolExecutor:
    """Return the process's pool of stream-reader threads (made on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=conf.REPLAY_THREADS,
                thread_name_prefix="agentstream-read",
            )
        return _pool


def _in_reader(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    # What Django does around each request: drop a connection that broke or outlived
    # CONN_MAX_AGE (health-checked), so long-lived streams keep a healthy one.
    close_old_connections()
    return fn(*args)


async def run_read(fn: Callable[..., T], /, *args: Any) -> T:
    """Run the sync database read `fn(*args)` on a stream-reader thread and return its result.

    A read that gets through ends a database outage (`streaming.log.outages`: its one INFO);
    a failed one is the caller's to report, since only it knows what the failure means."""
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(reader_pool(), _in_reader, fn, args)
    outages.database.recovered()
    return result


# -- the reads (sync, run on a reader thread) -------------------------------------------------


def read_state(session_id: uuid.UUID) -> SessionState | None:
    """Return the session's state, or None if it does not exist."""
    row = (
        Session.objects.filter(pk=session_id).values_list("status", "last_seq", "pruned_at").first()
    )
    return None if row is None else SessionState(row[0], row[1], pruned=row[2] is not None)


def read_states(session_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SessionState]:
    """Return the states of several sessions, 500 to a query (missing ones are left out)."""
    ids = list(session_ids)
    states = {}
    for start in range(0, len(ids), 500):
        rows = Session.objects.filter(pk__in=ids[start : start + 500]).values_list(
            "id", "status", "last_seq"
        )
        states.update({sid: SessionState(status=s, last_seq=last) for sid, s, last in rows})
    return states


def read_page(session_id: uuid.UUID, after: int, up_to: int, limit: int) -> list[WireEvent]:
    """Return up to `limit` stored events with `after` < seq <= `up_to`, in seq order, encoded."""
    rows = (
        Event.objects.for_session(session_id)
        .after(after)
        .up_to(up_to)
        .annotate(data_json=Cast("data", TextField()))
        .values_list("seq", "ts", "t", "agent", "phase", "msg", "pct", "data_json")[:limit]
    )
    sid = str(session_id)
    return [
        WireEvent(seq, t, phase if t == _SESSION and phase in _TERMINAL else None, text)
        for seq, ts, t, agent, phase, msg, pct, data in rows
        for text in (event_text(sid, seq, ts, t, agent, phase, msg, pct, data),)
    ]


# -- async ------------------------------------------------------------------------------------


async def aread_state(session_id: uuid.UUID) -> SessionState | None:
    """`read_state` on a reader thread."""
    return await run_read(read_state, session_id)
