"""One watcher per process for the live streams: idle rereads and group re-joins.

The channel layer drops messages, and a dropped *last* message leaves no seq jump to notice.
So about once a second the watcher rereads `last_seq` of every session whose streams heard
nothing for that long — in one query for all of them, not one per connection — and wakes the
streams that are behind. It also re-joins long-lived streams to their group before
channels-redis' `group_expiry` forgets them. It runs only while some stream is live.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Protocol

from streaming.log import outages
from streaming.log.conf import conf
from streaming.log.follow.doorbell import Doorbell
from streaming.log.follow.reads import SessionState, read_states, run_read


class Watched(Protocol):
    """What the watcher needs of a live stream (`streaming.log.follow.tail.SessionTail`)."""

    session_id: uuid.UUID
    doorbell: Doorbell | None
    last_heard: float

    @property
    def ended(self) -> object | None: ...

    def observe(self, state: SessionState) -> None: ...


logger = logging.getLogger(__name__)


class Watcher:
    """The set of live tails of this process and the task that looks after them."""

    def __init__(self) -> None:
        self._tails: set[Watched] = set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._tails)

    def add(self, tail: Watched) -> None:
        """Watch `tail` until `discard`; start the task on the running loop if needed."""
        self._tails.add(tail)
        loop = asyncio.get_running_loop()
        task = self._task
        if task is None or task.done() or task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="agentstream-stream-watcher")

    def discard(self, tail: Watched) -> None:
        self._tails.discard(tail)

    async def _run(self) -> None:
        while self._tails:
            interval = conf.IDLE_POLL_SECONDS
            await asyncio.sleep(interval)
            try:
                await self._poll_idle(interval)  # a read that gets through ends an outage
            except Exception as exc:
                outages.database.failed(exc)  # the streams keep their cursors meanwhile
            await self._rejoin_groups()

    async def _poll_idle(self, interval: float) -> None:
        now = time.monotonic()
        # During a database outage every stream counts as idle: streams fed by the doorbell
        # would otherwise read nothing, and nothing would tell this process the database is back.
        quiet = interval if not outages.database.down else float("-inf")
        idle = [t for t in self._tails if t.ended is None and now - t.last_heard >= quiet]
        if not idle:
            return
        states = await run_read(read_states, {t.session_id for t in idle})
        for tail in idle:
            state = states.get(tail.session_id)
            if state is not None:
                tail.observe(state)

    async def _rejoin_groups(self) -> None:
        refresh = conf.GROUP_REFRESH_SECONDS
        now = time.monotonic()
        due = {  # one rejoin per session's bell, however many streams share it
            id(t.doorbell.bell): t.doorbell
            for t in self._tails
            if t.doorbell is not None
            and t.doorbell.joined_at is not None
            and now - t.doorbell.joined_at >= refresh
        }
        for doorbell in due.values():
            await doorbell.rejoin()  # never raises: a failure is the doorbell's to retry


watcher = Watcher()


def follow(tail: Watched) -> None:
    """Start watching a live stream (called by `SessionTail.follow`)."""
    watcher.add(tail)


def unfollow(tail: Watched) -> None:
    watcher.discard(tail)
