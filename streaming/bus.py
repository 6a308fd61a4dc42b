"""The event bus: agents emit, a writer thread stores in batches, then the group is told.

`emit` validates, stamps the current session and queues; it blocks the agent only when the queue
is full (backpressure). One writer thread per process, with its own database connection, drains
the queue: everything that queued while the previous write was in flight goes into one
transaction (`streaming.store.record_batch`) and, once committed, one group message per session
goes out on the server's event loop. Store first, publish second: the database is the source of
truth and the channel layer only the doorbell. See docs/bus.md.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from channels.layers import get_channel_layer
from django.core.signals import setting_changed
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.dispatch import receiver

from streaming.conf import app_settings
from streaming.context import get_session_id
from streaming.events import Event, Phase
from streaming.exceptions import NoSessionBound, SessionClosed
from streaming.groups import EVENTS_MESSAGE, session_group

logger = logging.getLogger(__name__)

_CLOSED_CACHE = 10_000
_PUBLISH_TIMEOUT = 10.0
_MAX_BACKOFF = 5.0
_ATTEMPTS_BEFORE_SPLIT = 5


class _Waiter:
    """Resolved once everything queued before it is stored (and handed to the layer)."""

    __slots__ = ("_done", "_error", "_future", "_loop", "_result")

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self._loop = loop
        self._future: asyncio.Future[Event | None] | None = (
            loop.create_future() if loop is not None else None
        )
        self._done = threading.Event()
        self._result: Event | None = None
        self._error: BaseException | None = None

    def resolve(self, result: Event | None = None, error: BaseException | None = None) -> None:
        self._result, self._error = result, error
        self._done.set()
        if self._future is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._settle_future)

    def _settle_future(self) -> None:
        if self._future is None or self._future.done():
            return
        if self._error is not None:
            self._future.set_exception(self._error)
        else:
            self._future.set_result(self._result)

    async def wait_async(self) -> Event | None:
        assert self._future is not None
        return await self._future

    def wait_sync(self, timeout: float | None = None) -> Event | None:
        if not self._done.wait(timeout):
            raise TimeoutError("the event bus did not store the events in time")
        if self._error is not None:
            raise self._error
        return self._result


@dataclass(slots=True)
class _Item:
    sid: uuid.UUID | None
    event: Event | None
    waiter: _Waiter | None


class EventBus:
    """One per process: a bounded queue, a writer thread and a publisher on the home loop."""

    def __init__(self) -> None:
        self._queue: collections.deque[_Item] = collections.deque()
        self._cond = threading.Condition()
        self._writer_idle = False
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._closed: OrderedDict[uuid.UUID, None] = OrderedDict()
        self._closed_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._publish_lock: asyncio.Lock | None = None
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._inflight = threading.BoundedSemaphore(8)
        self.stats = collections.Counter[str]()
        self.reload_settings()

    def reload_settings(self) -> None:
        """Read the bus's settings (again: tests change them with override_settings)."""
        self.max_queue: int = app_settings.MAX_QUEUE
        self.max_batch: int = app_settings.MAX_BATCH
        self.max_publish_events: int = app_settings.MAX_PUBLISH_EVENTS
        self.raise_without_session = app_settings.EMIT_WITHOUT_SESSION == "raise"

    # -- the emitting side --------------------------------------------------------------------

    def _prepare(self, event: Event) -> uuid.UUID | None:
        sid = get_session_id()
        if sid is None:
            if self.raise_without_session:
                raise NoSessionBound("emit() needs a session: use streaming.bound_session(...)")
            logger.warning("emit() with no session bound: dropped %s/%s", event.t, event.phase)
            self.stats["dropped_no_session"] += 1
            return None
        if sid in self._closed:
            raise SessionClosed(f"session {sid} has ended; its events are no longer stored")
        return sid

    def _put(self, item: _Item) -> None:
        self._queue.append(item)  # deque.append is atomic; the lock is only for waking
        if item.event is not None and item.event.is_terminal and item.sid is not None:
            self.mark_closed(item.sid)
        if self._writer_idle:
            with self._cond:
                self._cond.notify()
        if self._thread is None:
            self._start()

    def _full(self) -> bool:
        return len(self._queue) >= self.max_queue

    async def emit(self, event: Event, *, wait: bool = False) -> Event | None:
        """Queue `event` for the current session; with `wait`, return it once stored."""
        self._adopt_running_loop()
        sid = self._prepare(event)
        if sid is None:
            return None
        delay = 0.001
        while self._full():  # backpressure: slow the emitter, never raise at it
            self.stats["backpressure_waits"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        waiter = _Waiter(asyncio.get_running_loop()) if wait else None
        self._put(_Item(sid, event, waiter))
        return await waiter.wait_async() if waiter is not None else None

    def emit_sync(self, event: Event, *, wait: bool = False) -> Event | None:
        """`emit` for code in threads: blocks only while the queue is full, or with `wait`."""
        self._refuse_on_loop("emit_sync", "await emit(...)")
        sid = self._prepare(event)
        if sid is None:
            return None
        with self._cond:
            while self._full():
                self.stats["backpressure_waits"] += 1
                self._cond.wait(0.05)
        waiter = _Waiter(None) if wait else None
        self._put(_Item(sid, event, waiter))
        return waiter.wait_sync() if waiter is not None else None

    async def flush(self) -> None:
        """Return once every event queued before this call is stored and handed to the layer."""
        self._adopt_running_loop()
        if self._thread is None and not self._queue:
            return
        waiter = _Waiter(asyncio.get_running_loop())
        self._put(_Item(None, None, waiter))
        await waiter.wait_async()

    def flush_sync(self, timeout: float | None = 30.0) -> None:
        """`flush` for code in threads."""
        self._refuse_on_loop("flush_sync", "await flush()")
        if self._thread is None and not self._queue:
            return
        waiter = _Waiter(None)
        self._put(_Item(None, None, waiter))
        waiter.wait_sync(timeout)

    def mark_closed(self, sid: uuid.UUID) -> None:
        """Refuse further emits into `sid` in this process (its terminal event is queued)."""
        with self._closed_lock:
            self._closed[sid] = None
            self._closed.move_to_end(sid)
            while len(self._closed) > _CLOSED_CACHE:
                self._closed.popitem(last=False)

    def is_closed(self, sid: uuid.UUID) -> bool:
        return sid in self._closed

    @staticmethod
    def _refuse_on_loop(name: str, instead: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise RuntimeError(f"{name}() would block the event loop; use {instead} instead")

    def _adopt_running_loop(self) -> None:
        """Publish on the loop of async emitters (the server's); re-home if that loop closed."""
        running = asyncio.get_running_loop()
        loop = self._loop
        if running is not loop and (loop is None or loop.is_closed() or not loop.is_running()):
            self._loop = running
            self._publish_lock = None

    # -- the writer thread --------------------------------------------------------------------

    def _start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._run, name="agentstream-bus-writer", daemon=True
            )
            self._thread.start()

    def _take(self) -> list[_Item] | None:
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
            items: list[_Item] = []
            events = 0
            while self._queue and events < self.max_batch:
                item = self._queue.popleft()
                items.append(item)
                events += item.event is not None
            self._cond.notify_all()  # wake emit_sync callers waiting for room
            return items

    def _run(self) -> None:
        try:
            while (items := self._take()) is not None:
                self._write(items)
        finally:
            connection.close()
            if self._own_loop is not None:
                self._own_loop.close()
                self._own_loop = None

    def _write(self, items: list[_Item]) -> None:
        from streaming.store import BatchResult, record_batch  # needs the app registry

        batch: dict[uuid.UUID, list[Event]] = {}
        for item in items:
            if item.event is not None and item.sid is not None:
                batch.setdefault(item.sid, []).append(item.event)
        result = BatchResult()
        if batch:
            result = self._store_with_retry(batch, record_batch)
        for sid, refused in result.refused.items():
            self.mark_closed(sid)
            self.stats["refused"] += len(refused)
            logger.warning("session %s: refused %d events (session closed)", sid, len(refused))
        self.stats["stored"] += sum(len(v) for v in result.stored.values())
        self.stats["batches"] += 1
        self._resolve_event_waiters(items, result)
        flushes = [item.waiter for item in items if item.event is None and item.waiter]
        self._publish(result, flushes)

    def _store_with_retry(self, batch: dict[uuid.UUID, list[Event]], record: Any) -> Any:
        attempt = 0
        while True:
            try:
                return record(batch)
            except (OperationalError, InterfaceError, DatabaseError) as exc:
                attempt += 1
                transient = isinstance(exc, OperationalError | InterfaceError)
                logger.error(
                    "storing %d events of sessions %s failed (attempt %d): %s",
                    sum(len(v) for v in batch.values()),
                    ", ".join(str(s) for s in batch),
                    attempt,
                    exc,
                )
                self.stats["store_errors"] += 1
                connection.close()
                if not transient and attempt >= _ATTEMPTS_BEFORE_SPLIT and len(batch) > 1:
                    merged = self._store_each(batch, record)
                    if merged is not None:
                        return merged
                time.sleep(min(0.05 * 2 ** (attempt - 1), _MAX_BACKOFF))

    def _store_each(self, batch: dict[uuid.UUID, list[Event]], record: Any) -> Any:
        """Isolate a batch that keeps failing: store session by session, refuse only the bad.

        Return None when no session could be stored: then the fault is the database's, not one
        session's events, and the whole batch is retried (nothing is refused).
        """
        from streaming.store import BatchResult

        merged = BatchResult()
        failed: dict[uuid.UUID, list[Event]] = {}
        for sid, events in batch.items():
            try:
                one = record({sid: events})
            except DatabaseError:
                connection.close()
                failed[sid] = events
                continue
            merged.stored.update(one.stored)
            merged.refused.update(one.refused)
            merged.last_seq.update(one.last_seq)
        if len(failed) == len(batch):
            return None
        for sid, events in failed.items():
            logger.error("session %s: %d events could not be stored; refused", sid, len(events))
            merged.refused[sid] = events
        return merged

    @staticmethod
    def _resolve_event_waiters(items: list[_Item], result: Any) -> None:
        if not any(item.waiter for item in items if item.event is not None):
            return
        by_identity = {
            id(original): stored
            for sid, stored_events in result.stored.items()
            for original, stored in zip(
                (i.event for i in items if i.sid == sid and i.event is not None),
                stored_events,
                strict=False,
            )
        }
        for item in items:
            if item.event is None or item.waiter is None:
                continue
            stored = by_identity.get(id(item.event))
            if stored is None:
                item.waiter.resolve(error=SessionClosed(f"session {item.sid} is closed"))
            else:
                item.waiter.resolve(stored)

    # -- publishing ---------------------------------------------------------------------------

    def _publish(self, result: Any, flushes: list[_Waiter]) -> None:
        messages = [
            (sid, self._message(sid, events, result.last_seq[sid]))
            for sid, events in result.stored.items()
        ]
        if not messages and not flushes:
            return
        loop = self._loop
        if loop is not None and loop.is_running() and not loop.is_closed():
            if not self._inflight.acquire(timeout=_PUBLISH_TIMEOUT):
                logger.error("the server loop is not taking publishes; clients will catch up")
                for waiter in flushes:
                    waiter.resolve()
                return
            try:
                future = asyncio.run_coroutine_threadsafe(
                    self._publish_in_order(messages, flushes), loop
                )
            except RuntimeError:  # the loop closed between the check and the call
                self._inflight.release()
            else:
                future.add_done_callback(lambda _f: self._inflight.release())
                return
        # No running server loop (a management command, a script): publish from this thread.
        if self._own_loop is None:
            self._own_loop = asyncio.new_event_loop()
        self._own_loop.run_until_complete(self._send(messages))
        for waiter in flushes:
            waiter.resolve()

    def _message(self, sid: uuid.UUID, events: list[Event], last_seq: int) -> dict[str, Any]:
        wire = [e.to_dict() for e in events] if len(events) <= self.max_publish_events else []
        return {"type": EVENTS_MESSAGE, "sid": str(sid), "last_seq": last_seq, "events": wire}

    async def _publish_in_order(
        self, messages: list[tuple[uuid.UUID, dict[str, Any]]], flushes: list[_Waiter]
    ) -> None:
        if self._publish_lock is None:
            self._publish_lock = asyncio.Lock()
        async with self._publish_lock:  # FIFO: batches reach the layer in the order stored
            try:
                await asyncio.wait_for(self._send(messages), _PUBLISH_TIMEOUT)
            except TimeoutError:
                logger.error("publishing to the channel layer timed out; clients will catch up")
            finally:
                for waiter in flushes:
                    waiter.resolve()

    async def _send(self, messages: Iterable[tuple[uuid.UUID, dict[str, Any]]]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        results = await asyncio.gather(
            *(layer.group_send(session_group(sid), message) for sid, message in messages),
            return_exceptions=True,
        )
        for (sid, _), outcome in zip(messages, results, strict=True):
            if isinstance(outcome, BaseException):
                # The layer is only the doorbell: clients catch up from the database.
                self.stats["publish_errors"] += 1
                logger.warning("session %s: publishing failed: %r", sid, outcome)
            else:
                self.stats["published"] += 1

    # -- lifecycle ----------------------------------------------------------------------------

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

    def queued(self) -> int:
        return len(self._queue)


_bus = EventBus()
_bus_lock = threading.Lock()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("AGENTSTREAM_"):
        _bus.reload_settings()


def get_bus() -> EventBus:
    """Return this process's event bus."""
    return _bus


def reset_bus() -> EventBus:
    """Drain the current bus and replace it with a fresh one (tests)."""
    global _bus
    with _bus_lock:
        _bus.drain()
        _bus = EventBus()
        return _bus


async def emit(event: Event, *, wait: bool = False) -> Event | None:
    """Queue `event` in the current session; with `wait=True` return it stored, with its seq."""
    return await _bus.emit(event, wait=wait)


def emit_sync(event: Event, *, wait: bool = False) -> Event | None:
    """Queue `event` from a thread (sync LangGraph nodes, executor code)."""
    return _bus.emit_sync(event, wait=wait)


async def report_progress(
    progress: float, message: str, agent: str, phase: str = Phase.PROGRESS, total: float = 1.0
) -> None:
    """Emit an agent event with `pct = progress / total` (MCP-style progress)."""
    await _bus.emit(_progress_event(progress, message, agent, phase, total))


def report_progress_sync(
    progress: float, message: str, agent: str, phase: str = Phase.PROGRESS, total: float = 1.0
) -> None:
    """`report_progress` for code in threads."""
    _bus.emit_sync(_progress_event(progress, message, agent, phase, total))


def _progress_event(progress: float, message: str, agent: str, phase: str, total: float) -> Event:
    from streaming.exceptions import InvalidEvent

    if not total or total <= 0:
        raise InvalidEvent(f"total must be a positive number, not {total!r}")
    return Event.for_agent(agent, phase, message, pct=progress / total, data={})


async def flush() -> None:
    """Wait until every event emitted so far in this process is stored and published."""
    await _bus.flush()


def flush_sync(timeout: float | None = 30.0) -> None:
    """`flush` for code in threads."""
    _bus.flush_sync(timeout)
