"""The event bus: agents emit, a writer thread stores in batches, then the group is told.

`emit` validates, stamps the current session and queues; it blocks the agent only when the queue
is full (backpressure). One writer thread per process, with its own database connection, drains
the queue: everything that queued while the previous write was in flight goes into one
transaction (`streaming.log.store.record_batch`) and, once committed, one group message per session
goes out on the server's event loop. Store first, publish second: the database is the source of
truth and the channel layer only the doorbell. See docs/core.md.

- `eventbus.py`: the queue and the emitting side (`EventBus`)
- `writer.py`: the writer thread (batches, retries)
- `publisher.py`: group messages on the server's loop, in order
- `waiters.py`: queue items and `wait=True` / `flush()` waiters
"""

from __future__ import annotations

import threading

from streaming.log.bus.eventbus import EventBus
from streaming.log.events import Event, Phase
from streaming.log.exceptions import InvalidEvent

__all__ = [
    "EventBus",
    "emit",
    "emit_sync",
    "flush",
    "flush_sync",
    "get_bus",
    "report_progress",
    "report_progress_sync",
    "reset_bus",
]

_bus = EventBus()
_bus_lock = threading.Lock()


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
    if not total or total <= 0:
        raise InvalidEvent(f"total must be a positive number, not {total!r}")
    return Event.for_agent(agent, phase, message, pct=progress / total, data={})


async def flush() -> None:
    """Wait until every event emitted so far in this process is stored and published."""
    await _bus.flush()


def flush_sync(timeout: float | None = 30.0) -> None:
    """`flush` for code in threads."""
    _bus.flush_sync(timeout)
