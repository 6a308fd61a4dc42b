"""What travels through the bus's queue, and how a caller waits for its part to be stored."""

from __future__ import annotations

import asyncio
import threading
import uuid
from dataclasses import dataclass

from streaming.log.events import Event


class Waiter:
    """Resolved once everything queued before it is stored (and handed to the layer).

    Works for an async caller (a future on its loop, settled thread-safely) and for a thread (an
    Event to block on).
    """

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
        """Called from the writer thread with the stored event, or the reason it was not."""
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
class Item:
    """One queue entry: an event of session `sid`, a flush marker (no event), or both."""

    sid: uuid.UUID | None
    event: Event | None
    waiter: Waiter | None
