"""The writer thread: store what queued as one batch, retry on database errors, then publish.

It has its own thread and so its own database connection: Django's async ORM and
`database_sync_to_async` share one thread per process, and a slow query there (a big replay)
must not stall the emits.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from typing import Protocol

from django.db import DatabaseError, connection

from streaming.log import outages
from streaming.log.bus.publisher import Publisher
from streaming.log.bus.waiters import Item
from streaming.log.events import Event
from streaming.log.exceptions import SessionClosed
from streaming.log.store import BatchResult, record_batch

logger = logging.getLogger("streaming.log.bus")

MAX_BACKOFF = 5.0
ATTEMPTS_BEFORE_SPLIT = 5

Batch = dict[uuid.UUID, list[Event]]


class Queue(Protocol):
    """What the writer needs of the bus (`streaming.log.bus.eventbus.EventBus`)."""

    stats: Counter[str]
    publisher: Publisher

    def take(self) -> list[Item] | None: ...

    def mark_closed(self, sid: uuid.UUID) -> None: ...


class Writer:
    """Runs in the bus's thread: takes batches off the queue until the bus stops."""

    def __init__(self, bus: Queue) -> None:
        self.bus = bus
        self.stats = bus.stats

    def run(self) -> None:
        try:
            while (items := self.bus.take()) is not None:
                try:
                    self.write(items)
                except Exception:  # the thread must outlive any one batch
                    logger.exception("the bus writer failed on a batch of %d items", len(items))
                    for item in items:
                        if item.waiter is not None:
                            item.waiter.resolve(error=RuntimeError("the bus writer failed"))
        finally:
            connection.close()
            self.bus.publisher.close()

    def write(self, items: list[Item]) -> None:
        """Store one batch, settle its waiters, and hand the stored events to the publisher."""
        batch: Batch = {}
        for item in items:
            if item.event is not None and item.sid is not None:
                batch.setdefault(item.sid, []).append(item.event)
        result = self.store(batch) if batch else BatchResult()
        for sid, refused in result.refused.items():
            self.bus.mark_closed(sid)
            self.stats["refused"] += len(refused)
            logger.warning("session %s: refused %d events (session closed)", sid, len(refused))
        self.stats["stored"] += sum(len(v) for v in result.stored.values())
        self.stats["batches"] += 1
        _resolve_event_waiters(items, result)
        publisher = self.bus.publisher
        messages = [
            (sid, publisher.message(sid, events, result.last_seq[sid]))
            for sid, events in result.stored.items()
        ]
        flushes = [item.waiter for item in items if item.event is None and item.waiter]
        publisher.publish(messages, flushes)

    def store(self, batch: Batch) -> BatchResult:
        """Store `batch`, retrying with backoff; never drop it for a database outage."""
        attempt = 0
        while True:
            try:
                result = record_batch(batch)
            except Exception as exc:  # a database outage, or a misconfigured connection
                attempt += 1
                transient = outages.is_transient(exc)
                what = (
                    f"storing {sum(len(v) for v in batch.values())} events of sessions "
                    f"{', '.join(str(s) for s in batch)} failed (attempt {attempt}): {exc}"
                )
                if transient:  # an outage: one WARNING for all of it, then the count
                    outages.database.failed(what)
                elif attempt == 1:  # not an outage (a schema or data problem): once per batch
                    logger.error("%s", what)
                self.stats["store_errors"] += 1
                connection.close()
                if not transient and attempt >= ATTEMPTS_BEFORE_SPLIT and len(batch) > 1:
                    merged = self.store_each(batch)
                    if merged is not None:
                        return merged
                time.sleep(min(0.05 * 2 ** (attempt - 1), MAX_BACKOFF))
            else:
                outages.database.recovered()
                return result

    def store_each(self, batch: Batch) -> BatchResult | None:
        """Isolate a batch that keeps failing: store session by session, refuse only the bad.

        Return None when no session could be stored: then the fault is the database's, not one
        session's events, and the whole batch is retried (nothing is refused).
        """
        merged = BatchResult()
        failed: Batch = {}
        for sid, events in batch.items():
            try:
                one = record_batch({sid: events})
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


def _resolve_event_waiters(items: list[Item], result: BatchResult) -> None:
    """Give each `emit(..., wait=True)` caller its stored event, or `SessionClosed`."""
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
