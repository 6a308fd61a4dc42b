"""The emitting side of the bus: validate nothing more, stamp the session, queue, wake the writer.

`emit` blocks the agent only when the queue is full (backpressure). One writer thread per
process drains the queue (`streaming.log.bus.writer`) and hands stored batches to the publisher
(`streaming.log.bus.publisher`).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import uuid
from collections import OrderedDict

from streaming.log.bus.publisher import Publisher
from streaming.log.bus.waiters import Item, Waiter
from streaming.log.bus.writer import Writer
from streaming.log.conf import conf
from streaming.log.context import get_session_id
from streaming.log.events import Event
from streaming.log.exceptions import NoSessionBound, SessionClosed

logger = logging.getLogger("streaming.log.bus")

CLOSED_CACHE = 10_000


class EventBus:
    """One per process: a bounded queue, a writer thread and a publisher on the home loop."""

    def __init__(self) -> None:
        self.stats = collections.Counter[str]()
        self.publisher = Publisher(self.stats)
        self._queue: collections.deque[Item] = collections.deque()
        self._cond = threading.Condition()
        self._writer_idle = False
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._closed: OrderedDict[uuid.UUID, None] = OrderedDict()
        self._closed_lock = threading.Lock()

    # -- emitting -----------------------------------------------------------------------------

    async def emit(self, event: Event, *, wait: bool = False) -> Event | None:
        """Queue `event` for the current session; with `wait`, return it once stored."""
        self.publisher.adopt(asyncio.get_running_loop())
        sid = self._session_for(event)
        if sid is None:
            return None
        delay = 0.001
        while self._full():  # backpressure: slow the emitter, never raise at it
            self.stats["backpressure_waits"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        waiter = Waiter(asyncio.get_running_loop()) if wait else None
        self._put(Item(sid, event, waiter))
        return await waiter.wait_async() if waiter is not None else None

    def emit_sync(self, event: Event, *, wait: bool = False) -> Event | None:
        """`emit` for code in threads: blocks only while the queue is full, or with `wait`."""
        _refuse_on_loop("emit_sync", "await emit(...)")
        sid = self._session_for(event)
        if sid is None:
            return None
        with self._cond:
            while self._full():
                self.stats["backpressure_waits"] += 1
                self._cond.wait(0.05)
        waiter = Waiter(None) if wait else None
        self._put(Item(sid, event, waiter))
        return waiter.wait_sync() if waiter is not None else None

    async def flush(self) -> None:
        """Return once every event queued before this call is stored and handed to the layer."""
        self.publisher.adopt(asyncio.get_running_loop())
        if self._thread is None and not self._queue:
            return
        waiter = Waiter(asyncio.get_running_loop())
        self._put(Item(None, None, waiter))
        await waiter.wait_async()

    def flush_sync(self, timeout: float | None = 30.0) -> None:
        """`flush` for code in threads."""
        _refuse_on_loop("flush_sync", "await flush()")
        if self._thread is None and not self._queue:
            return
        waiter = Waiter(None)
        self._put(Item(None, None, waiter))
        waiter.wait_sync(timeout)

    def mark_closed(self, sid: uuid.UUID) -> None:
        """Refuse further emits into `sid` in this process (its terminal event is queued)."""
        with self._closed_lock:
            self._closed[sid] = None
            self._closed.move_to_end(sid)
            while len(self._closed) > CLOSED_CACHE:
                self._closed.popitem(last=False)

    def queued(self) -> int:
        return len(self._queue)

    def _session_for(self, event: Event) -> uuid.UUID | None:
        sid = get_session_id()
        if sid is None:
            if conf.EMIT_WITHOUT_SESSION == "raise":
                raise NoSessionBound("emit() needs a session: use streaming.bound_session(...)")
            logger.warning("emit() with no session bound: dropped %s/%s", event.t, event.phase)
            self.stats["dropped_no_session"] += 1
            return None
        if sid in self._closed:
            raise SessionClosed(f"session {sid} has ended; its events are no longer stored")
        return sid

    def _full(self) -> bool:
        return len(self._queue) >= conf.MAX_QUEUE

    def _put(self, item: Item) -> None:
        self._queue.append(item)  # deque.append is atomic; the lock is only for waking
        if item.event is not None and item.event.is_terminal and item.sid is not None:
            self.mark_closed(item.sid)
        if self._writer_idle:
            with self._cond:
                self._cond.notify()
        if self._thread is None:
            self._start()

    # -- the writer's side of the queue -------------------------------------------------------

    def take(self) -> list[Item] | None:
        """Block until items are queued; return up to a batch of them (None: stop)."""
        with self._cond:
            # Idle is announced before the queue is looked at, so an emitter that appends
            # after the look sees it and wakes us: no lost wake-up.
            self._writer_idle = True
            while not self._queue:
                if self._stopping:
                    self._writer_idle = False
                    return None
                self._cond.wait(1.0)
            self._writer_idle = False
            items: list[Item] = []
            events = 0
            max_batch = conf.MAX_BATCH
            while self._queue and events < max_batch:
                item = self._queue.popleft()
                items.append(item)
                events += item.event is not None
            self._cond.notify_all()  # wake emit_sync callers waiting for room
            return items

    def _start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=Writer(self).run, name="agentstream-bus-writer", daemon=True
            )
            self._thread.start()

    def drain(self, timeout: float = 30.0) -> None:
        """Store everything queued, then stop the writer thread (server shutdown, tests)."""
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        thread.join(timeout)
        if thread.is_alive():
            logger.error("the event bus writer did not drain within %.0fs", timeout)
        self._thread = None


def _refuse_on_loop(name: str, instead: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name}() would block the event loop; use {instead} instead")
